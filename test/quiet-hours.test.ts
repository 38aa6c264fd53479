import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type QuietHours, inQuietHours } from '../lib/config/quiet-hours';

// DESIGN.md §11: a channel's quiet hours by the wall clock of its time zone; `from` > `to` crosses
// midnight; `to` is exclusive.

const hm = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3));
const window = (from: string, to: string, timeZone: string): QuietHours => ({ from: hm(from), to: hm(to), timeZone, except: 'critical' });
const at = (iso: string) => Date.parse(iso);

describe('inQuietHours', () => {
  it.each<[string, QuietHours, string, boolean]>([
    // 22:00–07:00 in Shanghai (UTC+8, no DST) is 14:00Z–23:00Z.
    ['Shanghai, just before the window', window('22:00', '07:00', 'Asia/Shanghai'), '2026-12-02T13:59:59.999Z', false],
    ['Shanghai, from is inclusive', window('22:00', '07:00', 'Asia/Shanghai'), '2026-12-02T14:00:00.000Z', true],
    ['Shanghai, local midnight', window('22:00', '07:00', 'Asia/Shanghai'), '2026-12-02T16:00:00.000Z', true],
    ['Shanghai, 06:59 local next day', window('22:00', '07:00', 'Asia/Shanghai'), '2026-12-02T22:59:59.999Z', true],
    ['Shanghai, to is exclusive', window('22:00', '07:00', 'Asia/Shanghai'), '2026-12-02T23:00:00.000Z', false],
    ['Shanghai, midday', window('22:00', '07:00', 'Asia/Shanghai'), '2026-12-02T04:00:00.000Z', false],
    ['Shanghai, a window ending at midnight', window('23:00', '00:00', 'Asia/Shanghai'), '2026-12-02T15:59:00.000Z', true],
    ['Shanghai, … and not after it', window('23:00', '00:00', 'Asia/Shanghai'), '2026-12-02T16:00:00.000Z', false],
    ['UTC, a day window, before', window('09:00', '17:00', 'UTC'), '2026-12-02T08:59:59.999Z', false],
    ['UTC, a day window, from', window('09:00', '17:00', 'UTC'), '2026-12-02T09:00:00.000Z', true],
    ['UTC, a day window, to', window('09:00', '17:00', 'UTC'), '2026-12-02T17:00:00.000Z', false],
    ['UTC, 23:59 to 00:00 is one minute', window('23:59', '00:00', 'UTC'), '2026-12-02T23:59:30.000Z', true],
    ['Kolkata (UTC+5:30): 22:00 local is 16:30Z', window('22:00', '06:00', 'Asia/Kolkata'), '2026-12-02T16:30:00.000Z', true],
    ['Kolkata, 16:29Z is 21:59 local', window('22:00', '06:00', 'Asia/Kolkata'), '2026-12-02T16:29:59.999Z', false],
    // Berlin springs forward on 2026-03-29 at 01:00Z: 02:00 CET becomes 03:00 CEST.
    ['Berlin spring: 01:59 CET, before a 02:00–03:00 window', window('02:00', '03:00', 'Europe/Berlin'), '2026-03-29T00:59:59.999Z', false],
    ['Berlin spring: 03:00 CEST, the 02:00–03:00 window never happens', window('02:00', '03:00', 'Europe/Berlin'), '2026-03-29T01:00:00.000Z', false],
    ['Berlin spring: 01:30 CET in 01:30–03:30', window('01:30', '03:30', 'Europe/Berlin'), '2026-03-29T00:30:00.000Z', true],
    ['Berlin spring: 03:29 CEST in 01:30–03:30', window('01:30', '03:30', 'Europe/Berlin'), '2026-03-29T01:29:59.999Z', true],
    ['Berlin spring: 03:30 CEST ends 01:30–03:30', window('01:30', '03:30', 'Europe/Berlin'), '2026-03-29T01:30:00.000Z', false],
    ['Berlin spring night 22:00–06:00: 22:00 CET', window('22:00', '06:00', 'Europe/Berlin'), '2026-03-28T21:00:00.000Z', true],
    ['Berlin spring night: 05:59 CEST (7 h after 22:00 CET)', window('22:00', '06:00', 'Europe/Berlin'), '2026-03-29T03:59:59.999Z', true],
    ['Berlin spring night: 06:00 CEST is 04:00Z', window('22:00', '06:00', 'Europe/Berlin'), '2026-03-29T04:00:00.000Z', false],
    // Berlin falls back on 2026-10-25 at 01:00Z: 03:00 CEST becomes 02:00 CET; 02:00–02:59 happens twice.
    ['Berlin autumn: 01:59 CEST', window('02:00', '03:00', 'Europe/Berlin'), '2026-10-24T23:59:59.999Z', false],
    ['Berlin autumn: 02:00 CEST', window('02:00', '03:00', 'Europe/Berlin'), '2026-10-25T00:00:00.000Z', true],
    ['Berlin autumn: 02:00 CET, the second time', window('02:00', '03:00', 'Europe/Berlin'), '2026-10-25T01:00:00.000Z', true],
    ['Berlin autumn: 02:59 CET', window('02:00', '03:00', 'Europe/Berlin'), '2026-10-25T01:59:59.999Z', true],
    ['Berlin autumn: 03:00 CET', window('02:00', '03:00', 'Europe/Berlin'), '2026-10-25T02:00:00.000Z', false],
    ['Berlin autumn night 22:00–06:00: 21:59 CEST', window('22:00', '06:00', 'Europe/Berlin'), '2026-10-24T19:59:59.999Z', false],
    ['Berlin autumn night: 05:59 CET (9 h after 22:00 CEST)', window('22:00', '06:00', 'Europe/Berlin'), '2026-10-25T04:59:59.999Z', true],
    ['Berlin autumn night: 06:00 CET is 05:00Z', window('22:00', '06:00', 'Europe/Berlin'), '2026-10-25T05:00:00.000Z', false],
  ])('%s', (_name, q, iso, inside) => {
    expect(inQuietHours(q, at(iso))).toBe(inside);
  });
});

