import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HORIZON, type Schedule, maxGapS, minGapS, parseSchedule, parseScheduleText, sameSchedule, scheduleMaxGap, shortestSpanS } from '../lib/config/schedule';

// The TIMER trigger's schedule (lib/config/schedule.ts), shared by the configuration (WATCH_SCHEDULE
// against FLAP_WINDOW) and `doctor` (the deployed trigger against REMIND_EVERY and FLAP_WINDOW).

const DAY = 86_400;
const parsed = (type: string, text: string): Schedule => {
  const p = parseSchedule(type, text);
  if (!p.ok) throw new Error(p.reason);
  return p.schedule;
};

describe('scheduleMaxGap', () => {
  it.each([
    ['Rate', '5m', 300],
    ['Rate', '1h', 3_600],
    ['Rate', '2d', 172_800],
    ['Cron', '0 */5 * * * *', 300],
    ['Cron', 'CRON_TZ=Asia/Shanghai 0 */5 * * * *', 300],
    ['Cron', '*/30 * * * * ?', 30],
    ['Cron', '0 0,50 * * * *', 3_000],
    ['Cron', '0 0 9-17 * * MON-FRI', 64 * 3_600],
    ['Cron', '0 0 0 * * 0', 7 * DAY],
    ['Cron', '0 0 0 * * 7', 7 * DAY],
    ['Cron', '0 0 0 31 * ?', 61 * DAY],
    ['Cron', '0 0 0 1 JAN,JUL ?', 184 * DAY],
  ])('%s %j waits at most %i s', (type, schedule, gap) => {
    expect(scheduleMaxGap(type, schedule)).toEqual({ ok: true, maxGapS: gap });
  });

  it.each([
    ['Rate', '0m', 'a Rate schedule is <n>m, <n>h or <n>d, n at least 1'],
    ['Rate', '5 minutes', 'a Rate schedule is <n>m, <n>h or <n>d, n at least 1'],
    ['Cron', '*/5 * * * *', 'a Cron schedule has 6 fields (sec min hour dom month dow), not 5'],
    ['Cron', '0 0 12 L * ?', 'the day of month field is not understood (L, W and # are not supported)'],
    ['Cron', '0 70 * * * *', 'the minute field is out of range 0-59'],
    ['Cron', '0 0 0 * * 2-1', 'the day of week field is out of range 0-7'],
    ['Cron', '*/0 * * * * *', 'the second field is out of range 0-59'],
    ['Event', '5m', 'the schedule type is neither Rate nor Cron'],
  ])('%s %j is not understood: %s', (type, schedule, reason) => {
    expect(scheduleMaxGap(type, schedule)).toEqual({ ok: false, reason });
  });

  it('a schedule that fires once every 4 years waits longer than the horizon', () => {
    expect(scheduleMaxGap('Cron', '0 0 0 29 2 ?')).toEqual({ ok: true, maxGapS: 4 * 365 * DAY + DAY });
  });
});

