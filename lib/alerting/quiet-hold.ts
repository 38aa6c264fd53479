import * as z from 'zod';
import type { ChannelConfig } from '../config/config';
import { inQuietHours, quietHoursEnd } from '../config/quiet-hours';
import { changesForChannel } from '../notify/filter';
import { sha256Hex } from '../store/hash';
import type { OutboxEntry } from '../store/state';
import { Change } from './change';

// DESIGN.md §11, quiet hours: inside a channel's window, the changes of a new message that are not
// critical (all of them with `"except": "none"`) are held for that channel, here, out of the outbox;
// the rest of the message goes out at once under its own id. At the first run outside the window the
// channel's held changes become one message, created then (OUTBOX_MAX_AGE counts from the end of the
// hold), with an id derived from the channel and the changes, and the channel's filters of that run.

/** What one channel holds for quiet hours (state.json's `quiet_hours`, by channel key). */
export const QuietHold = z.object({
  /** The run that held the first of them. */
  since: z.string(),
  /** When the window ends, as of the last run that held or kept them (the next run after it sends them). */
  until: z.string(),
  /** Of the newest message a change was held from: the released message's `snapshot_id` and `taken_at`. */
  snapshot_id: z.string(),
  taken_at: z.string(),
  changes: z.array(Change),
  task_types: z.record(z.string(), z.object({ source_type: z.string().nullable(), sink_type: z.string().nullable() })).optional(),
});
export type QuietHold = z.infer<typeof QuietHold>;
export const QuietHolds = z.record(z.string(), QuietHold);
export type QuietHolds = z.infer<typeof QuietHolds>;

/** The id of the message that releases `changes` held for channel `key`: the same on every run that makes it. */
export function releaseId(key: string, changes: readonly Change[]): string {
  return `msg_${sha256Hex(`quiet_hours\n${key}\n${changes.map((c) => c.id).join(',')}`).slice(0, 26)}`;
}

/** Whether a change waits for the end of the window: everything with `except: "none"`, else all but critical ones. */
export function heldInQuietHours(except: 'critical' | 'none', change: Change): boolean {
  return except === 'none' || change.severity !== 'critical';
}

/**
 * A message not yet tried on any channel: only such a message is split. One already tried keeps its
 * content and id on every retry (its changes were due before the window began).
 */
const untried = (e: OutboxEntry) => !e.digest && e.attempts === 0 && e.last_error === null && e.parts_delivered === undefined;

/**
 * The quiet-hours step of a run (after the new messages are queued, before state.json is written):
 * holds, for each channel inside its window, what waits; releases, for each channel outside it, what
 * it held. Pure: `nowMs` is the run's start, `takenAt` its ISO time.
 */
export function quietStep(o: {
  channels: readonly ChannelConfig[];
  holds: QuietHolds | undefined;
  outbox: readonly OutboxEntry[];
  nowMs: number;
  takenAt: string;
}): { outbox: OutboxEntry[]; holds: QuietHolds } {
  const quiet = new Map(o.channels.filter((c) => c.quietHours && inQuietHours(c.quietHours, o.nowMs)).map((c) => [c.key, c]));
  const until = (c: ChannelConfig) => new Date(quietHoursEnd(c.quietHours!, o.nowMs)).toISOString();
  const holds: QuietHolds = { ...o.holds };
  const outbox: OutboxEntry[] = [];
  for (const entry of o.outbox) {
    if (!untried(entry) || !entry.pending.some((k) => quiet.has(k))) {
      outbox.push(entry);
      continue;
    }
    const pending: string[] = [];
    const heldIds: Record<string, string[]> = { ...entry.quiet_held };
    for (const key of entry.pending) {
      const channel = quiet.get(key);
      const held = channel && !heldIds[key] ? entry.changes.filter((c) => heldInQuietHours(channel.quietHours!.except, c)) : [];
      if (!channel || held.length === 0) {
        pending.push(key);
        continue;
      }
      holds[key] = addToHold(holds[key], entry, held, o.takenAt, until(channel));
      // What the channel's filters want of the rest goes now, under the message's id.
      if (changesForChannel(channel, entry.changes).some((c) => !held.includes(c))) {
        pending.push(key);
        heldIds[key] = held.map((c) => c.id);
      }
    }
    if (pending.length > 0) outbox.push({ ...entry, pending, ...(Object.keys(heldIds).length > 0 ? { quiet_held: heldIds } : {}) });
  }
  for (const key of Object.keys(holds).sort()) {
    const hold = holds[key]!;
    const channel = quiet.get(key);
    if (channel) {
      holds[key] = { ...hold, until: until(channel) };
      continue;
    }
    // The window is over, or the channel has no quiet hours any more (or is gone: then the outbox
    // expiry of the next run records the message as undeliverable, never dropped silently).
    const id = releaseId(key, hold.changes);
    if (!outbox.some((e) => e.id === id)) {
      // Before this run's own messages: its changes are older.
      const at = outbox.findIndex((e) => e.created_at === o.takenAt);
      outbox.splice(at === -1 ? outbox.length : at, 0, {
        id,
        snapshot_id: hold.snapshot_id,
        taken_at: hold.taken_at,
        created_at: o.takenAt,
        changes: hold.changes,
        ...(hold.task_types ? { task_types: hold.task_types } : {}),
        pending: [key],
        attempts: 0,
        last_error: null,
      });
    }
    delete holds[key];
  }
  return { outbox, holds };
}

function addToHold(hold: QuietHold | undefined, entry: OutboxEntry, changes: readonly Change[], takenAt: string, until: string): QuietHold {
  const known = new Set(hold?.changes.map((c) => c.id));
  const added = changes.filter((c) => !known.has(c.id));
  const newer = !hold || entry.taken_at >= hold.taken_at;
  const types = { ...hold?.task_types };
  for (const c of added) {
    const t = c.task_id === null ? undefined : entry.task_types?.[c.task_id];
    if (t && c.task_id !== null) types[c.task_id] = t;
  }
  return {
    since: hold?.since ?? takenAt,
    until,
    snapshot_id: newer ? entry.snapshot_id : hold.snapshot_id,
    taken_at: newer ? entry.taken_at : hold.taken_at,
    changes: [...(hold?.changes ?? []), ...added],
    ...(Object.keys(types).length > 0 ? { task_types: types } : {}),
  };
}

/** Held changes per channel, named as the run report names channels (the key of one no longer configured). */
export function heldByChannel(holds: QuietHolds, channels: readonly Pick<ChannelConfig, 'key' | 'name'>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, hold] of Object.entries(holds)) out[channels.find((c) => c.key === key)?.name ?? key] = hold.changes.length;
  return out;
}
