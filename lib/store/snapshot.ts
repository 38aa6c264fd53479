import * as z from 'zod';
import { Change } from '../alerting/change';

export const SNAPSHOT_SCHEMA = 'smart-connect-watch/snapshot/v1';

/** A Smart Connect task as the API returned it: `id` and `status` are required, every other field is kept as is. */
export const Task = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  task_name: z.string().nullish(),
  source_type: z.string().nullish(),
  sink_type: z.string().nullish(),
});
export type Task = z.infer<typeof Task>;

/**
 * A list validated in place, item by item, in one check: zod's object schemas return copies, and a
 * stored snapshot holds tens of thousands of tasks and changes. The value kept is the parsed JSON itself.
 */
function inPlaceList<T>(check: (v: unknown) => boolean, what: string) {
  return z.custom<T[]>((v) => Array.isArray(v) && v.every(check), {
    error: (issue) => (Array.isArray(issue.input) ? `item ${issue.input.findIndex((x) => !check(x))} is not a valid ${what}` : `expected a list, each item a ${what}`),
  });
}
/** `Task` as a plain check: a state.json holds tens of thousands of them, and zod's check costs a copy each. */
function isTask(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const t = v as Record<string, unknown>;
  const text = (x: unknown) => x === undefined || x === null || typeof x === 'string';
  return typeof t.id === 'string' && t.id.length > 0 && typeof t.status === 'string' && text(t.task_name) && text(t.source_type) && text(t.sink_type);
}
/** A list of `Task`, validated in place: for listed pages and stored snapshots. */
export const TasksInPlace = inPlaceList<Task>(isTask, 'task (an object with a string id and status)');

/** Gives the object to hold for a stored task: e.g. an equal task already held, so the stored copy is garbage. */
export type TaskIntern = (instanceId: string, task: Task) => Task;

/** `instance` (a stored instance snapshot, not yet checked) with each of its tasks passed through `intern`. */
export function internTasks(instance: unknown, intern: TaskIntern): unknown {
  const i = instance as { instance_id?: unknown; tasks?: unknown } | null;
  if (typeof i?.instance_id !== 'string' || !Array.isArray(i.tasks)) return instance;
  const id = i.instance_id;
  i.tasks = i.tasks.map((t: unknown) => (isTask(t) ? intern(id, t as Task) : t));
  return instance;
}
const StoredChanges = inPlaceList<Change>((v) => Change.safeParse(v).success, 'change (DESIGN.md §4)');

export const InstanceSnapshot = z.object({
  instance_id: z.string(),
  name: z.string().nullable(),
  region: z.string(),
  project_id: z.string(),
  ok: z.boolean(),
  error: z.string().nullable(),
  total_number: z.number().int().nullable(),
  max_tasks: z.number().int().nullable(),
  quota_tasks: z.number().int().nullable(),
  tasks: TasksInPlace,
  /** The glob of the discover entry that found the instance (DESIGN.md §9); absent for a configured id. */
  discovered_by: z.string().optional(),
});
export type InstanceSnapshot = z.infer<typeof InstanceSnapshot>;

export const HistoryLink = z.object({ id: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export type HistoryLink = z.infer<typeof HistoryLink>;

/** A message that was never delivered before OUTBOX_MAX_AGE: kept on record in the history. */
export const ExpiredMessage = z.object({
  id: z.string(),
  snapshot_id: z.string(),
  channel: z.string(),
  created_at: z.string(),
  last_error: z.string().nullable(),
  change_ids: z.array(z.string()),
});
export type ExpiredMessage = z.infer<typeof ExpiredMessage>;

/** A change of a history object, by id and the object whose `changes` hold it. */
export const ChangeRef = z.object({ id: z.string(), snapshot_id: z.string() });
export type ChangeRef = z.infer<typeof ChangeRef>;

/**
 * A message of an earlier history object not known to be delivered when this object was written: its
 * id (the `webhook-id`), the object whose changes it carries, and the channels it was pending on.
 */
export const UndeliveredMessage = z.object({
  id: z.string(),
  snapshot_id: z.string(),
  pending: z.array(z.string()),
  /** A message released after quiet hours (DESIGN.md §11): its changes, in order (its id derives from them and the channel). */
  quiet_release: z.array(ChangeRef).optional(),
});
export type UndeliveredMessage = z.infer<typeof UndeliveredMessage>;

/** DESIGN.md §6: a history object; `state.json` keeps the newest one as its `snapshot`. */
export const Snapshot = z.object({
  schema: z.literal(SNAPSHOT_SCHEMA),
  id: z.string(),
  taken_at: z.string(),
  previous: HistoryLink.nullable(),
  instances: z.array(InstanceSnapshot),
  changes: StoredChanges,
  expired: z.array(ExpiredMessage).optional(),
  /** The other heads of a fork this object heals (DESIGN.md §6); absent when there was none. */
  merged: z.array(HistoryLink).optional(),
  /** Messages of earlier objects still undelivered when this one was written (absent in objects of older versions). */
  undelivered: z.array(UndeliveredMessage).optional(),
  /** Changes recorded held by earlier objects and sent by this object's run, as recorded (DESIGN.md §10; README "Design notes"). */
  released: StoredChanges.optional(),
  /** Per channel key: the changes held for its quiet hours after this object's run (DESIGN.md §11), in order; absent when none. */
  quiet_held: z.record(z.string(), z.array(ChangeRef)).optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/**
 * The snapshot state.json carries (the newest history object). The run never reads its changes, it
 * only writes them back: they are checked as objects with a string id and kind, not field by field
 * (a full check of the thousands a baseline makes costs ~20 ms a run). History objects get the full check.
 */
export const CarriedSnapshot = Snapshot.extend({
  changes: inPlaceList<Change>((v) => typeof v === 'object' && v !== null && typeof (v as Change).id === 'string' && typeof (v as Change).kind === 'string', 'change (an object with a string id and kind)'),
});

/** Snapshot ids live in snapshot-id.ts; re-exported for the modules that take them with the snapshot schema. */
export { historyKey, nextSnapshotId, snapshotIdAt } from './snapshot-id';
