import { parseDuration } from '../config/duration';

/** `[since, until)`; an absent bound is open. */
export interface TimeRange {
  since: Date | undefined;
  until: Date | undefined;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * `--since`/`--until` values: a duration back from now (`7d`, `12h`, `30m`, `2w`) or an ISO date or time
 * (`2026-11-20`, `2026-11-20T08:00`, `2026-11-20T08:00:00+08:00`). Times without a zone are UTC, like the keys.
 * Undefined when malformed or not a real date (2026-02-30).
 */
export function parseTimeArg(text: string, now: Date): Date | undefined {
  const ago = parseDuration(text);
  if (ago !== undefined) return sensible(new Date(now.getTime() - ago));
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const local = new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s, ms));
  if (local.getUTCFullYear() !== y || local.getUTCMonth() !== mo! - 1 || local.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return sensible(new Date(local.getTime() - zoneOffsetMs(m[8])));
}

/** The earliest time a history can hold: no watcher ran before 2000 (an earlier `--since` is a typo, and would list a year at a time). */
export const EARLIEST = Date.UTC(2000, 0, 1);

function sensible(t: Date): Date | undefined {
  return Number.isNaN(t.getTime()) || t.getTime() < EARLIEST ? undefined : t;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

export function inRange(t: Date, range: TimeRange): boolean {
  return (!range.since || t >= range.since) && (!range.until || t < range.until);
}

const DAY_MS = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The fewest key prefixes that cover every UTC day from `since`'s to `last`'s: whole years as
 * `history/YYYY/`, whole months as `history/YYYY/MM/`, the other days as `history/YYYY/MM/DD/`.
 * Without `since`, the whole `history/`. Reading `--since 1d` thus lists two days, never the year.
 */
export function historyPrefixes(since: Date | undefined, last: Date): string[] {
  if (!since) return ['history/'];
  const end = utcDay(last);
  const prefixes: string[] = [];
  for (let day = utcDay(since); day <= end; ) {
    const d = new Date(day);
    const [y, m] = [d.getUTCFullYear(), d.getUTCMonth()];
    const yearEnd = Date.UTC(y, 11, 31);
    const monthEnd = Date.UTC(y, m + 1, 0);
    if (m === 0 && d.getUTCDate() === 1 && yearEnd <= end) {
      prefixes.push(`history/${y}/`);
      day = Date.UTC(y + 1, 0, 1);
    } else if (d.getUTCDate() === 1 && monthEnd <= end) {
      prefixes.push(`history/${y}/${pad(m + 1)}/`);
      day = Date.UTC(y, m + 1, 1);
    } else {
      prefixes.push(`history/${y}/${pad(m + 1)}/${pad(d.getUTCDate())}/`);
      day += DAY_MS;
    }
  }
  return prefixes;
}

function utcDay(t: Date): number {
  return Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
}

/** `2026-11-21 07:15:00` (UTC), for tables. */
export function formatTime(iso: string | Date): string {
  const t = typeof iso === 'string' ? new Date(iso) : iso;
  return Number.isNaN(t.getTime()) ? String(iso) : t.toISOString().slice(0, 19).replace('T', ' ');
}
