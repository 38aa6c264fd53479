import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Change, Severity } from '../lib/alerting/change';
import { type QuietHolds, heldByChannel, quietStep, releaseId } from '../lib/alerting/quiet-hold';
import { deliverOutbox } from '../lib/alerting/deliver';
import { deliverAndRecord } from '../lib/alerting/delivery-step';
import { quietRecord, rebuildHolds, rebuildRelease, unionHolds } from '../lib/alerting/quiet-recovery';
import { expireOutbox } from '../lib/alerting/outbox';
import type { ChannelConfig } from '../lib/config/config';
import { type QuietHours, inQuietHours, quietHoursEnd } from '../lib/config/quiet-hours';
import type { Logger } from '../lib/log';
import type { Message, Notifier } from '../lib/notify/types';
import { Secret } from '../lib/secret';
import type { Snapshot } from '../lib/store/snapshot';
import type { OutboxEntry, State } from '../lib/store/state';
import { fakeClock } from './support/fake-clock';

// DESIGN.md §11, quiet hours: the hold/release decision of one run, with a fixed clock.

const hm = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3));
const window = (from: string, to: string, timeZone = 'Asia/Shanghai', except: QuietHours['except'] = 'critical'): QuietHours => ({ from: hm(from), to: hm(to), timeZone, except });
const NIGHT = window('22:00', '07:00'); // Shanghai (UTC+8): 14:00Z to 23:00Z, across local midnight

const channel = (key: string, quietHours: QuietHours | null, filters: Partial<Pick<ChannelConfig, 'events' | 'min_severity'>> = {}): ChannelConfig => ({
  key, name: `${key} name`, type: 'generic', url: new Secret(`https://hooks.example/${key}`), secret: undefined,
  events: filters.events, min_severity: filters.min_severity, mention: undefined, quietHours,
});
const change = (id: string, severity: Severity, kind: Change['kind'] = 'status_changed'): Change => ({
  id, kind, severity, instance_id: 'i1', instance_name: 'prod', task_id: `t-${id}`, task_name: `task-${id}`,
  from: 'RUNNING', to: severity === 'critical' ? 'FAILED' : severity === 'warning' ? 'PAUSED' : 'RUNNING', fields: null, snapshot_id: 'S1', detected_at: '2026-12-02T14:00:00.000Z',
});
const C = change('c', 'critical');
const W = change('w', 'warning');
const R = change('r', 'resolved');
const I = change('i', 'info', 'config_changed');

const message = (id: string, changes: Change[], pending: string[], over: Partial<OutboxEntry> = {}): OutboxEntry => ({
  id, snapshot_id: `snap-${id}`, taken_at: '2026-12-02T14:00:00.000Z', created_at: '2026-12-02T14:00:00.000Z',
  changes, task_types: Object.fromEntries(changes.map((c) => [c.task_id!, { source_type: 'KAFKA_REPLICATOR_SOURCE', sink_type: null }])),
  pending, attempts: 0, last_error: null, ...over,
});
const step = (iso: string, channels: ChannelConfig[], outbox: OutboxEntry[], holds?: QuietHolds) =>
  quietStep({ channels, holds, outbox, nowMs: Date.parse(iso), takenAt: iso });
const ids = (cs: readonly Change[]) => cs.map((c) => c.id);

