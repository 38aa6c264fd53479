import { sameJson } from '../store/canonical-json';
import type { InstanceTarget } from '../config/config';
import { type WhenLeft, mapLimit } from './concurrency';
import { type Listing, type TaskSource, isConnectorOff } from './dms-source';
import { describeError } from '../errors';
import type { Logger } from '../log';
import type { InstanceSnapshot, Task, TaskIntern } from '../store/snapshot';

/** One instance's listing: `listing` when it succeeded, `error` when it failed (after retries). */
export interface InstanceListing {
  target: InstanceTarget;
  listing: Listing | null;
  error: string | null;
  /** The listing failed because DMS says Smart Connect is not enabled on the instance. */
  connectorOff?: boolean;
}

export interface FleetListing {
  instances: InstanceListing[];
  apiRequests: number;
  anomalies: string[];
  errors: string[];
}

export interface FleetHooks {
  /** Each instance's listing, as soon as it is complete. */
  listed?(listing: InstanceListing): void;
  /** Called once, when at most `atMost` instances are left to start listing. */
  whenLeft?: WhenLeft;
}

/** Lists every instance, `concurrency` at a time (DESIGN.md §2 step 3). A failure is recorded, never thrown. */
export async function listFleet(targets: readonly InstanceTarget[], concurrency: number, source: TaskSource, logger: Logger, hooks: FleetHooks = {}): Promise<FleetListing> {
  const out: FleetListing = { instances: [], apiRequests: 0, anomalies: [], errors: [] };
  out.instances = await mapLimit(targets, concurrency, async (target) => {
    const done = await listInstance(target, source, logger, out);
    hooks.listed?.(done);
    return done;
  }, hooks.whenLeft);
  return out;
}

async function listInstance(target: InstanceTarget, source: TaskSource, logger: Logger, out: FleetListing): Promise<InstanceListing> {
  try {
    const listing = await source.listTasks(target);
    out.apiRequests += listing.requests;
    for (const a of listing.anomalies) {
      out.anomalies.push(`${instanceLabel(target)}: ${a}`);
      logger.warn('paging anomaly', { instance_id: target.instance_id, anomaly: a });
    }
    return { target, listing, error: null };
  } catch (err) {
    const reason = describeError(err);
    out.errors.push(`listing ${instanceLabel(target)} failed: ${reason}`);
    logger.warn('instance listing failed', { instance_id: target.instance_id, error: reason });
    return { target, listing: null, error: reason, ...(isConnectorOff(err) ? { connectorOff: true } : {}) };
  }
}

/**
 * The new snapshot's instances from the listings and the previous snapshot. A failed instance keeps
 * its previous tasks and an incomplete listing keeps the previous tasks it did not see: neither looks
 * like removals. Unchanged tasks are the previous snapshot's objects, so a fleet is held about once.
 */
export function snapshotInstances(listings: readonly InstanceListing[], previous: readonly InstanceSnapshot[]): InstanceSnapshot[] {
  const before = new Map(previous.map((i) => [i.instance_id, i]));
  return listings.map(({ target, listing, error }) => {
    const p = before.get(target.instance_id);
    if (!listing) {
      return instanceSnapshot(target, {
        ok: false,
        error,
        tasks: p?.tasks ?? [],
        total_number: p?.total_number ?? null,
        max_tasks: p?.max_tasks ?? null,
        quota_tasks: p?.quota_tasks ?? null,
      });
    }
    const seen = new Set(listing.tasks.map((t) => t.id));
    const tasks = listing.complete || !p ? listing.tasks : [...listing.tasks, ...p.tasks.filter((t) => !seen.has(t.id))].sort(byId);
    return instanceSnapshot(target, { ok: true, error: null, ...listing, tasks: reuseUnchanged(tasks, p?.tasks ?? []) });
  });
}

/**
 * The tasks listed so far (`add` each listing as it completes), for the state read at the end of the
 * listing: a stored task equal to the one listed becomes that object (`intern`), so a large fleet is
 * held once while the previous snapshot is read, not twice.
 */
export function listedTasks(listings: readonly InstanceListing[] = []): { add(listing: InstanceListing): void; intern: TaskIntern } {
  const listed = new Map<string, Map<string, Task>>();
  const add = (l: InstanceListing) => listed.set(l.target.instance_id, new Map(l.listing?.tasks.map((t) => [t.id, t])));
  listings.forEach(add);
  return {
    add,
    intern: (instanceId, task) => {
      const now = listed.get(instanceId)?.get(task.id);
      return now && sameJson(now, task) ? now : task;
    },
  };
}

/** `next`, with every task that equals its previous version replaced by that (already held) object. */
export function reuseUnchanged(next: readonly Task[], before: readonly Task[]): Task[] {
  const prevById = new Map(before.map((t) => [t.id, t]));
  return next.map((t) => {
    const p = prevById.get(t.id);
    return p && sameJson(p, t) ? p : t;
  });
}

/** Whether two snapshots' instances are equal (unchanged tasks are the same objects: see `reuseUnchanged`). */
export function sameInstances(a: readonly InstanceSnapshot[], b: readonly InstanceSnapshot[]): boolean {
  return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
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
    ...(target.discovered_by !== undefined ? { discovered_by: target.discovered_by } : {}),
  };
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
