import type { Change, Severity } from '../alerting/change';
import { kindContext, kindTexts } from '../alerting/change-kinds';

const EN = kindTexts('en');

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

/** What a change did, in English, as the audit and the demo print it (the table of kinds, change-kinds.ts). */
export function changeSummary(c: Change): string {
  return EN[c.kind](c.from ?? '?', c.to ?? '?', (c.fields ?? []).join(', '), kindContext(c, 'UTC'));
}
