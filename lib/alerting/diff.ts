import { canonicalJson } from '../store/canonical-json';
import type { Change, ChangeKind } from './change';
import { severityOf } from './change-kinds';
import { sha256Hex } from '../store/hash';
import type { InstanceSnapshot, Task } from '../store/snapshot';

export interface DiffInput {
  /** The previous snapshot's instances; `null` on the first run. */
  previous: readonly InstanceSnapshot[] | null;
  next: readonly InstanceSnapshot[];
  snapshotId: string;
  detectedAt: string;
}

/** DESIGN.md §4's severity rules are in the table of kinds; this one is re-exported where its tests find it. */
export { statusSeverity } from './change-kinds';

/**
 * The changes between two snapshots, sorted by instance, task, kind. Pure: no I/O, no clock.
 * An instance that failed to list yields only `instance_unreachable` (never removed tasks); an
 * instance that appears or leaves yields `instance_added` / `instance_removed` (DESIGN.md §9).
 */
export function diffSnapshots(input: DiffInput): Change[] {
  const prevById = new Map((input.previous ?? []).map((i) => [i.instance_id, i]));
  const changes: Change[] = [];
  const nextIds = new Set(input.next.map((i) => i.instance_id));
  for (const next of input.next) {
    const prev = prevById.get(next.instance_id);
    const make = changeFactory(input, next);
    // §9: a newly watched instance, after the first run; its tasks follow as task_added (a baseline).
    if (!prev && input.previous !== null) changes.push(make('instance_added', null));
    if (!next.ok) {
      if (!prev || prev.ok) changes.push(make('instance_unreachable', null));
      continue;
    }
    if (prev && !prev.ok) changes.push(make('instance_recovered', null));
    changes.push(...diffTasks(prev?.tasks ?? [], next.tasks, make));
  }
  // §9: an instance no longer watched leaves with one change, its task count as `from`, never a task_removed each.
  for (const prev of input.previous ?? []) {
    if (!nextIds.has(prev.instance_id)) changes.push(changeFactory(input, prev)('instance_removed', null, { from: String(prev.tasks.length) }));
  }
  return changes.sort(compareChanges);
}

type Detail = { from?: string | null; to?: string | null; fields?: string[] | null };
type Make = (kind: ChangeKind, task: Task | null, detail?: Detail) => Change;

function diffTasks(prevTasks: readonly Task[], nextTasks: readonly Task[], make: Make): Change[] {
  const out: Change[] = [];
  const prevById = new Map(prevTasks.map((t) => [t.id, t]));
  const nextIds = new Set(nextTasks.map((t) => t.id));
  for (const task of nextTasks) {
    const before = prevById.get(task.id);
    if (!before) {
      out.push(make('task_added', task, { to: task.status }));
      continue;
    }
    if (before === task) continue; // the listing reuses unchanged tasks (listing.ts)
    if (before.status !== task.status) {
      out.push(make('status_changed', task, { from: before.status, to: task.status }));
    }
    const fields = changedPaths(withoutStatus(before), withoutStatus(task));
    if (fields.length > 0) out.push(make('config_changed', task, { fields }));
  }
  for (const task of prevTasks) {
    if (!nextIds.has(task.id)) out.push(make('task_removed', task, { from: task.status }));
  }
  return out;
}

function changeFactory(input: Pick<DiffInput, 'snapshotId' | 'detectedAt'>, instance: InstanceSnapshot | null): Make {
  return (kind, task, detail = {}) => {
    const from = detail.from ?? null;
    const to = detail.to ?? null;
    return {
      id: changeId([kind, instance?.instance_id ?? '', task?.id ?? '', from ?? '', to ?? '', input.snapshotId]),
      kind,
      severity: severityOf(kind, from, to),
      instance_id: instance?.instance_id ?? null,
      instance_name: instance?.name ?? null,
      task_id: task?.id ?? null,
      task_name: task?.task_name ?? null,
      from,
      to,
      fields: detail.fields ?? null,
      snapshot_id: input.snapshotId,
      detected_at: input.detectedAt,
    };
  };
}

/** DESIGN.md §4: `state_reset`, recorded when state.json was unreadable and was quarantined. */
export function stateResetChange(snapshotId: string, detectedAt: string): Change {
  return changeFactory({ snapshotId, detectedAt }, null)('state_reset', null);
}

/** Stable: the same change in the same snapshot always gets the same id. */
export function changeId(parts: readonly string[]): string {
  return sha256Hex(parts.join('\n')).slice(0, 32);
}

export function compareChanges(a: Change, b: Change): number {
  return (
    cmp(a.instance_id ?? '', b.instance_id ?? '') ||
    cmp(a.task_id ?? '', b.task_id ?? '') ||
    cmp(a.kind, b.kind)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function withoutStatus(task: Task): Record<string, unknown> {
  const { status: _status, ...rest } = task;
  return rest;
}

/** Dotted paths of the leaves that differ; arrays compare as whole values. */
export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return canonicalJson(a) === canonicalJson(b) ? [] : [prefix];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
