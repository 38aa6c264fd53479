// A FunctionGraph TIMER trigger's schedule (pure): when it runs, read for the gaps between runs.
// Schedules: `Rate` (`5m`, `1h`, `1d`) or `Cron` with 6 fields `sec min hour dom month dow`, an
// optional `CRON_TZ=<zone> ` prefix (PLATFORM-NOTES.md). Time zones and DST are ignored: a wall-clock
// hour gained or lost twice a year changes no gap by more than that hour. Reasons never quote the
// schedule's text (it may come from a variable that holds something else by mistake).

export type Schedule =
  | { type: 'rate'; everyS: number }
  /** `times`: seconds of the day at which it fires, ascending (the same on every day it fires); `days`: the days of the horizon it fires on. */
  | { type: 'cron'; tz: string | null; times: number[]; days: number[] };
export type ParsedSchedule = { ok: true; schedule: Schedule } | { ok: false; reason: string };
export type ScheduleGap = { ok: true; maxGapS: number } | { ok: false; reason: string };

/** The days a Cron schedule is evaluated over: enough to meet every pattern of months, weekdays and leap years twice. */
export const HORIZON = { startMs: Date.UTC(2024, 0, 1), days: 366 * 8 + 7 } as const;
const DAY_S = 86_400;
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

/** A trigger's `schedule_type` and `schedule`, as the FunctionGraph API gives them. */
export function parseSchedule(scheduleType: string, schedule: string): ParsedSchedule {
  if (scheduleType.toLowerCase() === 'rate') {
    const m = /^\s*(\d+)\s*([mhd])\s*$/.exec(schedule);
    if (!m || Number(m[1]) === 0) return { ok: false, reason: 'a Rate schedule is <n>m, <n>h or <n>d, n at least 1' };
    return { ok: true, schedule: { type: 'rate', everyS: Number(m[1]) * RATE_UNIT_S[m[2] as keyof typeof RATE_UNIT_S] } };
  }
  if (scheduleType.toLowerCase() === 'cron') return parseCron(schedule);
  return { ok: false, reason: 'the schedule type is neither Rate nor Cron' };
}

/** One text for both types, as WATCH_SCHEDULE holds it: `Rate 5m` or `5m`; `Cron <6 fields>` or the 6 fields alone. */
export function parseScheduleText(text: string): ParsedSchedule {
  const t = text.trim();
  const rate = /^(?:rate\s+)?(\d+\s*[mhd])$/i.exec(t);
  if (rate) return parseSchedule('Rate', rate[1]!);
  if (/^rate\s/i.test(t)) return parseSchedule('Rate', t.replace(/^rate\s+/i, ''));
  return parseSchedule('Cron', t.replace(/^cron\s+/i, ''));
}

/** The longest wait between two runs of a trigger's schedule. */
export function scheduleMaxGap(scheduleType: string, schedule: string): ScheduleGap {
  const parsed = parseSchedule(scheduleType, schedule);
  return parsed.ok ? { ok: true, maxGapS: maxGapS(parsed.schedule) } : parsed;
}

/** The longest wait between two runs (Infinity: fewer than two runs in the horizon). */
export function maxGapS(s: Schedule): number {
  if (s.type === 'rate') return s.everyS;
  const { times, days } = s;
  if (days.length < 2) return Number.POSITIVE_INFINITY;
  let maxGap = 0;
  for (let i = 1; i < times.length; i++) maxGap = Math.max(maxGap, times[i]! - times[i - 1]!);
  for (let i = 1; i < days.length; i++) maxGap = Math.max(maxGap, (days[i]! - days[i - 1]!) * DAY_S + times[0]! - times[times.length - 1]!);
  return maxGap;
}

/** The shortest wait between two runs (Infinity: fewer than two runs in the horizon). */
export const minGapS = (s: Schedule): number => shortestSpanS(s, 2);

/**
 * The shortest time `runs` consecutive runs span, first to last (0 for one run; Infinity when the
 * horizon holds fewer). A run sees at most one status change per task, so `runs` changes of a task
 * are never closer together than this.
 */
export function shortestSpanS(s: Schedule, runs: number): number {
  if (runs <= 1) return 0;
  if (s.type === 'rate') return (runs - 1) * s.everyS;
  const { times, days } = s;
  const n = times.length;
  // The run `runs - 1` after run i of day j is run (i + runs - 1) mod n of day j + q, q = ⌊(i + runs - 1) / n⌋:
  // for each q only the fewest days between a firing day and the q-th next one matters.
  const daysApart = new Map<number, number>();
  const fewestDays = (q: number): number => {
    let best = daysApart.get(q);
    if (best === undefined) {
      best = Number.POSITIVE_INFINITY;
      for (let j = 0; j + q < days.length; j++) best = Math.min(best, days[j + q]! - days[j]!);
      daysApart.set(q, best);
    }
    return best;
  };
  let span = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const last = i + runs - 1;
    span = Math.min(span, fewestDays(Math.floor(last / n)) * DAY_S + times[last % n]! - times[i]!);
  }
  return span;
}

/** Whether two schedules run at the same times (a Rate and a Cron never count as the same). */
export function sameSchedule(a: Schedule, b: Schedule): boolean {
  if (a.type === 'rate' || b.type === 'rate') return a.type === 'rate' && b.type === 'rate' && a.everyS === b.everyS;
  const same = (x: number[], y: number[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return a.tz === b.tz && same(a.times, b.times) && same(a.days, b.days);
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
    if (!m) return `the ${f.name} field is not understood (L, W and # are not supported)`;
    const from = m[1] === '*' ? f.lo : value(m[1]!);
    const to = m[2] !== undefined ? value(m[2]) : m[1] === '*' || m[3] !== undefined ? f.hi : from;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (from === undefined || to === undefined) return `the ${f.name} field is not understood (L, W and # are not supported)`;
    if (from < f.lo || to > f.hi || from > to || step < 1) return `the ${f.name} field is out of range ${f.lo}-${f.hi}`;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function parseCron(schedule: string): ParsedSchedule {
  const tz = /^\s*CRON_TZ=(\S+)\s+/.exec(schedule);
  const fields = schedule.slice(tz?.[0].length ?? 0).trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 6) return { ok: false, reason: `a Cron schedule has 6 fields (sec min hour dom month dow), not ${fields.length}` };
  const sets: (Set<number> | null)[] = [];
  for (const [i, text] of fields.entries()) {
    const set = parseField(text, FIELDS[i]!);
    if (typeof set === 'string') return { ok: false, reason: set };
    sets.push(set);
  }
  const [sec, min, hour, dom, month, dowRaw] = sets;
  const dow = dowRaw ? new Set([...dowRaw].map((d) => d % 7)) : null;
  const all = (s: Set<number> | null | undefined, lo: number, hi: number) => (s ? [...s] : Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)).sort((a, b) => a - b);
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
  const days: number[] = [];
  for (let d = 0; d < HORIZON.days; d++) if (firesOn(new Date(HORIZON.startMs + d * DAY_S * 1000))) days.push(d);
  return { ok: true, schedule: { type: 'cron', tz: tz?.[1] ?? null, times, days } };
}
