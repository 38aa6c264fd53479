import type { Snapshot, TaskIntern } from './snapshot';
import type { State } from './state';

export type StateRead = { kind: 'missing' } | { kind: 'ok'; state: State } | { kind: 'corrupt'; reason: string };

export interface StoredSnapshot {
  snapshot: Snapshot;
  key: string;
  sha256: string;
}

/** What a run writes to OBS (and reads of `state.json`): the state, the history chain's next object, the quarantine. */
export interface StateStore {
  /** state.json; each stored task passes through `intern` as it is read (a large state is read piece by piece). */
  readState(intern?: TaskIntern): Promise<StateRead>;
  /** The version of state.json as it is now (a HEAD request: its ETag), null when it does not exist. */
  stateVersion(): Promise<string | null>;
  /** Writes state.json; returns the version written. */
  putState(state: State): Promise<string>;
  /** Writes a new history object; returns its full OBS key and the sha256 of its bytes. */
  putHistory(snapshot: Snapshot): Promise<{ key: string; sha256: string }>;
  /** Keeps an unreadable state.json as it was (a server-side copy: the exact bytes). */
  quarantineState(snapshotId: string): Promise<string>;
}

/** What recovery and the audit commands read of the history. Keys are relative to the prefix unless said. */
export interface HistoryReader {
  /** The newest history object that parses, or null when there is none. */
  readLatestHistory(): Promise<StoredSnapshot | null>;
  /** History objects whose full keys sort after `fullKey` (all of them for null), oldest first; those at the full keys in `except` are not read. */
  readHistoryAfter(fullKey: string | null, except?: ReadonlySet<string>): Promise<StoredSnapshot[]>;
  /** One history object; undefined when it is missing or does not parse. */
  readHistory(key: string): Promise<StoredSnapshot | undefined>;
  /** Keys under `{prefix}{sub}`, sorted. */
  listKeys(sub: string): Promise<string[]>;
  /** An object's text; undefined when it does not exist. */
  readText(key: string): Promise<string | undefined>;
  /** Short human description (`obs://bucket/prefix`), for messages. */
  readonly location: string;
  /** OBS_PREFIX as configured, so callers can turn relative keys into full ones. */
  readonly prefix: string;
}

/** Writes of objects other than state and history, by key relative to the prefix: `silences.json` and its journal (the CLI's `silence`). */
export interface ObjectWriter {
  /** Writes an object's text (JSON). */
  putText(key: string, text: string): Promise<void>;
  /** Deletes an object (a missing one is no error). */
  deleteKey(key: string): Promise<void>;
}

/** The ports over OBS, with sockets of their own: `close()` destroys them, a request still waiting included. */
export interface ClosableStore extends StateStore, HistoryReader, ObjectWriter {
  close(): void;
}
