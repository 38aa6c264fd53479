import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonStreamError, parseJsonStream } from '../lib/store/json-stream';

// parseJsonStream against JSON.parse (the oracle) over random documents, cut into random chunks.
// fast-check prints the seed and the shrunk counterexample of a failure; replay with { seed, path }.

/** Characters of strings: any code point (lone surrogates too), often one that JSON escapes or the parser scans for. */
const stringUnit = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('\\', '"', '{', '}', '[', ']', ',', ':', '\n', 'é', '签', '😀'));
/** Any JSON value, as text with random whitespace. */
const documents = fc
  .tuple(fc.jsonValue({ stringUnit, maxDepth: 5 }), fc.constantFrom(undefined, 0, 1, 2, '\t', ' \r\n '))
  .map(([value, space]) => JSON.stringify(value, null, space));

/** `bytes` cut at the offsets `cuts` (any byte, inside a UTF-8 sequence or a token, empty chunks too). */
function cutAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...at].map((from, i) => bytes.subarray(from, at[i] ?? bytes.length));
}

async function* stream(chunks: readonly (Buffer | string)[]): AsyncGenerator<Buffer | string> {
  yield* chunks;
}

type Outcome = { ok: true; value: unknown } | { ok: false };

/** JSON.parse of the bytes as UTF-8 (invalid sequences become U+FFFD, as the stream's decoder makes them). */
function oracle(bytes: Buffer): Outcome {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

async function streamed(chunks: readonly (Buffer | string)[], window: number): Promise<Outcome> {
  try {
    return { ok: true, value: await parseJsonStream(stream(chunks), { window }) };
  } catch (err) {
    expect(err).toBeInstanceOf(JsonStreamError); // rejected with its own error, never a crash
    return { ok: false };
  }
}

// Small windows make containers parse member by member; the default parses them in one piece.
const windows = fc.constantFrom(1, 2, 8, 64, 256 * 1024);
const cuts = fc.array(fc.nat(), { maxLength: 12 });
const RUNS = { numRuns: 300 };

describe('parseJsonStream against JSON.parse (fast-check)', () => {
  it('equals JSON.parse for any document, cut into UTF-8 byte chunks anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(documents, cuts, windows, async (text, at, window) => {
        const bytes = Buffer.from(text);
        expect(await streamed(cutAt(bytes, at), window)).toEqual(oracle(bytes));
      }),
      RUNS,
    );
  });

  it('equals JSON.parse for any document given as string chunks cut anywhere (inside surrogate pairs too)', async () => {
    await fc.assert(
      fc.asyncProperty(documents, cuts, windows, async (text, at, window) => {
        const points = [...new Set(at.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((from, i) => text.slice(from, points[i] ?? text.length));
        expect(await streamed(chunks, window)).toEqual({ ok: true, value: JSON.parse(text) });
      }),
      RUNS,
    );
  });

  it('agrees with JSON.parse on truncated documents', async () => {
    await fc.assert(
      fc.asyncProperty(documents, fc.nat(), cuts, windows, async (text, end, at, window) => {
        const whole = Buffer.from(text);
        const bytes = whole.subarray(0, end % whole.length); // at least one byte short
        expect(await streamed(cutAt(bytes, at), window)).toEqual(oracle(bytes));
      }),
      RUNS,
    );
  });

  // A byte replaced by any byte, or by one that means something to JSON (so the mutation is often structural).
  const replacement = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...Buffer.from('{}[],:"\\ \t\n0123456789-+.eEtfnulras')));

  it('agrees with JSON.parse on documents with one byte changed', async () => {
    await fc.assert(
      fc.asyncProperty(documents, fc.nat(), replacement, cuts, windows, async (text, where, byte, at, window) => {
        const bytes = Buffer.from(text);
        bytes[where % bytes.length] = byte;
        expect(await streamed(cutAt(bytes, at), window)).toEqual(oracle(bytes));
      }),
      RUNS,
    );
  });
});
