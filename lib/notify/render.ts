import type { Change, Severity } from '../alerting/change';

export const SEVERITY_MARK: Record<Severity, string> = {
  critical: '🔴',
  warning: '🟠',
  resolved: '🟢',
  info: '🔵',
};

/** `prod / smart-connect-1` (falls back to ids). */
export function subject(c: Change): string {
  const instance = c.instance_name ?? c.instance_id ?? 'watcher';
  const task = c.task_name ?? c.task_id;
  return task ? `${instance} / ${task}` : instance;
}

/** One readable line per change, e.g. `🟠 warning  prod / smart-connect-1: RUNNING → PAUSED`. */
export function changeLine(c: Change): string {
  return `${SEVERITY_MARK[c.severity]} ${c.severity.padEnd(8)} ${subject(c)}: ${changeSummary(c)}`;
}

export function changeSummary(c: Change): string {
  switch (c.kind) {
    case 'status_changed':
      return `${c.from} → ${c.to}`;
    case 'task_added':
      return `new task (${c.to})`;
    case 'task_removed':
      return `task removed (was ${c.from})`;
    case 'config_changed':
      return `configuration changed: ${(c.fields ?? []).join(', ')}`;
    case 'instance_unreachable':
      return 'instance unreachable: its tasks could not be listed';
    case 'instance_recovered':
      return 'instance reachable again';
    case 'state_reset':
      return 'state.json was unreadable and was quarantined; continuing from the history';
    case 'instance_added':
      return 'instance now watched: its tasks are a baseline';
    case 'instance_removed':
      return `instance no longer watched (it had ${c.from} tasks)`;
  }
}
