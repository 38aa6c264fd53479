import type { QuietHolds } from '../alerting/quiet-hold';
import { type SnapshotLookup, rebuildHolds, unionHolds, withoutHeld } from '../alerting/quiet-recovery';
import type { Config } from '../config/config';
import type { Snapshot } from './snapshot';
import type { OutboxEntry } from './state';

/** What recovery queued: its outbox, oldest first, and its reader of history objects. */
export interface Requeued {
  sorted(): OutboxEntry[];
  snapshot: SnapshotLookup;
}

/**
 * The quiet-hours holds of a recovered base (DESIGN.md §2, §11), from the history objects' `quiet_held`:
 * `latest` (the object the run continues from: its holds replace `holds`, those of state.json) and the
 * `others` (the heads of a fork: their holds are added). A change a queued message releases is not held
 * again, and a queued message is not sent again on a channel that holds all it has for that channel.
 * An object written before `quiet_held` existed (no `undelivered` either) says nothing: `holds` stay.
 */
export async function quietBase(
  q: Requeued,
  config: Pick<Config, 'channels'>,
  from: { latest: Snapshot | null; others?: readonly Snapshot[]; holds?: QuietHolds },
): Promise<{ base: { outbox: OutboxEntry[]; quietHolds?: QuietHolds }; notes: string[]; errors: string[] }> {
  const errors: string[] = [];
  const outbox = q.sorted();
  const recorded = async (s: Snapshot) => {
    if (s.undelivered === undefined) return undefined;
    const r = await rebuildHolds(s, q.snapshot);
    errors.push(...r.errors);
    return r.holds;
  };
  let holds = from.holds;
  let restored = false;
  const latest = from.latest ? await recorded(from.latest) : undefined;
  if (latest) [holds, restored] = [latest, true];
  for (const other of from.others ?? []) {
    const theirs = await recorded(other);
    if (theirs) [holds, restored] = [unionHolds(holds, theirs, outbox), true];
  }
  if (holds === undefined) return { base: { outbox }, notes: [], errors };
  holds = unionHolds(holds, undefined, outbox);
  const count = Object.values(holds).reduce((n, h) => n + h.changes.length, 0);
  const notes = restored && count > 0 ? [`${count} change(s) held for quiet hours restored from the history`] : [];
  return { base: { outbox: withoutHeld(outbox, holds, config.channels), quietHolds: holds }, notes, errors };
}
