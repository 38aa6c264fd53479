import { describe, expect, it } from 'vitest';
import type { Change } from '../lib/alerting/change';
import type { QuietHolds } from '../lib/alerting/quiet-hold';
import { formatStatus } from '../lib/audit/commands/status';
import { statusView } from '../lib/audit/status-view';
import { createStyle } from '../lib/audit/style';
import { runReport } from '../lib/run-report';
import { SNAPSHOT_SCHEMA } from '../lib/store/snapshot';
import { type OutboxEntry, STATE_SCHEMA, State } from '../lib/store/state';

// DESIGN.md §11–§12: what is held for quiet hours, in `status` and in the run report.

const NOW = new Date('2026-12-02T18:00:00.000Z'); // 02:00 in Shanghai
const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();
const M15 = 15 * 60_000;
const change = (id: string): Change => ({
  id, kind: 'status_changed', severity: 'warning', instance_id: 'i', instance_name: 'prod', task_id: id, task_name: id,
  from: 'RUNNING', to: 'PAUSED', fields: null, snapshot_id: 's', detected_at: ago(3 * 3600),
});
const hold = (n: number, sinceS: number, until: string): QuietHolds[string] => ({
  since: ago(sinceS), until, snapshot_id: 's', taken_at: ago(sinceS), changes: Array.from({ length: n }, (_, i) => change(`c${i}`)),
});
const entry = (id: string, createdS: number, pending: string[]): OutboxEntry => ({
  id, snapshot_id: 's', taken_at: ago(createdS), created_at: ago(createdS), changes: [], pending, attempts: 1, last_error: 'HTTP 503',
});
const state = (outbox: OutboxEntry[], quiet_hours?: QuietHolds): State => ({
  schema: STATE_SCHEMA,
  snapshot: { schema: SNAPSHOT_SCHEMA, id: 'S', taken_at: ago(10), previous: null, instances: [], changes: [] },
  last_history: null,
  checked_at: ago(10),
  outbox,
  ...(quiet_hours ? { quiet_hours } : {}),
});
const UNTIL = '2026-12-02T23:00:00.000Z'; // 07:00 in Shanghai

describe('status with changes held for quiet hours', () => {
  it('lists them per channel with when they go out; held for hours, still healthy', () => {
    const s = state([entry('m1', 60, ['a'])], { a: hold(2, 4 * 3600, UNTIL), b: hold(1, 3600, UNTIL) });
    const { view, details } = statusView({ kind: 'ok', state: s }, NOW, M15, 'obs://b/p/');
    expect(view.healthy).toBe(true);
    expect(view.pending).toEqual([
      { channel: 'a', messages: 1, oldest_created_at: ago(60), oldest_age_s: 60, last_error: 'HTTP 503', quiet_hours: { changes: 2, since: ago(4 * 3600), until: UNTIL } },
      { channel: 'b', messages: 0, oldest_created_at: null, oldest_age_s: null, last_error: null, quiet_hours: { changes: 1, since: ago(3600), until: UNTIL } },
    ]);
    const text = formatStatus(view, details, createStyle(false), NOW).join('\n');
    expect(text).toContain('pending     1, and 3 changes held for quiet hours');
    expect(text).toMatch(/QUIET HOURS/);
    expect(text).toContain('2 changes held since 2026-12-02 14:00:00 UTC, sent at the first run after 2026-12-02 23:00:00 UTC (in 5h)');
    expect(text).toMatch(/\n {2}b +0 +- +- +1 change held since 2026-12-02 17:00:00 UTC/);
  });

  it('a window already over says the next run', () => {
    const { view, details } = statusView({ kind: 'ok', state: state([], { a: hold(1, 600, ago(60)) }) }, NOW, M15, 'obs://b/p/');
    expect(formatStatus(view, details, createStyle(false), NOW).join('\n')).toContain('sent at the next run (the window is over)');
  });

  it('no quiet hours: the pending table and its keys as before', () => {
    const { view, details } = statusView({ kind: 'ok', state: state([entry('m1', 60, ['a'])]) }, NOW, M15, 'obs://b/p/');
    expect(Object.keys(view.pending![0]!)).toEqual(['channel', 'messages', 'oldest_created_at', 'oldest_age_s', 'last_error']);
    expect(formatStatus(view, details, createStyle(false), NOW).join('\n')).not.toContain('QUIET HOURS');
  });

  it('an old state.json without the new fields reads', () => {
    const old = JSON.parse(JSON.stringify(state([entry('m1', 60, ['a'])]))) as Record<string, unknown>;
    expect(State.safeParse(old).success).toBe(true);
    expect(State.parse(old).quiet_hours).toBeUndefined();
    expect(State.parse(old).outbox[0]!.quiet_held).toBeUndefined();
  });
});

describe('the run report', () => {
  const facts = { snapshotId: 'S', takenAt: ago(0), durationMs: 5, firstRun: false, stateReset: false, historyKey: null, instances: [], changes: [], held: [], delivered: 0, outbox: [], expired: 0, apiRequests: 1, notes: [] };
  it.each<[string, Record<string, number> | undefined, object]>([
    ['counts held changes by channel name', { oncall: 3, 'generic-0123456789ab': 1 }, { delivered: 0, pending: 0, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0, quiet_hours: { oncall: 3, 'generic-0123456789ab': 1 } }],
    ['leaves the field out when nothing is held', {}, { delivered: 0, pending: 0, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 }],
    ['… or not told', undefined, { delivered: 0, pending: 0, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 }],
  ])('%s', (_name, quietHours, messages) => {
    expect(runReport({ ...facts, ...(quietHours ? { quietHours } : {}) }).messages).toEqual(messages);
  });
});
