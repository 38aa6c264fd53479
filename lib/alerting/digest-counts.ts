import * as z from 'zod';
import type { Change } from './change';

/**
 * The last 24 hours of changes by kind, for the daily digest (DESIGN.md §12), kept in `state.json`
 * so that a run reads nothing more than `state.json`: hourly buckets
 * `{"2026-12-02T07": {"status_changed": 3, "expired_messages": 1}}` (UTC hour), the last 24 kept.
 * The digest's "last 24 h" is therefore the current hour and the 23 before it.
 */
export const RecentCounts = z.record(z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/), z.record(z.string().min(1), z.number().int().nonnegative()));
export type RecentCounts = z.infer<typeof RecentCounts>;

/** The pseudo-kind counting messages that expired undelivered. */
export const EXPIRED_MESSAGES = 'expired_messages';
const HOUR_MS = 3_600_000;
const HOURS = 24;

function hourKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

/** `previous` with this run's changes and expired messages added to the current hour, buckets older than 24 h dropped. */
export function nextRecentCounts(previous: RecentCounts | undefined, nowMs: number, changes: readonly Pick<Change, 'kind'>[], expired: number): RecentCounts {
  const oldest = hourKey(nowMs - (HOURS - 1) * HOUR_MS);
  const next: RecentCounts = {};
  for (const [hour, counts] of Object.entries(previous ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) if (hour >= oldest) next[hour] = { ...counts };
  const add = (kind: string, n: number) => {
    if (n <= 0) return;
    const bucket = (next[hourKey(nowMs)] ??= {});
    bucket[kind] = (bucket[kind] ?? 0) + n;
  };
  for (const c of changes) add(c.kind, 1);
  add(EXPIRED_MESSAGES, expired);
  return next;
}

/** The totals by kind over the buckets (the caller passes counts already trimmed to 24 h). */
export function sumRecent(counts: RecentCounts): Record<string, number> {
  const total: Record<string, number> = {};
  for (const bucket of Object.values(counts)) for (const [kind, n] of Object.entries(bucket)) total[kind] = (total[kind] ?? 0) + n;
  return total;
}
