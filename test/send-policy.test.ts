import { describe, expect, it } from 'vitest';
import { CHANGE_KINDS, type Change, type ChangeKind, type Severity } from '../lib/alerting/change';
import { type SendInput, sendPolicy, sentChanges } from '../lib/alerting/send-policy';
import type { ChannelConfig } from '../lib/config/config';
import type { InstanceSnapshot, Snapshot } from '../lib/store/snapshot';

// What a run sends of its changes (DESIGN.md §2 step 4): NOTIFY_ON, the baseline rule
// (NOTIFY_FIRST_RUN, instances never listed before) and each channel's filters.

const TAKEN_AT = '2026-12-01T00:05:00.000Z';

const change = (kind: ChangeKind, instance: string, task: string | null, severity: Severity = 'info'): Change => ({
  id: `${kind}/${instance}/${task ?? '-'}`,
  kind,
  severity,
  instance_id: instance,
  instance_name: instance,
  task_id: task,
  task_name: task,
  from: null,
  to: null,
  fields: null,
  snapshot_id: 'S2',
  detected_at: TAKEN_AT,
});

const instance = (id: string, over: Partial<InstanceSnapshot> = {}): InstanceSnapshot => ({
  instance_id: id,
  name: id,
  region: 'r',
  project_id: 'p',
  ok: true,
  error: null,
  total_number: 1,
  max_tasks: null,
  quota_tasks: null,
  tasks: [{ id: 't1', name: 't1', status: 'RUNNING', source_type: 'KAFKA_REPLICATOR_SOURCE', sink_type: null }],
  ...over,
});

const previous = (instances: InstanceSnapshot[]): Snapshot => ({ schema: 'smart-connect-watch/snapshot/v1', id: 'S1', taken_at: '2026-12-01T00:00:00.000Z', previous: null, instances, changes: [] });

const channel = (name: string, over: Partial<ChannelConfig> = {}) => ({ key: `generic:${name}`, name, type: 'generic', events: undefined, min_severity: undefined, ...over }) as ChannelConfig;

const input = (over: Partial<SendInput> & { notifyOn?: ChangeKind[]; notifyFirstRun?: boolean; channels?: ChannelConfig[] } = {}): SendInput => ({
  changes: over.changes ?? [],
  previous: over.previous === undefined ? previous([instance('i1')]) : over.previous,
  snapshot: { id: 'S2', taken_at: TAKEN_AT, instances: [instance('i1'), instance('i2')] },
  config: { notifyOn: over.notifyOn ?? [...CHANGE_KINDS], notifyFirstRun: over.notifyFirstRun ?? false, channels: over.channels ?? [channel('ops')], ...LIFECYCLE },
  now: Date.parse(TAKEN_AT),
  alerts: over.alerts ?? null,
  ...(over.snapshot ? { snapshot: over.snapshot } : {}),
});
const LIFECYCLE = { remindEveryMs: 4 * 3600_000, notifyAfterMs: 0, flapThreshold: 4, flapWindowMs: 3600_000 };

const added1 = change('task_added', 'i1', 't1');
const added2 = change('task_added', 'i2', 't1');
const failed = change('status_changed', 'i1', 't1', 'critical');
const unreachable = change('instance_unreachable', 'i1', null, 'critical');

describe('sendPolicy: which changes are sent', () => {
  it.each([
    { name: 'a task added on a listed instance is news', over: { changes: [added1] }, sent: [added1.id] },
    { name: 'a first run is a baseline', over: { changes: [added1, added2], previous: null }, sent: [] },
    { name: 'a first run with NOTIFY_FIRST_RUN sends its tasks', over: { changes: [added1], previous: null, notifyFirstRun: true }, sent: [added1.id] },
    { name: 'tasks of a newly watched instance are a baseline', over: { changes: [added1, added2] }, sent: [added1.id] },
    {
      name: 'an instance failing since its first run is still a baseline when it is listed',
      over: { changes: [added1], previous: previous([instance('i1', { ok: false, error: 'x', total_number: null, tasks: [] })]) },
      sent: [],
    },
    {
      name: 'an instance that was listed once and failed later is not a baseline',
      over: { changes: [added1], previous: previous([instance('i1', { ok: false, error: 'x' })]) },
      sent: [added1.id],
    },
    { name: 'a baseline never holds back other kinds', over: { changes: [added2, failed], previous: null }, sent: [failed.id] },
    {
      name: 'NOTIFY_ON leaves out the other kinds',
      over: { changes: [added1, failed, unreachable], notifyOn: ['instance_unreachable'] as ChangeKind[], snapshot: { id: 'S2', taken_at: TAKEN_AT, instances: [instance('i1', { ok: false, error: 'x' }), instance('i2')] } },
      sent: [unreachable.id],
    },
    { name: 'nothing to send, no message', over: { changes: [] }, sent: [] },
  ])('$name', ({ over, sent }) => {
    const decision = sendPolicy(input(over));
    expect(decision.queue.flatMap((e) => e.changes.map((c) => c.id))).toEqual(sent);
    expect(decision.queue).toHaveLength(sent.length > 0 ? 1 : 0);
    expect(decision.held).toEqual([]);
  });
});

