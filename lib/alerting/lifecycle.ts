import { type AlertChange, type AlertEntry, type AlertState, type HeldReason, entryInUse } from './alert-state';
import type { Change } from './change';
import { compareChanges } from './diff';
import { type Ctx, type LifecycleConfig, entryFor, generate, newContext, startFailure } from './lifecycle-context';
import { endFlapping, firstSeen, pendingDue, reminders } from './lifecycle-timers';
import { applySilences, silenceEnded } from './lifecycle-silence';
import { failingKey } from '../store/run-record';
import { isFailingStatus } from './change-kinds';
import type { InstanceSnapshot } from '../store/snapshot';

/**
 * DESIGN.md §10, the alert lifecycle, as a pure function. Readings chosen where §10 is open:
 * - The change into a failure is `status_changed` into a failing status, `task_added` with a failing
 *   status on an instance already watched, or `instance_unreachable`; it and every later change of the
 *   same failure (FAILED → ERROR) are held "pending" until NOTIFY_AFTER has passed since `since`.
 * - A change out of a failure to PAUSED is the operator's act, not a recovery: it is sent (told once)
 *   even when the failure was held. RUNNING and `instance_recovered` are the recoveries.
 * - A task or instance failing with no alert entry and no change this run (first run, newly watched
 *   instance, or an `alerts` field that was absent or invalid) is "first seen": one `still_failing`,
 *   `since` = now. Nothing failing is forgotten; after a reset, rebuild from history first.
 * - `task_removed` / `instance_removed` end the alert silently: the removal itself is the message, so
 *   no recovery follows a sent failure whose task disappears.
 * - Tasks of an unreachable instance keep their alerts frozen (no pending release, reminder or
 *   flapping end) until the instance is listed again: the instance's own alert covers them.
 * - Flapping counts `status_changed` only. The change that reaches FLAP_THRESHOLD starts an episode;
 *   pending changes of a failure then are dropped (the `flapping` message replaces them). The
 *   `flapping` change is sent unless a silence holds it, and then its resolved `flapping_ended` is
 *   held too (lifecycle-silence.ts); `flap_count` says how many
 *   changes the window held. A change counts while younger than FLAP_WINDOW; the episode ends at
 *   the first run with none left.
 * - `flapping_ended` is `resolved` when RUNNING, else `critical` (PAUSED included, as §4 says).
 * - Held changes that come due are returned in `due`: the run should record their ids in its history
 *   object (`released`, and write one as for a reminder) so that `rebuildAlertState` knows they were sent.
 * - `send` keeps baseline `task_added` and every kind: NOTIFY_ON and NOTIFY_FIRST_RUN (`notifiable`)
 *   still filter it afterwards; the lifecycle only holds.
 * - Silences (§11) come last, through the `silenced` hook: see lifecycle-silence.ts for their readings.
 */

export interface LifecycleInput {
  previous: AlertState | null;
  /** This run's changes from the diff (with `task_added` baselines and `instance_added`). */
  changes: readonly Change[];
  /** The new snapshot's instances. */
  instances: readonly InstanceSnapshot[];
  snapshotId: string;
  /** The run's time (epoch ms) = the `detected_at` of this run's changes. */
  nowMs: number;
  config: LifecycleConfig;
  firstRun: boolean;
  /** Instances whose tasks are a baseline this run (newly watched, or listed for the first time). */
  newInstances: readonly string[];
  /** DESIGN.md §11: the ids of the active silences a change matches; default none (see lifecycle-silence.ts). */
  silenced?: (change: AlertChange) => string[];
}

export interface LifecycleResult {
  /** What the history object records: this run's changes and the generated ones, sorted (§4). */
  recorded: AlertChange[];
  /** Recorded changes not sent, by id, with the reason (`held` in the history object). */
  held: Record<string, HeldReason>;
  /** Of `held`, those held by a silence: the silences' ids (`silenced_by` in the history object). */
  silencedBy: Record<string, string[]>;
  /** Changes held by an earlier run, sent now as they were recorded (same id). */
  due: AlertChange[];
  /** What to send: `recorded` less `held`, plus `due`, sorted. */
  send: AlertChange[];
  alerts: AlertState;
}