describe('holding a new message inside the window', () => {
  it.each<[string, string, QuietHours, { pending: string[]; quietHeld?: string[]; held: string[] }]>([
    ['one ms before 22:00 Shanghai: sent whole', '2026-12-02T13:59:59.999Z', NIGHT, { pending: ['a'], held: [] }],
    ['22:00 Shanghai (from is inclusive): the critical change now, the rest held', '2026-12-02T14:00:00.000Z', NIGHT, { pending: ['a'], quietHeld: ['w', 'r', 'i'], held: ['w', 'r', 'i'] }],
    ['local midnight, inside a window across it', '2026-12-02T16:00:00.000Z', NIGHT, { pending: ['a'], quietHeld: ['w', 'r', 'i'], held: ['w', 'r', 'i'] }],
    ['06:59:59.999 the next local day', '2026-12-02T22:59:59.999Z', NIGHT, { pending: ['a'], quietHeld: ['w', 'r', 'i'], held: ['w', 'r', 'i'] }],
    ['07:00 Shanghai (to is exclusive): sent whole', '2026-12-02T23:00:00.000Z', NIGHT, { pending: ['a'], held: [] }],
    ['except none: everything held, the channel no longer pending', '2026-12-02T16:00:00.000Z', window('22:00', '07:00', 'Asia/Shanghai', 'none'), { pending: [], held: ['c', 'w', 'r', 'i'] }],
    ['Berlin spring forward, 03:29 CEST in 01:30–03:30', '2026-03-29T01:29:59.999Z', window('01:30', '03:30', 'Europe/Berlin'), { pending: ['a'], quietHeld: ['w', 'r', 'i'], held: ['w', 'r', 'i'] }],
    ['Berlin spring forward, 03:30 CEST ends it', '2026-03-29T01:30:00.000Z', window('01:30', '03:30', 'Europe/Berlin'), { pending: ['a'], held: [] }],
    ['Berlin fall back, 02:30 CET (the second 02:30) in 02:00–03:00', '2026-10-25T01:30:00.000Z', window('02:00', '03:00', 'Europe/Berlin'), { pending: ['a'], quietHeld: ['w', 'r', 'i'], held: ['w', 'r', 'i'] }],
  ])('%s', (_name, iso, q, want) => {
    const out = step(iso, [channel('a', q)], [message('m1', [C, W, R, I], ['a'])]);
    expect(out.outbox.flatMap((e) => e.pending)).toEqual(want.pending);
    if (want.pending.length > 0) expect(out.outbox[0]!.quiet_held).toEqual(want.quietHeld ? { a: want.quietHeld } : undefined);
    expect(ids(out.holds.a?.changes ?? [])).toEqual(want.held);
    if (want.pending.length > 0) expect(out.outbox[0]!.id).toBe('m1'); // the part sent now keeps the message's id
  });

  it('holds per channel: a channel outside its window, or with none, gets the whole message', () => {
    const out = step('2026-12-02T16:00:00.000Z', [channel('quiet', NIGHT), channel('loud', null), channel('day', window('09:00', '17:00'))], [message('m1', [C, W], ['quiet', 'loud', 'day'])]);
    expect(out.outbox).toEqual([message('m1', [C, W], ['quiet', 'loud', 'day'], { quiet_held: { quiet: ['w'] } })]);
    expect(Object.keys(out.holds)).toEqual(['quiet']);
    expect(out.holds.quiet).toMatchObject({ since: '2026-12-02T16:00:00.000Z', until: '2026-12-02T23:00:00.000Z', snapshot_id: 'snap-m1' });
  });

  it.each<[string, Change[], Partial<Pick<ChannelConfig, 'events' | 'min_severity'>>, string[]]>([
    ['only non-critical changes: nothing goes now', [W, R], {}, []],
    ["the critical change is not in the channel's events: nothing goes now", [C, W], { events: ['task_added'] }, []],
    ['min_severity critical: the critical change goes now', [C, W], { min_severity: 'critical' }, ['a']],
  ])('%s', (_name, changes, filters, pending) => {
    const out = step('2026-12-02T16:00:00.000Z', [channel('a', NIGHT, filters)], [message('m1', changes, ['a'])]);
    expect(out.outbox.flatMap((e) => e.pending)).toEqual(pending);
    // Held whatever the filters: the channel as configured at the release decides what it gets.
    expect(ids(out.holds.a!.changes)).toEqual(ids(changes.filter((c) => c.severity !== 'critical')));
  });

  it.each<[string, Partial<OutboxEntry>]>([
    ['tried before (a retry keeps its id and its content)', { attempts: 1, last_error: 'a: HTTP 503' }],
    ['partly delivered in parts', { parts_delivered: { a: ['msg_part1'] } }],
  ])('a message %s is not split', (_name, over) => {
    const entry = message('m1', [C, W], ['a'], over);
    const out = step('2026-12-02T16:00:00.000Z', [channel('a', NIGHT)], [entry]);
    expect(out.outbox).toEqual([entry]);
    expect(out.holds).toEqual({});
  });

  it('a second run inside the window adds to the hold, keeping since and updating the newest message', () => {
    const first = step('2026-12-02T14:30:00.000Z', [channel('a', NIGHT)], [message('m1', [W], ['a'])]);
    const m2 = message('m2', [R, C], ['a'], { taken_at: '2026-12-02T20:00:00.000Z', created_at: '2026-12-02T20:00:00.000Z' });
    const second = step('2026-12-02T20:00:00.000Z', [channel('a', NIGHT)], [m2], first.holds);
    expect(second.holds.a).toMatchObject({ since: '2026-12-02T14:30:00.000Z', until: '2026-12-02T23:00:00.000Z', snapshot_id: 'snap-m2', taken_at: '2026-12-02T20:00:00.000Z' });
    expect(ids(second.holds.a!.changes)).toEqual(['w', 'r']);
    expect(Object.keys(second.holds.a!.task_types ?? {}).sort()).toEqual(['t-r', 't-w']);
  });
});

