import type { HeldReason } from './alerting/alert-state';
import type { ChangeKind } from './alerting/change';

/** What the handler returns and the summary log line carries (DESIGN.md §7). */
export interface RunReport {
  snapshot_id: string;
  started_at: string;
  duration_ms: number;
  first_run: boolean;
  state_reset: boolean;
  history_key: string | null;
  instances: { total: number; ok: number; failed: number };
  tasks: number;
  changes: number;
  changes_by_kind: Partial<Record<ChangeKind, number>>;
  /**
   * Deliveries (message × channel) made, still pending, expired; this run's changes recorded but
   * not sent (DESIGN.md §10–§11), by why: `held`, and `silenced` (= `held.silenced`, as §11 names it);
   * `quiet_hours`: changes held for quiet hours, by channel name (§11), only when some are.
   */
  messages: { delivered: number; pending: number; expired: number; held: Record<HeldReason, number>; silenced: number; quiet_hours?: Record<string, number> };
  api_requests: number;
  anomalies: string[];
  errors: string[];
}
