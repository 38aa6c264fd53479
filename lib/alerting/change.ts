import * as z from 'zod';

export const CHANGE_KINDS = [
  'status_changed',
  'task_added',
  'task_removed',
  'config_changed',
  'instance_unreachable',
  'instance_recovered',
  'state_reset',
  'instance_added',
  'instance_removed',
] as const;
export const ChangeKind = z.enum(CHANGE_KINDS);
export type ChangeKind = z.infer<typeof ChangeKind>;

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
});
export type Change = z.infer<typeof Change>;

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
