import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import ObsClient from 'esdk-obs-nodejs';
import { canonicalChunks, canonicalJson } from './canonical-json';
import type { Credentials } from '../source/credentials';
import { StoreError, describeError } from '../errors';
import { sha256Hex } from './hash';
import { type JsonPath, JsonStreamError, type KeepText, type OnMember, type ParseOptions, parseJsonStream } from './json-stream';
import { type RetryDeps, type RetryPolicy, withRetry } from '../retry';
import { Snapshot, type TaskIntern, historyKey, internTasks, snapshotIdAt } from './snapshot';
import { State } from './state';

export type StateRead = { kind: 'missing' } | { kind: 'ok'; state: State } | { kind: 'corrupt'; reason: string };

export interface StoredSnapshot {
  snapshot: Snapshot;
  key: string;
  sha256: string;
}

/** The port the run uses for OBS: `state.json`, the history chain and the quarantine. Keys are relative to the prefix. */
export interface SnapshotStore {
  /** state.json; each stored task passes through `intern` as it is read (a large state is read piece by piece). */
  readState(intern?: TaskIntern): Promise<StateRead>;
  /** The version of state.json as it is now (a HEAD request: its ETag), null when it does not exist. */
  stateVersion(): Promise<string | null>;
  /** Writes state.json; returns the version written. */
  putState(state: State): Promise<string>;
  /** Writes a new history object; returns its full OBS key and the sha256 of its bytes. */
  putHistory(snapshot: Snapshot): Promise<{ key: string; sha256: string }>;
  /** The newest history object that parses, or null when there is none. */
  readLatestHistory(): Promise<StoredSnapshot | null>;
  /** History objects whose full keys sort after `fullKey` (all of them for null), oldest first; those at the full keys in `except` are not read. */
  readHistoryAfter(fullKey: string | null, except?: ReadonlySet<string>): Promise<StoredSnapshot[]>;
  /** One history object by key relative to the prefix; undefined when it is missing or does not parse. */
  readHistory(key: string): Promise<StoredSnapshot | undefined>;
  /** Keeps an unreadable state.json as it was (a server-side copy: the exact bytes). */
  quarantineState(snapshotId: string): Promise<string>;
  /** Keys under `{prefix}{sub}`, relative to the prefix, sorted. */
  listKeys(sub: string): Promise<string[]>;
  /** An object's text, by key relative to the prefix; undefined when it does not exist. */
  readText(key: string): Promise<string | undefined>;
  /** Writes an object's text (JSON), by key relative to the prefix: for objects other than state and history (silences.json). */
  putText(key: string, text: string): Promise<void>;
  /** Deletes an object, by key relative to the prefix (a missing one is no error). */
  deleteKey(key: string): Promise<void>;
  /** Short human description (`obs://bucket/prefix`), for messages. */
  readonly location: string;
  /** OBS_PREFIX as configured, so callers can turn relative keys into full ones. */
  readonly prefix: string;
}

/** A store with sockets of its own: `close()` destroys them, a request still waiting included. */
export interface ClosableStore extends SnapshotStore {
  close(): void;
}

export interface ObsStoreOptions {
  bucket: string;
  prefix: string;
  endpoint: string;
  credentials: Credentials;
  /** Per request (default 30 s): a request with no answer for this long fails as timed out. */
  timeoutSeconds?: number;
  /** Retries of throttling, 5xx, timeouts and network failures (default 3 attempts). */
  retry?: RetryPolicy;
  /** Clock, sleep and the deadline for the retries (default: real time, no deadline). */
  retryDeps?: RetryDeps;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };
const REAL_TIME: RetryDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: Date.now,
  random: Math.random,
  deadline: Number.POSITIVE_INFINITY,
};

export const STATE_KEY = 'state.json';
/**
 * A state.json up to this size keeps its snapshot's text while the run lasts (about 400 instances of
 * 18 tasks): a run that changes nothing writes it back without serialising the snapshot again.
 */
const KEEP_MAX_BYTES = 8 * 1024 * 1024;

/** A JSON object as read: parsed while it streams in (`invalid` when it is not JSON), and the sha256 of its bytes when asked. */
type JsonRead = { sha256: string | undefined } & ({ json: unknown } | { invalid: string });

/** A request body made as it is sent: its length and sha256 come from a first pass over `chunks`. */
interface Body {
  length: number;
  sha256: string;
  chunks: () => Iterable<Buffer>;
}

