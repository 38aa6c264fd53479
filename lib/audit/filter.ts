import type { Change, ChangeKind } from '../alerting/change';
import { type TimeRange, inRange } from './time-range';

export interface ChangeFilter extends Partial<TimeRange> {
  /** An instance's name or id. */
  instance?: string | undefined;
  /** A task's name or id. */
  task?: string | undefined;
  kind?: ChangeKind | undefined;
}

/** Whether a change passes the history filters; the time is its `detected_at`. */
export function matchesChange(c: Change, f: ChangeFilter): boolean {
  if (f.instance !== undefined && c.instance_id !== f.instance && c.instance_name !== f.instance) return false;
  if (f.task !== undefined && c.task_id !== f.task && c.task_name !== f.task) return false;
  if (f.kind !== undefined && c.kind !== f.kind) return false;
  if (f.since || f.until) {
    const t = new Date(c.detected_at);
    if (Number.isNaN(t.getTime()) || !inRange(t, { since: f.since, until: f.until })) return false;
  }
  return true;
}
