import { describe, expect, it } from 'vitest';
import { rebuildAlertState } from '../lib/alerting/alert-rebuild';
import type { AlertChange } from '../lib/alerting/alert-state';
import type { LifecycleConfig } from '../lib/alerting/lifecycle-context';
import type { LifecycleResult } from '../lib/alerting/lifecycle';
import type { InstanceSnapshot } from '../lib/store/snapshot';
import { MIN, T0, driver, instance } from './support/lifecycle-driver';

// DESIGN.md §11 in the alert lifecycle, through its `silenced` hook (silences.json and its matching
// come with issue #20): what a silence holds, and the one still_failing once it has ended.

const CONFIG: LifecycleConfig = { remindEveryMs: 60 * MIN, notifyAfterMs: 0, flapThreshold: 3, flapWindowMs: 30 * MIN };

/** A silence active from minute `from` to `to` (exclusive) on the task (or instance) `subject`, optionally one kind only. */
interface Silence {
  id: string;
  from: number;
  to: number;
  subject: string;
  kind?: string;
}
const hook = (silences: Silence[]) => (c: AlertChange, at: number) =>
  silences
    .filter((s) => at >= T0 + s.from * MIN && at < T0 + s.to * MIN && (c.task_id ?? c.instance_id) === s.subject && (!s.kind || s.kind === c.kind))
    .map((s) => s.id);

const label = (c: AlertChange, due = false) => `${due ? '*' : ''}${c.kind}:${c.task_id ?? c.instance_id}${c.to !== null ? `→${c.to}` : ''}`;
const sent = (r: LifecycleResult) => {
  const due = new Set(r.due.map((c) => c.id));
  return r.send.map((c) => label(c, due.has(c.id)));
};
const held = (r: LifecycleResult) => r.recorded.filter((c) => r.held[c.id]).map((c) => `${r.held[c.id]}${r.silencedBy[c.id] ? `[${r.silencedBy[c.id]!.join(',')}]` : ''}:${label(c)}`);

const i = (tasks: Record<string, string>, ok = true) => [instance('i', tasks, ok)];
type Run = [minute: number, instances: InstanceSnapshot[]];

