import type { InstanceSnapshot, Snapshot, Task } from '../store/snapshot';
import { showInvisible } from '../visible-text';
import { type Style, alignRows, statusColour } from './style';
import { formatTimeline } from './timeline';
import { formatTime } from './time-range';

/**
 * One snapshot for a terminal: a heading, then per instance a line and a table of its tasks, then the
 * changes it recorded.
 */
export function formatSnapshot(s: Snapshot, style: Style): string[] {
  const tasks = s.instances.reduce((n, i) => n + i.tasks.length, 0);
  const previous = s.previous ? `${s.previous.id} (sha256 ${s.previous.sha256.slice(0, 12)}…)` : 'none (the first snapshot)';
  const lines = [
    `${style.bold(`snapshot ${s.id}`)}  taken ${formatTime(s.taken_at)} UTC`,
    `previous  ${previous}`,
    `${count(s.instances.length, 'instance')}, ${count(tasks, 'task')}, ${count(s.changes.length, 'change')}`,
  ];
  const byName = [...s.instances].sort((a, b) => compareText(a.name ?? a.instance_id, b.name ?? b.instance_id) || compareText(a.instance_id, b.instance_id));
  for (const instance of byName) lines.push('', ...formatInstance(instance, style));
  if (s.changes.length > 0) lines.push('', style.bold('changes'), ...formatTimeline(s.changes, style).map((l) => `  ${l}`));
  if (s.expired?.length) {
    lines.push('', style.bold('messages expired undelivered'));
    for (const e of s.expired) lines.push(`  ${e.id} to ${e.channel} (created ${formatTime(e.created_at)}): ${e.last_error ?? 'no error recorded'}`);
  }
  return lines;
}

function formatInstance(i: InstanceSnapshot, style: Style): string[] {
  const name = showInvisible(i.name ? `${i.name} (${i.instance_id})` : i.instance_id);
  const quota = i.max_tasks !== null ? ` (quota ${i.max_tasks})` : '';
  const health = i.ok ? style.green('ok') : style.red(`UNREACHABLE: ${showInvisible(i.error ?? 'listing failed')} (tasks as last listed)`);
  const found = i.discovered_by !== undefined ? `  ${style.dim(`discovered by ${showInvisible(i.discovered_by)}`)}` : '';
  const head = `${style.bold(name)}  ${i.region}  ${health}  ${count(i.tasks.length, 'task')}${quota}${found}`;
  if (i.tasks.length === 0) return [head];
  const sorted = [...i.tasks].sort((a, b) => compareText(a.task_name ?? a.id, b.task_name ?? b.id) || compareText(a.id, b.id));
  const rows = [['TASK', 'STATUS', 'SOURCE → SINK', 'ID'], ...sorted.map((t) => [t.task_name ?? '-', t.status, types(t), t.id])];
  const table = alignRows(rows, [
    (c, r) => (r === 0 ? style.dim(c) : c),
    (c, r) => (r === 0 ? style.dim(c) : statusColour(style, sorted[r - 1]!.status)(c)),
    (c, r) => (r === 0 ? style.dim(c) : c),
    style.dim,
  ]);
  return [head, ...table.map((l) => `  ${l}`)];
}

function types(t: Task): string {
  const side = (v: string | null | undefined) => (v && v !== 'NONE' ? v : '-');
  return `${side(t.source_type)} → ${side(t.sink_type)}`;
}

/** Names in a stable order: case-insensitively, then by code point to break ties. */
function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
