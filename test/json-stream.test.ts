import { describe, expect, it } from 'vitest';
import fixture from './fixtures/list-connector-tasks.example.json';
import { JsonStreamError, parseJsonStream } from '../lib/store/json-stream';

/** `text` as UTF-8 chunks of `size` bytes: multi-byte characters and tokens are cut anywhere. */
async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const documents: [string, string][] = [
  ['the API example response', JSON.stringify(fixture)],
  ['the same, pretty-printed', JSON.stringify(fixture, null, 2)],
  ['a top-level array of numbers', '[1, -2.5e3, 0, 1E-2, 3]'],
  ['scalars at the top', '"a \\"quoted\\" string"'],
  ['a number at the top', '  42  '],
  ['literals', '{"t":true,"f":false,"n":null,"e":{},"a":[],"s":""}'],
  ['escapes and brackets inside strings', '{"a":"}]\\\\","b":"[{\\"x\\":1}]","c":"\\u00e9\\n"}'],
  ['non-ASCII split across chunks', '{"name":"数据转储-任务","emoji":"🚀","ok":true}'],
  ['deep nesting', `${'['.repeat(40)}1${']'.repeat(40)}`],
  ['whitespace everywhere', ' { "a" : [ 1 , { "b" : null } ] , "c" : "d" } '],
  ['a key named __proto__', '{"__proto__":{"polluted":true},"x":1}'],
  ['a duplicate key (the last wins, as in JSON.parse)', '{"a":1,"a":2}'],
];

