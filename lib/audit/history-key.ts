/** Snapshot ids and history keys (DESIGN.md §6), read back: `history/YYYY/MM/DD/{YYYYMMDDTHHMMSSmmmZ[-NNN]}.json`. */

export const SNAPSHOT_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z(?:-\d+)?$/;
const HISTORY_KEY = /^history\/(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)\.json$/;

/** The UTC time a snapshot id names; undefined when it is not a snapshot id (or names no real time). */
export function idTime(id: string): Date | undefined {
  const m = SNAPSHOT_ID.exec(id);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, ms] = m.slice(1, 8).map(Number) as [number, number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  // Reject ids such as 20261131T…: Date.UTC would roll them over into the next month.
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? t : undefined;
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

/** Orders snapshot ids by time; a tie suffix sorts after the plain id. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