describe('minGapS and shortestSpanS: the runs closest together', () => {
  it.each<[string, string, number, number, number]>([
    // type, schedule, shortest gap, runs, their shortest span
    ['Rate', '5m', 300, 4, 900],
    ['Rate', '1d', DAY, 100, 99 * DAY],
    ['Cron', '0 */5 * * * *', 300, 4, 900],
    ['Cron', '0 */5 * * * *', 300, 13, 3_600],
    ['Cron', '*/10 * * * * *', 10, 4, 30],
    ['Cron', '0 0,1 * * * *', 60, 2, 60],
    ['Cron', '0 0,1 * * * *', 60, 3, 3_600],
    ['Cron', '0 0,1 * * * *', 60, 4, 3_660],
    ['Cron', '0 0 9-17 * * MON-FRI', 3_600, 9, 8 * 3_600],
    ['Cron', '0 0 9-17 * * MON-FRI', 3_600, 10, DAY],
    ['Cron', '0 0 9-17 * * MON-FRI', 3_600, 12, 26 * 3_600],
    ['Cron', '0 0 9-17 * * MON-FRI', 3_600, 46, 7 * DAY],
    ['Cron', '59 59 23 * * *', DAY, 2, DAY],
    ['Cron', '0,59 0,59 0,23 * * *', 1, 3, 60],
    ['Cron', '0 0 0 31 * ?', 31 * DAY, 2, 31 * DAY],
    ['Cron', '0 0 0 1 JAN,JUL ?', 181 * DAY, 3, 365 * DAY],
    ['Cron', '0 0 0 29 2 ?', 4 * 365 * DAY + DAY, 3, Number.POSITIVE_INFINITY],
    ['Cron', '0 0 0 30 2 ?', Number.POSITIVE_INFINITY, 2, Number.POSITIVE_INFINITY],
  ])('%s %j: %i s apart at least; %i runs span %i s', (type, text, gap, runs, span) => {
    const s = parsed(type, text);
    expect(minGapS(s)).toBe(gap);
    expect(shortestSpanS(s, runs)).toBe(span);
    expect(shortestSpanS(s, 1)).toBe(0);
  });
});

describe('parseScheduleText (WATCH_SCHEDULE) and sameSchedule', () => {
  it.each<[string, string, string]>([
    ['0 */5 * * * *', 'Cron', '0 */5 * * * *'],
    ['Cron 0 */5 * * * *', 'Cron', '0 0/5 * * * ?'],
    ['  cron   0 0,5,10,15,20,25,30,35,40,45,50,55 * * * *  ', 'Cron', '0 */5 * * * *'],
    ['5m', 'Rate', '5m'],
    ['Rate 5m', 'Rate', '5m'],
    ['rate 1h', 'Rate', '60m'],
    ['CRON_TZ=Asia/Shanghai 0 */5 * * * *', 'Cron', 'CRON_TZ=Asia/Shanghai 0 */5 * * * *'],
    ['0 0 0 * * SUN', 'Cron', '0 0 0 * * 7'],
  ])('%j is the trigger\'s %s %j', (text, type, schedule) => {
    const a = parseScheduleText(text);
    expect(a.ok && sameSchedule(a.schedule, parsed(type, schedule))).toBe(true);
  });

  it.each<[string, string, string]>([
    ['0 */5 * * * *', 'Cron', '0 */10 * * * *'],
    ['Rate 5m', 'Cron', '0 */5 * * * *'],
    ['5m', 'Rate', '10m'],
    ['CRON_TZ=Asia/Shanghai 0 */5 * * * *', 'Cron', '0 */5 * * * *'],
    ['0 0 0 1 * MON', 'Cron', '0 0 0 1 * ?'],
  ])('%j differs from %s %j', (text, type, schedule) => {
    const a = parseScheduleText(text);
    expect(a.ok).toBe(true);
    expect(a.ok && sameSchedule(a.schedule, parsed(type, schedule))).toBe(false);
  });
});

// An independent oracle: every fire time over the horizon, enumerated from the sets the cron text was
// written from (not parsed from it), and the gaps measured on that list.

interface Field { text: string; set: number[] | null }
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
// 7 (Sunday again) stays a number: `SUN-SUN` would be Sunday alone.
const DOW = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', '7'];
const range = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

