import { canonicalJson } from './canonical-json';
import type { InstanceTarget } from './config';
import { mapLimit } from './concurrency';
import type { TaskSource } from './dms-source';
import { describeError } from './errors';
import type { Logger } from './log';
import type { InstanceSnapshot, Task } from './snapshot';

export interface FleetListing {
  instances: InstanceSnapshot[];
  apiRequests: number;
  anomalies: string[];
  errors: string[];
}

/**
 * Lists every instance, `concurrency` at a time (DESIGN.md §2 step 3). A failed instance keeps its
 * previous tasks and an incomplete listing keeps the tasks it did not see: neither looks like removals.
 * Unchanged tasks are the previous snapshot's objects, so a fleet is held in memory about once.
 */
export async function listFleet(
  targets: readonly InstanceTarget[],
  concurrency: number,
  source: TaskSource,
  previous: ReadonlyMap<string, InstanceSnapshot>,
  logger: Logger,
): Promise<FleetListing> {
  const out: FleetListing = { instances: [], apiRequests: 0, anomalies: [], errors: [] };
  out.instances = await mapLimit(targets, concurrency, async (target) => {
    const before = previous.get(target.instance_id);
    try {
      const listing = await source.listTasks(target);
      out.apiRequests += listing.requests;
      for (const a of listing.anomalies) {
        out.anomalies.push(`${instanceLabel(target)}: ${a}`);
        logger.warn('paging anomaly', { instance_id: target.instance_id, anomaly: a });
      }
      const seen = new Set(listing.tasks.map((t) => t.id));
      const tasks = listing.complete || !before ? listing.tasks : [...listing.tasks, ...before.tasks.filter((t) => !seen.has(t.id))].sort(byId);
      return instanceSnapshot(target, { ok: true, error: null, ...listing, tasks: reuseUnchanged(tasks, before?.tasks ?? []) });
    } catch (err) {
      const reason = describeError(err);
      out.errors.push(`listing ${instanceLabel(target)} failed: ${reason}`);
      logger.warn('instance listing failed', { instance_id: target.instance_id, error: reason });
      return instanceSnapshot(target, {
        ok: false,
        error: reason,
        tasks: before?.tasks ?? [],
        total_number: before?.total_number ?? null,
        max_tasks: before?.max_tasks ?? null,
        quota_tasks: before?.quota_tasks ?? null,
      });
    }
  });
  return out;
}

/** `next`, with every task that equals its previous version replaced by that (already held) object. */
export function reuseUnchanged(next: readonly Task[], before: readonly Task[]): Task[] {
  const prevById = new Map(before.map((t) => [t.id, t]));
  return next.map((t) => {
    const p = prevById.get(t.id);
    return p && canonicalJson(p) === canonicalJson(t) ? p : t;
  });
}

/** Whether two snapshots' instances are equal (tasks compare by identity: see `reuseUnchanged`). */
export function sameInstances(a: readonly InstanceSnapshot[], b: readonly InstanceSnapshot[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i]!;
    const { tasks: xt, ...xm } = x;
    const { tasks: yt, ...ym } = y;
    return xt.length === yt.length && xt.every((t, j) => t === yt[j] || canonicalJson(t) === canonicalJson(yt[j])) && canonicalJson(xm) === canonicalJson(ym);
  });
}

export function instanceLabel(t: InstanceTarget): string {
  return t.name ? `${t.name} (${t.instance_id})` : t.instance_id;
}

function instanceSnapshot(
  target: InstanceTarget,
  r: Pick<InstanceSnapshot, 'ok' | 'error' | 'tasks' | 'total_number' | 'max_tasks' | 'quota_tasks'>,
): InstanceSnapshot {
  return {
    instance_id: target.instance_id,
    name: target.name,
    region: target.region,
    project_id: target.project_id,
    ok: r.ok,
    error: r.error,
    total_number: r.total_number,
    max_tasks: r.max_tasks,
    quota_tasks: r.quota_tasks,
    tasks: r.tasks,
  };
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
