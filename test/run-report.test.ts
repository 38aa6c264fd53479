import { describe, expect, it } from 'vitest';
import type { Change, ChangeKind } from '../lib/alerting/change';
import { type RunFacts, runReport } from '../lib/run-report';
import type { HeldChange } from '../lib/alerting/send-policy';
import type { InstanceSnapshot, Task } from '../lib/store/snapshot';
import type { OutboxEntry } from '../lib/store/state';

// The run report (DESIGN.md §7) from what a run did: counts, and the steps' notes in step order.

const task = (id: string): Task => ({ id, name: id, status: 'RUNNING' });
const instance = (id: string, ok: boolean, tasks: number): InstanceSnapshot => ({
  instance_id: id,
  name: id,
  region: 'r',
  project_id: 'p',
  ok,
  error: ok ? null : 'listing failed',
  total_number: ok ? tasks : null,
  max_tasks: null,
  quota_tasks: null,
  tasks: Array.from({ length: tasks }, (_, i) => task(`${id}-t${i}`)),
});
const change = (kind: ChangeKind, n: number) => ({ id: `${kind}-${n}`, kind }) as Change;
const entry = (id: string, pending: string[]) => ({ id, pending }) as OutboxEntry;

const facts = (over: Partial<RunFacts> = {}): RunFacts => ({
  snapshotId: '20261201T000500000Z',
  takenAt: '2026-12-01T00:05:00.000Z',
  durationMs: 1234,
  firstRun: false,
  stateReset: false,
  historyKey: null,
  instances: [],
  changes: [],
  held: [],
  delivered: 0,
  outbox: [],
  expired: 0,
  apiRequests: 0,
  notes: [],
  ...over,
});

describe('runReport', () => {
  it.each([
    { name: 'an empty fleet', over: {}, instances: { total: 0, ok: 0, failed: 0 }, tasks: 0 },
    { name: 'tasks of every instance, failed ones included (they keep their previous tasks)', over: { instances: [instance('a', true, 3), instance('b', false, 2), instance('c', true, 0)] }, instances: { total: 3, ok: 2, failed: 1 }, tasks: 5 },
  ])('instances and tasks: $name', ({ over, instances, tasks }) => {
    const r = runReport(facts(over));
    expect(r.instances).toEqual(instances);
    expect(r.tasks).toBe(tasks);
  });

  it.each([
    { name: 'none', changes: [], total: 0, byKind: {} },
    {
      name: 'counted by kind',
      changes: [change('task_added', 1), change('status_changed', 2), change('task_added', 3), change('state_reset', 4)],
      total: 4,
      byKind: { task_added: 2, status_changed: 1, state_reset: 1 },
    },
  ])('changes: $name', ({ changes, total, byKind }) => {
    const r = runReport(facts({ changes }));
    expect(r.changes).toBe(total);
    expect(r.changes_by_kind).toEqual(byKind);
  });

  const none = { held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 };
  const held = (reason: HeldChange['held'], n: number): HeldChange => ({ change_id: `c${n}`, held: reason, ...(reason === 'silenced' ? { silenced_by: ['sil_1'] } : {}) });
  it.each([
    { name: 'nothing queued', over: {}, messages: { delivered: 0, pending: 0, expired: 0, ...none } },
    { name: 'pending counts message × channel', over: { outbox: [entry('m1', ['a', 'b']), entry('m2', ['a'])], delivered: 3, expired: 2 }, messages: { delivered: 3, pending: 3, expired: 2, ...none } },
    { name: 'an entry pending nowhere counts nothing', over: { outbox: [entry('m1', [])] }, messages: { delivered: 0, pending: 0, expired: 0, ...none } },
    {
      name: 'held changes counted by reason; silenced ones also as messages.silenced (DESIGN.md §11, in changes)',
      over: { held: [held('pending', 1), held('pending', 2), held('flapping', 3), held('silenced', 4), held('silenced', 5), held('silenced', 6)] },
      messages: { delivered: 0, pending: 0, expired: 0, held: { pending: 2, flapping: 1, silenced: 3 }, silenced: 3 },
    },
  ])('messages: $name', ({ over, messages }) => {
    expect(runReport(facts(over)).messages).toEqual(messages);
  });

  it.each([
    { name: 'no notes', notes: [], anomalies: [], errors: [] },
    {
      name: 'in step order, a step without notes skipped',
      notes: [{ anomalies: ['listing anomaly'], errors: ['listing failed'] }, null, { anomalies: ['concurrent run'] }, { errors: ['expired'] }, { anomalies: [], errors: ['delivery failed'] }],
      anomalies: ['listing anomaly', 'concurrent run'],
      errors: ['listing failed', 'expired', 'delivery failed'],
    },
  ])('notes: $name', ({ notes, anomalies, errors }) => {
    const r = runReport(facts({ notes }));
    expect(r.anomalies).toEqual(anomalies);
    expect(r.errors).toEqual(errors);
  });

  it('copies the run\'s identity and figures as they are', () => {
    const r = runReport(facts({ firstRun: true, stateReset: true, historyKey: 'p/history/2026/12/01/20261201T000500000Z.json', apiRequests: 7 }));
    expect(r).toMatchObject({
      snapshot_id: '20261201T000500000Z',
      started_at: '2026-12-01T00:05:00.000Z',
      duration_ms: 1234,
      first_run: true,
      state_reset: true,
      history_key: 'p/history/2026/12/01/20261201T000500000Z.json',
      api_requests: 7,
    });
  });
});
