import * as z from 'zod';
import { KIND_NAMES, PRODUCED_KINDS } from './change-kinds';

/** The kinds of DESIGN.md §4 (their table is change-kinds.ts): every one is a valid change. */
export const ChangeKind = z.enum(KIND_NAMES);
export type ChangeKind = z.infer<typeof ChangeKind>;
/** The kinds a run makes yet: those a user can name (NOTIFY_ON, a channel's `events`, `--kind`). */
export const CHANGE_KINDS = PRODUCED_KINDS;
export const ProducedKind = z.enum(CHANGE_KINDS);

/** Ordered from least to most severe. */
export const SEVERITIES = ['info', 'resolved', 'warning', 'critical'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

/** DESIGN.md §4: one change, as sent to webhooks and kept in history. */
export const Change = z.object({
  id: z.string(),
  kind: ChangeKind,
  severity: Severity,
  instance_id: z.string().nullable(),
  instance_name: z.string().nullable(),
  task_id: z.string().nullable(),
  task_name: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  fields: z.array(z.string()).nullable(),
  snapshot_id: z.string(),
  detected_at: z.string(),
  /** `still_failing`: when the failure began (ISO time). */
  since: z.string().optional(),
  /** `flapping`: how many status changes the window held. */
  flap_count: z.number().int().positive().optional(),
  /** History objects only: why the change was not sent (yet), and the silences that held it (DESIGN.md §10–§11). */
  held: z.enum(['pending', 'flapping', 'silenced']).optional(),
  silenced_by: z.array(z.string()).optional(),
});
export type Change = z.infer<typeof Change>;

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
