import { describe, expect, it } from 'vitest';
import { rebuildAlertState } from '../lib/alerting/alert-rebuild';
import { type AlertChange, readAlertState } from '../lib/alerting/alert-state';
import type { LifecycleConfig } from '../lib/alerting/lifecycle-context';
import type { LifecycleResult } from '../lib/alerting/lifecycle';
import type { InstanceSnapshot } from '../lib/store/snapshot';
import { MIN, T0, driver, instance } from './support/lifecycle-driver';

const CONFIG: LifecycleConfig = { remindEveryMs: 60 * MIN, notifyAfterMs: 0, flapThreshold: 3, flapWindowMs: 30 * MIN };

/** `kind:subject→to`, `*` for a change held earlier and sent now. */
function label(c: AlertChange, due = false): string {
  return `${due ? '*' : ''}${c.kind}:${c.task_id ?? c.instance_id}${c.to !== null ? `→${c.to}` : ''}`;
}
function sent(r: LifecycleResult): string[] {
  const due = new Set(r.due.map((c) => c.id));
  return r.send.map((c) => label(c, due.has(c.id)));
}
function held(r: LifecycleResult): string[] {
  return r.recorded.filter((c) => r.held[c.id]).map((c) => `${r.held[c.id]}:${label(c)}`);
}

const i = (tasks: Record<string, string>, ok = true) => [instance('i', tasks, ok)];
type Run = [minute: number, instances: InstanceSnapshot[]];

