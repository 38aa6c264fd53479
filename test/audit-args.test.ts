import { describe, expect, it } from 'vitest';
import { parseArgs } from '../lib/audit/args';
import { kindFromFlag, rangeFromFlags, snapshotRef } from '../lib/audit/commands/common';
import { compareIds, idTime, parseHistoryKey } from '../lib/store/snapshot-id';
import { historyPrefixes, inRange, parseTimeArg } from '../lib/audit/time-range';
import { UsageError } from '../lib/audit/usage-error';

const SPEC = {
  name: 'history',
  synopsis: '[--since <time>] [--json]',
  flags: { since: 'string', task: 'string', json: 'boolean' },
  positionals: { min: 0, max: 1 },
} as const;

describe('parseArgs', () => {
  it.each([
    [[], { flags: {}, positionals: [], help: false }],
    [['--since', '7d', '--json'], { flags: { since: '7d', json: true }, positionals: [], help: false }],
    [['--since=2026-11-20T08:00Z'], { flags: { since: '2026-11-20T08:00Z' }, positionals: [], help: false }],
    [['latest'], { flags: {}, positionals: ['latest'], help: false }],
    [['--', '--json'], { flags: {}, positionals: ['--json'], help: false }],
    [['--task', '-dash-name'], { flags: { task: '-dash-name' }, positionals: [], help: false }],
    [['--help', 'a', 'b'], { flags: {}, positionals: ['a', 'b'], help: true }],
    [['-h'], { flags: {}, positionals: [], help: true }],
  ])('%j parses', (argv, expected) => {
    expect(parseArgs(SPEC, argv)).toEqual(expected);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus for history'],
    [['--bogus=1'], 'unknown option --bogus for history'],
    [['-x'], 'unknown option -x for history'],
    [['--since'], '--since needs a value'],
    [['--since='], '--since needs a value'],
    [['--since', '--json'], '--since needs a value'],
    [['--json=yes'], '--json takes no value'],
    [['--json', '--json'], '--json given twice'],
    [['a', 'b'], 'history: unexpected argument b'],
    [['--constructor'], 'unknown option --constructor for history'],
  ])('%j is a usage error: %s', (argv, message) => {
    const err = (() => {
      try {
        parseArgs(SPEC, argv);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(message);
    expect((err as UsageError).usage).toBe('usage: smart-connect-watch history [--since <time>] [--json]');
  });

  it('requires the minimum of positionals', () => {
    expect(() => parseArgs({ ...SPEC, name: 'diff', positionals: { min: 2, max: 2 } }, ['a'])).toThrow('diff: missing argument');
  });
});

describe('parseTimeArg', () => {
  const now = new Date('2026-11-21T07:15:00.000Z');
  it.each([
    ['1d', '2026-11-20T07:15:00.000Z'],
    ['12h', '2026-11-20T19:15:00.000Z'],
    ['30m', '2026-11-21T06:45:00.000Z'],
    ['2w', '2026-11-07T07:15:00.000Z'],
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T08:00', '2026-11-20T08:00:00.000Z'],
    ['2026-11-20 08:00:30', '2026-11-20T08:00:30.000Z'],
    ['2026-11-20T08:00:00.5Z', '2026-11-20T08:00:00.500Z'],
    ['2026-11-20T08:00:00.123456Z', '2026-11-20T08:00:00.123Z'],
    ['2026-11-20T08:00:00+08:00', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T08:00-0130', '2026-11-20T09:30:00.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseTimeArg(text, now)?.toISOString()).toBe(iso);
  });

  it.each(['yesterday', '', '7', 'd', '-1d', '2026-02-30', '2026-13-01', '2026-11-20T24:00', '2026-11-20T08:60', '2026/11/20', '20261120', '2026-11-20T08:00:00 PST', '999999999999d', '99999999d', '1999-12-31T23:59Z'])(
    '%j is not a time',
    (text) => {
      expect(parseTimeArg(text, now)).toBeUndefined();
    },
  );
});

describe('historyPrefixes: the fewest prefixes covering the days', () => {
  const d = (iso: string) => new Date(iso);
  it.each([
    ['no since: everything', undefined, '2026-11-21T07:00Z', ['history/']],
    ['--since 1d lists two days', '2026-11-20T07:00Z', '2026-11-21T07:00Z', ['history/2026/11/20/', 'history/2026/11/21/']],
    ['one day', '2026-11-21T00:00Z', '2026-11-21T23:59Z', ['history/2026/11/21/']],
    ['across a month end', '2026-10-30T12:00Z', '2026-11-01T01:00Z', ['history/2026/10/30/', 'history/2026/10/31/', 'history/2026/11/01/']],
    ['a whole month', '2026-02-01T00:00Z', '2026-03-01T00:00Z', ['history/2026/02/', 'history/2026/03/01/']],
    ['a leap February', '2028-02-27T00:00Z', '2028-02-29T10:00Z', ['history/2028/02/27/', 'history/2028/02/28/', 'history/2028/02/29/']],
    [
      'years, months and days',
      '2024-12-30T00:00Z',
      '2026-02-02T00:00Z',
      ['history/2024/12/30/', 'history/2024/12/31/', 'history/2025/', 'history/2026/01/', 'history/2026/02/01/', 'history/2026/02/02/'],
    ],
  ])('%s', (_name, since, last, expected) => {
    expect(historyPrefixes(since ? d(since) : undefined, d(last))).toEqual(expected);
  });

  it('stays bounded for a long range', () => {
    const prefixes = historyPrefixes(d('2020-03-15T00:00Z'), d('2026-11-21T00:00Z'));
    expect(prefixes.length).toBeLessThanOrEqual(31 + 11 + 6 + 11 + 31);
    expect(prefixes).toContain('history/2021/');
    expect(prefixes).toContain('history/2026/10/');
  });
});

describe('history keys and snapshot ids', () => {
  it.each([
    ['history/2026/11/21/20261121T071500123Z.json', { id: '20261121T071500123Z', time: '2026-11-21T07:15:00.123Z' }],
    ['history/2026/11/21/20261121T071500123Z-002.json', { id: '20261121T071500123Z-002', time: '2026-11-21T07:15:00.123Z' }],
    ['history/2026/11/20/20261121T071500123Z.json', undefined],
    ['history/2026/11/21/20261121T071500123Z.json.bak', undefined],
    ['history/2026/11/21/notes.json', undefined],
    ['history/README.txt', undefined],
    ['history/2026/11/31/20261131T071500123Z.json', undefined],
    ['history/2026/11/21/20261121T251500123Z.json', undefined],
  ])('%s', (key, expected) => {
    const info = parseHistoryKey(key);
    expect(info && { id: info.id, time: info.time.toISOString() }).toEqual(expected);
  });

  it('orders ids by time, a tie suffix after the plain id', () => {
    const ids = ['20261121T071500124Z', '20261121T071500123Z-001', '20261121T071500123Z', '20261120T235959999Z'];
    expect([...ids].sort(compareIds)).toEqual(['20261120T235959999Z', '20261121T071500123Z', '20261121T071500123Z-001', '20261121T071500124Z']);
    expect(idTime('nope')).toBeUndefined();
  });
});

describe('command-line values', () => {
  const now = new Date('2026-11-21T07:15:00.000Z');
  it('reads a range; --until is exclusive and must be after --since', () => {
    const r = rangeFromFlags({ since: '2026-11-20', until: '2026-11-21' }, now, 'usage');
    expect(inRange(new Date('2026-11-20T00:00:00Z'), r)).toBe(true);
    expect(inRange(new Date('2026-11-21T00:00:00Z'), r)).toBe(false);
    expect(() => rangeFromFlags({ since: '1d', until: '2d' }, now, 'usage')).toThrow('--until must be later than --since');
    expect(() => rangeFromFlags({ since: 'tuesday' }, now, 'usage')).toThrow(UsageError);
  });

  it.each([
    ['status_changed', 'status_changed'],
    [undefined, undefined],
  ])('--kind %s', (kind, expected) => {
    expect(kindFromFlag(kind, 'usage')).toBe(expected);
  });

  it('rejects an unknown kind, naming the known ones', () => {
    expect(() => kindFromFlag('exploded', 'usage')).toThrow(/--kind exploded: not a change kind \(status_changed, task_added/);
  });

  it.each([['latest'], ['20261121T071500123Z'], ['20261121T071500123Z-001']])('%s is a snapshot reference', (ref) => {
    expect(snapshotRef(ref, 'usage')).toBe(ref);
  });

  it.each([['newest'], ['2026-11-21'], ['../state'], ['20261121T0715Z']])('%s is not', (ref) => {
    expect(() => snapshotRef(ref, 'usage')).toThrow(UsageError);
  });
});
