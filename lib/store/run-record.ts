import * as z from 'zod';
import type { Change } from '../alerting/change';
import { isFailingStatus, isFailure } from '../alerting/change-kinds';
import type { InstanceSnapshot } from './snapshot';

/**
 * What `state.json` records of the runs for `status` and `doctor` (DESIGN.md §12): since when each
 * task and instance has been failing, and how the last run went. Pure: the run passes its clock in.
 */

/**
 * `{"<instance_id>/<task_id>": ISO, "<instance_id>": ISO}`: when each failing task (status neither
 * RUNNING nor PAUSED, DESIGN.md §4) or unreachable instance was first seen failing, continuously since.
 */
export const FailingSince = z.record(z.string().min(1), z.iso.datetime({ offset: true }));
export type FailingSince = z.infer<typeof FailingSince>;

/** The last run, as of its last `state.json` write: `doctor` compares `duration_ms` with the function's timeout. */
export const LastRun = z.looseObject({
  started_at: z.iso.datetime({ offset: true }),
  duration_ms: z.number().int().nonnegative(),
});
export type LastRun = z.infer<typeof LastRun>;

export function failingKey(instanceId: string, taskId: string | null): string {
  return taskId === null ? instanceId : `${instanceId}/${taskId}`;
}

/**
 * The map after a run: a failure already in `previous` keeps its time; a new one takes the
 * `detected_at` of this run's change into it (one that is a failure, change-kinds.ts),
 * else `now` (a failure already there when the map was first kept). Recovered failures drop out.
 */
export function nextFailingSince(previous: FailingSince | undefined, instances: readonly InstanceSnapshot[], changes: readonly Change[], now: string): FailingSince {
  const detected = new Map<string, string>();
  for (const c of changes) {
    if (c.instance_id !== null && isFailure(c)) detected.set(failingKey(c.instance_id, c.task_id), c.detected_at);
  }
  const keys: string[] = [];
  for (const i of instances) {
    if (!i.ok) keys.push(failingKey(i.instance_id, null));
    for (const t of i.tasks) if (isFailingStatus(t.status)) keys.push(failingKey(i.instance_id, t.id));
  }
  const next: FailingSince = {};
  for (const key of keys.sort()) next[key] = previous?.[key] ?? detected.get(key) ?? now;
  return next;
}

/** The fields a run adds to each `state.json` it writes. */
export function runRecord(o: {
  previous: { failing_since?: FailingSince | undefined } | null;
  instances: readonly InstanceSnapshot[];
  changes: readonly Change[];
  startedAt: string;
  durationMs: number;
}): { failing_since: FailingSince; last_run: LastRun } {
  return {
    failing_since: nextFailingSince(o.previous?.failing_since, o.instances, o.changes, o.startedAt),
    last_run: { started_at: o.startedAt, duration_ms: Math.max(0, Math.round(o.durationMs)) },
  };
}
