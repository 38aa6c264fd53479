import { sha256Hex } from '../store/hash';
import { Snapshot } from '../store/snapshot';
import { parseHistoryKey } from '../store/snapshot-id';

/** One object found under `history/`, read and classified. Keys are relative to the prefix. */
export type HistoryEntry =
  | { kind: 'ok'; key: string; id: string; sha256: string; snapshot: Snapshot }
  /** At a history key, but gone, not JSON, not a snapshot, or holding another snapshot's id. */
  | { kind: 'unreadable'; key: string; id: string; sha256: string | undefined; reason: string }
  /** Not at a key the function writes (wrong name or folder): it does not belong to the history. */
  | { kind: 'foreign'; key: string; reason: string };

/** Classifies one object. Pure: the bytes are given (undefined when the object disappeared). */
export function parseHistoryObject(key: string, text: string | undefined): HistoryEntry {
  const info = parseHistoryKey(key);
  if (!info) return { kind: 'foreign', key, reason: 'not a history object key (history/YYYY/MM/DD/<snapshot_id>.json)' };
  const { id } = info;
  if (text === undefined) return { kind: 'unreadable', key, id, sha256: undefined, reason: 'disappeared while it was being read' };
  const sha256 = sha256Hex(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', key, id, sha256, reason: 'not valid JSON' };
  }
  const parsed = Snapshot.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { kind: 'unreadable', key, id, sha256, reason: `not a snapshot (${first?.path.join('.') || '(root)'}: ${first?.message})` };
  }
  if (parsed.data.id !== id) return { kind: 'unreadable', key, id, sha256, reason: `holds snapshot ${parsed.data.id}, not ${id}` };
  return { kind: 'ok', key, id, sha256, snapshot: parsed.data };
}

export function isOk(e: HistoryEntry): e is Extract<HistoryEntry, { kind: 'ok' }> {
  return e.kind === 'ok';
}
