import * as z from 'zod';
import type { Config } from '../config/config';
import type { InstanceSnapshot, Snapshot } from '../store/snapshot';
import type { OutboxEntry } from '../store/state';
import type { Change } from './change';
import { notifiable } from './notifiable';
import { newOutboxEntry } from './outbox';

/** Why a recorded change was not sent (DESIGN.md §10–§11): the history object's `held`. */
export const HeldReason = z.enum(['pending', 'flapping', 'silenced']);
export type HeldReason = z.infer<typeof HeldReason>;

/** A change recorded in the history object but not sent, and why. */
export const HeldChange = z.object({
  change_id: z.string(),
  held: HeldReason,
  /** The silences that matched (`held: "silenced"`). */
  silenced_by: z.array(z.string()).optional(),
});
export type HeldChange = z.infer<typeof HeldChange>;

/**
 * The alert state kept between runs (DESIGN.md §10: when each failure began, whether and when it was
 * last sent). Not kept yet: `lib/alerting/lifecycle.ts` defines it; until then it passes through.
 */
export type AlertState = Readonly<Record<string, unknown>>;

export interface SendInput {
  /** This run's changes, all of them recorded in its history object. */
  changes: Change[];
  /** The snapshot they were computed against; null on a first run. */
  previous: Snapshot | null;
  /** The new snapshot: the message's id, time and task types come from it. */
  snapshot: { id: string; taken_at: string; instances: readonly InstanceSnapshot[] };
  config: Pick<Config, 'notifyOn' | 'notifyFirstRun' | 'channels'>;
  /** The run's start (epoch ms): `NOTIFY_AFTER` and `REMIND_EVERY` are measured to it (§10). */
  now: number;
  /** From state.json (§10). Next to come: the active silences of `silences.json` (§11). */
  alerts?: AlertState | undefined;
}

export interface SendDecision {
  /** Messages to add to the outbox (not already there), in this order. */
  queue: OutboxEntry[];
  /** Changes recorded but not sent, with why. Empty until the §10–§11 rules plug in here. */
  held: HeldChange[];
  /** The alert state for the next state.json: `alerts` as given, for now. */
  alerts: AlertState | undefined;
}

/**
 * DESIGN.md §2 step 4, second half: what is sent of this run's changes. Today: those in NOTIFY_ON,
 * less the baseline (see `notifiable`), as one message pending on every channel that wants one of
 * them. The alert lifecycle (§10: pending, reminders, flapping, via `lib/alerting/lifecycle.ts`) and
 * silences and quiet hours (§11) are to be decided here too, from `alerts` and the silences: they hold
 * changes (`held`), return the next alert state, and make changes of their own (`still_failing`,
 * `flapping`), which the history object records like any other: the run calls this before it builds
 * the snapshot, so the decision can carry them. Pure.
 */
export function sendPolicy(input: SendInput): SendDecision {
  const entry = newOutboxEntry(input.snapshot, notifiable(input.changes, input.previous, input.config), input.config.channels);
  return { queue: entry ? [entry] : [], held: [], alerts: input.alerts };
}
