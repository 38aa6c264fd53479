import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../lib/alerting/diff';
import { type FailingSince, nextFailingSince, runRecord } from '../lib/store/run-record';
import type { InstanceSnapshot } from '../lib/store/snapshot';

const T0 = '2026-11-21T07:00:00.000Z';
const T1 = '2026-11-21T07:05:00.000Z';

function instance(id: string, tasks: Record<string, string>, ok = true): InstanceSnapshot {
  return {
    instance_id: id, name: id, region: 'cn-north-4', project_id: 'p', ok, error: ok ? null : 'HTTP 503', total_number: ok ? Object.keys(tasks).length : null,
    max_tasks: null, quota_tasks: null, tasks: Object.entries(tasks).map(([tid, status]) => ({ id: tid, status, task_name: `n-${tid}` })),
  };
}

/** The map after a run from `before` to `after`, the changes computed by the real diff. */
function step(previous: FailingSince | undefined, before: InstanceSnapshot[] | null, after: InstanceSnapshot[], now = T1): FailingSince {
  const changes = diffSnapshots({ previous: before, next: after, snapshotId: '20261121T070500000Z', detectedAt: now });
  return nextFailingSince(previous, after, changes, now);
}

describe('failing_since', () => {
  it.each<{ name: string; previous: FailingSince | undefined; before: InstanceSnapshot[] | null; after: InstanceSnapshot[]; expected: FailingSince }>([
    { name: 'nothing failing', previous: {}, before: [instance('i', { a: 'RUNNING' })], after: [instance('i', { a: 'RUNNING', b: 'PAUSED' })], expected: {} },
    { name: 'a task goes to WAITING: since this run', previous: {}, before: [instance('i', { a: 'RUNNING' })], after: [instance('i', { a: 'WAITING' })], expected: { 'i/a': T1 } },
    { name: 'still failing, even through another failing status: the first time kept', previous: { 'i/a': T0 }, before: [instance('i', { a: 'WAITING' })], after: [instance('i', { a: 'RESTARTING' })], expected: { 'i/a': T0 } },
    { name: 'recovered: dropped', previous: { 'i/a': T0 }, before: [instance('i', { a: 'WAITING' })], after: [instance('i', { a: 'RUNNING' })], expected: {} },
    { name: 'PAUSED is an operator\'s act, not a failure', previous: { 'i/a': T0 }, before: [instance('i', { a: 'WAITING' })], after: [instance('i', { a: 'PAUSED' })], expected: {} },
    { name: 'an instance becomes unreachable (its tasks keep their last status)', previous: { 'i/b': T0 }, before: [instance('i', { a: 'RUNNING', b: 'FAILED' })], after: [instance('i', { a: 'RUNNING', b: 'FAILED' }, false)], expected: { i: T1, 'i/b': T0 } },
    { name: 'first run: tasks already failing are failing since now', previous: undefined, before: null, after: [instance('i', { a: 'CREATING', b: 'RUNNING' })], expected: { 'i/a': T1 } },
    { name: 'a state.json without the map: since now', previous: undefined, before: [instance('i', { a: 'WAITING' })], after: [instance('i', { a: 'WAITING' })], expected: { 'i/a': T1 } },
    { name: 'a removed task or instance drops out', previous: { 'i/a': T0, j: T0 }, before: [instance('i', { a: 'WAITING' }), instance('j', {}, false)], after: [instance('i', {})], expected: {} },
  ])('$name', ({ previous, before, after, expected }) => {
    expect(step(previous, before, after)).toEqual(expected);
  });

  it('runRecord: the map and the run, durations whole ms', () => {
    expect(runRecord({ previous: { failing_since: { 'i/a': T0 } }, instances: [instance('i', { a: 'WAITING' })], changes: [], startedAt: T1, durationMs: 1234.6 })).toEqual({
      failing_since: { 'i/a': T0 },
      last_run: { started_at: T1, duration_ms: 1235 },
    });
  });
});
