import type { NotifyLang } from '../config/config';

/** How long something has been failing and since when, as a reminder (`still_failing`, DESIGN.md §10) shows it. */
export interface FailingFor {
  /** `6 h 12 min` / `6 小时 12 分钟`. */
  duration: string;
  /** `09:14` in the zone, with the date (`2026-11-20 09:14`) when it is not the day of detection. */
  since: string;
}

const UNITS = {
  en: { d: 'd', h: 'h', min: 'min', s: 's' },
  zh: { d: '天', h: '小时', min: '分钟', s: '秒' },
} as const satisfies Record<NotifyLang, Record<'d' | 'h' | 'min' | 's', string>>;

/**
 * The duration from `since` to `detectedAt` and the local time of `since` in `timeZone`; null when
 * `since` is absent, not a time, or after `detectedAt` (nothing is invented: the text then omits them).
 * Under a minute the duration is in seconds (short REMIND_EVERY values, as the demo uses).
 */
export function failingFor(lang: NotifyLang, since: string | null, detectedAt: string, timeZone: string): FailingFor | null {
  const [from, to] = [Date.parse(since ?? ''), Date.parse(detectedAt)];
  if (Number.isNaN(from) || Number.isNaN(to) || from > to) return null;
  const u = UNITS[lang];
  const minutes = Math.floor((to - from) / 60_000);
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor(minutes / 60) % 24, minutes % 60];
  const duration =
    d > 0 ? `${d} ${u.d} ${h} ${u.h}` : h > 0 ? `${h} ${u.h} ${m} ${u.min}` : m > 0 ? `${m} ${u.min}` : `${Math.floor((to - from) / 1000)} ${u.s}`;
  const [start, now] = [local(from, timeZone), local(to, timeZone)];
  return { duration, since: start.day === now.day ? start.time : `${start.day} ${start.time}` };
}

/**
 * A configured span (FLAP_WINDOW) as a reader sees it: its largest unit and the next one when not
 * zero, `1 h`, `1 h 30 min`, `45 s` / `1 小时`; null when it is not a positive number of milliseconds.
 */
export function spanText(lang: NotifyLang, ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms) || ms <= 0) return null;
  const u = UNITS[lang];
  const steps: [number, string][] = [
    [86_400_000, u.d],
    [3_600_000, u.h],
    [60_000, u.min],
    [1_000, u.s],
  ];
  const i = Math.max(0, steps.findIndex(([size]) => ms >= size));
  const [size, unit] = steps[i]!;
  const whole = Math.floor(ms / size);
  const next = steps[i + 1];
  const rest = next ? Math.floor((ms % size) / next[0]) : 0;
  if (whole === 0) return `${(ms / 1000).toString()} ${u.s}`; // under a second: only a test's value
  return rest > 0 && next ? `${whole} ${unit} ${rest} ${next[1]}` : `${whole} ${unit}`;
}

function local(ms: number, timeZone: string): { day: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}
