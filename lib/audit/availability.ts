import { isFailingStatus } from '../alerting/change-kinds';

/**
 * Availability (DESIGN.md §13): per task, how long it ran, failed, was paused or unknown over a range, and its
 * incidents, from a sequence of history objects. Pure: no I/O, no clock. The history is fed one object at a time
 * (oldest first), so that a month of objects never needs to be held at once; only the snapshot in force is kept.
 */

/** The fields of a stored snapshot the computation reads (a parsed history object has them all). */
export interface AvailabilitySnapshot {
  id: string;
  previous: { id: string } | null;
  instances: readonly {
    instance_id: string;
    name: string | null;
    ok: boolean;
    tasks: readonly { id: string; status: string; task_name?: string | null | undefined }[];
  }[];
}

/** One history object, at the time its id names: read and parsed, or at a history key but unusable (a gap). */
export type HistoryItem = { kind: 'snapshot'; at: number; snapshot: AvailabilitySnapshot } | { kind: 'unreadable'; at: number; id: string };

export type StatusClass = 'running' | 'failing' | 'paused';

/** DESIGN.md §4: failing is any status but RUNNING and PAUSED. */
export function classify(status: string): StatusClass {
  return isFailingStatus(status) ? 'failing' : status === 'PAUSED' ? 'paused' : 'running';
}

export interface Incident {
  instance_id: string;
  task_id: string;
  /** Entry into failing (ms); the range start when the task was already failing then (`before_range`). */
  start: number;
  /** The task was next seen RUNNING or PAUSED; null while it has not recovered within the range. */
  end: number | null;
  /** end − start; for one that has not ended, up to the last moment it was seen failing. */
  duration_ms: number;
  /** The status before it (null when not known: at the range start or after an unknown stretch). */
  from: string | null;
  to: string;
  before_range: boolean;
}

export interface TaskAvailability {
  instance_id: string;
  instance_name: string | null;
  task_id: string;
  task_name: string | null;
  running_ms: number;
  failing_ms: number;
  paused_ms: number;
  /** Instance unreachable, a gap in the history, or the task not in the snapshot (not yet created, or removed). */
  unknown_ms: number;
  incidents: Incident[];
  /** Known stretches, oldest first, adjacent ones of one class merged; the time between them is unknown. */
  stretches: Stretch[];
  /** Its status in the snapshot in force at the end (null when the task is not in it). */
  status: string | null;
  /** False when its instance could not be listed at the end (the status is the last one listed). */
  reachable: boolean;
}

export interface Stretch {
  start: number;
  end: number;
  cls: StatusClass;
}

/** A stretch the history cannot account for: an object between `after` and `before` is missing or unreadable. */
export interface Gap {
  from: number;
  to: number;
  after: string | null;
  before: string | null;
  missing: string[];
}

export interface AvailabilityResult {
  since: number;
  end: number;
  tasks: TaskAvailability[];
  gaps: Gap[];
}

interface Track extends TaskAvailability {
  open: Incident | null;
  lastFailingEnd: number;
  /** The status of the last stretch it was seen in, and that stretch's end (to tell whether an unknown one came between). */
  lastStatus: string | null;
  lastSeenEnd: number;
}

/**
 * Folds history objects into availability over `[since, end)`. Feed the object in force at `since` (the last one
 * before it) first, when there is one, then the objects in the range, oldest first, then the first one after the
 * range when there is one (only its link is read).
 *
 * Between two objects a task keeps the status of the earlier one (every change is recorded). When an object's
 * `previous` names one that was not read (missing, unreadable), the stretch from the object before it is unknown:
 * what changed in between and when is lost. Change fields (`held`, `silenced_by`) are never read: a silence
 * mutes people, not facts.
 */
