import type { Change } from './change';
import type { ChannelConfig, Config } from '../config/config';
import { type DigestBody, DigestDays, digestBody, digestDue, digestId } from './digest';
import { EXPIRED_MESSAGES, RecentCounts, nextRecentCounts, sumRecent } from './digest-counts';
import { type FailingSince, nextFailingSince } from '../store/run-record';
import type { InstanceSnapshot } from '../store/snapshot';
import type { OutboxEntry } from '../store/state';

/** What a run adds to `state.json` for the digest: absent when no channel has a digest. */
export interface DigestRecord {
  digests?: DigestDays;
  recent_changes?: RecentCounts;
}

/**
 * The run's digest step (DESIGN.md §12): queues in the outbox a digest for each channel whose
 * time has come today, and gives the `state.json` fields that record it. The day is recorded in the
 * same `state.json` write that queues the digest, so a crash after that write delivers it from the
 * outbox on a later run, and a crash before it queues it again with the same id. Pure.
 */
export function digestStep(o: {
  channels: readonly ChannelConfig[];
  notify: Config['notify'];
  previous: { digests?: DigestDays | undefined; recent_changes?: RecentCounts | undefined; failing_since?: FailingSince | undefined } | null;
  instances: readonly InstanceSnapshot[];
  changes: readonly Change[];
  expired: number;
  outbox: readonly OutboxEntry[];
  nowMs: number;
  snapshot: { id: string; taken_at: string };
}): { outbox: OutboxEntry[]; record: DigestRecord } {
  const withDigest = o.channels.filter((c) => c.digest !== undefined);
  if (withDigest.length === 0) return { outbox: [...o.outbox], record: {} };
  const recent = nextRecentCounts(o.previous?.recent_changes, o.nowMs, o.changes, o.expired);
  const days: DigestDays = {};
  for (const c of withDigest) {
    const last = o.previous?.digests?.[c.key];
    if (last !== undefined) days[c.key] = last;
  }
  const outbox = [...o.outbox];
  let body: DigestBody | undefined;
  for (const c of withDigest) {
    const day = digestDue({ nowMs: o.nowMs, timeZone: o.notify.timezone, at: c.digest!, lastDay: days[c.key] });
    if (day === null) continue;
    body ??= digestBody({
      day,
      timeZone: o.notify.timezone,
      instances: o.instances,
      failingSince: nextFailingSince(o.previous?.failing_since, o.instances, o.changes, o.snapshot.taken_at),
      changes24h: withoutExpired(sumRecent(recent)),
      messages: messages(o.outbox.filter((e) => e.created_at !== o.snapshot.taken_at), sumRecent(recent)[EXPIRED_MESSAGES] ?? 0),
    });
    const id = digestId(c.key, day);
    if (!outbox.some((e) => e.id === id)) {
      outbox.push({ id, snapshot_id: o.snapshot.id, taken_at: o.snapshot.taken_at, created_at: o.snapshot.taken_at, changes: [], pending: [c.key], attempts: 0, last_error: null, digest: body });
    }
    days[c.key] = day;
  }
  return { outbox, record: { digests: days, recent_changes: recent } };
}

function withoutExpired(counts: Record<string, number>): Record<string, number> {
  const { [EXPIRED_MESSAGES]: _expired, ...kinds } = counts;
  return kinds;
}

/** Message × channel deliveries left by earlier runs (this run's own message is about to be sent). */
function messages(outbox: readonly OutboxEntry[], expired24h: number): DigestBody['messages'] {
  const pending = outbox.reduce((n, e) => n + e.pending.length, 0);
  const oldest = outbox.map((e) => e.created_at).sort()[0] ?? null;
  return { pending, oldest_pending_at: oldest, expired_24h: expired24h };
}
