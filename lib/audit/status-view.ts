import type { StateRead } from '../store/ports';
import { isFailingStatus } from '../alerting/change-kinds';
import { failingKey } from '../store/run-record';
import type { State } from '../store/state';

/** One failing task (status neither RUNNING nor PAUSED) or unreachable instance (`task_id` null). */
export interface FailingEntry {
  instance_id: string;
  instance_name: string | null;
  task_id: string | null;
  task_name: string | null;
  /** The task's status; null for an unreachable instance. */
  status: string | null;
  /** When it was first seen failing (continuously since); null when state.json does not record it. */
  since: string | null;
  /** The instance's listing error, for an unreachable instance. */
  error: string | null;
}

/** The messages still pending on one channel. */
export interface PendingEntry {
  channel: string;
  /** Messages waiting for delivery (retries, or left for the next run); the oldest's time, null when none. */
  messages: number;
  oldest_created_at: string | null;
  oldest_age_s: number | null;
  last_error: string | null;
  /**
   * Changes held for the channel's quiet hours (DESIGN.md §11), only when there are: held since
   * `since`, they go out together, as one message, at the first run after `until` (the window's end).
   */
  quiet_hours?: { changes: number; since: string; until: string };
}

/**
 * DESIGN.md §12 `status --json`, exactly these keys. With no usable state.json: `healthy` false, the
 * problem, every other field null.
 */
export interface StatusView {
  healthy: boolean;
  problems: string[];
  checked_at: string | null;
  age_s: number | null;
  instances: { total: number; ok: number; failed: number } | null;
  tasks_by_status: Record<string, number> | null;
  failing: FailingEntry[] | null;
  pending: PendingEntry[] | null;
  /** Active and upcoming silences: none until silences exist (DESIGN.md §11). */
  silences: unknown[] | null;
}

/** What `status` prints besides the JSON: the snapshot and the last run. */
export interface StatusDetails {
  snapshot_id: string;
  last_run: State['last_run'] | null;
}

/**
 * The health of the watcher from one read of state.json (or the reason it `failed`: OBS denied, the
 * bucket missing), at `now`, with `maxAgeMs` from --max-age.
 */
export function statusView(read: StateRead | { kind: 'failed'; reason: string }, now: Date, maxAgeMs: number, location: string): { view: StatusView; details: StatusDetails | null } {
  if (read.kind !== 'ok') {
    const problem =
      read.kind === 'missing' ? `no state.json in ${location}: the function has never run, or writes elsewhere (check OBS_BUCKET and OBS_PREFIX)`
      : read.kind === 'corrupt' ? `${location}state.json is unusable: ${read.reason}`
      : `state.json could not be read: ${read.reason}`;
    return { view: { healthy: false, problems: [problem], checked_at: null, age_s: null, instances: null, tasks_by_status: null, failing: null, pending: null, silences: null }, details: null };
  }
  const { state } = read;
  const ageS = secondsSince(state.checked_at, now);
  const problems: string[] = [];
  const maxS = Math.floor(maxAgeMs / 1000);
  if (ageS > maxS) problems.push(`the last check was ${humanAge(ageS)} ago, longer than --max-age ${humanAge(maxS)}: is the timer trigger on, and are runs failing?`);
  const pending = pendingByChannel(state, now);
  for (const p of pending) {
    if (p.oldest_age_s !== null && p.oldest_age_s > maxS) problems.push(`channel ${p.channel} has ${p.messages === 1 ? 'a message' : `${p.messages} messages`} pending for ${humanAge(p.oldest_age_s)}, longer than --max-age ${humanAge(maxS)}${p.last_error ? ` (last error: ${p.last_error})` : ''}`);
  }
  const instances = state.snapshot.instances;
  const failed = instances.filter((i) => !i.ok).length;
  const byStatus: Record<string, number> = {};
  for (const i of instances) for (const t of i.tasks) byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
  return {
    view: {
      healthy: problems.length === 0,
      problems,
      checked_at: state.checked_at,
      age_s: ageS,
      instances: { total: instances.length, ok: instances.length - failed, failed },
      tasks_by_status: Object.fromEntries(Object.entries(byStatus).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      failing: failingEntries(state),
      pending,
      silences: [],
    },
    details: { snapshot_id: state.snapshot.id, last_run: state.last_run ?? null },
  };
}

function failingEntries(state: State): FailingEntry[] {
  const since = state.failing_since ?? {};
  const out: FailingEntry[] = [];
  for (const i of state.snapshot.instances) {
    const base = { instance_id: i.instance_id, instance_name: i.name };
    if (!i.ok) out.push({ ...base, task_id: null, task_name: null, status: null, since: since[failingKey(i.instance_id, null)] ?? null, error: i.error });
    for (const t of i.tasks) {
      if (isFailingStatus(t.status)) out.push({ ...base, task_id: t.id, task_name: t.task_name ?? null, status: t.status, since: since[failingKey(i.instance_id, t.id)] ?? null, error: null });
    }
  }
  return out;
}

/** Per channel: how many messages wait, the oldest's age, and the last error recorded on one of them. */
function pendingByChannel(state: State, now: Date): PendingEntry[] {
  const by = new Map<string, PendingEntry>();
  for (const e of state.outbox) {
    for (const channel of e.pending) {
      const p = by.get(channel);
      if (!p) by.set(channel, { channel, messages: 1, oldest_created_at: e.created_at, oldest_age_s: secondsSince(e.created_at, now), last_error: e.last_error });
      else {
        p.messages++;
        if (p.oldest_created_at === null || e.created_at < p.oldest_created_at) Object.assign(p, { oldest_created_at: e.created_at, oldest_age_s: secondsSince(e.created_at, now) });
        if (e.last_error !== null) p.last_error = e.last_error;
      }
    }
  }
  // Held for quiet hours: waiting by design, so never a problem however long the window.
  for (const [channel, hold] of Object.entries(state.quiet_hours ?? {})) {
    const held = { changes: hold.changes.length, since: hold.since, until: hold.until };
    const p = by.get(channel);
    if (p) p.quiet_hours = held;
    else by.set(channel, { channel, messages: 0, oldest_created_at: null, oldest_age_s: null, last_error: null, quiet_hours: held });
  }
  return [...by.values()].sort((a, b) => (a.channel < b.channel ? -1 : 1));
}

function secondsSince(iso: string, now: Date): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.max(0, Math.floor((now.getTime() - t) / 1000));
}

/** `45s`, `12m 5s`, `3h 20m`, `2d 4h`. */
export function humanAge(s: number): string {
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3_600), Math.floor((s % 3_600) / 60)];
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return s % 60 > 0 ? `${m}m ${s % 60}s` : `${m}m`;
  return `${s}s`;
}
