import * as z from 'zod';
import { Change } from '../alerting/change';
import { DigestBody, DigestDays } from '../alerting/digest';
import { RecentCounts } from '../alerting/digest-counts';
import { QuietHolds } from '../alerting/quiet-hold';
import { FailingSince, LastRun } from './run-record';
import { CarriedSnapshot } from './snapshot';

export const STATE_SCHEMA = 'smart-connect-watch/state/v1';

/** One message waiting for delivery; `pending` names the channels that have not accepted it yet. */
export const OutboxEntry = z.object({
  id: z.string(),
  snapshot_id: z.string(),
  taken_at: z.string(),
  created_at: z.string(),
  changes: z.array(Change),
  task_types: z.record(z.string(), z.object({ source_type: z.string().nullable(), sink_type: z.string().nullable() })).optional(),
  pending: z.array(z.string()),
  attempts: z.number().int().nonnegative(),
  last_error: z.string().nullable(),
  /** Per channel key: the parts of a message sent in several requests already delivered there (DESIGN.md §5). */
  parts_delivered: z.record(z.string(), z.array(z.string())).optional(),
  /** A daily digest (DESIGN.md §12) instead of changes (then empty), pending on one channel. */
  digest: DigestBody.optional(),
  /** Per channel key: the changes held for its quiet hours (DESIGN.md §11), not sent there with this message. */
  quiet_held: z.record(z.string(), z.array(z.string())).optional(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

export const LastHistory = z.object({ id: z.string(), key: z.string(), sha256: z.string() });
export type LastHistory = z.infer<typeof LastHistory>;

/** DESIGN.md §6: `state.json`. */
export const State = z.object({
  schema: z.literal(STATE_SCHEMA),
  snapshot: CarriedSnapshot,
  last_history: LastHistory.nullable(),
  checked_at: z.string(),
  outbox: z.array(OutboxEntry),
  /** For `status` (DESIGN.md §12); absent in a state.json written before it existed. */
  failing_since: FailingSince.optional(),
  last_run: LastRun.optional(),
  /** The daily digest (DESIGN.md §12): the local day of each channel's last digest queued, and the last 24 h of changes by kind. */
  digests: DigestDays.optional(),
  recent_changes: RecentCounts.optional(),
  /** Per channel key: the changes held for quiet hours (DESIGN.md §11); absent when none is held. */
  quiet_hours: QuietHolds.optional(),
  /**
   * The alert state (DESIGN.md §10, `lib/alerting/alert-state.ts`), validated on its own by
   * `readAlertState`: an invalid one is rebuilt from the history, never a reason to quarantine state.json.
   */
  alerts: z.unknown().optional(),
});
export type State = z.infer<typeof State>;
