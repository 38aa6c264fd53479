import type { AlertChange } from './alert-state';
import { isFailingStatus } from './change-kinds';
import { type Ctx, candidate, currentStatus, isFailingNow, isFrozen, stillFailing } from './lifecycle-context';
import { failingKey } from '../store/run-record';

/**
 * DESIGN.md §11 in the alert lifecycle, through a hook (`Ctx.silenced`: the ids of the active silences
 * a change matches). A change that would be sent and matches is recorded with `held: "silenced"` and
 * `silenced_by`, not sent. A failure whose notification a silence held is remembered
 * (`Failure.silenced_by`): no reminder while it is; once the hook returns no id for it and it is still
 * failing, one `still_failing` is sent, and reminders go on from there. Readings:
 * - "Its silence has ended" is asked of the `still_failing` the run would send, so a silence that names
 *   another kind (`--kind status_changed`) no longer holds the failure at the next run.
 * - A change held by an earlier run and due now that a silence matches is not sent and not released
 *   (its record keeps `held: "pending"`); its failure counts as told to nobody.
 * - The unsent recovery of a failure a silence held carries `held: "silenced"` and those silences; so
 *   does the resolved `flapping_ended` of an episode whose `flapping` a silence held.
 */

/** Whether `c` notifies its task's or instance's current failure (it is what tells people it is failing). */
export function notifiesFailure(c: AlertChange): boolean {
  switch (c.kind) {
    case 'instance_unreachable':
    case 'still_failing':
      return true;
    case 'status_changed':
    case 'task_added':
    case 'flapping_ended':
      return isFailingStatus(c.to);
    default:
      return false;
  }
}

/** A failure a silence held, still failing, that the hook no longer silences: one `still_failing`. */
export function silenceEnded(ctx: Ctx): void {
  for (const e of ctx.entries.values()) {
    const f = e.failure;
    if (!f?.silenced_by?.length || f.notified_at === ctx.now || e.flapping_since !== null || isFrozen(ctx, e) || !isFailingNow(ctx, e)) continue;
    const status = e.task_id === null ? null : (currentStatus(ctx, e) ?? null);
    if (ctx.silenced(candidate(ctx, e, 'still_failing', 'critical', { from: status, to: status, since: f.since })).length > 0) continue;
    stillFailing(ctx, e, f.since);
    delete f.silenced_by;
    f.sent = true;
    f.notified_at = ctx.now;
  }
}

/**
 * What would be sent of `recorded` and `ctx.due`, less what a silence holds (after every other rule).
 * `baseline`: instances whose `task_added` are a baseline (never a failure's notification).
 */
export function applySilences(ctx: Ctx, recorded: readonly AlertChange[], baseline: ReadonlySet<string>): void {
  const due = new Set(ctx.due.map((c) => c.id));
  for (const c of [...recorded.filter((r) => !ctx.held.has(r.id)), ...ctx.due]) {
    const entry = c.instance_id === null ? undefined : ctx.entries.get(failingKey(c.instance_id, c.task_id));
    if (c.kind === 'flapping_ended' && c.severity === 'resolved' && entry?.flapping_silenced_by?.length) {
      // §10: a recovery is sent only when what it ends was sent; this episode's `flapping` was silenced.
      ctx.held.set(c.id, 'silenced');
      ctx.silencedBy.set(c.id, entry.flapping_silenced_by);
      delete entry.flapping_silenced_by;
      continue;
    }
    const ids = ctx.silenced(c);
    if (entry && c.kind === 'flapping') {
      if (ids.length > 0) entry.flapping_silenced_by = ids;
      else delete entry.flapping_silenced_by;
    }
    if (entry && c.kind === 'flapping_ended') delete entry.flapping_silenced_by;
    const f = c.kind === 'task_added' && c.instance_id !== null && baseline.has(c.instance_id) ? undefined : entry?.failure;
    if (ids.length === 0) {
      if (f && notifiesFailure(c)) delete f.silenced_by;
      continue;
    }
    if (due.has(c.id)) ctx.due = ctx.due.filter((d) => d.id !== c.id);
    else {
      ctx.held.set(c.id, 'silenced');
      ctx.silencedBy.set(c.id, ids);
    }
    if (f && notifiesFailure(c)) f.silenced_by = ids;
  }
}
