import type { ChannelConfig } from '../config/config';
import { changesForChannel } from '../notify/filter';
import type { ChangeRef, Snapshot, UndeliveredMessage } from '../store/snapshot';
import type { OutboxEntry } from '../store/state';
import type { Change } from './change';
import { taskTypes } from './outbox';
import { type QuietHold, type QuietHolds, releaseId } from './quiet-hold';

// Quiet hours across a state reset and overlapping runs (DESIGN.md §2, §6, §11): each history object
// records what is held after its run (`quiet_held`) and, for a message released after quiet hours
// that may be undelivered, its changes (`undelivered[].quiet_release`): both by change id and the
// history object whose `changes` hold it. A reset rebuilds the holds and such messages from them,
// under the same ids; merging two runs' states keeps the union of their holds.

/** Looks up a history object by id (undefined when missing or unreadable). */
export type SnapshotLookup = (snapshotId: string) => Promise<Snapshot | undefined>;

const ref = (c: Change): ChangeRef => ({ id: c.id, snapshot_id: c.snapshot_id });
const byTime = <T extends { taken_at: string }>(list: readonly T[]) => [...list].sort((a, b) => (a.taken_at < b.taken_at ? -1 : a.taken_at > b.taken_at ? 1 : 0));

/** The history object's `quiet_held`: what each channel holds after the run, in order; undefined when nothing is held. */
export function quietHeldRecord(holds: QuietHolds): Record<string, ChangeRef[]> | undefined {
  const keys = Object.keys(holds).sort();
  return keys.length === 0 ? undefined : Object.fromEntries(keys.map((k) => [k, holds[k]!.changes.map(ref)]));
}

/** The channel key `entry` releases held changes for, when it is a message released after quiet hours. */
export function releasedFor(entry: Pick<OutboxEntry, 'id' | 'pending' | 'changes'>): string | undefined {
  return entry.pending.find((k) => releaseId(k, entry.changes) === entry.id);
}

/** An outbox entry as a history object's `undelivered` records it (with its changes when it was released after quiet hours). */
export function undeliveredRecord(e: OutboxEntry): UndeliveredMessage {
  return { id: e.id, snapshot_id: e.snapshot_id, pending: e.pending, ...(releasedFor(e) !== undefined ? { quiet_release: e.changes.map(ref) } : {}) };
}

/** The changes `refs` name, from their history objects, in order; `missing` those that cannot be found. */
async function resolve(refs: readonly ChangeRef[], lookup: SnapshotLookup): Promise<{ changes: Change[]; snapshots: Snapshot[]; missing: ChangeRef[] }> {
  const snapshots = new Map<string, Snapshot | undefined>();
  const changes: Change[] = [];
  const missing: ChangeRef[] = [];
  for (const r of refs) {
    if (!snapshots.has(r.snapshot_id)) snapshots.set(r.snapshot_id, await lookup(r.snapshot_id));
    const change = snapshots.get(r.snapshot_id)?.changes.find((c) => c.id === r.id);
    if (change) changes.push(change);
    else missing.push(r);
  }
  return { changes, snapshots: byTime([...snapshots.values()].filter((s): s is Snapshot => s !== undefined)), missing };
}

function typesOf(snapshots: readonly Snapshot[], changes: readonly Change[]): OutboxEntry['task_types'] {
  const out: NonNullable<OutboxEntry['task_types']> = {};
  for (const s of snapshots) Object.assign(out, taskTypes(s.instances, changes.filter((c) => c.snapshot_id === s.id)));
  return out;
}

const cannot = (what: string, missing: readonly ChangeRef[]) =>
  `${what} cannot be fully rebuilt: change(s) ${missing.map((m) => `${m.id} (history ${m.snapshot_id})`).join(', ')} missing or unreadable`;

/**
 * A message released after quiet hours, recorded as undelivered, rebuilt under its id (which derives
 * from the channel and the changes). An error text when it cannot be.
 */
