import * as z from 'zod';
import { Change } from './change';
import { failingKey } from '../store/run-record';

/**
 * DESIGN.md §10: the alert state kept in `state.json` (field `alerts`). One entry per task or
 * instance that is failing, flapping, or changed status within FLAP_WINDOW: never the whole fleet.
 */

const Time = z.iso.datetime({ offset: true });

/** Why a recorded change was not sent (`held` in the history object, DESIGN.md §10–§11). */
export const HeldReason = z.enum(['pending', 'flapping', 'silenced']);
export type HeldReason = z.infer<typeof HeldReason>;

/** A §4 change with the extra fields the lifecycle adds: `since` (still_failing), `flap_count` (flapping). */
export const LIFECYCLE_KINDS = ['still_failing', 'flapping', 'flapping_ended'] as const;
export const AlertChange = Change.extend({
  since: Time.optional(),
  flap_count: z.number().int().positive().optional(),
});
export type AlertChange = z.infer<typeof AlertChange>;

/** A failure going on now: a task neither RUNNING nor PAUSED, or an unreachable instance. */
export const Failure = z.object({
  /** When the failure began: the `detected_at` of the change into it. */
  since: Time,
  /** The task's current failing status; null for an instance. */
  status: z.string().nullable(),
  /** Whether the failure has been notified (its change sent, or a still_failing / flapping_ended). */
  sent: z.boolean(),
  /** The time of the run that last queued a notification of it (DESIGN.md §10). */
  notified_at: Time.nullable(),
  /** Its changes recorded with `held: "pending"`, sent later as recorded (same ids) once NOTIFY_AFTER has passed. */
  held: z.array(AlertChange),
  /**
   * DESIGN.md §11: the silences that held its last notification (told to nobody). While set, no
   * reminder; once the silence hook returns no id for it, one `still_failing` is sent. Absent: none.
   */
  silenced_by: z.array(z.string()).optional(),
});
export type Failure = z.infer<typeof Failure>;

export const AlertEntry = z.object({
  instance_id: z.string().min(1),
  task_id: z.string().min(1).nullable(),
  failure: Failure.nullable(),
  /** The times of the task's status changes within the trailing FLAP_WINDOW, oldest first. */
  changes_at: z.array(Time),
  /** When the current flapping episode began; null when not flapping. */
  flapping_since: Time.nullable(),
  /** The silences that held this episode's `flapping`: told to nobody, its resolved end is not sent either. */
  flapping_silenced_by: z.array(z.string()).optional(),
});
export type AlertEntry = z.infer<typeof AlertEntry>;

/** Keyed by `failingKey` (`instance/task`, or `instance`), as `failing_since` is. */
export const AlertState = z.object({
  entries: z.record(z.string(), AlertEntry).check((ctx) => {
    for (const [key, e] of Object.entries(ctx.value)) {
      if (key !== failingKey(e.instance_id, e.task_id)) ctx.issues.push({ code: 'custom', input: key, path: [key], message: `key ${JSON.stringify(key)} does not name its entry` });
    }
  }),
});
export type AlertState = z.infer<typeof AlertState>;

/** `alerts` of a `state.json` as read: absent → null; invalid → null and the reason, never a throw. */
export function readAlertState(raw: unknown): { alerts: AlertState | null; error: string | null } {
  if (raw === undefined) return { alerts: null, error: null };
  const parsed = AlertState.safeParse(raw);
  if (parsed.success) return { alerts: parsed.data, error: null };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `alerts.${issue.path.map(String).join('.')}` : 'alerts';
  return { alerts: null, error: `state.json ${where} is invalid (${issue?.message ?? 'unknown'}): rebuilt from the history` };
}

export function emptyEntry(instanceId: string, taskId: string | null): AlertEntry {
  return { instance_id: instanceId, task_id: taskId, failure: null, changes_at: [], flapping_since: null };
}

/** Whether an entry still has anything to remember; others are dropped so the state stays small. */
export function entryInUse(e: AlertEntry): boolean {
  return e.failure !== null || e.flapping_since !== null || e.changes_at.length > 0;
}
