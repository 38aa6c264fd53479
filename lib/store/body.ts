import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { canonicalChunks, canonicalJson } from './canonical-json';
import { type JsonPath, JsonStreamError, type KeepText, type OnMember, parseJsonStream } from './json-stream';
import type { Snapshot } from './snapshot';
import type { State } from './state';

/**
 * What the store does with bytes: a body is made as the request pulls it (a first pass gives its
 * length and sha256), an object is parsed as it streams in, and the snapshot's text inside state.json
 * is kept to be written back as it was. A large fleet is never in memory as one string, nor as all its bytes.
 */

/** A request body made as it is sent: its length and sha256 come from a first pass over `chunks`. */
export interface Body {
  length: number;
  sha256: string;
  chunks: () => Iterable<Buffer>;
}

export function measure(chunks: () => Iterable<Buffer>): Body {
  const hash = createHash('sha256');
  let length = 0;
  for (const chunk of chunks()) {
    hash.update(chunk);
    length += chunk.length;
  }
  return { length, sha256: hash.digest('hex'), chunks };
}

/**
 * A state.json up to this size keeps its snapshot's text while the run lasts (about 400 instances of
 * 18 tasks): a run that changes nothing writes it back without serialising the snapshot again.
 */
export const KEEP_MAX_BYTES = 8 * 1024 * 1024;

/** The bytes of the value at `path` as the parser hands its text over, with their length and sha256. */
export function keptBytes(path: JsonPath): { keep: KeepText; value(): Body | undefined } {
  let parts: Buffer[] = [];
  let hash = createHash('sha256');
  let value: Body | undefined;
  const keep: KeepText = {
    path,
    piece(text) {
      const bytes = Buffer.from(text);
      parts.push(bytes);
      hash.update(bytes);
    },
    done() {
      const chunks = parts;
      value = { length: chunks.reduce((n, c) => n + c.length, 0), sha256: hash.digest('hex'), chunks: () => chunks };
      parts = [];
      hash = createHash('sha256');
    },
  };
  return { keep, value: () => value };
}

/** A JSON object as read: parsed while it streams in (`invalid` when it is not JSON), and the sha256 of its bytes when asked. */
export type JsonRead = { sha256: string | undefined } & ({ json: unknown } | { invalid: string });

export interface ReadJsonOptions {
  hashed?: boolean;
  onMember?: OnMember | undefined;
  /** Honoured only for a body of at most KEEP_MAX_BYTES. */
  keep?: KeepText | undefined;
}

/** Parses a JSON body as it arrives: never held whole, as bytes or as text (but for the text `keep` asks for). */
export async function readJson(body: Readable, length: number, opts: ReadJsonOptions = {}): Promise<JsonRead> {
  const hash = opts.hashed ? createHash('sha256') : undefined;
  async function* bytes() {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hash?.update(chunk);
      yield chunk;
      // Chunks already received are handed over in one go, without a turn of the event loop: let
      // other work in between (the state is read while the listing's last requests are in flight).
      await new Promise(setImmediate);
    }
  }
  try {
    const json = await parseJsonStream(bytes(), { onMember: opts.onMember, keep: length <= KEEP_MAX_BYTES ? opts.keep : undefined });
    return { json, sha256: hash?.digest('hex') };
  } catch (err) {
    if (!(err instanceof JsonStreamError)) throw err;
    body.destroy();
    return { invalid: err.message, sha256: undefined };
  }
}

/**
 * Each snapshot's bytes (canonical JSON, so equal snapshots give equal bytes), measured once and made
 * again as each request pulls them, for its history object and every state.json write.
 */
export class SnapshotBodies {
  private readonly measured = new WeakMap<Snapshot, Body>();

  of(snapshot: Snapshot): Body {
    let body = this.measured.get(snapshot);
    if (body === undefined) this.measured.set(snapshot, (body = measure(() => canonicalChunks(snapshot))));
    return body;
  }

  /** `body` is `snapshot`'s bytes as they were read (the history chain's sha256 says so): written back as they are. */
  adopt(snapshot: Snapshot, body: Body): void {
    this.measured.set(snapshot, body);
  }
}

/** state.json's bytes: canonical JSON, with the snapshot's bytes spliced in as `bodies` has them. */
export function stateBody(state: State, bodies: SnapshotBodies): Pick<Body, 'length' | 'chunks'> {
  // `snapshot` is the last key in canonical order: the state is its other keys, then the snapshot's bytes.
  const { snapshot, ...rest } = state;
  const head = canonicalJson(rest);
  const spliced = Object.keys(rest).every((k) => k < 'snapshot') && head !== '{}';
  const open = Buffer.from(spliced ? `${head.slice(0, -1)},"snapshot":` : canonicalJson(state));
  const close = Buffer.from(spliced ? '}' : '');
  const inner = spliced ? bodies.of(snapshot) : { length: 0, chunks: () => [] };
  return {
    length: open.length + inner.length + close.length,
    *chunks() {
      yield open;
      yield* inner.chunks();
      yield close;
    },
  };
}
