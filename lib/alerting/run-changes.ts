import type { Logger } from '../log';
import { type FleetListing, sameInstances, snapshotInstances } from '../source/listing';
import type { Base } from '../store/recovery';
import { type InstanceSnapshot, nextSnapshotId } from '../store/snapshot';
import type { Change } from './change';
import { diffSnapshots, stateResetChange } from './diff';

/** Changes logged one line each per run; the rest are counted (all are in the history object). */
export const CHANGE_LOG_LIMIT = 200;

/** A run's new snapshot (its id and instances) and its changes against the base it continues from. */
export interface RunChanges {
  snapshotId: string;
  instances: InstanceSnapshot[];
  changes: Change[];
  /** The snapshot differs from the base's in any way, or there is no base (a first run): history is written. */
  differs: boolean;
}

/** DESIGN.md §2 step 4: the new snapshot's instances and changes against `base`, led by `state_reset` after a reset. Pure. */
export function runChanges(base: Base, fleet: FleetListing, reset: boolean, at: { started: number; takenAt: string }): RunChanges {
  const snapshotId = nextSnapshotId(new Date(at.started), base.previous?.id);
  const instances = snapshotInstances(fleet.instances, base.previous?.instances ?? []);
  const changes = diffSnapshots({ previous: base.previous?.instances ?? null, next: instances, snapshotId, detectedAt: at.takenAt });
  if (reset) changes.unshift(stateResetChange(snapshotId, at.takenAt));
  const differs = base.previous === null || changes.length > 0 || !sameInstances(base.previous.instances, instances);
  return { snapshotId, instances, changes, differs };
}

/** One line per change, up to a limit: a baseline of a large fleet is thousands of task_added. */
export function logChanges(run: Pick<RunChanges, 'snapshotId' | 'changes'>, logger: Logger): void {
  for (const c of run.changes.slice(0, CHANGE_LOG_LIMIT)) logger.info('change', { ...c });
  if (run.changes.length > CHANGE_LOG_LIMIT) logger.info('more changes, not logged one by one', { not_logged: run.changes.length - CHANGE_LOG_LIMIT, snapshot_id: run.snapshotId });
}