describe('releasing what a channel held', () => {
  const held = step('2026-12-02T16:00:00.000Z', [channel('a', NIGHT)], [message('m1', [W, R], ['a'])]).holds;

  it('at the first run outside the window: one message, created then, before the run\'s own message', () => {
    const now = '2026-12-02T23:00:00.000Z'; // 07:00 Shanghai
    const own = message('m9', [I], ['a'], { taken_at: now, created_at: now });
    const older = message('m0', [C], ['a'], { attempts: 2, last_error: 'a: HTTP 503' });
    const out = step(now, [channel('a', NIGHT)], [older, own], held);
    expect(out.holds).toEqual({});
    expect(out.outbox.map((e) => e.id)).toEqual(['m0', releaseId('a', [W, R]), 'm9']);
    expect(out.outbox[1]).toEqual({
      id: releaseId('a', [W, R]), snapshot_id: 'snap-m1', taken_at: '2026-12-02T14:00:00.000Z', created_at: now,
      changes: [W, R], task_types: held.a!.task_types, pending: ['a'], attempts: 0, last_error: null,
    });
  });

  it.each<[string, string, ChannelConfig[], boolean]>([
    ['still inside the window: kept', '2026-12-02T22:59:59.999Z', [channel('a', NIGHT)], false],
    ['the window is over', '2026-12-02T23:00:00.000Z', [channel('a', NIGHT)], true],
    ['the channel no longer has quiet hours', '2026-12-02T16:00:00.000Z', [channel('a', null)], true],
    ['the window moved and now is outside it', '2026-12-02T16:00:00.000Z', [channel('a', window('09:00', '17:00'))], true],
    ['the channel is gone: released to be recorded as undeliverable', '2026-12-02T16:00:00.000Z', [], true],
  ])('%s', (_name, iso, channels, released) => {
    const out = step(iso, channels, [], held);
    expect(out.outbox.map((e) => e.id)).toEqual(released ? [releaseId('a', [W, R])] : []);
    expect(Object.keys(out.holds)).toEqual(released ? [] : ['a']);
  });

  it('a release that crashed before state.json was written is made again under the same id', () => {
    const a = step('2026-12-03T01:00:00.000Z', [channel('a', NIGHT)], [], held);
    const b = step('2026-12-03T01:05:00.000Z', [channel('a', NIGHT)], [], held);
    expect(b.outbox.map((e) => e.id)).toEqual(a.outbox.map((e) => e.id));
    expect(releaseId('a', [W, R])).not.toBe(releaseId('b', [W, R]));
  });

  it('a released message retried inside the next window keeps its id; one never tried is held again', () => {
    const released = step('2026-12-02T23:00:00.000Z', [channel('a', NIGHT)], [], held).outbox[0]!;
    const tried = { ...released, attempts: 1, last_error: 'a: HTTP 503' };
    expect(step('2026-12-03T14:00:00.000Z', [channel('a', NIGHT)], [tried]).outbox).toEqual([tried]);
    const again = step('2026-12-03T14:00:00.000Z', [channel('a', NIGHT)], [released]);
    expect(again.outbox).toEqual([]);
    expect(ids(again.holds.a!.changes)).toEqual(['w', 'r']);
  });

  it('names channels as the run report does, the key of one no longer configured', () => {
    expect(heldByChannel({ a: held.a!, gone: held.a! }, [channel('a', NIGHT)])).toEqual({ 'a name': 2, gone: 2 });
  });
});