describe('DESIGN.md §10, row by row', () => {
  it.each<{ name: string; config?: Partial<LifecycleConfig>; runs: Run[]; sent: string[][]; held?: string[][] }>([
    {
      name: 'Pending: a change into a failing state is recorded at once but sent only at the first run at which the failure has lasted NOTIFY_AFTER',
      config: { notifyAfterMs: 10 * MIN },
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'FAILED' })], [15, i({ a: 'FAILED' })], [20, i({ a: 'FAILED' })]],
      sent: [['task_added:a→RUNNING'], [], [], ['*status_changed:a→FAILED'], []],
      held: [[], ['pending:status_changed:a→FAILED'], [], [], []],
    },
    {
      name: 'Pending: a later change of the same failure is held with it and sent with it',
      config: { notifyAfterMs: 10 * MIN },
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'ERROR' })], [15, i({ a: 'ERROR' })]],
      sent: [['task_added:a→RUNNING'], [], [], ['*status_changed:a→FAILED', '*status_changed:a→ERROR']],
      held: [[], ['pending:status_changed:a→FAILED'], ['pending:status_changed:a→ERROR'], []],
    },
    {
      name: 'Pending: if it ends before, neither it nor the recovery is sent (the unsent recovery carries the failure\'s reason)',
      config: { notifyAfterMs: 10 * MIN },
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'RUNNING' })], [60, i({ a: 'RUNNING' })]],
      sent: [['task_added:a→RUNNING'], [], [], []],
      held: [[], ['pending:status_changed:a→FAILED'], ['pending:status_changed:a→RUNNING'], []],
    },
    {
      name: 'Resolved only when told: a recovery (RUNNING) is sent when the failure it ends was sent',
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'RUNNING' })]],
      sent: [['task_added:a→RUNNING'], ['status_changed:a→FAILED'], ['status_changed:a→RUNNING']],
    },
    {
      name: 'Resolved only when told: instance_recovered is sent only when its instance_unreachable was',
      config: { notifyAfterMs: 10 * MIN },
      runs: [[0, i({})], [5, i({}, false)], [10, i({})], [20, i({}, false)], [30, i({}, false)], [40, i({})]],
      sent: [[], [], [], [], ['*instance_unreachable:i'], ['instance_recovered:i']],
      held: [[], ['pending:instance_unreachable:i'], ['pending:instance_recovered:i'], ['pending:instance_unreachable:i'], [], []],
    },
    {
      name: 'Already failing when first seen: on the first run, tasks already failing are sent as still_failing; healthy tasks stay a silent baseline',
      runs: [[0, i({ a: 'RUNNING', b: 'FAILED', c: 'PAUSED' })], [5, i({ a: 'RUNNING', b: 'FAILED', c: 'PAUSED' })]],
      sent: [['task_added:a→RUNNING', 'still_failing:b→FAILED', 'task_added:b→FAILED', 'task_added:c→PAUSED'], []],
    },
    {
      name: 'Already failing when first seen: subject to NOTIFY_AFTER',
      config: { notifyAfterMs: 10 * MIN },
      runs: [[0, i({ b: 'FAILED' })], [5, i({ b: 'FAILED' })], [10, i({ b: 'FAILED' })]],
      sent: [['task_added:b→FAILED'], [], ['*still_failing:b→FAILED']],
      held: [['pending:still_failing:b→FAILED'], [], []],
    },
    {
      name: 'Already failing when first seen: for a newly watched instance',
      runs: [[0, i({ a: 'RUNNING' })], [5, [...i({ a: 'RUNNING' }), instance('j', { b: 'FAILED', c: 'RUNNING' })]]],
      sent: [['task_added:a→RUNNING'], ['instance_added:j', 'still_failing:b→FAILED', 'task_added:b→FAILED', 'task_added:c→RUNNING']],
    },
    {
      name: 'A task added failing on a watched instance is a failure like a status change (pending)',
      config: { notifyAfterMs: 10 * MIN },
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'RUNNING', b: 'FAILED' })], [15, i({ a: 'RUNNING', b: 'FAILED' })]],
      sent: [['task_added:a→RUNNING'], [], ['*task_added:b→FAILED']],
    },
    {
      name: 'Reminders: while a task is failing and its failure was sent, a still_failing is sent whenever REMIND_EVERY has passed since its last notification',
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [35, i({ a: 'FAILED' })], [64, i({ a: 'FAILED' })], [65, i({ a: 'FAILED' })], [100, i({ a: 'ERROR' })], [159, i({ a: 'ERROR' })], [160, i({ a: 'ERROR' })]],
      sent: [['task_added:a→RUNNING'], ['status_changed:a→FAILED'], [], [], ['still_failing:a→FAILED'], ['status_changed:a→ERROR'], [], ['still_failing:a→ERROR']],
    },
    {
      name: 'Reminders: REMIND_EVERY off sends none',
      config: { remindEveryMs: null },
      runs: [[0, i({ a: 'FAILED' })], [600, i({ a: 'FAILED' })]],
      sent: [['still_failing:a→FAILED', 'task_added:a→FAILED'], []],
    },
    {
      name: 'Reminders: an unreachable instance is failing and is reminded (task_id null, from = to = null)',
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'RUNNING' }, false)], [65, i({ a: 'RUNNING' }, false)]],
      sent: [['task_added:a→RUNNING'], ['instance_unreachable:i'], ['still_failing:i']],
    },
    {
      name: 'PAUSED is an operator\'s act: told once, never reminded',
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'PAUSED' })], [300, i({ a: 'PAUSED' })], [600, i({ a: 'PAUSED' })]],
      sent: [['task_added:a→RUNNING'], ['status_changed:a→PAUSED'], [], []],
    },
    {
      name: 'PAUSED ends a held failure but is told anyway (it is not a recovery)',
      config: { notifyAfterMs: 10 * MIN },
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'PAUSED' })], [20, i({ a: 'PAUSED' })]],
      sent: [['task_added:a→RUNNING'], [], ['status_changed:a→PAUSED'], []],
    },
    {
      name: 'Flapping: when status changes reach FLAP_THRESHOLD within FLAP_WINDOW, one flapping is sent instead of that change; while flapping, changes are recorded, not sent, not reminded; flapping_ended counts as the notification of a failure',
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'RUNNING' })], [15, i({ a: 'FAILED' })], [20, i({ a: 'RUNNING' })], [25, i({ a: 'FAILED' })], [54, i({ a: 'FAILED' })], [55, i({ a: 'FAILED' })], [114, i({ a: 'FAILED' })], [115, i({ a: 'FAILED' })]],
      sent: [['task_added:a→RUNNING'], ['status_changed:a→FAILED'], ['status_changed:a→RUNNING'], ['flapping:a→FAILED'], [], [], [], ['flapping_ended:a→FAILED'], [], ['still_failing:a→FAILED']],
      held: [[], [], [], ['flapping:status_changed:a→FAILED'], ['flapping:status_changed:a→RUNNING'], ['flapping:status_changed:a→FAILED'], [], [], [], []],
    },
    {
      name: 'Flapping: it ends once the task has had no status change for FLAP_WINDOW; flapping_ended is resolved when RUNNING',
      config: { notifyAfterMs: 10 * MIN },
      runs: [[0, i({ a: 'RUNNING' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'RUNNING' })], [15, i({ a: 'FAILED' })], [20, i({ a: 'RUNNING' })], [50, i({ a: 'RUNNING' })]],
      sent: [['task_added:a→RUNNING'], [], [], ['flapping:a→FAILED'], [], ['flapping_ended:a→RUNNING']],
    },
    {
      name: 'A run with failing tasks but nothing due records nothing',
      runs: [[0, i({ a: 'FAILED' })], [5, i({ a: 'FAILED' })], [10, i({ a: 'FAILED' })]],
      sent: [['still_failing:a→FAILED', 'task_added:a→FAILED'], [], []],
    },
    {
      name: 'A task removed ends its alert: task_removed is sent, no recovery and no reminder follow',
      runs: [[0, i({ a: 'RUNNING', b: 'RUNNING' })], [5, i({ a: 'FAILED', b: 'RUNNING' })], [10, i({ b: 'RUNNING' })], [200, i({ b: 'RUNNING' })]],
      sent: [['task_added:a→RUNNING', 'task_added:b→RUNNING'], ['status_changed:a→FAILED'], ['task_removed:a'], []],
    },
    {
      name: 'Tasks of an unreachable instance wait for its listing: only the instance is reminded',
      runs: [[0, i({ a: 'FAILED' })], [5, i({ a: 'FAILED' }, false)], [65, i({ a: 'FAILED' }, false)], [70, i({ a: 'FAILED' })]],
      sent: [['still_failing:a→FAILED', 'task_added:a→FAILED'], ['instance_unreachable:i'], ['still_failing:i'], ['instance_recovered:i', 'still_failing:a→FAILED']],
    },
  ])('$name', ({ config, runs, sent: expectedSent, held: expectedHeld }) => {
    const d = driver({ ...CONFIG, ...config });
    const results = runs.map(([minute, instances]) => d.run(T0 + minute * MIN, instances));
    expect(results.map(sent)).toEqual(expectedSent);
    if (expectedHeld) expect(results.map(held)).toEqual(expectedHeld);
  });

  it('a held failure is sent as it was recorded: the same change id and snapshot', () => {
    const d = driver({ ...CONFIG, notifyAfterMs: 10 * MIN });
    d.run(T0, i({ a: 'RUNNING' }));
    const recorded = d.run(T0 + 5 * MIN, i({ a: 'FAILED' })).recorded[0]!;
    expect(d.run(T0 + 15 * MIN, i({ a: 'FAILED' })).due).toEqual([recorded]);
  });

  it('still_failing carries since, the time the failure began', () => {
    const d = driver(CONFIG);
    d.run(T0, i({ a: 'RUNNING' }));
    d.run(T0 + 5 * MIN, i({ a: 'FAILED' }));
    const [reminder] = d.run(T0 + 65 * MIN, i({ a: 'FAILED' })).send;
    expect(reminder).toMatchObject({ kind: 'still_failing', severity: 'critical', from: 'FAILED', to: 'FAILED', since: new Date(T0 + 5 * MIN).toISOString() });
  });

  it('flapping carries flap_count and the window, flapping_ended the window: the messages say "4 status changes in 1 h"', () => {
    const d = driver(CONFIG);
    const runs = [[0, 'RUNNING'], [5, 'FAILED'], [10, 'RUNNING'], [15, 'FAILED']] as const;
    const flapping = runs.map(([minute, status]) => d.run(T0 + minute * MIN, i({ a: status }))).at(-1)!.send.find((c) => c.kind === 'flapping');
    expect(flapping).toMatchObject({ flap_count: 3, flap_window_ms: 30 * MIN });
    const ended = d.run(T0 + 45 * MIN, i({ a: 'FAILED' })).send.find((c) => c.kind === 'flapping_ended');
    expect(ended).toMatchObject({ to: 'FAILED', flap_window_ms: 30 * MIN });
    expect(ended).not.toHaveProperty('flap_count');
  });

  it('the alert state stays small: a healthy fleet keeps no entry, removed instances leave none', () => {
    const d = driver(CONFIG);
    d.run(T0, [instance('i', Object.fromEntries(Array.from({ length: 50 }, (_, k) => [`t${k}`, 'RUNNING']))), instance('j', { x: 'FAILED' })]);
    expect(Object.keys(d.alerts!.entries)).toEqual(['j/x']);
    d.run(T0 + 5 * MIN, [instance('i', {})]);
    expect(d.alerts!.entries).toEqual({});
  });

  it('A state reset does not resend what the history shows was sent, and forgets nothing failing', () => {
    const config = { ...CONFIG, notifyAfterMs: 10 * MIN };
    const d = driver(config);
    d.run(T0, i({ a: 'RUNNING', b: 'RUNNING', c: 'FAILED' }));
    d.run(T0 + 5 * MIN, i({ a: 'FAILED', b: 'RUNNING', c: 'FAILED' }));
    d.run(T0 + 15 * MIN, i({ a: 'FAILED', b: 'ERROR', c: 'FAILED' }));
    const after = driver(config, { alerts: rebuildAlertState(d.history, config), instances: d.history[0]!.instances as InstanceSnapshot[] });
    expect(after.alerts).toEqual(d.alerts);
    expect(sent(after.run(T0 + 25 * MIN, i({ a: 'FAILED', b: 'ERROR', c: 'FAILED' })))).toEqual(['*status_changed:b→ERROR']);
    expect(sent(after.run(T0 + 75 * MIN, i({ a: 'FAILED', b: 'ERROR', c: 'FAILED' })))).toEqual(['still_failing:a→FAILED', 'still_failing:c→FAILED']);
  });

  it('an alert state absent after the first run (older state.json, or invalid): failing tasks are first seen, once', () => {
    const d = driver(CONFIG, { alerts: null, instances: i({ a: 'FAILED', b: 'RUNNING' }) });
    expect(sent(d.run(T0, i({ a: 'FAILED', b: 'RUNNING' })))).toEqual(['still_failing:a→FAILED']);
    expect(sent(d.run(T0 + 5 * MIN, i({ a: 'FAILED', b: 'RUNNING' })))).toEqual([]);
  });

  it('a rebuild from the newest objects only: a failure begun before them counts as sent (not resent, still reminded)', () => {
    const d = driver(CONFIG);
    d.run(T0, i({ a: 'RUNNING', b: 'RUNNING' }));
    d.run(T0 + 5 * MIN, i({ a: 'FAILED', b: 'RUNNING' }));
    d.run(T0 + 30 * MIN, i({ a: 'FAILED', b: 'PAUSED' }));
    const newest = d.history.slice(0, 1);
    const after = driver(CONFIG, { alerts: rebuildAlertState(newest, CONFIG), instances: newest[0]!.instances as InstanceSnapshot[] });
    expect(after.alerts!.entries['i/a']!.failure).toMatchObject({ sent: true, notified_at: new Date(T0 + 30 * MIN).toISOString() });
    expect(sent(after.run(T0 + 35 * MIN, i({ a: 'FAILED', b: 'PAUSED' })))).toEqual([]);
    expect(sent(after.run(T0 + 90 * MIN, i({ a: 'FAILED', b: 'PAUSED' })))).toEqual(['still_failing:a→FAILED']);
  });

  it.each([
    ['not an object', 5, 'alerts is invalid'],
    ['an entry under another key', { entries: { x: { instance_id: 'i', task_id: 'a', failure: null, changes_at: [], flapping_since: null } } }, 'alerts.entries.x is invalid'],
    ['a bad time', { entries: { i: { instance_id: 'i', task_id: null, failure: null, changes_at: ['yesterday'], flapping_since: null } } }, 'alerts.entries.i.changes_at.0 is invalid'],
  ])('an invalid alert state (%s) is read as absent, with the reason', (_name, raw, reason) => {
    const read = readAlertState(raw);
    expect(read.alerts).toBeNull();
    expect(read.error).toContain(reason);
  });

  it('an alert state that is absent is no error', () => {
    expect(readAlertState(undefined)).toEqual({ alerts: null, error: null });
  });
});
