import type { AlertChange, AlertState } from '../../lib/alerting/alert-state';
import type { HistoryView } from '../../lib/alerting/alert-rebuild';
import { diffSnapshots } from '../../lib/alerting/diff';
import type { LifecycleConfig } from '../../lib/alerting/lifecycle-context';
import { type LifecycleResult, lifecycle } from '../../lib/alerting/lifecycle';
import { type InstanceSnapshot, snapshotIdAt } from '../../lib/store/snapshot';

/** Drives the pure lifecycle over runs the way the run will: the real diff, the alert state carried over. */

export const T0 = Date.parse('2026-11-21T07:00:00.000Z');
export const MIN = 60_000;

/** An instance snapshot; `tasks` maps task id to status; `ok: false` keeps the tasks, as a failed listing does. */
export function instance(id: string, tasks: Record<string, string>, ok = true): InstanceSnapshot {
  return {
    instance_id: id, name: `name-${id}`, region: 'cn-north-4', project_id: 'p', ok, error: ok ? null : 'HTTP 503', total_number: ok ? Object.keys(tasks).length : null,
    max_tasks: null, quota_tasks: null, tasks: Object.entries(tasks).sort(([a], [b]) => (a < b ? -1 : 1)).map(([tid, status]) => ({ id: tid, status, task_name: `task-${tid}` })),
  };
}

export interface Driver {
  /** One run at `at` (epoch ms) seeing `instances`. */
  run(at: number, instances: InstanceSnapshot[]): LifecycleResult;
  /** The history objects written so far, newest first, each change with its `held`, and `released`. */
  history: HistoryView[];
  alerts: AlertState | null;
}

/** `silenced`: the silence hook of DESIGN.md §11, asked at the run's time `at`. */
export function driver(config: LifecycleConfig, start?: { alerts: AlertState | null; instances: InstanceSnapshot[] | null }, silenced?: (c: AlertChange, at: number) => string[]): Driver {
  let previous: InstanceSnapshot[] | null = start?.instances ?? null;
  const d: Driver = {
    history: [],
    alerts: start?.alerts ?? null,
    run(at, instances) {
      const snapshotId = snapshotIdAt(new Date(at));
      const detectedAt = new Date(at).toISOString();
      const changes = diffSnapshots({ previous, next: instances, snapshotId, detectedAt });
      const newInstances = changes.filter((c) => c.kind === 'instance_added').map((c) => c.instance_id!);
      const result = lifecycle({ previous: d.alerts, changes, instances, snapshotId, nowMs: at, config, firstRun: previous === null, newInstances, ...(silenced ? { silenced: (c: AlertChange) => silenced(c, at) } : {}) });
      if (result.recorded.length > 0 || result.due.length > 0) {
        d.history.unshift({
          taken_at: detectedAt,
          previous: d.history[0] ? { id: snapshotIdAt(new Date(d.history[0].taken_at)), sha256: '0'.repeat(64) } : null,
          instances,
          changes: result.recorded.map((c) => (result.held[c.id] ? { ...c, held: result.held[c.id], ...(result.silencedBy[c.id] ? { silenced_by: result.silencedBy[c.id] } : {}) } : c)),
          released: result.due.map((c) => c.id),
        });
      }
      d.alerts = result.alerts;
      previous = instances;
      return result;
    },
  };
  return d;
}
