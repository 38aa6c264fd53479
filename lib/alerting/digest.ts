import * as z from 'zod';
import { sha256Hex } from '../store/hash';
import { isFailingStatus } from './change-kinds';
import { failingKey } from '../store/run-record';
import type { FailingSince } from '../store/run-record';
import type { InstanceSnapshot } from '../store/snapshot';

/**
 * The daily digest (DESIGN.md §12): when it is due, and what it says. Pure: the run passes its
 * clock, its snapshot and its outbox in; lib/alerting/digest-run.ts wires it into a run.
 */

/** `{"<channel key>": "YYYY-MM-DD"}`: the local day (NOTIFY_TIMEZONE) of the last digest queued per channel. */
export const DigestDays = z.record(z.string().min(1), z.string().regex(/^\d{4}-\d{2}-\d{2}$/));
export type DigestDays = z.infer<typeof DigestDays>;

/** At most this many failing tasks are listed in a digest; `failing_total` counts them all. */
export const DIGEST_MAX_FAILING = 200;

const Count = z.number().int().nonnegative();

/** What a digest says, as kept in the outbox and sent (generic webhook: under `digest`). */
export const DigestBody = z.object({
  /** The local day it is the digest of, in `time_zone`. */
  day: z.string(),
  time_zone: z.string(),
  instances: z.array(
    z.object({
      instance_id: z.string(),
      name: z.string().nullable(),
      ok: z.boolean(),
      tasks_by_status: z.record(z.string(), Count),
    }),
  ),
  tasks: Count,
  tasks_by_status: z.record(z.string(), Count),
  /** Failing tasks and unreachable instances (task fields null), longest failing first. */
  failing: z.array(
    z.object({
      instance_id: z.string(),
      instance_name: z.string().nullable(),
      task_id: z.string().nullable(),
      task_name: z.string().nullable(),
      status: z.string().nullable(),
      since: z.string().nullable(),
    }),
  ),
  failing_total: Count,
  /** Changes recorded in the last 24 hours, by kind (hour granularity). */
  changes_24h: z.record(z.string(), Count),
  /** Messages (message × channel) waiting in the outbox when the digest was queued, the oldest's creation, and those expired in the last 24 hours. */
  messages: z.object({ pending: Count, oldest_pending_at: z.string().nullable(), expired_24h: Count }),
});
export type DigestBody = z.infer<typeof DigestBody>;
export type FailingEntry = DigestBody['failing'][number];

/** The local date and `HH:MM` of `nowMs` in `timeZone` (an IANA name checked by the config). */
/** The prefix of a digest's message id (change messages' ids start with `msg_`). */
export const DIGEST_ID_PREFIX = 'dig_';

export function localClock(nowMs: number, timeZone: string): { day: string; time: string } {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(nowMs))
      .map((x) => [x.type, x.value]),
  );
  return { day: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

/**
 * The local day whose digest is due at `nowMs`, or null: due at the first run at or after `at`
 * (`HH:MM`) each local day, once. Only today counts: a day whose time passed with no run is not
 * caught up. A recorded day after today (the time zone was changed) is not sent again.
 */
export function digestDue(o: { nowMs: number; timeZone: string; at: string; lastDay: string | undefined }): string | null {
  const { day, time } = localClock(o.nowMs, o.timeZone);
  if (time < o.at) return null;
  return o.lastDay !== undefined && o.lastDay >= day ? null : day;
}

/** The outbox id of a channel's digest of a day: the same on every retry and after a crash (the webhook-id). */
export function digestId(channelKey: string, day: string): string {
  return `${DIGEST_ID_PREFIX}${sha256Hex(`digest\n${channelKey}\n${day}`).slice(0, 26)}`;
}

/** The digest's body from the run's snapshot, its failing-since map, the 24 h counts and the outbox. */
export function digestBody(o: {
  day: string;
  timeZone: string;
  instances: readonly InstanceSnapshot[];
  failingSince: FailingSince;
  changes24h: Record<string, number>;
  messages: DigestBody['messages'];
}): DigestBody {
  const total: Record<string, number> = {};
  const failing: FailingEntry[] = [];
  const instances = o.instances.map((i) => {
    const byStatus: Record<string, number> = {};
    for (const t of i.tasks) {
      byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
      total[t.status] = (total[t.status] ?? 0) + 1;
      if (isFailingStatus(t.status)) {
        failing.push({ instance_id: i.instance_id, instance_name: i.name, task_id: t.id, task_name: t.task_name ?? null, status: t.status, since: o.failingSince[failingKey(i.instance_id, t.id)] ?? null });
      }
    }
    if (!i.ok) failing.push({ instance_id: i.instance_id, instance_name: i.name, task_id: null, task_name: null, status: null, since: o.failingSince[i.instance_id] ?? null });
    return { instance_id: i.instance_id, name: i.name, ok: i.ok, tasks_by_status: sorted(byStatus) };
  });
  // Longest failing first (unknown since last), then the contract's order.
  const order = (f: FailingEntry) => `${f.since ?? '~'}\n${f.instance_id}\n${f.task_id ?? ''}`;
  failing.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return {
    day: o.day,
    time_zone: o.timeZone,
    instances,
    tasks: o.instances.reduce((n, i) => n + i.tasks.length, 0),
    tasks_by_status: sorted(total),
    failing: failing.slice(0, DIGEST_MAX_FAILING),
    failing_total: failing.length,
    changes_24h: sorted(o.changes24h),
    messages: o.messages,
  };
}

function sorted(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