function measure(chunks: () => Iterable<Buffer>): Body {
  const hash = createHash('sha256');
  let length = 0;
  for (const chunk of chunks()) {
    hash.update(chunk);
    length += chunk.length;
  }
  return { length, sha256: hash.digest('hex'), chunks };
}

/** Serialises an object the way the store writes it: canonical JSON, so equal snapshots give equal bytes. */
export function serialise(value: unknown): string {
  return canonicalJson(value);
}

/** The bytes of the value at `path` as the parser hands its text over, with their length and sha256. */
function keptBytes(path: JsonPath): { keep: KeepText; value(): Body | undefined } {
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

/** SnapshotStore over esdk-obs-nodejs: the only file that imports it. */
/** History keys in snapshot-id order: `X.json` before `X-000001.json` (plain order puts `-` before `.`). */
export function byId(a: string, b: string): number {
  const [x, y] = [a.replace(/\.json$/, ''), b.replace(/\.json$/, '')];
  return x < y ? -1 : x > y ? 1 : 0;
}

export async function createObsStore(opts: ObsStoreOptions): Promise<ClosableStore> {
  const local = /^https?:\/\/(localhost|\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\])(:\d+)?/i.test(opts.endpoint);
  // Agents of its own, so that close() can destroy every socket (the client's timeout rejects its
  // promise but leaves the request open).
  const agents = [new HttpAgent({ keepAlive: true }), new HttpsAgent({ keepAlive: true })] as const;
  const timeoutSeconds = opts.timeoutSeconds ?? 30;
  const client = new ObsClient({
    access_key_id: opts.credentials.ak.reveal(),
    secret_access_key: opts.credentials.sk.reveal(),
    ...(opts.credentials.securityToken ? { security_token: opts.credentials.securityToken.reveal() } : {}),
    server: opts.endpoint,
    path_style: local,
    // Huawei Cloud OBS speaks the OBS protocol: no request per run to ask which one (path style,
    // for local OBS-compatible servers, always uses the S3 v2 signature and never asks).
    signature: 'obs',
    is_signature_negotiation: false,
    timeout: timeoutSeconds,
    // Retries are ours (below): bounded by the run's deadline and applied to 5xx answers too.
    max_retry_count: 0,
    http_agent: agents[0],
    https_agent: agents[1],
  });
  // The client initialises asynchronously: a call in the same tick fails.
  await new Promise((resolve) => setImmediate(resolve));
  const { bucket, prefix } = opts;
  // A snapshot's bytes are made as the request pulls them, for its history object and every
  // state.json write; a first pass gives their length and sha256. A large fleet is never in memory
  // as one string, nor as all its bytes.
  const measured = new WeakMap<Snapshot, Body>();
  const snapshotBody = (snapshot: Snapshot): Body => {
    let body = measured.get(snapshot);
    if (body === undefined) measured.set(snapshot, (body = measure(() => canonicalChunks(snapshot))));
    return body;
  };
  const where = (key: string) => `obs://${bucket}/${prefix}${key}`;
  const server = safeOrigin(opts.endpoint);
  const checkKeys = opts.credentials.source === 'agency' ? "check the agency's OBS permissions" : 'check CLOUD_SDK_AK/CLOUD_SDK_SK and their OBS permissions';

  const retry = opts.retry ?? DEFAULT_RETRY;
  const time = opts.retryDeps ?? REAL_TIME;

  /**
   * One OBS request with retries; the error names the operation, bucket and key, never credentials,
   * and the number of attempts only when a retry was made.
   */
  async function call<T>(what: string, key: string, fn: () => Promise<ObsClient.Result<T>>, allow404 = false) {
    const failed = `OBS ${what} ${where(key)} failed`;
    let attempts = 0;
    try {
      return await withRetry(retry, time, async () => {
        attempts++;
        let result: ObsClient.Result<T>;
        try {
          result = await fn();
        } catch (err) {
          const timedOut = (err as { code?: unknown } | null)?.code === 'ETIMEDOUT';
          const why = timedOut ? `timed out waiting for OBS at ${server} (no answer in ${timeoutSeconds} s)` : describeError(err);
          throw new StoreError(`${failed}: ${why}`, { cause: err, retryable: true });
        }
        const { Status, Code, Message } = result.CommonMsg;
        if (Status === 404 && allow404 && Code !== 'NoSuchBucket') return undefined;
        if (Status >= 300 || !result.InterfaceResult) {
          const code = Code || `HTTP ${Status}`;
          const hint = Code === 'NoSuchBucket' ? ` (bucket ${bucket} does not exist)` : Status === 403 ? ` (access denied: ${checkKeys})` : '';
          throw new StoreError(`${failed}: ${code}${Message ? ` ${Message}` : ''}${hint}`, { retryable: Status === 408 || Status === 429 || Status >= 500 });
        }
        return result.InterfaceResult;
      }, (err) => ({ retryable: err instanceof StoreError && err.retryable }));
    } catch (err) {
      if (attempts < 2 || !(err instanceof StoreError)) throw err;
      throw new StoreError(`${err.message} (after ${attempts} attempts)`, { cause: err.cause, retryable: err.retryable });
    }
  }

  const get = (key: string) => call('GET', key, () => client.getObject({ Bucket: bucket, Key: prefix + key }), true);
  const put = async (key: string, body: Pick<Body, 'length' | 'chunks'>) => {
    // A fresh stream per attempt; Content-Length given, so the body is streamed, not buffered.
    const out = await call('PUT', key, () =>
      client.putObject({ Bucket: bucket, Key: prefix + key, Body: Readable.from(body.chunks()), ContentLength: String(body.length), ContentType: 'application/json' }),
    );
    return out?.ETag;
  };
  /**
   * GET of a JSON object, parsed as it arrives: the body is never held whole, as bytes or as text
   * (but for the text `keep` asks for, when the object is at most KEEP_MAX_BYTES).
   */
  const getJson = (key: string, hashed: boolean, options: () => Pick<ParseOptions, 'onMember' | 'keep'> = () => ({})) =>
    call('GET', key, async (): Promise<ObsClient.Result<JsonRead>> => {
      const parse = options(); // afresh for each attempt
      const { CommonMsg, InterfaceResult } = await client.getObject({ Bucket: bucket, Key: prefix + key, SaveAsStream: true });
      const body = InterfaceResult?.Content;
      if (!body) return { CommonMsg };
      const keep = Number(InterfaceResult.ContentLength ?? Number.POSITIVE_INFINITY) <= KEEP_MAX_BYTES ? parse.keep : undefined;
      const hash = hashed ? createHash('sha256') : undefined;
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
        const json = await parseJsonStream(bytes(), { onMember: parse.onMember, keep });
        return { CommonMsg, InterfaceResult: { json, sha256: hash?.digest('hex') } };
      } catch (err) {
        if (!(err instanceof JsonStreamError)) throw err;
        body.destroy();
        return { CommonMsg, InterfaceResult: { invalid: err.message, sha256: undefined } };
      }
    }, true);
  const readHistory = async (key: string): Promise<StoredSnapshot | undefined> => {
    const out = key.endsWith('.json') ? await getJson(key, true) : undefined;
    const parsed = out && 'json' in out ? Snapshot.safeParse(out.json) : undefined;
    return parsed?.success ? { snapshot: parsed.data, key: prefix + key, sha256: out?.sha256 as string } : undefined;
  };
  const list = async (sub: string) => {
    const keys: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const out = await call('LIST', sub, () =>
        client.listObjects({ Bucket: bucket, Prefix: prefix + sub, MaxKeys: 1000, ...(marker ? { Marker: marker } : {}) }),
      );
      keys.push(...(out?.Contents ?? []).map((c) => c.Key.slice(prefix.length)));
      // NextMarker may be empty while truncated (no delimiter): continue after the last key.
      marker = out?.IsTruncated === 'true' ? out.NextMarker || out.Contents.at(-1)?.Key : undefined;
      if (!marker) break;
    }
    return { keys };
  };

  return {
    location: `obs://${bucket}/${prefix}`,
    prefix,

    close() {
      for (const agent of agents) agent.destroy();
    },

    async listKeys(sub) {
      return (await list(sub)).keys.sort();
    },

    async readText(key) {
      return (await get(key))?.Content;
    },

    async putText(key, text) {
      const bytes = Buffer.from(text);
      await put(key, { length: bytes.length, chunks: () => [bytes] });
    },

    async deleteKey(key) {
      await call('DELETE', key, () => client.deleteObject({ Bucket: bucket, Key: prefix + key }), true);
    },

    async readState(intern) {
      const onMember: OnMember | undefined = intern && ((path, value) => (path.length === 3 && path[0] === 'snapshot' && path[1] === 'instances' ? internTasks(value, intern) : value));
      let kept: ReturnType<typeof keptBytes> | undefined;
      const out = await getJson(STATE_KEY, false, () => {
        kept = keptBytes(['snapshot']);
        return { onMember, keep: kept.keep };
      });
      if (!out) return { kind: 'missing' };
      if ('invalid' in out) return { kind: 'corrupt', reason: `state.json is not valid JSON (${out.invalid})` };
      const parsed = State.safeParse(out.json);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        return { kind: 'corrupt', reason: `state.json does not match the schema (${first?.path.join('.') || '(root)'}: ${first?.message})` };
      }
      const state = parsed.data;
      // The state's snapshot is the newest history object. When its text is that object's bytes (the
      // chain's sha256 says so), a run that changes nothing writes them back as they are.
      const snapshot = kept?.value();
      if (snapshot && state.last_history?.id === state.snapshot.id && snapshot.sha256 === state.last_history.sha256) measured.set(state.snapshot, snapshot);
      return { kind: 'ok', state };
    },

    async stateVersion() {
      const head = await call('HEAD', STATE_KEY, () => client.getObjectMetadata({ Bucket: bucket, Key: prefix + STATE_KEY }), true);
      if (!head) return null;
      if (head.ETag) return head.ETag;
      const out = await get(STATE_KEY);
      return out ? out.ETag || `sha256:${sha256Hex(out.Content)}` : null;
    },

    async putState(state) {
      // `snapshot` is the last key in canonical order: the state is its other keys, then the snapshot's bytes.
      const { snapshot, ...rest } = state;
      const head = serialise(rest);
      const spliced = Object.keys(rest).every((k) => k < 'snapshot') && head !== '{}';
      const open = Buffer.from(spliced ? `${head.slice(0, -1)},"snapshot":` : serialise(state));
      const close = Buffer.from(spliced ? '}' : '');
      const inner = spliced ? snapshotBody(snapshot) : { length: 0, chunks: () => [] };
      const body = {
        length: open.length + inner.length + close.length,
        *chunks() {
          yield open;
          yield* inner.chunks();
          yield close;
        },
      };
      return (await put(STATE_KEY, body)) || `sha256:${measure(body.chunks).sha256}`;
    },

    async putHistory(snapshot) {
      const key = historyKey(snapshot.id);
      const body = snapshotBody(snapshot);
      await put(key, body);
      return { key: prefix + key, sha256: body.sha256 };
    },

    async readLatestHistory() {
      // The date in the key lets the recent days be listed alone; only an old history needs the full listing.
      const today = Date.now();
      let keys: string[] = [];
      for (let back = 0; back < 7 && keys.length === 0; back++) {
        keys = (await list(historyKey(snapshotIdAt(new Date(today - back * 86_400_000))).replace(/[^/]+$/, ''))).keys;
      }
      if (keys.length === 0) keys = (await list('history/')).keys;
      for (const key of keys.sort(byId).reverse()) {
        const stored = await readHistory(key);
        if (stored) return stored;
        // not a usable history object: try the one before it
      }
      return null;
    },

    readHistory,

    async readHistoryAfter(fullKey, except) {
      const found: StoredSnapshot[] = [];
      // `X-000001.json` (a run that continued X within X's millisecond) sorts before `X.json`: list from
      // `X`, so that its suffixed successors are found, and skip X itself.
      let marker = fullKey?.replace(/\.json$/, '') ?? undefined;
      for (let page = 0; page < 100; page++) {
        const out = await call('LIST', 'history/', () =>
          client.listObjects({ Bucket: bucket, Prefix: `${prefix}history/`, MaxKeys: 1000, ...(marker ? { Marker: marker } : {}) }),
        );
        for (const { Key } of out?.Contents ?? []) {
          if (Key === fullKey || except?.has(Key)) continue;
          const stored = await readHistory(Key.slice(prefix.length));
          if (stored) found.push(stored);
        }
        marker = out?.IsTruncated === 'true' ? out.NextMarker || out.Contents.at(-1)?.Key : undefined;
        if (!marker) break;
      }
      return found.sort((a, b) => byId(a.key, b.key));
    },

    async quarantineState(snapshotId) {
      const key = `quarantine/${snapshotId}-state.json`;
      await call('COPY', key, () => client.copyObject({ Bucket: bucket, Key: prefix + key, CopySource: `${bucket}/${prefix}${STATE_KEY}` }));
      return key;
    },
  };
}

/** An endpoint as it may be shown: scheme, host and port (no user info, path or query). */
function safeOrigin(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return 'the configured endpoint';
  }
}