describe('parseJsonStream', () => {
  // window 8: every container longer than 8 characters is parsed member by member.
  describe.each([
    ['whole values (default window)', undefined],
    ['member by member (window 8)', 8],
  ])('%s', (_name, window) => {
    it.each(documents)('%s: equals JSON.parse, whatever the chunk size', async (_doc, text) => {
      for (const size of [1, 3, 7, 64, 1 << 20]) {
        const parsed = await parseJsonStream(chunked(text, size), { window });
        expect(parsed).toEqual(JSON.parse(text));
      }
    });
  });

  it('never sets the prototype from a "__proto__" key', async () => {
    const parsed = (await parseJsonStream(chunked('{"__proto__":{"polluted":true}}', 4), { window: 4 })) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  // Whole values go to JSON.parse, which names no place inside them; member by member, the parser does.
  const WHOLE = 'invalid JSON in the value starting at character 0';
  it.each([
    ['empty text', '', 'unexpected end of the text at character 0', 'unexpected end of the text at character 0'],
    ['truncated object', '{"a":[1,2', 'unexpected end of the text at character 0', 'unexpected end of the text at character 9'],
    ['truncated string', '{"a":"abc', 'unexpected end of the text at character 0', 'unexpected end of the text at character 5'],
    ['missing colon', '{"a" 1}', WHOLE, "expected ':' but found '1' at character 5"],
    ['missing comma', '{"a":1 "b":2}', WHOLE, `expected ',' or the end of the object but found '"' at character 7`],
    ['key not a string', '{a:1}', WHOLE, "expected a key but found 'a' at character 1"],
    ['trailing comma', '[10,20,]', WHOLE, "unexpected ']' at character 7"],
    ['text after the end', '{"a":1} x', 'unexpected text after the end at character 8', 'unexpected text after the end at character 8'],
    ['a bad literal', '{"a":tru}', WHOLE, 'invalid JSON in the value starting at character 5'],
    ['mismatched brackets', '{"a":[1}', 'unexpected end of the text at character 0', 'invalid JSON in the value starting at character 5'],
    ['not JSON at all', '<Error><Code>NoSuchKey</Code></Error>', WHOLE, WHOLE],
    ['a stray closing bracket', ']', "unexpected ']' at character 0", "unexpected ']' at character 0"],
  ])('%s is a JsonStreamError naming where', async (_name, text, whole, memberwise) => {
    for (const [window, message] of [[undefined, whole], [4, memberwise]] as const) {
      const err = await parseJsonStream(chunked(text, 3), { window }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JsonStreamError);
      expect((err as Error).message).toContain(message);
    }
  });

  it('does not quote the text in its errors (a state object may hold anything)', async () => {
    const err = (await parseJsonStream(chunked('{"secret-looking":"value-123",}', 5), { window: 8 }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(JsonStreamError);
    expect(err.message).not.toContain('value-123');
  });

  it('holds at most about a window of text: a 6 MB array is parsed member by member', async () => {
    const item = { id: 'x'.repeat(36), sink_task: { obs_path: 'p'.repeat(100), flush_size: 1000000 } };
    const text = JSON.stringify({ tasks: Array.from({ length: 30_000 }, () => item) });
    let longest = 0;
    async function* watched(): AsyncGenerator<Buffer> {
      for await (const c of chunked(text, 64 * 1024)) yield c;
    }
    // The longest string the parser hands to JSON.parse is one task, not the document.
    const original = JSON.parse;
    JSON.parse = ((s: string) => {
      longest = Math.max(longest, s.length);
      return original(s);
    }) as typeof JSON.parse;
    try {
      const parsed = (await parseJsonStream(watched(), { window: 1024 })) as { tasks: unknown[] };
      expect(parsed.tasks).toHaveLength(30_000);
      expect(parsed.tasks[29_999]).toEqual(item);
    } finally {
      JSON.parse = original;
    }
    expect(text.length).toBeGreaterThan(5_000_000);
    expect(longest).toBeLessThanOrEqual(1024);
  });

  it.each([
    ['members of streamed containers, with their paths', '{"a":[{"x":1},{"x":2}],"b":"two"}', 8, [['a', 0], ['a', 1], ['a'], ['b']]],
    ['nothing inside a value parsed in one piece', '{"a":[{"x":1},{"x":2}],"b":"two"}', 1024, []],
    ['nested streamed containers, inner members first', '{"s":{"i":[[1,2,3],[4,5,6]]}}', 8, [['s', 'i', 0], ['s', 'i', 1], ['s', 'i'], ['s']]],
  ])('onMember sees %s', async (_name, text, window, paths) => {
    const seen: unknown[] = [];
    const parsed = await parseJsonStream(chunked(text, 3), {
      window,
      onMember: (path, value) => {
        seen.push([...path]);
        return value;
      },
    });
    expect(seen).toEqual(paths);
    expect(parsed).toEqual(JSON.parse(text));
  });

  it('keeps what onMember returns in place of the parsed member', async () => {
    const held = { id: 'held' };
    const parsed = (await parseJsonStream(chunked('{"tasks":[{"id":"held"},{"id":"new"}]}', 5), {
      window: 16,
      onMember: (path, value) => (path.length === 2 && (value as { id?: string }).id === 'held' ? held : value),
    })) as { tasks: unknown[] };
    expect(parsed.tasks[0]).toBe(held);
    expect(parsed.tasks[1]).toEqual({ id: 'new' });
  });

  // The kept text is the value exactly as written, whitespace and escapes included, wherever the
  // chunks and the window cut it; nothing is kept for a path that is not there.
  const PRETTY = '{ "a" : [ 1 , {"b": "x \\" y"} ], "s" : { "k" : "数据-🚀" , "n": [ ] } , "z": null }';
  it.each<[string, (string | number)[], string | undefined]>([
    ['a nested object', ['s'], '{ "k" : "数据-🚀" , "n": [ ] }'],
    ['an array element', ['a', 1], '{"b": "x \\" y"}'],
    ['a number', ['a', 0], '1'],
    ['a literal', ['z'], 'null'],
    ['a whole array', ['a'], '[ 1 , {"b": "x \\" y"} ]'],
    ['the root', [], PRETTY],
    ['a path that is not there', ['s', 'missing'], undefined],
  ])('keep: %s', async (_name, path, expected) => {
    for (const window of [4, 8, 1024]) {
      for (const size of [1, 3, 7, 64]) {
        const found: string[] = [];
        let pieces: string[] = [];
        const keep = { path, piece: (t: string) => pieces.push(t), done: () => { found.push(pieces.join('')); pieces = []; } };
        const parsed = await parseJsonStream(chunked(PRETTY, size), { window, keep });
        expect(pieces).toEqual([]);
        expect(found, `window ${window}, chunks of ${size}`).toEqual(expected === undefined ? [] : [expected]);
        expect(parsed).toEqual(JSON.parse(PRETTY));
      }
    }
  });
});
