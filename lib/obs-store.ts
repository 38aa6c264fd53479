import ObsClient from 'esdk-obs-nodejs';
import { canonicalJson } from './canonical-json';
import type { Credentials } from './credentials';
import { StoreError, describeError } from './errors';
import { sha256Hex } from './hash';
import { Snapshot, historyKey, snapshotIdAt } from './snapshot';
import { State } from './state';

export type StateRead =
  | { kind: 'missing' }
  | { kind: 'ok'; state: State; raw: string }
  | { kind: 'corrupt'; raw: string; reason: string };

export interface StoredSnapshot {
  snapshot: Snapshot;
  key: string;
  sha256: string;
}

/** The port the run uses for OBS: `state.json`, the history chain and the quarantine. Keys are relative to the prefix. */
export interface SnapshotStore {
  readState(): Promise<StateRead>;
  /** Writes state.json; returns the bytes written. */
  putState(state: State): Promise<string>;
  /** Writes a new history object; returns its full OBS key and the sha256 of its bytes. */
  putHistory(snapshot: Snapshot): Promise<{ key: string; sha256: string }>;
  /** The newest history object that parses, or null when there is none. */
  readLatestHistory(): Promise<StoredSnapshot | null>;
  /** Keeps an unreadable state.json as it was (a server-side copy: the exact bytes). */
  quarantineState(snapshotId: string): Promise<string>;
  /** Keys under `{prefix}{sub}`, relative to the prefix, sorted. */
  listKeys(sub: string): Promise<string[]>;
  /** An object's text, by key relative to the prefix; undefined when it does not exist. */
  readText(key: string): Promise<string | undefined>;
  /** Short human description (`obs://bucket/prefix`), for messages. */
  readonly location: string;
  /** OBS_PREFIX as configured, so callers can turn relative keys into full ones. */
  readonly prefix: string;
}

export interface ObsStoreOptions {
  bucket: string;
  prefix: string;
  endpoint: string;
  credentials: Credentials;
  timeoutSeconds?: number;
}

export const STATE_KEY = 'state.json';

/** Serialises an object the way the store writes it: canonical JSON, so equal snapshots give equal bytes. */
export function serialise(value: unknown): string {
  return canonicalJson(value);
}

/** SnapshotStore over esdk-obs-nodejs: the only file that imports it. */
export async function createObsStore(opts: ObsStoreOptions): Promise<SnapshotStore> {
  const local = /^https?:\/\/(localhost|\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\])(:\d+)?/i.test(opts.endpoint);
  const client = new ObsClient({
    access_key_id: opts.credentials.ak.reveal(),
    secret_access_key: opts.credentials.sk.reveal(),
    ...(opts.credentials.securityToken ? { security_token: opts.credentials.securityToken.reveal() } : {}),
    server: opts.endpoint,
    path_style: local,
    timeout: opts.timeoutSeconds ?? 30,
    max_retry_count: 2,
  });
  // The client initialises asynchronously: a call in the same tick fails.
  await new Promise((resolve) => setImmediate(resolve));
  const { bucket, prefix } = opts;
  const where = (key: string) => `obs://${bucket}/${prefix}${key}`;

  async function call<T>(what: string, key: string, fn: () => Promise<ObsClient.Result<T>>, allow404 = false) {
    let result: ObsClient.Result<T>;
    try {
      result = await fn();
    } catch (err) {
      throw new StoreError(`OBS ${what} ${where(key)} failed: ${describeError(err)}`, { cause: err });
    }
    const { Status, Code, Message } = result.CommonMsg;
    if (Status === 404 && allow404 && Code !== 'NoSuchBucket') return undefined;
    if (Status >= 300 || !result.InterfaceResult) {
      const code = Code || `HTTP ${Status}`;
      const hint = Code === 'NoSuchBucket' ? ` (bucket ${bucket} does not exist)` : Status === 403 ? ' (access denied: check the agency or keys)' : '';
      throw new StoreError(`OBS ${what} ${where(key)} failed: ${code}${Message ? ` ${Message}` : ''}${hint}`);
    }
    return result.InterfaceResult;
  }

  const get = (key: string) => call('GET', key, () => client.getObject({ Bucket: bucket, Key: prefix + key }), true);
  const put = async (key: string, body: string) => {
    await call('PUT', key, () => client.putObject({ Bucket: bucket, Key: prefix + key, Body: body, ContentType: 'application/json' }));
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

    async listKeys(sub) {
      return (await list(sub)).keys.sort();
    },

    async readText(key) {
      return (await get(key))?.Content;
    },

    async readState() {
      const out = await get(STATE_KEY);
      if (!out) return { kind: 'missing' };
      const raw = out.Content;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        return { kind: 'corrupt', raw, reason: 'state.json is not valid JSON' };
      }
      const parsed = State.safeParse(json);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        return { kind: 'corrupt', raw, reason: `state.json does not match the schema (${first?.path.join('.') || '(root)'}: ${first?.message})` };
      }
      return { kind: 'ok', state: parsed.data, raw };
    },

    async putState(state) {
      const body = serialise(state);
      await put(STATE_KEY, body);
      return body;
    },

    async putHistory(snapshot) {
      const key = historyKey(snapshot.id);
      const body = serialise(snapshot);
      await put(key, body);
      return { key: prefix + key, sha256: sha256Hex(body) };
    },

    async readLatestHistory() {
      // The date in the key lets the recent days be listed alone; only an old history needs the full listing.
      const today = Date.now();
      let keys: string[] = [];
      for (let back = 0; back < 7 && keys.length === 0; back++) {
        keys = (await list(historyKey(snapshotIdAt(new Date(today - back * 86_400_000))).replace(/[^/]+$/, ''))).keys;
      }
      if (keys.length === 0) keys = (await list('history/')).keys;
      for (const key of keys.filter((k) => k.endsWith('.json')).sort().reverse()) {
        const out = await get(key);
        if (!out) continue;
        try {
          const snapshot = Snapshot.parse(JSON.parse(out.Content));
          return { snapshot, key: prefix + key, sha256: sha256Hex(out.Content) };
        } catch {
          // not a usable history object: try the one before it
        }
      }
      return null;
    },

    async quarantineState(snapshotId) {
      const key = `quarantine/${snapshotId}-state.json`;
      await call('COPY', key, () => client.copyObject({ Bucket: bucket, Key: prefix + key, CopySource: `${bucket}/${prefix}${STATE_KEY}` }));
      return key;
    },
  };
}