export async function rebuildRelease(m: UndeliveredMessage, lookup: SnapshotLookup): Promise<OutboxEntry | string> {
  const r = await resolve(m.quiet_release ?? [], lookup);
  const key = m.pending.find((k) => releaseId(k, r.changes) === m.id);
  if (r.missing.length > 0 || key === undefined) return cannot(`message ${m.id} (released after quiet hours) may be undelivered but`, r.missing);
  const newest = r.snapshots.at(-1)!;
  return {
    id: m.id,
    snapshot_id: newest.id,
    taken_at: newest.taken_at,
    // When it was released is not recorded: its newest change's time (OUTBOX_MAX_AGE counts from no later than then).
    created_at: newest.taken_at,
    changes: r.changes,
    task_types: typesOf(r.snapshots, r.changes),
    pending: [key],
    attempts: 0,
    last_error: null,
  };
}

/** The holds a history object's `quiet_held` records, rebuilt from the history; `until` is the object's time (a run inside the window moves it). */
export async function rebuildHolds(object: Snapshot, lookup: SnapshotLookup): Promise<{ holds: QuietHolds; errors: string[] }> {
  const holds: QuietHolds = {};
  const errors: string[] = [];
  for (const [key, refs] of Object.entries(object.quiet_held ?? {})) {
    const r = await resolve(refs, lookup);
    if (r.missing.length > 0) errors.push(cannot(`the changes held for quiet hours on channel ${key}`, r.missing));
    if (r.changes.length === 0) continue;
    const newest = r.snapshots.at(-1)!;
    const since = r.changes.map((c) => c.detected_at).sort()[0]!;
    const types = typesOf(r.snapshots, r.changes);
    holds[key] = { since, until: object.taken_at, snapshot_id: newest.id, taken_at: newest.taken_at, changes: r.changes, ...(Object.keys(types ?? {}).length > 0 ? { task_types: types } : {}) };
  }
  return { holds, errors };
}

/**
 * Two runs' holds as one: a change held by either stays held once (by change id), unless a message
 * of `outboxes` already releases it on that channel. `a`'s changes come first.
 */
export function unionHolds(a: QuietHolds | undefined, b: QuietHolds | undefined, outboxes: readonly OutboxEntry[]): QuietHolds {
  const out: QuietHolds = {};
  for (const key of [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort()) {
    const released = new Set(outboxes.filter((e) => releasedFor(e) === key).flatMap((e) => e.changes.map((c) => c.id)));
    const parts = [a?.[key], b?.[key]].filter((h): h is QuietHold => h !== undefined);
    const seen = new Set<string>();
    const changes = parts.flatMap((h) => h.changes).filter((c) => !released.has(c.id) && !seen.has(c.id) && seen.add(c.id));
    if (changes.length === 0) continue;
    const newest = byTime(parts).at(-1)!;
    const types = Object.assign({}, ...parts.map((h) => h.task_types ?? {}));
    out[key] = {
      since: parts.map((h) => h.since).sort()[0]!,
      until: parts.map((h) => h.until).sort().at(-1)!,
      snapshot_id: newest.snapshot_id,
      taken_at: newest.taken_at,
      changes,
      ...(Object.keys(types).length > 0 ? { task_types: types } : {}),
    };
  }
  return out;
}

/**
 * Messages queued again after a reset, less the channels whose wanted changes of them are all held
 * for quiet hours there (they go out with the release, once).
 */
export function withoutHeld(outbox: readonly OutboxEntry[], holds: QuietHolds, channels: readonly ChannelConfig[]): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  for (const e of outbox) {
    const pending = e.pending.filter((key) => {
      const held = new Set(holds[key]?.changes.map((c) => c.id));
      const channel = channels.find((c) => c.key === key);
      return held.size === 0 || !channel || !changesForChannel(channel, e.changes).every((c) => held.has(c.id));
    });
    if (pending.length > 0) out.push({ ...e, pending });
  }
  return out;
}

/**
 * What a history object records after the run's quiet-hours step: `undelivered`, the outbox less this
 * run's new messages (`fresh`, unless also `earlier`), with the messages released now; `quiet_held`.
 */
export function quietRecord(quiet: { outbox: readonly OutboxEntry[]; holds: QuietHolds }, earlier: readonly OutboxEntry[], fresh: readonly OutboxEntry[]): Pick<Snapshot, 'undelivered' | 'quiet_held'> {
  const before = new Set(earlier.map((e) => e.id));
  const own = new Set(fresh.filter((e) => !before.has(e.id)).map((e) => e.id));
  const held = quietHeldRecord(quiet.holds);
  return { undelivered: quiet.outbox.filter((e) => !own.has(e.id)).map(undeliveredRecord), ...(held ? { quiet_held: held } : {}) };
}
