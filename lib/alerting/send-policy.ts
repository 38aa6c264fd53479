import * as z from 'zod';
import type { Config } from '../config/config';
import type { InstanceSnapshot, Snapshot } from '../store/snapshot';
import type { OutboxEntry } from '../store/state';
import { type AlertChange, type AlertState, HeldReason } from './alert-state';
import type { Change } from './change';
import { compareChanges } from './diff';
import { lifecycle } from './lifecycle';
import { notifiable } from './notifiable';
import { newOutboxEntry } from './outbox';


/** A change recorded in the history object but not sent, and why. */
export const HeldChange = z.object({
  change_id: z.string(),
  held: HeldReason,
  /** The silences that matched (`held: "silenced"`). */
  silenced_by: z.array(z.string()).optional(),
});
export type HeldChange = z.infer<typeof HeldChange>;

export interface SendInput {
  /** This run's changes from the diff. */
  changes: Change[];
  /** The snapshot they were computed against; null on a first run. */
  previous: Snapshot | null;
  /** The new snapshot: the message's id, time and task types come from it. */
  snapshot: { id: string; taken_at: string; instances: readonly InstanceSnapshot[] };
  config: Pick<Config, 'notifyOn' | 'notifyFirstRun' | 'channels' | 'remindEveryMs' | 'notifyAfterMs' | 'flapThreshold' | 'flapWindowMs'>;
  /** The run's start (epoch ms): `NOTIFY_AFTER` and `REMIND_EVERY` are measured to it (§10). */
  now: number;
  /** The alert state from state.json (§10), or rebuilt from the history; null: none (first run). */
  alerts: AlertState | null;
  /** DESIGN.md §11: the ids of the active silences a change matches (default: none). */
  silenced?: ((change: AlertChange) => string[]) | undefined;
}

export interface SendDecision {
  /** What the history object records: this run's changes and the lifecycle's, each not sent with its `held` (and `silenced_by`). */
  recorded: Change[];
  /** Changes held by earlier objects and sent now, as they were recorded: the history object's `released`. */
  released: Change[];
  /** Messages to add to the outbox (not already there), in this order. */
  queue: OutboxEntry[];
  /** Changes recorded but not sent, with why. */
  held: HeldChange[];
  /** The alert state for the next state.json. */
  alerts: AlertState;
  /** The lifecycle made or released changes: the run writes a history object even if the snapshot is the same (§10). */
  writesHistory: boolean;
}

/**
 * DESIGN.md §2 step 4, second half: what is sent of this run's changes. The alert lifecycle (§10,
 * `lifecycle.ts`) holds changes (pending, flapping, silenced via the `silenced` hook of §11) and makes
 * its own (`still_failing`, `flapping`, `flapping_ended`); of what it sends, those in NOTIFY_ON less
 * the baseline (`notifiable`) go, as one message pending on every channel that wants one of them. Pure.
 */
export function sendPolicy(input: SendInput): SendDecision {
  const { config, previous, snapshot } = input;
  const before = new Map((previous?.instances ?? []).map((i) => [i.instance_id, i]));
  // Listed for the first time: not in the previous snapshot, or never listed there (failing since it was first watched).
  const newInstances = snapshot.instances.filter((i) => i.ok && (!before.has(i.instance_id) || (!before.get(i.instance_id)!.ok && before.get(i.instance_id)!.total_number === null))).map((i) => i.instance_id);
  const r = lifecycle({
    previous: input.alerts,
    changes: input.changes,
    instances: snapshot.instances,
    snapshotId: snapshot.id,
    nowMs: input.now,
    config,
    firstRun: previous === null,
    newInstances,
    ...(input.silenced ? { silenced: input.silenced } : {}),
  });
  const recorded: Change[] = r.recorded.map((c) => {
    const held = r.held[c.id];
    if (!held) return c;
    const by = r.silencedBy[c.id];
    return { ...c, held, ...(by ? { silenced_by: by } : {}) };
  });
  const entry = newOutboxEntry(snapshot, notifiable(sentChanges({ changes: recorded, released: r.due }), previous, config), config.channels);
  const held = recorded.flatMap((c) => (c.held ? [{ change_id: c.id, held: c.held, ...(c.silenced_by ? { silenced_by: c.silenced_by } : {}) }] : []));
  return { recorded, released: r.due, queue: entry ? [entry] : [], held, alerts: r.alerts, writesHistory: r.recorded.length > input.changes.length || r.due.length > 0 };
}

/**
 * What a history object's run sent (before NOTIFY_ON and the baseline rule): its changes not held, and
 * those it released, in §4 order. The message of the object is rebuilt from it after a state reset.
 */
export function sentChanges(o: { changes: readonly Change[]; released?: readonly Change[] | undefined }): Change[] {
  return [...o.changes.filter((c) => c.held === undefined), ...(o.released ?? [])].sort(compareChanges);
}
