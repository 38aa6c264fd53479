import type { Change } from './change';
import type { Config } from '../config/config';
import type { Snapshot } from '../store/snapshot';

/**
 * The changes to send: those in NOTIFY_ON, less the tasks found on an instance never listed before
 * (first run, newly configured, or failing since its first run), which are a baseline, not news,
 * unless NOTIFY_FIRST_RUN.
 */
export function notifiable(changes: Change[], previous: Snapshot | null, config: Pick<Config, 'notifyOn' | 'notifyFirstRun'>): Change[] {
  const before = new Map((previous?.instances ?? []).map((i) => [i.instance_id, i]));
  const isBaseline = (id: string | null) => {
    const p = before.get(id ?? '');
    return !p || (!p.ok && p.total_number === null);
  };
  return changes.filter((c) => config.notifyOn.includes(c.kind) && !(c.kind === 'task_added' && !config.notifyFirstRun && isBaseline(c.instance_id)));
}