describe('delivery and expiry of a split message', () => {
  it('the channel in quiet hours gets only what was not held, under the message id; another gets everything', async () => {
    const sent: Record<string, Message[]> = {};
    const notifier = (c: ChannelConfig): Notifier => ({ channel: c, send: async (m) => ((sent[c.key] ??= []).push(m), { status: 'ok' }) });
    const split = step('2026-12-02T16:00:00.000Z', [channel('quiet', NIGHT), channel('loud', null)], [message('m1', [C, W], ['quiet', 'loud'])]);
    const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
    const result = await deliverOutbox(split.outbox, [notifier(channel('quiet', NIGHT)), notifier(channel('loud', null))], { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, { ...fakeClock().deps, logger });
    expect(result.delivered).toBe(2);
    expect(sent.quiet!.map((m) => [m.id, ids(m.changes)])).toEqual([['m1', ['c']]]);
    expect(sent.loud!.map((m) => [m.id, ids(m.changes)])).toEqual([['m1', ['c', 'w']]]);
  });

  it('expiring it names, per channel, only the changes it carried there', () => {
    const split = step('2026-12-02T16:00:00.000Z', [channel('quiet', NIGHT), channel('loud', null)], [message('m1', [C, W], ['quiet', 'loud'])]);
    const { expired } = expireOutbox(split.outbox, Date.parse('2026-12-20T00:00:00.000Z'), 7 * 86_400_000, new Set(['quiet', 'loud']));
    expect(expired.map((e) => [e.channel, e.change_ids])).toEqual([['quiet', ['c']], ['loud', ['c', 'w']]]);
  });
});

describe('quietHoursEnd', () => {
  it.each<[string, QuietHours, string, string]>([
    ['Shanghai 22:00–07:00 from its start', NIGHT, '2026-12-02T14:00:00.000Z', '2026-12-02T23:00:00.000Z'],
    ['Shanghai, across local midnight', NIGHT, '2026-12-02T16:00:30.000Z', '2026-12-02T23:00:00.000Z'],
    ['Shanghai, the last ms', NIGHT, '2026-12-02T22:59:59.999Z', '2026-12-02T23:00:00.000Z'],
    ['outside: now', NIGHT, '2026-12-02T23:00:00.000Z', '2026-12-02T23:00:00.000Z'],
    ['23:00–00:00 ends at local midnight', window('23:00', '00:00'), '2026-12-02T15:30:00.000Z', '2026-12-02T16:00:00.000Z'],
    ['a window of all but one minute', window('00:01', '00:00'), '2026-12-02T16:01:00.000Z', '2026-12-03T16:00:00.000Z'],
    ['Berlin spring: 01:30 CET to 03:30 CEST is one hour', window('01:30', '03:30', 'Europe/Berlin'), '2026-03-29T00:30:00.000Z', '2026-03-29T01:30:00.000Z'],
    ['Berlin spring: 02:30 never comes, 03:00 CEST ends 01:00–02:30', window('01:00', '02:30', 'Europe/Berlin'), '2026-03-29T00:30:00.000Z', '2026-03-29T01:00:00.000Z'],
    ['Berlin fall back: 02:00 CEST to 03:00 CET is two hours', window('02:00', '03:00', 'Europe/Berlin'), '2026-10-25T00:00:00.000Z', '2026-10-25T02:00:00.000Z'],
    ['New York spring, night window 22:00–06:00', window('22:00', '06:00', 'America/New_York'), '2026-03-08T03:00:00.000Z', '2026-03-08T10:00:00.000Z'],
  ])('%s', (_name, q, nowIso, endIso) => {
    expect(new Date(quietHoursEnd(q, Date.parse(nowIso))).toISOString()).toBe(endIso);
  });

  it('is the first minute outside the window, every minute before it inside (property)', () => {
    const zones = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1439 }), fc.constantFrom(...zones),
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
        (from, length, timeZone, now) => {
          const q: QuietHours = { from, to: (from + length) % 1440, timeZone, except: 'critical' };
          const end = quietHoursEnd(q, now);
          expect(inQuietHours(q, end)).toBe(false);
          if (!inQuietHours(q, now)) {
            expect(end).toBe(now);
            return;
          }
          expect(end % 60_000).toBe(0);
          // Every minute from now to the end, sampled: inside.
          for (let t = Math.ceil(now / 60_000) * 60_000; t < end; t += 37 * 60_000) expect(inQuietHours(q, t)).toBe(true);
          expect(inQuietHours(q, end - 60_000) || end - 60_000 < now).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('holds and released messages across a state reset and overlapping runs (quiet-recovery.ts)', () => {
  const IN = '2026-12-02T16:00:00.000Z';
  const OUT = '2026-12-02T23:00:00.000Z';
  const own = message('m1', [C, W, R, I], ['a'], { snapshot_id: 'S1' });
  const object = (id: string, taken_at: string, rec: Pick<Snapshot, 'undelivered' | 'quiet_held'>): Snapshot => ({ schema: 'smart-connect-watch/snapshot/v1', id, taken_at, previous: null, instances: [], changes: [C, W, R, I], ...rec });
  const lookupOf = (...objects: Snapshot[]) => async (id: string) => objects.find((o) => o.id === id);
  const held = step(IN, [channel('a', NIGHT)], [own]);
  const S1 = object('S1', IN, quietRecord(held, [], [own]));

  it('the history object records the holds by change id; a reset rebuilds them, and the release keeps its id', async () => {
    expect(S1.quiet_held).toEqual({ a: ['w', 'r', 'i'].map((id) => ({ id, snapshot_id: 'S1' })) });
    expect(S1.undelivered).toEqual([]); // the run's own message is the object's own
    const rebuilt = await rebuildHolds(S1, lookupOf(S1));
    expect(rebuilt.errors).toEqual([]);
    expect(rebuilt.holds.a!.changes).toEqual(held.holds.a!.changes);
    const ids = (holds: QuietHolds) => step(OUT, [channel('a', NIGHT)], [], holds).outbox.map((e) => e.id);
    expect(ids(rebuilt.holds)).toEqual(ids(held.holds));
  });

  it('a message released by a run is recorded with its changes and rebuilt under its id', async () => {
    const released = step(OUT, [channel('a', NIGHT)], [], held.holds);
    const S2 = object('S2', OUT, quietRecord(released, [], []));
    expect(S2.quiet_held).toBeUndefined();
    expect(S2.undelivered).toEqual([{ id: releaseId('a', [W, R, I]), snapshot_id: 'S1', pending: ['a'], quiet_release: ['w', 'r', 'i'].map((id) => ({ id, snapshot_id: 'S1' })) }]);
    const entry = await rebuildRelease(S2.undelivered![0]!, lookupOf(S1, S2));
    expect(entry).toMatchObject({ id: releaseId('a', [W, R, I]), changes: [W, R, I], pending: ['a'], attempts: 0 });
  });

  it.each<[string, (o: Snapshot) => Promise<unknown>]>([
    ['the holds', async (o) => (await rebuildHolds(o, lookupOf())).errors],
    ['a released message', (o) => rebuildRelease(quietRecord(step(OUT, [channel('a', NIGHT)], [], held.holds), [], []).undelivered![0]!, lookupOf())],
  ])('%s with its history object unreadable: said, naming the changes', async (_name, rebuild) => {
    expect(String(await rebuild(S1))).toMatch(/cannot be fully rebuilt: change\(s\) w \(history S1\), r \(history S1\), i \(history S1\) missing or unreadable/);
  });

  const holdOf = (changes: Change[]) => step(IN, [channel('a', NIGHT)], [message('m', changes, ['a'])]).holds;
  it.each<[string, QuietHolds | undefined, QuietHolds | undefined, OutboxEntry[], string[]]>([
    ['one run holds', holdOf([W, R]), undefined, [], ['w', 'r']],
    ['the other run holds', undefined, holdOf([W, R]), [], ['w', 'r']],
    ['both: a change held by either is held once', holdOf([W, R]), holdOf([R, I]), [], ['w', 'r', 'i']],
    ['not a change a queued message releases', holdOf([W, R]), holdOf([R, I]), step(OUT, [channel('a', NIGHT)], [], holdOf([W, R])).outbox, ['i']],
  ])('unionHolds: %s', (_name, a, b, outbox, want) => {
    expect(ids(unionHolds(a, b, outbox).a?.changes ?? [])).toEqual(want);
  });

  it('delivery merging into the state another run wrote keeps both runs\' holds', async () => {
    const theirs = { schema: 'smart-connect-watch/state/v1', snapshot: { id: 'S0' }, outbox: [], quiet_hours: holdOf([R, I]) } as unknown as State;
    const written: State[] = [];
    const store = { stateVersion: async () => 'theirs', readState: async () => ({ kind: 'ok' as const, state: theirs }), putState: async (s: State) => (written.push(s), 'v') };
    const notifier: Notifier = { channel: channel('loud', null), send: async () => ({ status: 'ok' }) };
    const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
    const ours = { outbox: [message('m1', [C], ['loud'])], version: 'ours', stateWith: () => theirs, quietHolds: holdOf([W]) };
    await deliverAndRecord({ store, notifiers: [notifier], deliveryRetry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, time: fakeClock().deps, logger }, ours);
    expect(written.map((s) => ids(s.quiet_hours?.a?.changes ?? []))).toEqual([['r', 'i', 'w']]);
  });
});
