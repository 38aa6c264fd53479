import type { AvailabilityResult, Gap, Incident, TaskAvailability } from './availability';

/** DESIGN.md §13's figures, in seconds (millisecond precision), for a task or the fleet. */
interface Figures {
  running_s: number;
  failing_s: number;
  paused_s: number;
  unknown_s: number;
  /** running / (running + failing); null when both are 0. */
  availability: number | null;
  incidents: number;
  /** Mean length of the incidents that ended; null when none did. */
  mttr_s: number | null;
  longest_s: number | null;
}

/** One task's figures. */
export interface TaskFigures extends Figures {
  instance_id: string;
  instance_name: string | null;
  task_id: string;
  task_name: string | null;
  status: string | null;
}

/** The fleet line. */
export interface FleetFigures extends Figures {
  fleet: true;
  since: string;
  until: string;
  tasks: number;
  tasks_never_failing: number;
  /** Stretches the history cannot account for (missing or unreadable objects): counted as unknown. */
  gaps: { from: string; to: string; after: string | null; before: string | null; missing: string[] }[];
}

const s = (ms: number) => ms / 1000;
const ratio = (running: number, failing: number) => (running + failing === 0 ? null : running / (running + failing));
const mean = (xs: readonly number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
const max = (xs: readonly number[]) => (xs.length === 0 ? null : Math.max(...xs));

export function taskFigures(t: TaskAvailability): TaskFigures {
  const ended = t.incidents.filter((i) => i.end !== null).map((i) => i.duration_ms);
  const mttr = mean(ended);
  const longest = max(t.incidents.map((i) => i.duration_ms));
  return {
    instance_id: t.instance_id,
    instance_name: t.instance_name,
    task_id: t.task_id,
    task_name: t.task_name,
    running_s: s(t.running_ms),
    failing_s: s(t.failing_ms),
    paused_s: s(t.paused_ms),
    unknown_s: s(t.unknown_ms),
    availability: ratio(t.running_ms, t.failing_ms),
    incidents: t.incidents.length,
    mttr_s: mttr === null ? null : s(mttr),
    longest_s: longest === null ? null : s(longest),
    status: t.status,
  };
}

/** Worst first: lowest availability (none last), then most failing time, then by instance and task name. */
export function worstFirst(a: TaskAvailability, b: TaskAvailability): number {
  const av = ratio(a.running_ms, a.failing_ms);
  const bv = ratio(b.running_ms, b.failing_ms);
  if (av !== bv) {
    if (av === null) return 1;
    if (bv === null) return -1;
    return av - bv;
  }
  const name = (t: TaskAvailability) => `${t.instance_name ?? t.instance_id}\n${t.task_name ?? t.task_id}\n${t.task_id}`;
  return b.failing_ms - a.failing_ms || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
}

export function fleetFigures(result: Pick<AvailabilityResult, 'since' | 'end' | 'gaps'>, tasks: readonly TaskAvailability[]): FleetFigures {
  const sum = (f: (t: TaskAvailability) => number) => tasks.reduce((n, t) => n + f(t), 0);
  const incidents = tasks.flatMap((t) => t.incidents);
  const running = sum((t) => t.running_ms);
  const failing = sum((t) => t.failing_ms);
  const mttr = mean(incidents.filter((i) => i.end !== null).map((i) => i.duration_ms));
  const longest = max(incidents.map((i) => i.duration_ms));
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    fleet: true,
    since: iso(result.since),
    until: iso(result.end),
    tasks: tasks.length,
    tasks_never_failing: tasks.filter((t) => t.failing_ms === 0 && t.incidents.length === 0).length,
    running_s: s(running),
    failing_s: s(failing),
    paused_s: s(sum((t) => t.paused_ms)),
    unknown_s: s(sum((t) => t.unknown_ms)),
    availability: ratio(running, failing),
    incidents: incidents.length,
    mttr_s: mttr === null ? null : s(mttr),
    longest_s: longest === null ? null : s(longest),
    gaps: result.gaps.map((g: Gap) => ({ from: iso(g.from), to: iso(g.to), after: g.after, before: g.before, missing: g.missing })),
  };
}

/** Every incident of the tasks, newest first (the one still open at the top). */
export function incidentList(tasks: readonly TaskAvailability[]): (Incident & { instance_name: string | null; task_name: string | null })[] {
  return tasks
    .flatMap((t) => t.incidents.map((i) => ({ ...i, instance_name: t.instance_name, task_name: t.task_name })))
    .sort((a, b) => b.start - a.start || (a.task_id < b.task_id ? -1 : 1));
}
