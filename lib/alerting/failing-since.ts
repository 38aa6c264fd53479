import type { NotifyLang } from '../config/config';

/** How long something has been failing and since when, as a reminder (`still_failing`, DESIGN.md §10) shows it. */
export interface FailingFor {
  /** `6 h 12 min` / `6 小时 12 分钟`. */
  duration: string;
  /** `09:14` in the zone, with the date (`2026-11-20 09:14`) when it is not the day of detection. */
  since: string;
}

const UNITS = {
  en: { d: 'd', h: 'h', min: 'min' },
  zh: { d: '天', h: '小时', min: '分钟' },
} as const satisfies Record<NotifyLang, Record<'d' | 'h' | 'min', string>>;

/**
 * The duration from `since` to `detectedAt` and the local time of `since` in `timeZone`; null when
 * `since` is absent, not a time, or after `detectedAt` (nothing is invented: the text then omits them).
 */
export function failingFor(lang: NotifyLang, since: string | null, detectedAt: string, timeZone: string): FailingFor | null {
  const [from, to] = [Date.parse(since ?? ''), Date.parse(detectedAt)];
  if (Number.isNaN(from) || Number.isNaN(to) || from > to) return null;
  const u = UNITS[lang];
  const minutes = Math.floor((to - from) / 60_000);
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor(minutes / 60) % 24, minutes % 60];
  const duration = d > 0 ? `${d} ${u.d} ${h} ${u.h}` : h > 0 ? `${h} ${u.h} ${m} ${u.min}` : `${m} ${u.min}`;
  const [start, now] = [local(from, timeZone), local(to, timeZone)];
  return { duration, since: start.day === now.day ? start.time : `${start.day} ${start.time}` };
}

function local(ms: number, timeZone: string): { day: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}
