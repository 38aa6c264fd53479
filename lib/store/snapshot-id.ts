/**
 * Snapshot ids and history keys (DESIGN.md §6), written and read back: an id is `YYYYMMDDTHHMMSSmmmZ`,
 * the UTC time of the run, with a tie-break suffix `-000001`, `-000002`, … when a run continued another
 * within its millisecond (or the clock went back); its history object is at `history/YYYY/MM/DD/{id}.json`.
 * The writer (the run) and the readers (recovery, the audit) share this one definition.
 */

const SNAPSHOT_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z(?:-(\d+))?$/;
const HISTORY_KEY = /^history\/(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)\.json$/;
/** An id's time part and its tie-break number, for ids not well formed too (ordering never throws). */
const TIE = /^(.*?)(?:-(\d+))?$/;

export interface SnapshotIdParts {
  /** The UTC time the id names. */
  time: Date;
  /** The tie-break suffix as a number; 0 for an id without one. */
  tie: number;
}

/** `YYYYMMDDTHHMMSSmmmZ`, the UTC time of the run. */
export function snapshotIdAt(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

/** The time and tie of a snapshot id; undefined when it is not one, or names no real time (e.g. `20260229T…`). */
export function parseSnapshotId(id: string): SnapshotIdParts | undefined {
  const m = SNAPSHOT_ID.exec(id);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, ms] = m.slice(1, 8).map(Number) as [number, number, number, number, number, number, number];
  const time = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  // Date.UTC rolls 20261131T… over into the next month and 25:00 into the next day: such ids name no time.
  if (snapshotIdAt(time) !== id.slice(0, 19)) return undefined;
  return { time, tie: m[8] === undefined ? 0 : Number(m[8]) };
}

/** Whether `id` is a snapshot id naming a real UTC time. */
export function isSnapshotId(id: string): boolean {
  return parseSnapshotId(id) !== undefined;
}

/** The UTC time a snapshot id names; undefined when it is not a snapshot id (or names no real time). */
export function idTime(id: string): Date | undefined {
  return parseSnapshotId(id)?.time;
}

/**
 * Orders snapshot ids by time, then by tie: a tie suffix sorts after the plain id, `-000002` after
 * `-000001` (numerically, whatever their widths). Text that is not an id still gets a total order.
 */
export function compareIds(a: string, b: string): number {
  const [, x = a, xt] = TIE.exec(a) ?? [];
  const [, y = b, yt] = TIE.exec(b) ?? [];
  return cmp(x, y) || cmp(xt === undefined ? -1 : Number(xt), yt === undefined ? -1 : Number(yt));
}

/** A snapshot id that sorts after `previous`, even when the clock gives the same millisecond or goes back. */
export function nextSnapshotId(at: Date, previous: string | undefined): string {
  const id = snapshotIdAt(at);
  if (!previous || compareIds(id, previous) > 0) return id;
  const [, base, n] = TIE.exec(previous) ?? [];
  return `${base}-${String(Number(n ?? 0) + 1).padStart(6, '0')}`;
}

/** `history/YYYY/MM/DD/{id}.json` (without the prefix); throws for text that is not a snapshot id. */
export function historyKey(snapshotId: string): string {
  if (!isSnapshotId(snapshotId)) throw new Error(`not a snapshot id: ${snapshotId}`);
  return `history/${snapshotId.slice(0, 4)}/${snapshotId.slice(4, 6)}/${snapshotId.slice(6, 8)}/${snapshotId}.json`;
}

export interface HistoryKeyInfo {
  id: string;
  time: Date;
}

/** A key relative to the prefix, parsed; undefined when it is not where the function would have written a history object. */
export function parseHistoryKey(key: string): HistoryKeyInfo | undefined {
  const m = HISTORY_KEY.exec(key);
  if (!m) return undefined;
  const id = m[4] as string;
  const time = idTime(id);
  if (!time || id.slice(0, 8) !== `${m[1]}${m[2]}${m[3]}`) return undefined;
  return { id, time };
}

/**
 * Orders history keys (relative or full, with the same prefix) as their snapshot ids: `X-000001.json`
 * after `X.json`, although `-` sorts before `.` in the text OBS lists.
 */
export function compareHistoryKeys(a: string, b: string): number {
  return compareIds(a.replace(/\.json$/, ''), b.replace(/\.json$/, ''));
}

function cmp<T extends string | number>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
