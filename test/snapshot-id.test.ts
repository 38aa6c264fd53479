import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareHistoryKeys,
  compareIds,
  historyKey,
  idTime,
  isSnapshotId,
  nextSnapshotId,
  parseHistoryKey,
  parseSnapshotId,
  snapshotIdAt,
} from '../lib/store/snapshot-id';

// Issue #17 item 4: one definition of snapshot ids for the writer (the run) and the readers (the audit).

describe('parseSnapshotId', () => {
  it.each<[string, string, number]>([
    ['20261121T071500123Z', '2026-11-21T07:15:00.123Z', 0],
    ['20261121T071500123Z-000001', '2026-11-21T07:15:00.123Z', 1],
    ['20261121T071500123Z-001', '2026-11-21T07:15:00.123Z', 1],
    ['20280229T235959999Z', '2028-02-29T23:59:59.999Z', 0],
    ['20000229T000000000Z', '2000-02-29T00:00:00.000Z', 0],
    ['20261231T235959999Z-000042', '2026-12-31T23:59:59.999Z', 42],
  ])('%s names %s, tie %i', (id, iso, tie) => {
    expect(parseSnapshotId(id)).toEqual({ time: new Date(iso), tie });
    expect(idTime(id)?.toISOString()).toBe(iso);
  });

  it.each([
    ['a 29 February in a common year', '20260229T235959999Z'],
    ['29 February 1900 (not a leap year)', '19000229T000000000Z'],
    ['31 November', '20261131T000000000Z'],
    ['month 13', '20261301T000000000Z'],
    ['month 00', '20260001T000000000Z'],
    ['day 00', '20261100T000000000Z'],
    ['hour 24', '20261121T240000000Z'],
    ['minute 60', '20261121T076000000Z'],
    ['second 60', '20261121T071560000Z'],
    ['no Z', '20261121T071500123'],
    ['an empty tie', '20261121T071500123Z-'],
    ['a tie that is not a number', '20261121T071500123Z-x'],
    ['an ISO time', '2026-11-21T07:15:00.123Z'],
    ['a path', '../20261121T071500123Z'],
    ['latest', 'latest'],
    ['nothing', ''],
  ])('refuses %s (%j)', (_name, id) => {
    expect(parseSnapshotId(id)).toBeUndefined();
    expect(isSnapshotId(id)).toBe(false);
    expect(() => historyKey(id)).toThrow(`not a snapshot id: ${id}`);
  });
});

describe('history keys', () => {
  it.each([
    ['20261121T071500123Z', 'history/2026/11/21/20261121T071500123Z.json'],
    ['20261121T071500123Z-000001', 'history/2026/11/21/20261121T071500123Z-000001.json'],
    ['20280229T235959999Z', 'history/2028/02/29/20280229T235959999Z.json'],
  ])('the writer and the reader agree on %s', (id, key) => {
    expect(historyKey(id)).toBe(key);
    expect(parseHistoryKey(key)).toEqual({ id, time: idTime(id) });
  });

  it.each([
    ['an invalid date the writer used to accept', 'history/2026/02/29/20260229T235959999Z.json'],
    ['a date folder that is not the id', 'history/2026/11/22/20261121T071500123Z.json'],
    ['a nested folder', 'history/2026/11/21/x/20261121T071500123Z.json'],
    ['not .json', 'history/2026/11/21/20261121T071500123Z.txt'],
    ['outside history/', 'quarantine/20261121T071500123Z-state.json'],
  ])('the reader refuses %s', (_name, key) => {
    expect(parseHistoryKey(key)).toBeUndefined();
  });
});

describe('ordering', () => {
  it.each([
    ['20261121T071500123Z', '20261121T071500123Z-000001'],
    ['20261121T071500123Z-000001', '20261121T071500123Z-000002'],
    ['20261121T071500123Z-000009', '20261121T071500123Z-000010'],
    ['20261121T071500123Z-002', '20261121T071500123Z-000010'],
    ['20261121T071500123Z-999999', '20261121T071500124Z'],
    ['20261231T235959999Z', '20270101T000000000Z'],
  ])('%s before %s', (a, b) => {
    expect(Math.sign(compareIds(a, b))).toBe(-1);
    expect(Math.sign(compareIds(b, a))).toBe(1);
    expect(Math.sign(compareHistoryKeys(historyKey(a), historyKey(b)))).toBe(-1);
    expect(Math.sign(compareHistoryKeys(`p/${historyKey(b)}`, `p/${historyKey(a)}`))).toBe(1);
  });

  it('an id equals itself', () => {
    expect(compareIds('20261121T071500123Z-000001', '20261121T071500123Z-000001')).toBe(0);
  });
});

const dates = fc.date({ min: new Date('2000-01-01T00:00:00.000Z'), max: new Date('2999-12-31T23:59:59.999Z'), noInvalidDate: true });

describe('properties (fast-check)', () => {
  it('format then parse gives back the time, and the writer\'s key parses back to the id', () => {
    fc.assert(
      fc.property(dates, fc.nat(999_999), (at, tie) => {
        const id = snapshotIdAt(at);
        expect(parseSnapshotId(id)).toEqual({ time: at, tie: 0 });
        const tied = `${id}-${String(tie).padStart(6, '0')}`;
        expect(parseSnapshotId(tied)).toEqual({ time: at, tie });
        expect(parseHistoryKey(historyKey(tied))).toEqual({ id: tied, time: at });
      }),
      { numRuns: 2000 },
    );
  });

  it('ids order as their times', () => {
    fc.assert(
      fc.property(dates, dates, (a, b) => {
        expect(Math.sign(compareIds(snapshotIdAt(a), snapshotIdAt(b)))).toBe(Math.sign(a.getTime() - b.getTime()));
      }),
      { numRuns: 2000 },
    );
  });

  it('the next id sorts after the previous one, whatever the clock does', () => {
    fc.assert(
      fc.property(dates, fc.array(dates, { minLength: 1, maxLength: 20 }), (first, clock) => {
        let previous = snapshotIdAt(first);
        for (const at of clock) {
          const next = nextSnapshotId(at, previous);
          expect(isSnapshotId(next)).toBe(true);
          expect(compareIds(next, previous)).toBe(1);
          expect(compareHistoryKeys(historyKey(next), historyKey(previous))).toBe(1);
          previous = next;
        }
      }),
    );
  });
});
