import type { Snapshot } from '../store/snapshot';
import { idTime } from '../store/snapshot-id';

/** A stretch of time in which a task had one status; `reachable` is false while its instance could not be listed. */
export interface Band {
  start: number;
  end: number;
  status: string;
  reachable: boolean;
}

export interface TaskTimeline {
  instance_id: string;
  instance: string;
  task_id: string;
  task: string;
  bands: Band[];
}

/**
 * Status bands per task over `[start, end)` (epoch ms). Each snapshot holds from its time until the next
 * one (history objects are written only when something changed); a snapshot before `start` gives the
 * status at `start`. A task absent from a snapshot has no band there. Pure.
 */
export function buildTimelines(snapshots: readonly Snapshot[], start: number, end: number): TaskTimeline[] {
  const timed = snapshots
    .map((s) => ({ s, t: (idTime(s.id) ?? new Date(s.taken_at)).getTime() }))
    .filter(({ t }) => !Number.isNaN(t))
    .sort((a, b) => a.t - b.t);
  const byTask = new Map<string, TaskTimeline>();
  timed.forEach(({ s, t }, i) => {
    const from = Math.max(t, start);
    const to = Math.min(timed[i + 1]?.t ?? end, end);
    if (to <= from) return;
    for (const instance of s.instances) {
      for (const task of instance.tasks) {
        const key = `${instance.instance_id}\n${task.id}`;
        let line = byTask.get(key);
        if (!line) byTask.set(key, (line = { instance_id: instance.instance_id, instance: '', task_id: task.id, task: '', bands: [] }));
        line.instance = instance.name ?? instance.instance_id;
        line.task = task.task_name ?? task.id;
        const last = line.bands.at(-1);
        if (last && last.end === from && last.status === task.status && last.reachable === instance.ok) last.end = to;
        else line.bands.push({ start: from, end: to, status: task.status, reachable: instance.ok });
      }
    }
  });
  return [...byTask.values()].sort((a, b) => a.instance.localeCompare(b.instance) || a.task.localeCompare(b.task) || (a.task_id < b.task_id ? -1 : 1));
}

const S = 1_000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;
/** Steps below a month fall on UTC multiples of themselves; months, quarters and years on first days. */
const STEPS_MS = [S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S, MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, MONTH, 3 * MONTH, 6 * MONTH, YEAR];

/**
 * Axis ticks for any span from a second to decades: the smallest step of STEPS_MS giving at most `max`
 * ticks (then whole years), labelled as precisely as the step needs (`07:15:30`, `07:15`,
 * `11-21 07:00`, `2026-11-21`).
 */
export function axisTicks(start: number, end: number, max = 8): { at: number; label: string }[] {
  const span = Math.max(1, end - start);
  const step = STEPS_MS.find((s) => span / s <= max) ?? YEAR * Math.ceil(span / YEAR / max);
  const label = (at: number) => {
    const iso = new Date(at).toISOString();
    if (step >= DAY) return iso.slice(0, 10);
    if (step < MIN) return iso.slice(11, 19);
    // Within one UTC day the date says nothing.
    return span <= DAY && iso.slice(0, 10) === new Date(end).toISOString().slice(0, 10) && iso.slice(0, 10) === new Date(start).toISOString().slice(0, 10)
      ? iso.slice(11, 16)
      : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  };
  const ticks: { at: number; label: string }[] = [];
  if (step < MONTH) {
    for (let at = Math.ceil(start / step) * step; at <= end; at += step) ticks.push({ at, label: label(at) });
    return ticks;
  }
  const months = Math.round(step / MONTH) >= 12 ? 12 * Math.round(step / YEAR) : Math.round(step / MONTH);
  const s = new Date(start);
  const y = s.getUTCFullYear();
  let m = Math.ceil((s.getUTCMonth() + (s.getTime() > Date.UTC(y, s.getUTCMonth()) ? 1 : 0)) / months) * months;
  for (let at = Date.UTC(y, m); at <= end; m += months, at = Date.UTC(y, m)) ticks.push({ at, label: label(at) });
  return ticks;
}