export function createAvailability(since: number, end: number) {
  const tracks = new Map<string, Track>();
  const okIds = new Set<string>();
  const gaps: Gap[] = [];
  let inForce: { snapshot: AvailabilitySnapshot; from: number } | undefined;
  /** Unreadable objects since the one in force (or since the start). */
  let doubt: { from: number; ids: string[] } | undefined;
  let lastAt = -Infinity;
  let ended = false;
  /** How the stretch up to the end was settled by an object after it. */
  let closed: 'held' | 'gap' | undefined;

  const track = (instance: AvailabilitySnapshot['instances'][number], task: AvailabilitySnapshot['instances'][number]['tasks'][number]): Track => {
    const key = `${instance.instance_id}\n${task.id}`;
    let t = tracks.get(key);
    if (!t) {
      t = { instance_id: instance.instance_id, instance_name: null, task_id: task.id, task_name: null, running_ms: 0, failing_ms: 0, paused_ms: 0, unknown_ms: 0, incidents: [], stretches: [], status: null, reachable: true, open: null, lastFailingEnd: 0, lastStatus: null, lastSeenEnd: -Infinity };
      tracks.set(key, t);
    }
    return t;
  };

  /** A stretch of the snapshot in force that is not known (a gap): its tasks are in the result, with the stretch unknown. */
  const touch = (snapshot: AvailabilitySnapshot) => {
    for (const instance of snapshot.instances) {
      for (const task of instance.tasks) {
        const t = track(instance, task);
        t.instance_name = instance.name;
        t.task_name = task.task_name ?? null;
        t.lastStatus = null;
      }
    }
  };

  /** The snapshot in force held over [a, b): every task in it gets that stretch. */
  const hold = (snapshot: AvailabilitySnapshot, from: number, to: number) => {
    const a = Math.max(from, since);
    const b = Math.min(to, end);
    if (b <= a) return;
    for (const instance of snapshot.instances) {
      for (const task of instance.tasks) {
        const t = track(instance, task);
        t.instance_name = instance.name;
        t.task_name = task.task_name ?? null;
        if (!instance.ok) {
          t.lastStatus = null; // unreachable: what it was in between is not known
          continue;
        }
        const cls = classify(task.status);
        const contiguous = t.lastSeenEnd === a;
        const last = t.stretches.at(-1);
        if (last && last.end === a && last.cls === cls) last.end = b;
        else t.stretches.push({ start: a, end: b, cls });
        if (cls === 'failing') {
          t.failing_ms += b - a;
          if (!t.open) {
            // Failing at the range start, held from an object before it: the incident began before the range.
            const before_range = from < since;
            t.open = { instance_id: t.instance_id, task_id: t.task_id, start: a, end: null, duration_ms: 0, from: contiguous ? t.lastStatus : null, to: task.status, before_range };
            t.incidents.push(t.open);
          }
          t.lastFailingEnd = b;
        } else {
          if (cls === 'running') t.running_ms += b - a;
          else t.paused_ms += b - a;
          if (t.open) {
            t.open.end = a;
            t.open.duration_ms = a - t.open.start;
            t.open = null;
          }
        }
        t.lastStatus = task.status;
        t.lastSeenEnd = b;
      }
    }
  };

  return {
    add(item: HistoryItem): void {
      if (item.at < lastAt) throw new Error(`history items out of order: ${item.at} after ${lastAt}`);
      lastAt = item.at;
      // The first object at or after the end still counts for its link: it tells whether one before it is lost.
      if (ended) return;
      ended = item.at >= end;
      if (item.kind === 'unreadable') {
        // Even the first one after the end: what it linked to is not known, so neither is the stretch before it.
        doubt ??= { from: inForce?.from ?? item.at, ids: [] };
        doubt.ids.push(item.id);
        return;
      }
      const s = item.snapshot;
      const link = s.previous;
      // A link to an object that was not read: the stretch since the object before is unknown.
      const broken = link !== null && !okIds.has(link.id);
      if (inForce && !broken) hold(inForce.snapshot, inForce.from, item.at);
      if (broken) {
        const from = inForce?.from ?? doubt?.from ?? -Infinity;
        const missing = [...new Set([...(doubt?.ids ?? []), link.id])];
        if (Math.min(item.at, end) > Math.max(from, since)) {
          gaps.push({ from: Math.max(from, since), to: Math.min(item.at, end), after: inForce?.snapshot.id ?? null, before: s.id, missing });
          if (inForce) touch(inForce.snapshot);
        }
      }
      doubt = undefined;
      okIds.add(s.id);
      if (ended) closed = broken ? 'gap' : 'held';
      else inForce = { snapshot: s, from: item.at };
    },

    finish(): AvailabilityResult {
      let endKnown = closed === 'held';
      if (closed === undefined && inForce && doubt) {
        // The newest objects are unreadable: from the last readable one on, nothing is known.
        if (end > Math.max(inForce.from, since)) {
          gaps.push({ from: Math.max(inForce.from, since), to: end, after: inForce.snapshot.id, before: null, missing: doubt.ids });
          touch(inForce.snapshot);
        }
      } else if (closed === undefined && inForce) {
        hold(inForce.snapshot, inForce.from, end);
        endKnown = true;
      }
      // The status at the end: as the snapshot in force has it; not reachable when its instance could not be listed or the end falls in a gap.
      const finalTasks = new Map<string, { status: string; ok: boolean }>();
      for (const i of inForce?.snapshot.instances ?? []) for (const t of i.tasks) finalTasks.set(`${i.instance_id}\n${t.id}`, { status: t.status, ok: i.ok && endKnown });
      const span = end - since;
      const tasks: TaskAvailability[] = [];
      for (const [key, t] of tracks) {
        if (t.open) t.open.duration_ms = t.lastFailingEnd - t.open.start;
        const last = finalTasks.get(key);
        const { open: _o, lastFailingEnd: _f, lastStatus: _s, lastSeenEnd: _e, ...rest } = t;
        tasks.push({ ...rest, unknown_ms: span - t.running_ms - t.failing_ms - t.paused_ms, status: last?.status ?? null, reachable: last?.ok ?? endKnown });
      }
      return { since, end, tasks, gaps };
    },
  };
}

/** The whole computation over a list of items (the streaming form is createAvailability). */
export function computeAvailability(items: readonly HistoryItem[], since: number, end: number): AvailabilityResult {
  const acc = createAvailability(since, end);
  for (const item of items) acc.add(item);
  return acc.finish();
}
