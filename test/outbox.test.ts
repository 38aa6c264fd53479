import { describe, expect, it } from 'vitest';
import { expireOutbox, newOutboxEntry } from '../lib/alerting/outbox';
import type { ChannelConfig } from '../lib/config/config';
import { ExpiredMessage } from '../lib/store/snapshot';
import { OutboxEntry } from '../lib/store/state';
import { OBS_SINK, REPLICATOR, RUN_1, RUN_2, channel, entry, isoOf, kindsOf, runChanges } from './support/builders';

const DAY = 86_400_000;
const MAX_AGE = 7 * DAY;

describe('expireOutbox', () => {
  const now = Date.parse(isoOf(RUN_1)) + 3 * DAY;

  it.each([
    {
      name: 'a fresh message to configured channels: kept',
      outbox: () => [entry(RUN_1, ['ops', 'audit'])],
      keys: ['ops', 'audit'],
      now,
      kept: [['ops', 'audit']],
      expired: [],
    },
    {
      name: 'too old: expired for every pending channel, default reason',
      outbox: () => [entry(RUN_1, ['ops', 'audit'])],
      keys: ['ops', 'audit'],
      now: Date.parse(isoOf(RUN_1)) + MAX_AGE + 1,
      kept: [],
      expired: [['ops', 'not delivered in time'], ['audit', 'not delivered in time']],
    },
    {
      name: 'too old: the last error is recorded',
      outbox: () => [entry(RUN_1, ['ops'], { last_error: 'ops: HTTP 500: internal error', attempts: 12 })],
      keys: ['ops'],
      now: Date.parse(isoOf(RUN_1)) + 8 * DAY,
      kept: [],
      expired: [['ops', 'ops: HTTP 500: internal error']],
    },
    {
      name: 'exactly the maximum age: kept',
      outbox: () => [entry(RUN_1, ['ops'])],
      keys: ['ops'],
      now: Date.parse(isoOf(RUN_1)) + MAX_AGE,
      kept: [['ops']],
      expired: [],
    },
    {
      name: 'a removed channel: expired for that channel only',
      outbox: () => [entry(RUN_1, ['ops', 'audit'])],
      keys: ['ops'],
      now,
      kept: [['ops']],
      expired: [['audit', 'channel no longer configured']],
    },
    {
      name: 'every channel removed: the message goes, recorded per channel',
      outbox: () => [entry(RUN_1, ['ops', 'audit'])],
      keys: ['teams-new'],
      now,
      kept: [],
      expired: [['ops', 'channel no longer configured'], ['audit', 'channel no longer configured']],
    },
    {
      name: 'an old and a young message: only the old expires, the young is kept',
      outbox: () => [entry(RUN_1, ['ops']), entry('20261127T071500000Z', ['ops', 'audit'])],
      keys: ['ops', 'audit'],
      now: Date.parse(isoOf(RUN_1)) + 7.5 * DAY,
      kept: [['ops', 'audit']],
      expired: [['ops', 'not delivered in time']],
    },
  ])('$name', ({ outbox, keys, now: at, kept, expired }) => {
    const box = outbox();
    const result = expireOutbox(box, at, MAX_AGE, new Set(keys));
    expect(result.outbox.map((e) => e.pending)).toEqual(kept);
    expect(result.expired.map((x) => [x.channel, x.last_error])).toEqual(expired);
    for (const x of result.expired) {
      ExpiredMessage.parse(x);
      const from = box.find((e) => e.id === x.id);
      expect(from).toBeDefined();
      expect(x).toMatchObject({ snapshot_id: from?.snapshot_id, created_at: from?.created_at, change_ids: from?.changes.map((c) => c.id) });
    }
    for (const k of result.outbox) {
      const from = box.find((e) => e.id === k.id);
      expect({ ...k, pending: from?.pending }).toEqual(from);
    }
  });
});

describe('newOutboxEntry', () => {
  const { changes, instances } = runChanges(RUN_1);
  const snapshot = { id: RUN_1, taken_at: isoOf(RUN_1), instances };

  it('the run changes are: critical, info, warning, warning', () => {
    expect(kindsOf(changes)).toEqual(['status_changed:critical', 'config_changed:info', 'status_changed:warning', 'task_removed:warning']);
  });

  it.each([
    ['the same snapshot and changes', () => newOutboxEntry(snapshot, runChanges(RUN_1).changes, [channel('ops')]), true],
    ['the same, other channels', () => newOutboxEntry(snapshot, changes, [channel('audit'), channel('ops')]), true],
    ['another snapshot id', () => newOutboxEntry({ ...snapshot, id: RUN_2 }, changes, [channel('ops')]), false],
    ['fewer changes', () => newOutboxEntry(snapshot, changes.slice(1), [channel('ops')]), false],
    ['the changes of another run', () => newOutboxEntry(snapshot, runChanges(RUN_2).changes, [channel('ops')]), false],
  ])('id for %s: same = %s', (_name, make, same) => {
    const base = newOutboxEntry(snapshot, changes, [channel('ops')]);
    const other = make();
    expect(base?.id).toMatch(/^msg_[0-9a-f]{26}$/);
    expect(other?.id).toMatch(/^msg_[0-9a-f]{26}$/);
    expect(other?.id === base?.id).toBe(same);
  });

  it.each<[string, ChannelConfig[], string[] | null]>([
    ['no filter', [channel('all')], ['all']],
    ['critical only, and a change is critical', [channel('pager', { min_severity: 'critical' })], ['pager']],
    ['task_added only: nothing was added', [channel('adds', { events: ['task_added'] })], null],
    ['instance kinds only: none happened', [channel('infra', { events: ['instance_unreachable', 'instance_recovered'] })], null],
    ['config_changed at warning or more: the config change is info', [channel('cfg', { events: ['config_changed'], min_severity: 'warning' })], null],
    [
      'a mix: only the channels that accept a change',
      [channel('all'), channel('adds', { events: ['task_added'] }), channel('removals', { events: ['task_removed'] }), channel('pager', { min_severity: 'critical' })],
      ['all', 'removals', 'pager'],
    ],
    ['no channel at all', [], null],
  ])('pending: %s', (_name, channels, pending) => {
    const e = newOutboxEntry(snapshot, changes, channels);
    if (pending === null) {
      expect(e).toBeNull();
      return;
    }
    expect(OutboxEntry.parse(e)).toEqual(e);
    expect(e).toMatchObject({ snapshot_id: RUN_1, taken_at: isoOf(RUN_1), created_at: isoOf(RUN_1), changes, pending, attempts: 0, last_error: null });
  });

  it.each([
    [REPLICATOR.id, { source_type: 'KAFKA_REPLICATOR_SOURCE', sink_type: 'NONE' }],
    [OBS_SINK.id, { source_type: 'NONE', sink_type: 'OBS_SINK' }],
  ])('task_types holds the types of the changed task %s', (id, types) => {
    expect(newOutboxEntry(snapshot, changes, [channel('ops')])?.task_types?.[id]).toEqual(types);
  });
});
