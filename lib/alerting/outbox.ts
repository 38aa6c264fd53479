import type { Change } from './change';
import type { ChannelConfig } from '../config/config';
import { changesForChannel } from '../notify/filter';
import type { ExpiredMessage, InstanceSnapshot } from '../store/snapshot';
import type { OutboxEntry } from '../store/state';
import { sha256Hex } from '../store/hash';

/** A new outbox entry for a run's changes, pending on every channel that wants at least one of them. */
export function newOutboxEntry(
  snapshot: { id: string; taken_at: string; instances: readonly InstanceSnapshot[] },
  changes: Change[],
  channels: readonly ChannelConfig[],
): OutboxEntry | null {
  const pending = channels.filter((c) => changesForChannel(c, changes).length > 0).map((c) => c.key);
  if (pending.length === 0) return null;
  return {
    // Deterministic: a run retried after a crash produces the same message id (the webhook-id).
    id: `msg_${sha256Hex(`${snapshot.id}\n${changes.map((c) => c.id).join(',')}`).slice(0, 26)}`,
    snapshot_id: snapshot.id,
    taken_at: snapshot.taken_at,
    created_at: snapshot.taken_at,
    changes,
    task_types: taskTypes(snapshot.instances, changes),
    pending,
    attempts: 0,
    last_error: null,
  };
}

/**
 * Takes out of the outbox what can no longer be delivered: messages older than `maxAgeMs`, and
 * channels no longer configured. What is taken out is returned, to be recorded, never dropped silently.
 */
export function expireOutbox(
  outbox: readonly OutboxEntry[],
  now: number,
  maxAgeMs: number,
  channelKeys: ReadonlySet<string>,
): { outbox: OutboxEntry[]; expired: ExpiredMessage[] } {
  const kept: OutboxEntry[] = [];
  const expired: ExpiredMessage[] = [];
  for (const entry of outbox) {
    const tooOld = now - Date.parse(entry.created_at) > maxAgeMs;
    const gone = tooOld ? entry.pending : entry.pending.filter((k) => !channelKeys.has(k));
    for (const channel of gone) {
      expired.push({
        id: entry.id,
        snapshot_id: entry.snapshot_id,
        channel,
        created_at: entry.created_at,
        last_error: tooOld ? (entry.last_error ?? 'not delivered in time') : 'channel no longer configured',
        change_ids: entry.changes.filter((c) => !entry.quiet_held?.[channel]?.includes(c.id)).map((c) => c.id),
      });
    }
    const pending = entry.pending.filter((k) => !gone.includes(k));
    if (pending.length > 0) kept.push({ ...entry, pending });
  }
  return { outbox: kept, expired };
}

/** The source and sink types of the changed tasks (a removed task is not in the snapshot: it has none). */
export function taskTypes(instances: readonly InstanceSnapshot[], changes: readonly Change[]): OutboxEntry['task_types'] {
  const wanted = new Set(changes.map((c) => c.task_id).filter((id): id is string => id !== null));
  const out: NonNullable<OutboxEntry['task_types']> = {};
  for (const instance of instances) {
    for (const t of instance.tasks) {
      if (wanted.has(t.id)) out[t.id] = { source_type: t.source_type ?? null, sink_type: t.sink_type ?? null };
    }
  }
  return out;
}

/** `target` less the (message, channel) pairs that went from pending in `before` to delivered in `after`. */
export function withoutDelivered(target: readonly OutboxEntry[], before: readonly OutboxEntry[], after: readonly OutboxEntry[]): OutboxEntry[] {
  const stillPending = new Map(after.map((e) => [e.id, new Set(e.pending)]));
  const delivered = new Map(before.map((e) => [e.id, new Set(e.pending.filter((k) => !stillPending.get(e.id)?.has(k)))]));
  return target
    .map((e) => ({ ...e, pending: e.pending.filter((k) => !delivered.get(e.id)?.has(k)) }))
    .filter((e) => e.pending.length > 0);
}
