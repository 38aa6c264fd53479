import { describe, expect, it } from 'vitest';
import { humanAge, statusView } from '../lib/audit/status-view';
import { SNAPSHOT_SCHEMA } from '../lib/store/snapshot';
import { STATE_SCHEMA, type State, type OutboxEntry } from '../lib/store/state';

const NOW = new Date('2026-11-21T08:00:00.000Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();
const entry = (id: string, createdS: number, pending: string[], last_error: string | null): OutboxEntry => ({
  id, snapshot_id: 's', taken_at: ago(createdS), created_at: ago(createdS), changes: [], pending, attempts: 1, last_error,
});
const state = (checkedS: number, outbox: OutboxEntry[] = []): State => ({
  schema: STATE_SCHEMA,
  snapshot: { schema: SNAPSHOT_SCHEMA, id: '20261121T075500000Z', taken_at: ago(checkedS), previous: null, instances: [], changes: [] },
  last_history: null,
  checked_at: ago(checkedS),
  outbox,
});
const M15 = 15 * 60_000;

describe('status view', () => {
  it.each([
    ['checked exactly --max-age ago: still healthy', state(900), true],
    ['checked a second more: stale', state(901), false],
    ['a message pending exactly --max-age: healthy', state(10, [entry('m1', 900, ['a'], null)]), true],
    ['a message pending longer: unhealthy', state(10, [entry('m1', 901, ['a'], null)]), false],
  ])('%s', (_, s, healthy) => {
    expect(statusView({ kind: 'ok', state: s }, NOW, M15, 'obs://b/p/').view.healthy).toBe(healthy);
  });

  it('pending per channel: count, the oldest, the last error recorded', () => {
    const { view } = statusView({ kind: 'ok', state: state(10, [entry('m1', 600, ['b', 'a'], 'HTTP 500'), entry('m2', 300, ['a'], null), entry('m3', 60, ['a'], 'HTTP 429')]) }, NOW, M15, 'obs://b/p/');
    expect(view.pending).toEqual([
      { channel: 'a', messages: 3, oldest_created_at: ago(600), oldest_age_s: 600, last_error: 'HTTP 429' },
      { channel: 'b', messages: 1, oldest_created_at: ago(600), oldest_age_s: 600, last_error: 'HTTP 500' },
    ]);
  });

  it.each([
    [{ kind: 'missing' } as const, /^no state\.json in obs:\/\/b\/p\//],
    [{ kind: 'corrupt', reason: 'state.json is not valid JSON (x)' } as const, /^obs:\/\/b\/p\/state\.json is unusable: state\.json is not valid JSON/],
  ])('%j: unhealthy, every other field null', (read, problem) => {
    const { view, details } = statusView(read, NOW, M15, 'obs://b/p/');
    expect(details).toBeNull();
    expect(view).toEqual({ healthy: false, problems: [expect.stringMatching(problem)], checked_at: null, age_s: null, instances: null, tasks_by_status: null, failing: null, pending: null, silences: null });
  });

  it.each([[0, '0s'], [59, '59s'], [60, '1m'], [905, '15m 5s'], [3600, '1h'], [9000, '2h 30m'], [86_400 * 2 + 3600 * 4 + 5, '2d 4h']])('humanAge(%i) = %s', (s, text) => {
    expect(humanAge(s)).toBe(text);
  });
});
