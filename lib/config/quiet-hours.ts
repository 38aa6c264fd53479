import * as z from 'zod';
import { isClockTime, isTimeZone } from './env-value';

// A channel's quiet hours (DESIGN.md §11): a daily window of local time in which changes below
// `except` are held for that channel. `from` > `to` crosses midnight; `to` is exclusive.

export const QUIET_EXCEPT = ['critical', 'none'] as const;

const clock = z.string().refine(isClockTime, 'is not a time from 00:00 to 23:59');

/** `"quiet_hours"` of a WEBHOOKS channel, as written. */
export const QuietHoursEntry = z
  .strictObject({
    from: clock,
    to: clock,
    time_zone: z.string().refine(isTimeZone, 'is not an IANA time zone Intl knows').optional(),
    except: z.enum(QUIET_EXCEPT).optional(),
  })
  .refine((q) => q.from !== q.to, 'has "from" equal to "to" (an empty window)');

export const QUIET_HOURS_FORMS = {
  quiet_hours: 'expected {"from":"HH:MM","to":"HH:MM","time_zone"?,"except"?}, "from" ≠ "to" ("from" after "to" crosses midnight; "to" is exclusive)',
  'quiet_hours.from': 'expected a local time "HH:MM" from 00:00 to 23:59, such as "22:00"',
  'quiet_hours.to': 'expected a local time "HH:MM" from 00:00 to 23:59, such as "08:00"',
  'quiet_hours.time_zone': 'expected an IANA time zone such as Asia/Shanghai (default NOTIFY_TIMEZONE)',
  'quiet_hours.except': `expected one of ${QUIET_EXCEPT.join(', ')} (default critical: critical changes go out at once)`,
};

export interface QuietHours {
  /** Minutes after local midnight: the window is [from, to), across midnight when from > to. */
  from: number;
  to: number;
  timeZone: string;
  except: (typeof QUIET_EXCEPT)[number];
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The configured window, its time zone defaulting to NOTIFY_TIMEZONE. */
export function toQuietHours(q: z.infer<typeof QuietHoursEntry>, notifyTimeZone: string): QuietHours {
  return { from: minutes(q.from), to: minutes(q.to), timeZone: q.time_zone ?? notifyTimeZone, except: q.except ?? 'critical' };
}

/** One formatter per time zone: making one costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes after local midnight at `nowMs` in `timeZone` (the wall clock, as `localClock` reads it). */
function localMinute(nowMs: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' })));
  let h = 0;
  let m = 0;
  for (const p of f.formatToParts(nowMs)) {
    if (p.type === 'hour') h = Number(p.value);
    else if (p.type === 'minute') m = Number(p.value);
  }
  return h * 60 + m;
}

/** Whether `nowMs` falls inside the window, by the wall clock of its time zone. */
export function inQuietHours(q: QuietHours, nowMs: number): boolean {
  const now = localMinute(nowMs, q.timeZone);
  return q.from < q.to ? q.from <= now && now < q.to : now >= q.from || now < q.to;
}

const MINUTE_MS = 60_000;

/**
 * When the window that `nowMs` is in ends: the first minute at or after `nowMs` outside it (`to`
 * by the local clock, or the first minute after it a DST change skipped to). Starts from the end the
 * offset at `nowMs` gives, less 3 h for a change of offset before it, and walks forward a minute at a time.
 * `nowMs` itself when it is outside the window.
 */
export function quietHoursEnd(q: QuietHours, nowMs: number): number {
  if (!inQuietHours(q, nowMs)) return nowMs;
  const ahead = (q.to - localMinute(nowMs, q.timeZone) + 1440) % 1440 || 1440;
  const next = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const guess = next + (ahead - 1) * MINUTE_MS;
  // Without a change of offset in between, the guess is it.
  if (!inQuietHours(q, guess) && (guess === next || inQuietHours(q, guess - MINUTE_MS))) return guess;
  let t = Math.max(next, guess - 180 * MINUTE_MS);
  for (let i = 0; i < 1440 + 240 && inQuietHours(q, t); i++) t += MINUTE_MS;
  return t;
}
