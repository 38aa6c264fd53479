import { type Ctx, currentStatus, entryFor, generate, isFailingNow, isFrozen, release, startFailure, stillFailing } from './lifecycle-context';
import { isFailingStatus } from './change-kinds';

/**
 * DESIGN.md §10, the rules that depend on time rather than on a change: failures first seen, the
 * end of flapping, NOTIFY_AFTER and REMIND_EVERY. Each runs once per run, after this run's changes.
 */

/**
 * Failing now with no failure on record (first run, a newly watched instance, an alert state that
 * was absent or invalid): one `still_failing`, held like any failure until NOTIFY_AFTER. Failures on
 * record that the snapshot no longer shows failing end silently (their change was missed).
 */
export function firstSeen(ctx: Ctx): void {
  for (const instance of ctx.instances.values()) {
    if (!instance.ok) {
      failingWithoutRecord(ctx, instance.instance_id, null);
      continue;
    }
    for (const task of instance.tasks) if (isFailingStatus(task.status)) failingWithoutRecord(ctx, instance.instance_id, task.id);
  }
  for (const e of ctx.entries.values()) {
    if (e.failure && !isFrozen(ctx, e) && !isFailingNow(ctx, e)) e.failure = null;
    else if (e.failure && e.task_id !== null && !isFrozen(ctx, e)) e.failure.status = currentStatus(ctx, e) ?? e.failure.status;
  }
}

function failingWithoutRecord(ctx: Ctx, instanceId: string, taskId: string | null): void {
  const e = entryFor(ctx, instanceId, taskId);
  if (e.failure) return;
  if (e.flapping_since !== null) {
    e.failure = { since: ctx.now, status: currentStatus(ctx, e) ?? null, sent: false, notified_at: null, held: [] };
    return;
  }
  startFailure(ctx, e, stillFailing(ctx, e, ctx.now));
}

/** A flapping task with no status change left in the trailing FLAP_WINDOW: `flapping_ended`, which notifies a failure. */
export function endFlapping(ctx: Ctx): void {
  const { flapWindowMs } = ctx.config;
  for (const e of ctx.entries.values()) {
    if (isFrozen(ctx, e)) continue;
    e.changes_at = e.changes_at.filter((t) => ctx.nowMs - Date.parse(t) < flapWindowMs);
    if (e.flapping_since === null || e.changes_at.length > 0) continue;
    const status = currentStatus(ctx, e) ?? null;
    generate(ctx, e, 'flapping_ended', status === 'RUNNING' ? 'resolved' : 'critical', { from: null, to: status, flap_window_ms: flapWindowMs });
    e.flapping_since = null;
    if (e.failure) release(ctx, e);
  }
}

/** A failure held "pending" is sent, as recorded, at the first run at which it has lasted NOTIFY_AFTER. */
export function pendingDue(ctx: Ctx): void {
  for (const e of ctx.entries.values()) {
    const f = e.failure;
    if (!f || f.sent || e.flapping_since !== null || isFrozen(ctx, e)) continue;
    if (ctx.nowMs - Date.parse(f.since) >= ctx.config.notifyAfterMs) release(ctx, e);
  }
}

/** A sent failure not notified for REMIND_EVERY gets a `still_failing`; none while flapping. */
export function reminders(ctx: Ctx): void {
  const every = ctx.config.remindEveryMs;
  if (every === null) return;
  for (const e of ctx.entries.values()) {
    const f = e.failure;
    if (!f || !f.sent || f.silenced_by?.length || f.notified_at === null || f.notified_at === ctx.now || e.flapping_since !== null || isFrozen(ctx, e)) continue;
    if (ctx.nowMs - Date.parse(f.notified_at) < every) continue;
    stillFailing(ctx, e, f.since);
    f.notified_at = ctx.now;
  }
}
