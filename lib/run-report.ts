import type { Change } from './alerting/change';
import type { HeldChange } from './alerting/send-policy';
import type { RunReport } from './report';
import type { InstanceSnapshot } from './store/snapshot';
import type { OutboxEntry } from './store/state';

/** What the run's steps said, in the order of the steps: the report's `anomalies` and `errors`. */
export interface StepNotes {
  anomalies?: readonly string[];
  errors?: readonly string[];
}

export interface RunFacts {
  snapshotId: string;
  takenAt: string;
  durationMs: number;
  firstRun: boolean;
  stateReset: boolean;
  historyKey: string | null;
  instances: readonly InstanceSnapshot[];
  changes: readonly Change[];
  /** This run's changes recorded but not sent, and why (DESIGN.md §10–§11). */
  held: readonly HeldChange[];
  /** Message × channel deliveries that succeeded this run. */
  delivered: number;
  /** The outbox as it stands after the run: its pending deliveries are counted. */
  outbox: readonly OutboxEntry[];
  expired: number;
  /** Changes held for quiet hours after the run, by channel name (DESIGN.md §11); absent or empty when none. */
  quietHours?: Readonly<Record<string, number>>;
  apiRequests: number;
  notes: readonly (StepNotes | null)[];
}

/** The run report (DESIGN.md §7) from what the run did. Pure. */
export function runReport(f: RunFacts): RunReport {
  const byKind: RunReport['changes_by_kind'] = {};
  for (const c of f.changes) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  const failed = f.instances.filter((i) => !i.ok).length;
  const held = { pending: 0, flapping: 0, silenced: 0 };
  for (const h of f.held) held[h.held] += 1;
  return {
    snapshot_id: f.snapshotId,
    started_at: f.takenAt,
    duration_ms: f.durationMs,
    first_run: f.firstRun,
    state_reset: f.stateReset,
    history_key: f.historyKey,
    instances: { total: f.instances.length, ok: f.instances.length - failed, failed },
    tasks: f.instances.reduce((n, i) => n + i.tasks.length, 0),
    changes: f.changes.length,
    changes_by_kind: byKind,
    messages: {
      delivered: f.delivered,
      pending: f.outbox.reduce((n, e) => n + e.pending.length, 0),
      expired: f.expired,
      held,
      silenced: held.silenced,
      ...(f.quietHours && Object.keys(f.quietHours).length > 0 ? { quiet_hours: { ...f.quietHours } } : {}),
    },
    api_requests: f.apiRequests,
    anomalies: f.notes.flatMap((n) => n?.anomalies ?? []),
    errors: f.notes.flatMap((n) => n?.errors ?? []),
  };
}
