import type { Snapshot } from '../snapshot';
import { idTime } from './history-key';

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

const STEPS_MS = [3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000, 2 * 86_400_000, 7 * 86_400_000, 14 * 86_400_000, 30 * 86_400_000, 91 * 86_400_000, 365 * 86_400_000];

/** Axis ticks: a step from STEPS_MS giving at most `max` ticks, aligned to UTC midnight multiples. */
export function axisTicks(start: number, end: number, max = 8): { at: number; label: string }[] {
  const span = Math.max(1, end - start);
  const step = STEPS_MS.find((s) => span / s <= max) ?? span / max;
  const daily = step >= 86_400_000;
  const first = Math.ceil(start / step) * step;
  const ticks: { at: number; label: string }[] = [];
  for (let at = first; at <= end; at += step) {
    const iso = new Date(at).toISOString();
    ticks.push({ at, label: daily ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}` });
  }
  return ticks;
}
