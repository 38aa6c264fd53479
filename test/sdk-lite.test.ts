// The stand-ins for lodash and moment in the function bundle (scripts/build.mjs) give what the real
// libraries give for every call the Huawei SDK core makes. The deployment-zip test (deploy.test.ts)
// then signs real requests with them against the DMS emulator's signature check.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const load = createRequire(__filename);
const lodash = load('lodash') as { sortBy<T>(a: T[], f: (x: T) => string): T[]; includes<T>(a: T[], v: T): boolean; filter<T>(a: T[], f: (x: T) => boolean): T[] };
const lite = load('../scripts/lodash-lite.cjs') as typeof lodash;
type Moment = (input?: unknown) => { utcOffset(o: number): { format(f: string): string } };
const moment = load('moment') as Moment;
const momentLite = load('../scripts/moment-lite.cjs') as Moment;

const FORMAT = 'YYYYMMDDTHHmmss';

// scripts/build.mjs orders the signer's header names by code point instead of localeCompare (whose
// first call loads ICU's collation): the same order for names of a-z, 0-9 and '-'.
describe('the signer\'s header order', () => {
  const byCodePoint = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);
  const byLocale = (a: string, b: string) => a.toLocaleLowerCase().localeCompare(b.toLocaleLowerCase());
  it.each([
    ['the headers the SDK signs', ['X-Sdk-Date', 'host', 'Content-Type', 'X-Project-Id', 'X-Security-Token', 'User-Agent']],
    ['hyphens against letters and digits', ['x-a', 'xa', 'x1', 'x-1', 'x', 'x--', 'x-z9', 'x0-']],
    ['prefixes', ['content', 'content-type', 'content-length', 'contents', 'c']],
    ['digits', ['x-10', 'x-9', 'x-1', 'x-100', 'x-0']],
  ])('%s: code-point order is localeCompare\'s', (_name, names) => {
    expect([...names].sort(byCodePoint)).toEqual([...names].sort(byLocale));
  });
});

describe('lodash-lite', () => {
  it.each([
    ['the signer’s headers', ['X-Sdk-Date', 'host', 'Content-Type', 'X-Project-Id', 'X-Security-Token']],
    ['names equal but for case (stable order)', ['X-A', 'x-a', 'b', 'X-a', 'A']],
    ['one header', ['host']],
    ['none', []],
  ])('sortBy: %s', (_name, headers) => {
    const key = (x: string) => x.toLocaleLowerCase();
    expect(lite.sortBy([...headers], key)).toEqual(lodash.sortBy([...headers], key));
  });

  it.each([
    [['cn-north-4', 'ap-southeast-1'], 'cn-north-4'],
    [['cn-north-4'], 'eu-west-101'],
    [[], 'cn-north-4'],
  ])('includes(%j, %s)', (list, value) => {
    expect(lite.includes(list, value)).toBe(lodash.includes(list, value));
  });

  it('filter keeps what the predicate keeps, in order', () => {
    const regions = [{ id: 'a' }, { id: 'b' }, { id: 'a' }];
    expect(lite.filter(regions, (r) => r.id === 'a')).toEqual(lodash.filter(regions, (r) => r.id === 'a'));
  });
});

describe('moment-lite', () => {
  it.each([
    ['a date', new Date('2026-11-21T08:30:00.999Z')],
    ['the epoch', new Date(0)],
    ['a leap day at midnight', new Date('2028-02-29T00:00:00.000Z')],
    ['an ISO string with an offset', '2026-11-21T08:30:00+08:00'],
    ['epoch milliseconds', 1_795_000_000_123],
  ])('formats %s as moment does', (_name, input) => {
    expect(momentLite(input).utcOffset(0).format(FORMAT)).toBe(moment(input).utcOffset(0).format(FORMAT));
  });

  it('formats now as moment does (the X-Sdk-Date of every request)', () => {
    const before = moment().utcOffset(0).format(FORMAT);
    const now = momentLite().utcOffset(0).format(FORMAT);
    const after = moment().utcOffset(0).format(FORMAT);
    expect(now >= before && now <= after).toBe(true);
    expect(now).toMatch(/^\d{8}T\d{6}$/);
  });

  it.each([
    ['another format', () => momentLite().utcOffset(0).format('YYYY-MM-DD'), /only the format YYYYMMDDTHHmmss/],
    ['another offset', () => momentLite().utcOffset(480), /only utcOffset\(0\)/],
    ['a date it cannot read', () => momentLite('not a date'), /cannot read the date/],
  ])('refuses %s instead of answering wrong', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});