// Oracle 1, without Intl: the zones' offsets from their published rules, valid 2008–2037
// (EU summer time since 1996; US since 2007; China and India have had no DST since 1991 and 1945).
const HOUR = 3_600_000;
const lastSunday = (year: number, month: number) => {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay());
};
const nthSunday = (year: number, month: number, n: number) => {
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return Date.UTC(year, month, 1 + ((7 - first) % 7) + 7 * (n - 1));
};
const RULES: Record<string, (t: number) => number> = {
  UTC: () => 0,
  'Asia/Shanghai': () => 8 * HOUR,
  'Asia/Kolkata': () => 5.5 * HOUR,
  'Europe/Berlin': (t) => {
    const y = new Date(t).getUTCFullYear();
    return t >= lastSunday(y, 2) + HOUR && t < lastSunday(y, 9) + HOUR ? 2 * HOUR : HOUR;
  },
  'America/New_York': (t) => {
    const y = new Date(t).getUTCFullYear();
    return t >= nthSunday(y, 2, 2) + 7 * HOUR && t < nthSunday(y, 10, 1) + 6 * HOUR ? -4 * HOUR : -5 * HOUR;
  },
};

/** Inside [from, to) of the local day, or outside [to, from) when the window crosses midnight. */
function oracle(from: number, to: number, localMinute: number): boolean {
  if (from < to) return localMinute >= from && localMinute < to;
  return !(localMinute >= to && localMinute < from);
}
const minuteOfDay = (localMs: number) => Math.floor((((localMs % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);

const instant = fc.integer({ min: Date.UTC(2008, 0, 1), max: Date.UTC(2037, 11, 31) });
const bounds = fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 1439 })).filter(([a, b]) => a !== b);
// Near the DST changes too: random instants rarely fall in the hour that matters.
const nearChange = fc.tuple(fc.integer({ min: 2008, max: 2037 }), fc.boolean(), fc.integer({ min: -3 * HOUR, max: 3 * HOUR })).map(([y, spring, d]) => (spring ? lastSunday(y, 2) : lastSunday(y, 9)) + HOUR + d);

describe('inQuietHours against independent oracles (fast-check)', () => {
  it('matches the zones’ published offset rules', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(RULES)), bounds, fc.oneof(instant, nearChange), (zone, [from, to], t) => {
        const expected = oracle(from, to, minuteOfDay(t + RULES[zone]!(t)));
        expect(inQuietHours({ from, to, timeZone: zone, except: 'critical' }, t)).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  // Oracle 2, for every zone Intl knows: its UTC offset at that instant (`longOffset`), then arithmetic.
  const offsetMs = (zone: string, t: number) => {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(t).find((p) => p.type === 'timeZoneName')!.value;
    const m = /^GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(name)!;
    return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * HOUR + Number(m[3]) * 60_000 + Number(m[4] ?? 0) * 1000) : 0;
  };
  it('matches every IANA zone’s offset at that instant', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Intl.supportedValuesOf('timeZone')), bounds, instant, (zone, [from, to], t) => {
        const expected = oracle(from, to, minuteOfDay(t + offsetMs(zone, t)));
        expect(inQuietHours({ from, to, timeZone: zone, except: 'none' }, t)).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });
});