describe('sendPolicy: the message', () => {
  it.each([
    { name: 'pending on every channel that wants a change', channels: [channel('a'), channel('b')], pending: ['generic:a', 'generic:b'] },
    { name: 'not on a channel whose events leave every change out', channels: [channel('a', { events: ['task_removed'] }), channel('b')], pending: ['generic:b'] },
    { name: 'not on a channel whose min_severity is above every change', channels: [channel('a', { min_severity: 'critical' }), channel('b')], pending: ['generic:b'] },
    { name: 'no message when no channel wants any', channels: [channel('a', { min_severity: 'warning' })], pending: null },
    { name: 'no message without channels', channels: [], pending: null },
  ])('$name', ({ channels, pending }) => {
    const [entry, ...rest] = sendPolicy(input({ changes: [added1], channels })).queue;
    expect(rest).toEqual([]);
    expect(entry?.pending ?? null).toEqual(pending);
  });

  it('carries the snapshot id and time, the changed tasks\' types, and no attempt yet', () => {
    const [entry] = sendPolicy(input({ changes: [added1] })).queue;
    expect(entry).toMatchObject({
      snapshot_id: 'S2',
      taken_at: TAKEN_AT,
      created_at: TAKEN_AT,
      task_types: { t1: { source_type: 'KAFKA_REPLICATOR_SOURCE', sink_type: null } },
      attempts: 0,
      last_error: null,
    });
    expect(entry!.id).toMatch(/^msg_[0-9a-f]{26}$/);
  });

  it.each([
    { name: 'the same decision again (a run retried after a crash)', other: input({ changes: [added1, failed] }), same: true },
    { name: 'another snapshot', other: { ...input({ changes: [added1, failed] }), snapshot: { id: 'S3', taken_at: TAKEN_AT, instances: [] } }, same: false },
    { name: 'other changes', other: input({ changes: [added1] }), same: false },
  ])('message id against $name: same = $same', ({ other, same }) => {
    const id = (i: SendInput) => sendPolicy(i).queue[0]!.id;
    expect(id(input({ changes: [added1, failed] })) === id(other)).toBe(same);
  });
});

describe('sendPolicy: the alert lifecycle (DESIGN.md §10) decides before NOTIFY_ON', () => {
  const failing = (ok = true) => ({ id: 'S2', taken_at: TAKEN_AT, instances: [instance('i1', { tasks: [{ id: 't1', status: 'FAILED' }], ok })] });
  const intoFailed = { ...failed, from: 'RUNNING', to: 'FAILED' };

  it('a failure held pending is recorded with held, not queued; the next alert state remembers it', () => {
    const d = sendPolicy({ ...input({ changes: [intoFailed] }), snapshot: failing(), config: { ...input().config, notifyAfterMs: 60_000 } });
    expect(d.recorded).toEqual([{ ...intoFailed, held: 'pending' }]);
    expect(d.held).toEqual([{ change_id: intoFailed.id, held: 'pending' }]);
    expect(d.queue).toEqual([]);
    expect(d.alerts.entries['i1/t1']!.failure).toMatchObject({ sent: false, held: [intoFailed] });
    expect(d.writesHistory).toBe(false);
  });

  it('a silenced change is recorded with held "silenced" and silenced_by, not queued', () => {
    const d = sendPolicy({ ...input({ changes: [intoFailed] }), snapshot: failing(), silenced: (c) => (c.task_id === 't1' ? ['sil_a'] : []) });
    expect(d.recorded).toEqual([{ ...intoFailed, held: 'silenced', silenced_by: ['sil_a'] }]);
    expect(d.held).toEqual([{ change_id: intoFailed.id, held: 'silenced', silenced_by: ['sil_a'] }]);
    expect(d.queue).toEqual([]);
  });

  it('a reminder is a recorded change, sent, and makes the run write history', () => {
    const first = sendPolicy({ ...input({ changes: [intoFailed] }), snapshot: failing() });
    const later = sendPolicy({ ...input({ changes: [] }), snapshot: failing(), alerts: first.alerts, now: Date.parse(TAKEN_AT) + LIFECYCLE.remindEveryMs });
    expect(later.recorded.map((c) => c.kind)).toEqual(['still_failing']);
    expect(later.queue[0]!.changes).toEqual(later.recorded);
    expect(later.writesHistory).toBe(true);
  });

  it('NOTIFY_ON filters what the lifecycle sends: a reminder left out is still recorded', () => {
    const first = sendPolicy({ ...input({ changes: [intoFailed] }), snapshot: failing() });
    const later = sendPolicy({ ...input({ changes: [], notifyOn: ['status_changed'] }), snapshot: failing(), alerts: first.alerts, now: Date.parse(TAKEN_AT) + LIFECYCLE.remindEveryMs });
    expect(later.recorded.map((c) => c.kind)).toEqual(['still_failing']);
    expect(later.queue).toEqual([]);
  });
});

describe('sentChanges: what a history object\'s run sent, to rebuild its message after a reset', () => {
  it('its changes not held, and those it released, in §4 order', () => {
    const a = change('status_changed', 'i1', 't1', 'critical');
    const b = { ...change('status_changed', 'i1', 't2', 'critical'), held: 'pending' as const };
    const c = { ...change('task_added', 'i2', 't1'), held: 'silenced' as const, silenced_by: ['sil_1'] };
    const released = change('status_changed', 'i1', 't0', 'critical');
    expect(sentChanges({ changes: [a, b, c], released: [released] })).toEqual([released, a]);
    expect(sentChanges({ changes: [a, b] })).toEqual([a]);
  });
});