describe('DESIGN.md §11 silences in the lifecycle, row by row', () => {
  it.each<{ name: string; config?: Partial<LifecycleConfig>; silences: Silence[]; runs: Run[]; sent: string[][]; held: string[][] }>([
    {
      name: 'a change matching an active silence is recorded with held "silenced" and silenced_by, not sent; once the silence has ended and the task is still failing, the next run sends one still_failing, then reminders go on',
      silences: [{ id: 'sil_a', from: 0, to: 20, subject: 'a' }],
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'FAILED' })], [20, i({ a: 'FAILED' })], [25, i({ a: 'FAILED' })], [80, i({ a: 'FAILED' })]],
      sent: [[], [], [], ['still_failing:a→FAILED'], [], ['still_failing:a→FAILED']],
      held: [['silenced[sil_a]:task_added:a→RUNNING'], ['silenced[sil_a]:status_changed:a→FAILED'], [], [], [], []],
    },
    {
      name: 'no reminder while silenced, however long: one still_failing once it ends',
      silences: [{ id: 'sil_a', from: 1, to: 200, subject: 'a' }],
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [70, i({ a: 'FAILED' })], [140, i({ a: 'FAILED' })], [200, i({ a: 'FAILED' })], [201, i({ a: 'FAILED' })]],
      sent: [['task_added:a→RUNNING'], [], [], [], ['still_failing:a→FAILED'], []],
      held: [[], ['silenced[sil_a]:status_changed:a→FAILED'], [], [], [], []],
    },
    {
      name: 'recovered while silenced: the recovery is held "silenced" (a failure told to nobody is not resolved), and nothing follows the silence',
      silences: [{ id: 'sil_a', from: 1, to: 20, subject: 'a' }],
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'RUNNING' })], [20, i({ a: 'RUNNING' })]],
      sent: [['task_added:a→RUNNING'], [], [], []],
      held: [[], ['silenced[sil_a]:status_changed:a→FAILED'], ['silenced[sil_a]:status_changed:a→RUNNING'], []],
    },
    {
      name: 'recovered in the run the silence ends: the recovery carries the silences that held the failure',
      silences: [{ id: 'sil_a', from: 1, to: 10, subject: 'a' }],
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'RUNNING' })]],
      sent: [['task_added:a→RUNNING'], [], []],
      held: [[], ['silenced[sil_a]:status_changed:a→FAILED'], ['silenced[sil_a]:status_changed:a→RUNNING']],
    },
    {
      name: 'a failure sent before the silence: its reminder during the silence is recorded held, then one still_failing after it',
      silences: [{ id: 'sil_a', from: 30, to: 100, subject: 'a' }],
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [65, i({ a: 'FAILED' })], [90, i({ a: 'FAILED' })], [100, i({ a: 'FAILED' })], [130, i({ a: 'FAILED' })]],
      sent: [['task_added:a→RUNNING'], ['status_changed:a→FAILED'], [], [], ['still_failing:a→FAILED'], []],
      held: [[], [], ['silenced[sil_a]:still_failing:a→FAILED'], [], [], []],
    },
    {
      name: 'a pending failure that comes due during the silence is not sent (its record stays held "pending"); one still_failing after',
      config: { notifyAfterMs: 10 * MIN },
      silences: [{ id: 'sil_a', from: 10, to: 30, subject: 'a' }],
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [15, i({ a: 'FAILED' })], [30, i({ a: 'FAILED' })]],
      sent: [['task_added:a→RUNNING'], [], [], ['still_failing:a→FAILED']],
      held: [[], ['pending:status_changed:a→FAILED'], [], []],
    },
    {
      name: 'already failing on the first run, silenced: one still_failing once the silence ends',
      silences: [{ id: 'sil_b', from: 0, to: 10, subject: 'b', kind: 'still_failing' }],
      runs: [[0, i({ a: 'RUNNING', b: 'FAILED' })], [5, i({ a: 'RUNNING', b: 'FAILED' })], [10, i({ a: 'RUNNING', b: 'FAILED' })]],
      sent: [['task_added:a→RUNNING', 'task_added:b→FAILED'], [], ['still_failing:b→FAILED']],
      held: [['silenced[sil_b]:still_failing:b→FAILED'], [], []],
    },
    {
      name: 'a silence naming another kind: it held the status change only, so the failure is told at the next run',
      silences: [{ id: 'sil_k', from: 0, to: 100, subject: 'a', kind: 'status_changed' }],
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'FAILED' })]],
      sent: [['task_added:a→RUNNING'], [], ['still_failing:a→FAILED']],
      held: [[], ['silenced[sil_k]:status_changed:a→FAILED'], []],
    },
    {
      name: 'an unreachable instance silenced: one still_failing for it once the silence ends',
      silences: [{ id: 'sil_i', from: 0, to: 20, subject: 'i' }],
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'RUNNING' }, false)], [20, i({ a: 'RUNNING' }, false)]],
      sent: [['task_added:a→RUNNING'], [], ['still_failing:i']],
      held: [[], ['silenced[sil_i]:instance_unreachable:i'], []],
    },
    {
      name: 'other tasks are not held; a silence of a healthy task holds its changes and remembers nothing',
      silences: [{ id: 'sil_b', from: 0, to: 100, subject: 'b' }],
      runs: [[0, i({ a: 'RUNNING', b: 'RUNNING' })], [5, i({ a: 'FAILED', b: 'PAUSED' })], [10, i({ a: 'FAILED', b: 'PAUSED' })]],
      sent: [['task_added:a→RUNNING'], ['status_changed:a→FAILED'], []],
      held: [['silenced[sil_b]:task_added:b→RUNNING'], ['silenced[sil_b]:status_changed:b→PAUSED'], []],
    },
  ])('$name', ({ config, silences, runs, sent: expectedSent, held: expectedHeld }) => {
    const d = driver({ ...CONFIG, ...config }, undefined, hook(silences));
    const results = runs.map(([minute, instances]) => d.run(T0 + minute * MIN, instances));
    expect(results.map(sent)).toEqual(expectedSent);
    expect(results.map(held)).toEqual(expectedHeld);
  });

  it('a flapping episode whose `flapping` a silence held: its resolved end is not sent either, even after the silence (§10: resolved only when told)', () => {
    const d = driver(CONFIG, undefined, hook([{ id: 'sil_a', from: 1, to: 25, subject: 'a' }]));
    const runs: Run[] = [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'RUNNING' })], [15, i({ a: 'FAILED' })], [20, i({ a: 'RUNNING' })], [50, i({ a: 'RUNNING' })], [55, i({ a: 'RUNNING' })]];
    const results = runs.map(([minute, instances]) => d.run(T0 + minute * MIN, instances));
    expect(results.map(sent)).toEqual([['task_added:a→RUNNING'], [], [], [], [], [], []]);
    expect(held(results[3]!)).toContain('silenced[sil_a]:flapping:a→FAILED');
    expect(held(results[5]!)).toEqual(['silenced[sil_a]:flapping_ended:a→RUNNING']);
  });

  it('without the hook nothing is silenced', () => {
    const d = driver(CONFIG);
    expect(sent(d.run(T0, i({ a: 'FAILED' })))).toEqual(['still_failing:a→FAILED', 'task_added:a→FAILED']);
  });

  it('the alert state remembers the silences that held a failure, and forgets them once it is told', () => {
    const d = driver(CONFIG, undefined, hook([{ id: 'sil_a', from: 1, to: 20, subject: 'a' }]));
    d.run(T0, i({ a: 'RUNNING' }));
    d.run(T0 + 5 * MIN, i({ a: 'FAILED' }));
    expect(d.alerts!.entries['i/a']!.failure).toMatchObject({ sent: true, silenced_by: ['sil_a'] });
    d.run(T0 + 20 * MIN, i({ a: 'FAILED' }));
    expect(d.alerts!.entries['i/a']!.failure).not.toHaveProperty('silenced_by');
  });

  it('a state reset during a silence: the rebuild remembers it, so one still_failing follows its end, not before', () => {
    const silences = hook([{ id: 'sil_a', from: 1, to: 20, subject: 'a' }]);
    const d = driver(CONFIG, undefined, silences);
    d.run(T0, i({ a: 'RUNNING' }));
    d.run(T0 + 5 * MIN, i({ a: 'FAILED' }));
    const after = driver(CONFIG, { alerts: rebuildAlertState(d.history, CONFIG), instances: d.history[0]!.instances as InstanceSnapshot[] }, silences);
    expect(after.alerts).toEqual(d.alerts);
    expect(sent(after.run(T0 + 10 * MIN, i({ a: 'FAILED' })))).toEqual([]);
    expect(sent(after.run(T0 + 20 * MIN, i({ a: 'FAILED' })))).toEqual(['still_failing:a→FAILED']);
  });
});
