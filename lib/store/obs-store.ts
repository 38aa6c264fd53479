import type { Credentials } from '../source/credentials';
import { OBS_RETRY } from '../retry/policies';
import type { RetryDeps, RetryPolicy } from '../retry';
import { SnapshotBodies, keptBytes, measure, readJson, stateBody } from './body';
import { sha256Hex } from './hash';
import { obsHistoryReader } from './history-reads';
import type { OnMember } from './json-stream';
import { type ObsObjects, openObsClient } from './obs-client';
import type { ClosableStore, ObjectWriter, StateStore } from './ports';
import { historyKey, internTasks } from './snapshot';
import { State } from './state';

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

const REAL_TIME: RetryDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: Date.now,
  random: Math.random,
  deadline: Number.POSITIVE_INFINITY,
};

export const STATE_KEY = 'state.json';

/** Both ports over OBS (esdk-obs-nodejs, in ./obs-client), on sockets of their own. */
export async function createObsStore(opts: ObsStoreOptions): Promise<ClosableStore> {
  const objects = await openObsClient({ ...opts, retry: opts.retry ?? OBS_RETRY, retryDeps: opts.retryDeps ?? REAL_TIME });
  return { ...obsHistoryReader(objects), ...obsStateStore(objects), ...obsObjectWriter(objects), close: () => objects.close() };
}

/** `state.json`, the history chain's next object and the quarantine, over OBS. */
function obsStateStore(objects: ObsObjects): StateStore {
  const bodies = new SnapshotBodies();
  return {
    async readState(intern) {
      const onMember: OnMember | undefined = intern && ((path, value) => (path.length === 3 && path[0] === 'snapshot' && path[1] === 'instances' ? internTasks(value, intern) : value));
      let kept: ReturnType<typeof keptBytes> | undefined;
      const out = await objects.getStream(STATE_KEY, (body, length) => {
        kept = keptBytes(['snapshot']); // afresh for each attempt
        return readJson(body, length, { onMember, keep: kept.keep });
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
      if (snapshot && state.last_history?.id === state.snapshot.id && snapshot.sha256 === state.last_history.sha256) bodies.adopt(state.snapshot, snapshot);
      return { kind: 'ok', state };
    },

    async stateVersion() {
      const etag = await objects.head(STATE_KEY);
      if (etag === undefined) return null;
      if (etag) return etag;
      const out = await objects.getText(STATE_KEY);
      return out ? out.etag || `sha256:${sha256Hex(out.text)}` : null;
    },

    async putState(state) {
      const body = stateBody(state, bodies);
      return (await objects.put(STATE_KEY, body)) || `sha256:${measure(body.chunks).sha256}`;
    },

    async putHistory(snapshot) {
      const key = historyKey(snapshot.id);
      const body = bodies.of(snapshot);
      await objects.put(key, body);
      return { key: objects.prefix + key, sha256: body.sha256 };
    },

    async quarantineState(snapshotId) {
      const key = `quarantine/${snapshotId}-state.json`;
      await objects.copy(STATE_KEY, key);
      return key;
    },
  };
}

/** `silences.json` and its journal, written by the CLI. */
function obsObjectWriter(objects: ObsObjects): ObjectWriter {
  return {
    async putText(key, text) {
      const bytes = Buffer.from(text);
      await objects.put(key, { length: bytes.length, chunks: () => [bytes] });
    },
    deleteKey: (key) => objects.delete(key),
  };
}
