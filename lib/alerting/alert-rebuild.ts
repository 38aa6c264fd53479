import { type AlertChange, AlertChange as AlertChangeSchema, type AlertEntry, type AlertState, emptyEntry, entryInUse } from './alert-state';
import type { Change } from './change';
import { failingKey, isFailingStatus } from '../store/run-record';
import type { InstanceSnapshot } from '../store/snapshot';

/** What the rebuild reads of a history object (DESIGN.md §6), with each change's `held` (§10). */
export interface HistoryView {
  taken_at: string;
  instances: readonly InstanceSnapshot[];
  changes: readonly (Omit<Change, 'kind'> & { kind: string; held?: unknown; since?: unknown })[];
  /** Ids of changes held by earlier objects and sent by this object's run (see `lifecycle`'s `due`). */
  released?: readonly string[];
}

const TASK_KINDS = new Set(['status_changed', 'task_added', 'still_failing', 'flapping', 'flapping_ended']);
const INSTANCE_KINDS = new Set(['instance_unreachable', 'instance_recovered', 'still_failing']);
const NOTIFYING = new Set(['status_changed', 'task_added', 'instance_unreachable', 'still_failing', 'flapping_ended']);

type Held = AlertChange & { held?: unknown };

/**
 * The alert state after a state reset, from the history objects (newest first; as many as were
 * read): a change recorded without `held`, or named in a later object's `released`, was sent; a
 * failure whose start is older than the objects given counts as sent (nothing is sent twice), and
 * every task or instance failing in the newest object keeps an entry (nothing failing is forgotten).
 */
export function rebuildAlertState(objects: readonly HistoryView[], config: { flapWindowMs: number }): AlertState {
  const newest = objects[0];
  if (!newest) return { entries: {} };
  const chronological = [...objects].reverse();
  const releasedAt = new Map<string, string>();
  for (const o of chronological) for (const id of o.released ?? []) if (!releasedAt.has(id)) releasedAt.set(id, o.taken_at);
  const byKey = new Map<string, Held[]>();
  for (const o of chronological) {
    for (const raw of o.changes) {
      if (raw.instance_id === null || !(raw.task_id === null ? INSTANCE_KINDS : TASK_KINDS).has(raw.kind)) continue;
      const parsed = AlertChangeSchema.safeParse(raw);
      if (!parsed.success) continue;
      const key = failingKey(raw.instance_id, raw.task_id);
      const list = byKey.get(key) ?? [];
      list.push({ ...parsed.data, held: raw.held });
      byKey.set(key, list);
    }
  }
  const entries: Record<string, AlertEntry> = {};
  const at = Date.parse(newest.taken_at);
  const consider = (instanceId: string, taskId: string | null, status: string | null, failing: boolean) => {
    const key = failingKey(instanceId, taskId);
    const list = withoutBaseline(byKey.get(key) ?? []);
    const e = emptyEntry(instanceId, taskId);
    e.changes_at = list.filter((c) => c.kind === 'status_changed' && at - Date.parse(c.detected_at) < config.flapWindowMs).map((c) => c.detected_at);
    const lastFlap = lastIndex(list, (c) => c.kind === 'flapping');
    if (lastFlap >= 0 && lastFlap > lastIndex(list, (c) => c.kind === 'flapping_ended')) e.flapping_since = list[lastFlap]!.detected_at;
    if (failing) e.failure = failureOf(list, status, releasedAt, chronological[0]!.taken_at, newest.taken_at, e.flapping_since !== null);
    if (entryInUse(e)) entries[key] = e;
  };
  for (const instance of newest.instances) {
    consider(instance.instance_id, null, null, !instance.ok);
    for (const t of instance.tasks) consider(instance.instance_id, t.id, t.status, isFailingStatus(t.status));
  }
  return { entries: Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

/** A `task_added` beside a first-seen `still_failing` is the baseline (not sent; not the failure's change). */
function withoutBaseline(list: readonly Held[]): Held[] {
  const firstSeen = new Set(list.filter((c) => c.kind === 'still_failing' && c.since === c.detected_at).map((c) => c.snapshot_id));
  return list.filter((c) => !(c.kind === 'task_added' && firstSeen.has(c.snapshot_id)));
}

/** The change that began a failure: into a failing status, unreachable, or a first-seen still_failing. */
function isStart(c: Held): boolean {
  if (c.kind === 'status_changed') return c.to !== null && isFailingStatus(c.to) && (c.from === null || !isFailingStatus(c.from));
  if (c.kind === 'task_added') return c.to !== null && isFailingStatus(c.to);
  if (c.kind === 'still_failing') return c.since === c.detected_at;
  return c.kind === 'instance_unreachable';
}

function failureOf(list: readonly Held[], status: string | null, releasedAt: ReadonlyMap<string, string>, oldest: string, newest: string, flapping: boolean): AlertEntry['failure'] {
  const start = lastIndex(list, isStart);
  if (start < 0) {
    // Begun before the objects given: it was told then (or never will be resent), so count it as sent.
    const told = list.filter((c) => NOTIFYING.has(c.kind) && c.held === undefined).at(-1);
    const since = list.filter((c) => c.kind === 'still_failing').at(-1)?.since ?? oldest;
    return { since, status, sent: true, notified_at: told?.detected_at ?? newest, held: [] };
  }
  let sent = false;
  let notifiedAt: string | null = null;
  const held: AlertChange[] = [];
  for (const c of list.slice(start)) {
    if (!NOTIFYING.has(c.kind)) continue;
    const when = c.held === undefined ? c.detected_at : releasedAt.get(c.id);
    if (when !== undefined) {
      sent = true;
      if (notifiedAt === null || when > notifiedAt) notifiedAt = when;
    } else if (c.held === 'pending') {
      const { held: _held, ...change } = c;
      held.push(change);
    }
  }
  const first = list[start]!;
  return { since: first.since ?? first.detected_at, status, sent, notified_at: notifiedAt, held: sent || flapping ? [] : held };
}

function lastIndex<T>(list: readonly T[], test: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i;
  return -1;
}