export function lifecycle(input: LifecycleInput): LifecycleResult {
  const ctx = newContext({ ...input, changeIds: input.changes.map((c) => c.id) });
  const baseline = new Set(input.firstRun ? input.instances.map((i) => i.instance_id) : input.newInstances);
  for (const c of input.changes) onChange(ctx, c, baseline);
  firstSeen(ctx);
  endFlapping(ctx);
  pendingDue(ctx);
  silenceEnded(ctx);
  reminders(ctx);
  const recorded = [...input.changes, ...ctx.generated].sort(bySection4);
  applySilences(ctx, recorded, baseline);
  const entries: Record<string, AlertEntry> = {};
  for (const key of [...ctx.entries.keys()].sort()) {
    const e = ctx.entries.get(key)!;
    if (entryInUse(e) && stillWatched(ctx, e)) entries[key] = e;
  }
  const byId = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : 1);
  const held = Object.fromEntries([...ctx.held].sort(byId));
  const silencedBy = Object.fromEntries([...ctx.silencedBy].sort(byId));
  const send = [...recorded.filter((c) => !ctx.held.has(c.id)), ...ctx.due].sort(bySection4);
  return { recorded, held, silencedBy, due: ctx.due, send, alerts: { entries } };
}

function onChange(ctx: Ctx, c: Change, baseline: ReadonlySet<string>): void {
  if (c.instance_id === null) return;
  switch (c.kind) {
    case 'status_changed':
      return onStatusChange(ctx, entryFor(ctx, c.instance_id, c.task_id), c);
    case 'task_added':
      if (!baseline.has(c.instance_id) && c.to !== null && isFailingStatus(c.to)) startFailure(ctx, entryFor(ctx, c.instance_id, c.task_id), c);
      return;
    case 'task_removed':
      ctx.entries.delete(failingKey(c.instance_id, c.task_id));
      return;
    case 'instance_removed':
      for (const [key, e] of ctx.entries) if (e.instance_id === c.instance_id) ctx.entries.delete(key);
      return;
    case 'instance_unreachable':
      return startFailure(ctx, entryFor(ctx, c.instance_id, null), c);
    case 'instance_recovered':
      return endFailure(ctx, entryFor(ctx, c.instance_id, null), c, true);
  }
}

/** The failure ends with `c`: a recovery is sent only when the failure was; PAUSED is sent anyway. */
function endFailure(ctx: Ctx, e: AlertEntry, c: Change, recovery: boolean): void {
  const silencedBy = e.failure?.silenced_by;
  if (e.failure && recovery && silencedBy?.length) {
    ctx.held.set(c.id, 'silenced');
    ctx.silencedBy.set(c.id, silencedBy);
  } else if (e.failure && !e.failure.sent && recovery) ctx.held.set(c.id, 'pending');
  e.failure = null;
}

function onStatusChange(ctx: Ctx, e: AlertEntry, c: Change): void {
  const { flapThreshold, flapWindowMs } = ctx.config;
  const toFailing = c.to !== null && isFailingStatus(c.to);
  if (flapThreshold > 0) {
    e.changes_at = [...e.changes_at.filter((t) => ctx.nowMs - Date.parse(t) < flapWindowMs), c.detected_at];
    if (e.flapping_since === null && e.changes_at.length >= flapThreshold) {
      e.flapping_since = ctx.now;
      generate(ctx, e, 'flapping', 'warning', { from: null, to: c.to, flap_count: e.changes_at.length, flap_window_ms: flapWindowMs });
      if (e.failure) e.failure.held = [];
    }
  }
  if (e.flapping_since !== null) {
    // While flapping: recorded, not sent; the failure is still tracked for flapping_ended.
    ctx.held.set(c.id, 'flapping');
    if (!toFailing) e.failure = null;
    else if (e.failure) e.failure.status = c.to;
    else startFailure(ctx, e, c, true);
    return;
  }
  if (!e.failure) {
    if (toFailing) startFailure(ctx, e, c);
    return;
  }
  if (!toFailing) return endFailure(ctx, e, c, c.to === 'RUNNING');
  // From one failing status to another: the same failure goes on.
  e.failure.status = c.to;
  if (e.failure.sent) e.failure.notified_at = ctx.now;
  else {
    e.failure.held.push(c);
    ctx.held.set(c.id, 'pending');
  }
}

/** Entries of instances and tasks no longer in the snapshot are dropped. */
function stillWatched(ctx: Ctx, e: AlertEntry): boolean {
  const instance = ctx.instances.get(e.instance_id);
  if (!instance) return false;
  return e.task_id === null || !instance.ok || ctx.tasks(e.instance_id).has(e.task_id);
}

/** §4 order (instance, task, kind). */
function bySection4(a: AlertChange, b: AlertChange): number {
  return compareChanges(a, b);
}
