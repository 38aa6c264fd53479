import { type AlertChange, type AlertEntry, type AlertState, type HeldReason, emptyEntry } from './alert-state';
import type { Severity } from './change';
import { changeId } from './diff';
import { failingKey } from '../store/run-record';
import { isFailingStatus } from './change-kinds';
import type { InstanceSnapshot, Task } from '../store/snapshot';

/** DESIGN.md §3: the lifecycle's variables, as the configuration parses them. */
export interface LifecycleConfig {
  /** REMIND_EVERY; null when `off`. */
  remindEveryMs: number | null;
  notifyAfterMs: number;
  /** FLAP_THRESHOLD; 0 disables flapping. */
  flapThreshold: number;
  flapWindowMs: number;
}

/** One run's working state: the entries being updated and what the run records, holds and sends. */
export interface Ctx {
  config: LifecycleConfig;
  nowMs: number;
  now: string;
  entries: Map<string, AlertEntry>;
  /** Changes this run generates (still_failing, flapping, flapping_ended). */
  generated: AlertChange[];
  /** This run's recorded changes not sent, by id. */
  held: Map<string, HeldReason>;
  /** Changes held by earlier runs, sent now as recorded. */
  due: AlertChange[];
  /** Ids of the changes this run records (to tell its own held changes from earlier ones). */
  thisRun: Set<string>;
  instances: Map<string, InstanceSnapshot>;
  tasks: (instanceId: string) => Map<string, Task>;
  snapshotId: string;
  /** DESIGN.md §11: the ids of the active silences a change matches (none: not silenced). */
  silenced: (change: AlertChange) => string[];
  /** This run's changes held by a silence, by id: the silences' ids (`silenced_by`). */
  silencedBy: Map<string, string[]>;
}

export function newContext(o: {
  previous: AlertState | null;
  instances: readonly InstanceSnapshot[];
  snapshotId: string;
  nowMs: number;
  config: LifecycleConfig;
  changeIds: Iterable<string>;
  silenced?: ((change: AlertChange) => string[]) | undefined;
}): Ctx {
  const entries = new Map(Object.entries(structuredClone(o.previous?.entries ?? {})));
  const instances = new Map(o.instances.map((i) => [i.instance_id, i]));
  const taskMaps = new Map<string, Map<string, Task>>();
  const tasks = (id: string) => {
    let m = taskMaps.get(id);
    if (!m) taskMaps.set(id, (m = new Map((instances.get(id)?.tasks ?? []).map((t) => [t.id, t]))));
    return m;
  };
  const now = new Date(o.nowMs).toISOString();
  return { config: o.config, nowMs: o.nowMs, now, entries, generated: [], held: new Map(), due: [], thisRun: new Set(o.changeIds), instances, tasks, snapshotId: o.snapshotId, silenced: o.silenced ?? (() => []), silencedBy: new Map() };
}

export function entryFor(ctx: Ctx, instanceId: string, taskId: string | null): AlertEntry {
  const key = failingKey(instanceId, taskId);
  let e = ctx.entries.get(key);
  if (!e) ctx.entries.set(key, (e = emptyEntry(instanceId, taskId)));
  return e;
}

/** The entry's status now: a task's listed status, `null` for a reachable instance, `'UNREACHABLE'` otherwise. */
export function currentStatus(ctx: Ctx, e: AlertEntry): string | null | undefined {
  const instance = ctx.instances.get(e.instance_id);
  if (!instance) return undefined;
  if (e.task_id === null) return instance.ok ? null : 'UNREACHABLE';
  return ctx.tasks(e.instance_id).get(e.task_id)?.status;
}

export function isFailingNow(ctx: Ctx, e: AlertEntry): boolean {
  const status = currentStatus(ctx, e);
  return e.task_id === null ? status === 'UNREACHABLE' : typeof status === 'string' && isFailingStatus(status);
}

/** A task of an unreachable instance: its status is unknown, so its timed rules wait for the listing. */
export function isFrozen(ctx: Ctx, e: AlertEntry): boolean {
  return e.task_id !== null && ctx.instances.get(e.instance_id)?.ok === false;
}

type Detail = { from: string | null; to: string | null; since?: string; flap_count?: number; flap_window_ms?: number };

/** A change this run generates about an entry, with a stable id as `diff.ts` makes them. */
export function generate(ctx: Ctx, e: AlertEntry, kind: AlertChange['kind'], severity: Severity, detail: Detail): AlertChange {
  const change = candidate(ctx, e, kind, severity, detail);
  ctx.generated.push(change);
  ctx.thisRun.add(change.id);
  return change;
}

/** The change `generate` would make, not yet recorded (to ask the silence hook about it). */
export function candidate(ctx: Ctx, e: AlertEntry, kind: AlertChange['kind'], severity: Severity, detail: Detail): AlertChange {
  const instance = ctx.instances.get(e.instance_id);
  const task = e.task_id === null ? undefined : ctx.tasks(e.instance_id).get(e.task_id);
  const change: AlertChange = {
    id: changeId([kind, e.instance_id, e.task_id ?? '', detail.from ?? '', detail.to ?? '', ctx.snapshotId]),
    kind,
    severity,
    instance_id: e.instance_id,
    instance_name: instance?.name ?? null,
    task_id: e.task_id,
    task_name: task?.task_name ?? null,
    from: detail.from,
    to: detail.to,
    fields: null,
    snapshot_id: ctx.snapshotId,
    detected_at: ctx.now,
    ...(detail.since !== undefined ? { since: detail.since } : {}),
    ...(detail.flap_count !== undefined ? { flap_count: detail.flap_count } : {}),
    ...(detail.flap_window_ms !== undefined ? { flap_window_ms: detail.flap_window_ms } : {}),
  };
  return change;
}

/** A still_failing for the entry's failure (a reminder, or a failure first seen already there). */
export function stillFailing(ctx: Ctx, e: AlertEntry, since: string): AlertChange {
  const status = e.task_id === null ? null : (currentStatus(ctx, e) ?? null);
  return generate(ctx, e, 'still_failing', 'critical', { from: status, to: status, since });
}

/** Marks the failure notified now; its held changes go out: this run's are un-held, earlier ones are due. */
export function release(ctx: Ctx, e: AlertEntry): void {
  const f = e.failure;
  if (!f) return;
  for (const c of f.held) {
    if (ctx.thisRun.has(c.id)) ctx.held.delete(c.id);
    else ctx.due.push(c);
  }
  f.held = [];
  f.sent = true;
  f.notified_at = ctx.now;
  delete f.silenced_by;
}

/** A failure begins with change `c`: held "pending" until `pendingDue` releases it (at once with NOTIFY_AFTER=0). */
export function startFailure(ctx: Ctx, e: AlertEntry, c: AlertChange, flapping = false): void {
  e.failure = { since: c.detected_at, status: c.to, sent: false, notified_at: null, held: flapping ? [] : [c] };
  if (!flapping) ctx.held.set(c.id, 'pending');
}
