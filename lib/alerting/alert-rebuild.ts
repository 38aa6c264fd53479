import { type AlertChange, AlertChange as AlertChangeSchema, type AlertEntry, type AlertState, emptyEntry, entryInUse } from './alert-state';
import type { Change } from './change';
import { failingKey } from '../store/run-record';
import { isFailingStatus } from './change-kinds';
import { notifiesFailure } from './lifecycle-silence';
import type { InstanceSnapshot } from '../store/snapshot';

/** What the rebuild reads of a history object (DESIGN.md §6), with each change's `held` (§10). */
export interface HistoryView {
  taken_at: string;
  /** The link to the object before; `null` on the chain's first object (then the history given is complete). */
  previous: unknown;
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
      if (raw.kind === 'task_added' && (raw.to === null || !isFailingStatus(raw.to))) continue; // a baseline's thousands
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
  const complete = chronological[0]!.previous === null;
  const consider = (instanceId: string, taskId: string | null, status: string | null, failing: boolean) => {
    const key = failingKey(instanceId, taskId);
    const list = withoutBaseline(byKey.get(key) ?? []);
    const e = emptyEntry(instanceId, taskId);
    e.changes_at = list.filter((c) => c.kind === 'status_changed' && at - Date.parse(c.detected_at) < config.flapWindowMs).map((c) => c.detected_at);
    const lastFlap = lastIndex(list, (c) => c.kind === 'flapping');
    if (lastFlap >= 0 && lastFlap > lastIndex(list, (c) => c.kind === 'flapping_ended')) e.flapping_since = list[lastFlap]!.detected_at;
    if (failing) e.failure = failureOf(list, status, { releasedAt, complete, oldest: chronological[0]!.taken_at, newest: newest.taken_at }, e.flapping_since !== null);
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

/** The index of the change that began the current failure, walking the list as the lifecycle did; -1 if none. */
function failureStart(list: readonly Held[]): number {
  let start = -1;
  list.forEach((c, i) => {
    const into = c.kind === 'instance_unreachable' || (c.kind === 'still_failing' && c.since === c.detected_at) || (c.to !== null && isFailingStatus(c.to) && (c.kind === 'status_changed' || c.kind === 'task_added'));
    const out = c.kind === 'instance_recovered' || (c.to !== null && !isFailingStatus(c.to) && (c.kind === 'status_changed' || c.kind === 'flapping_ended'));
    if (into && start < 0) start = i;
    if (out) start = -1;
  });
  return start;
}

interface Span {
  releasedAt: ReadonlyMap<string, string>;
  /** Whether the objects go back to the chain's first. */
  complete: boolean;
  oldest: string;
  newest: string;
}

function failureOf(list: readonly Held[], status: string | null, span: Span, flapping: boolean): AlertEntry['failure'] {
  const { releasedAt, oldest, newest } = span;
  const start = failureStart(list);
  // With the whole chain, a failure with no start was never on record (a task of an instance unreachable
  // since it was first watched): the lifecycle will see it first. Otherwise it began before the objects
  // given and was told then: count it as sent, so that nothing is sent twice.
  if (start < 0 && span.complete) return null;
  if (start < 0) {
    const told = list.filter((c) => NOTIFYING.has(c.kind) && c.held === undefined).at(-1);
    const since = list.filter((c) => c.kind === 'still_failing').at(-1)?.since ?? oldest;
    return { since, status, sent: true, notified_at: told?.detected_at ?? newest, held: [] };
  }
  let sent = false;
  let notifiedAt: string | null = null;
  // DESIGN.md §11: a notification a silence held leaves the failure told to nobody until one is sent.
  let silencedBy: string[] | undefined;
  const held: AlertChange[] = [];
  for (const c of list.slice(start)) {
    if (!NOTIFYING.has(c.kind)) continue;
    const when = c.held === undefined ? c.detected_at : releasedAt.get(c.id);
    if (when !== undefined) {
      sent = true;
      silencedBy = undefined;
      if (notifiedAt === null || when > notifiedAt) notifiedAt = when;
    } else if (c.held === 'silenced' && notifiesFailure(c)) {
      sent = true;
      silencedBy = c.silenced_by ?? [];
      if (notifiedAt === null || c.detected_at > notifiedAt) notifiedAt = c.detected_at;
    } else if (c.held === 'pending') {
      const { held: _held, ...change } = c;
      held.push(change);
    }
  }
  const first = list[start]!;
  return { since: first.since ?? first.detected_at, status, sent, notified_at: notifiedAt, held: sent || flapping ? [] : held, ...(silencedBy?.length ? { silenced_by: silencedBy } : {}) };
}

function lastIndex<T>(list: readonly T[], test: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i;
  return -1;
}
