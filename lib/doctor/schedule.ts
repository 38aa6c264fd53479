// The longest wait between two runs of a FunctionGraph TIMER trigger (pure).
// Schedules: `Rate` (`5m`, `1h`, `1d`) or `Cron` with 6 fields `sec min hour dom month dow`, an
// optional `CRON_TZ=<zone> ` prefix (PLATFORM-NOTES.md). Time zones and DST are ignored: a wall-clock
// hour gained or lost twice a year does not change which schedules are too rare.

export type ScheduleGap = { ok: true; maxGapS: number } | { ok: false; reason: string };

const RATE_UNIT_S = { m: 60, h: 3_600, d: 86_400 } as const;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** Field ranges; `names[i]` is the value `lo + i`. */
const FIELDS = [
  { name: 'second', lo: 0, hi: 59 },
  { name: 'minute', lo: 0, hi: 59 },
  { name: 'hour', lo: 0, hi: 23 },
  { name: 'day of month', lo: 1, hi: 31 },
  { name: 'month', lo: 1, hi: 12, names: MONTHS },
  { name: 'day of week', lo: 0, hi: 7, names: DAYS },
] as const;
/** Enough days to meet every pattern of months, weekdays and leap years twice. */
const HORIZON_DAYS = 366 * 8 + 7;
const DAY_S = 86_400;

export function scheduleMaxGap(scheduleType: string, schedule: string): ScheduleGap {
  if (scheduleType.toLowerCase() === 'rate') {
    const m = /^\s*(\d+)\s*([mhd])\s*$/.exec(schedule);
    if (!m || Number(m[1]) === 0) return { ok: false, reason: `Rate schedule "${schedule}" is not <n>m, <n>h or <n>d` };
    return { ok: true, maxGapS: Number(m[1]) * RATE_UNIT_S[m[2] as keyof typeof RATE_UNIT_S] };
  }
  if (scheduleType.toLowerCase() === 'cron') return cronMaxGap(schedule);
  return { ok: false, reason: `schedule type "${scheduleType}" is neither Rate nor Cron` };
}

/** A field's values, `null` for a wildcard (`*`, `?`), or a reason it is not understood. */
function parseField(text: string, f: (typeof FIELDS)[number]): Set<number> | null | string {
  if (text === '*' || text === '?') return null;
  const values = new Set<number>();
  const names: readonly string[] = 'names' in f ? f.names : [];
  const value = (s: string): number | undefined => {
    const i = names.indexOf(s.toUpperCase());
    if (i >= 0) return f.lo === 0 ? i : i + f.lo;
    return /^\d+$/.test(s) ? Number(s) : undefined;
  };
  for (const part of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return `${f.name} "${part}" is not understood`;
    const from = m[1] === '*' ? f.lo : value(m[1]!);
    const to = m[2] !== undefined ? value(m[2]) : m[1] === '*' || m[3] !== undefined ? f.hi : from;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (from === undefined || to === undefined || from < f.lo || to > f.hi || from > to || step < 1) return `${f.name} "${part}" is out of range ${f.lo}-${f.hi}`;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function cronMaxGap(schedule: string): ScheduleGap {
  const fields = schedule.replace(/^\s*CRON_TZ=\S+\s+/, '').trim().split(/\s+/);
  if (fields.length !== 6) return { ok: false, reason: `Cron schedule "${schedule}" has ${fields.length} fields, not 6 (sec min hour dom month dow)` };
  const sets: (Set<number> | null)[] = [];
  for (const [i, text] of fields.entries()) {
    const set = parseField(text, FIELDS[i]!);
    if (typeof set === 'string') return { ok: false, reason: `Cron schedule "${schedule}": ${set}` };
    sets.push(set);
  }
  const [sec, min, hour, dom, month, dowRaw] = sets;
  const dow = dowRaw ? new Set([...dowRaw].map((d) => d % 7)) : null;
  const all = (s: Set<number> | null | undefined, lo: number, hi: number) => (s ? [...s] : Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)).sort((a, b) => a - b);
  // Seconds of the day at which it fires (the same on every day it fires).
  const times: number[] = [];
  for (const h of all(hour, 0, 23)) for (const m of all(min, 0, 59)) for (const s of all(sec, 0, 59)) times.push(h * 3600 + m * 60 + s);
  const firesOn = (date: Date): boolean => {
    if (month && !month.has(date.getUTCMonth() + 1)) return false;
    const byDom = dom?.has(date.getUTCDate());
    const byDow = dow?.has(date.getUTCDay());
    if (byDom === undefined) return byDow ?? true;
    if (byDow === undefined) return byDom;
    return byDom || byDow; // both restricted: either matches (cron's rule)
  };
  const start = Date.UTC(2024, 0, 1);
  const days: number[] = [];
  for (let d = 0; d < HORIZON_DAYS; d++) if (firesOn(new Date(start + d * DAY_S * 1000))) days.push(d);
  if (days.length < 2) return { ok: true, maxGapS: Number.POSITIVE_INFINITY };
  let maxGap = 0;
  for (let i = 1; i < times.length; i++) maxGap = Math.max(maxGap, times[i]! - times[i - 1]!);
  for (let i = 1; i < days.length; i++) maxGap = Math.max(maxGap, (days[i]! - days[i - 1]!) * DAY_S + times[0]! - times[times.length - 1]!);
  return { ok: true, maxGapS: maxGap };
}