function field(lo: number, hi: number, maxList: number, minStep: number, name?: (v: number) => string): fc.Arbitrary<Field> {
  const v = fc.integer({ min: lo, max: hi });
  const show = (x: number, named: boolean) => (named && name ? name(x) : String(x));
  return fc.oneof(
    fc.constantFrom<Field>({ text: '*', set: null }, { text: '?', set: null }),
    fc.tuple(fc.uniqueArray(v, { minLength: 1, maxLength: maxList }), fc.boolean()).map(([vs, named]) => ({ text: vs.map((x) => show(x, named)).join(','), set: vs })),
    fc.tuple(v, v, fc.integer({ min: minStep, max: hi - lo + 1 }), fc.boolean()).map(([a, b, step, named]) => {
      const [from, to] = a <= b ? [a, b] : [b, a];
      return { text: `${show(from, named)}-${show(to, named)}/${step}`, set: range(from, to, step) };
    }),
    fc.tuple(v, fc.integer({ min: minStep, max: hi - lo + 1 })).map(([from, step]) => ({ text: `${from}/${step}`, set: range(from, hi, step) })),
    fc.integer({ min: minStep, max: hi - lo + 1 }).map((step) => ({ text: `*/${step}`, set: range(lo, hi, step) })),
  );
}

const size = (f: Field, all: number) => f.set?.length ?? all;
const cron = fc
  .record({
    sec: field(0, 59, 3, 15),
    min: field(0, 59, 4, 10),
    hour: field(0, 23, 4, 1),
    dom: field(1, 31, 4, 1),
    month: field(1, 12, 4, 1, (m) => MONTHS[m - 1]!),
    dow: field(0, 7, 3, 1, (d) => DOW[d]!),
  })
  .filter((c) => size(c.sec, 60) * size(c.min, 60) * size(c.hour, 24) <= 400);

function fireTimes(c: { sec: Field; min: Field; hour: Field; dom: Field; month: Field; dow: Field }): number[] {
  const has = (f: Field, v: number) => f.set === null || f.set.includes(v);
  const all = (f: Field, lo: number, hi: number) => [...new Set(f.set ?? range(lo, hi, 1))].sort((a, b) => a - b);
  const secondsOfDay: number[] = [];
  for (const h of all(c.hour, 0, 23)) for (const m of all(c.min, 0, 59)) for (const s of all(c.sec, 0, 59)) secondsOfDay.push(h * 3600 + m * 60 + s);
  const fires: number[] = [];
  for (let d = 0; d < HORIZON.days; d++) {
    const date = new Date(Date.UTC(2024, 0, 1 + d));
    if (!has(c.month, date.getUTCMonth() + 1)) continue;
    const byDom = has(c.dom, date.getUTCDate());
    const byDow = c.dow.set === null || c.dow.set.some((x) => x % 7 === date.getUTCDay());
    const day = c.dom.set === null ? byDow : c.dow.set === null ? byDom : byDom || byDow;
    if (day) for (const s of secondsOfDay) fires.push(d * DAY + s);
  }
  return fires;
}

describe('Cron gaps against every fire time of the horizon (fast-check)', () => {
  it('the shortest gap, the longest gap and the shortest span of k runs are those of the enumerated fire times', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(cron, fc.integer({ min: 2, max: 100 }), (c, k) => {
        const text = [c.sec, c.min, c.hour, c.dom, c.month, c.dow].map((f) => f.text).join(' ');
        const s = parsed('Cron', text);
        const fires = fireTimes(c);
        let [minGap, maxGap, span] = [Number.POSITIVE_INFINITY, 0, Number.POSITIVE_INFINITY];
        for (let i = 1; i < fires.length; i++) [minGap, maxGap] = [Math.min(minGap, fires[i]! - fires[i - 1]!), Math.max(maxGap, fires[i]! - fires[i - 1]!)];
        for (let i = 0; i + k - 1 < fires.length; i++) span = Math.min(span, fires[i + k - 1]! - fires[i]!);
        const firingDays = new Set(fires.map((t) => Math.floor(t / DAY))).size;
        expect(minGapS(s)).toBe(minGap);
        // Fewer than two firing days: the runs are rarer than the horizon tells.
        expect(maxGapS(s)).toBe(firingDays < 2 ? Number.POSITIVE_INFINITY : maxGap);
        expect(shortestSpanS(s, k)).toBe(span);
      }),
      { numRuns: 150 },
    );
  });
});
