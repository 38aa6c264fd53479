import { describe, expect, it } from 'vitest';
import { InstanceSnapshot, Snapshot, Task, historyKey, nextSnapshotId, snapshotIdAt } from '../lib/store/snapshot';
import { State } from '../lib/store/state';
import fixture from './fixtures/list-connector-tasks.example.json';

describe('stored snapshots: lists checked in place', () => {
  const change = { id: 'c-1', kind: 'task_added', severity: 'info', instance_id: 'i-1', instance_name: null, task_id: 't-1', task_name: null, from: null, to: 'RUNNING', fields: null, snapshot_id: 's', detected_at: 'd' };
  const instance = { instance_id: 'i-1', name: null, region: 'r', project_id: 'p', ok: true, error: null, total_number: 2, max_tasks: null, quota_tasks: null, tasks: [{ id: 't-1', status: 'RUNNING' }, { id: 't-2', status: 'PAUSED' }] };
  const snapshot = (over: Record<string, unknown> = {}, tasks: unknown = instance.tasks) => ({ schema: 'smart-connect-watch/snapshot/v1', id: 's', taken_at: 't', previous: null, instances: [{ ...instance, tasks }], changes: [change], ...over });
  const state = (snap: unknown) => ({ schema: 'smart-connect-watch/state/v1', snapshot: snap, last_history: null, checked_at: 'c', outbox: [] });
  const { severity: _, ...noSeverity } = change;
  const issue = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => (r.success ? 'ok' : `${r.error?.issues[0]?.path.join('.')}: ${r.error?.issues[0]?.message}`);

  // state.json carries its snapshot's changes without reading them: checked as objects with an id and kind.
  it.each<[string, unknown, string, string]>([
    ['a valid snapshot', snapshot(), 'ok', 'ok'],
    ['a task without a status', snapshot({}, [{ id: 't-1', status: 'RUNNING' }, { id: 't-2' }]), 'snapshot.instances.0.tasks: item 1 is not a valid task (an object with a string id and status)', 'instances.0.tasks: item 1 is not a valid task (an object with a string id and status)'],
    ['tasks that are not a list', snapshot({}, { id: 't-1' }), 'snapshot.instances.0.tasks: expected a list, each item a task (an object with a string id and status)', 'instances.0.tasks: expected a list, each item a task (an object with a string id and status)'],
    ['a change without a severity', snapshot({ changes: [change, noSeverity] }), 'ok', 'changes: item 1 is not a valid change (DESIGN.md §4)'],
    ['a change without an id', snapshot({ changes: [{ ...change, id: 7 }] }), 'snapshot.changes: item 0 is not a valid change (an object with a string id and kind)', 'changes: item 0 is not a valid change (DESIGN.md §4)'],
  ])('%s: in state.json %s; as a history object %s', (_name, snap, inState, asHistory) => {
    expect(issue(State.safeParse(state(snap)))).toBe(inState);
    expect(issue(Snapshot.safeParse(snap))).toBe(asHistory);
  });

  it('keeps the parsed tasks and changes themselves (no copies)', () => {
    const snap = snapshot();
    const parsed = State.parse(state(snap));
    expect(parsed.snapshot.instances[0]?.tasks[1]).toBe(instance.tasks[1]);
    expect(parsed.snapshot.changes[0]).toBe(snap.changes[0]);
  });
});

describe('snapshot ids', () => {
  it.each([
    ['2026-11-21T07:15:00.123Z', '20261121T071500123Z'],
    ['2026-01-02T03:04:05.006Z', '20260102T030405006Z'],
    ['2026-12-31T23:59:59.999Z', '20261231T235959999Z'],
    ['2027-01-01T00:00:00.000Z', '20270101T000000000Z'],
  ])('snapshotIdAt(%s) = %s', (iso, id) => {
    expect(snapshotIdAt(new Date(iso))).toBe(id);
    expect(id).toMatch(/^\d{8}T\d{9}Z$/);
  });

  it('a thousand ties in a row still sort after each other', () => {
    let previous = '20261121T071500123Z';
    for (let i = 0; i < 1001; i++) {
      const next = nextSnapshotId(new Date('2026-11-21T07:15:00.123Z'), previous);
      expect(next > previous).toBe(true);
      previous = next;
    }
  });

  it('ids sort by time', () => {
    const times = ['2026-11-21T07:15:00.123Z', '2026-11-21T07:15:00.124Z', '2026-11-21T07:15:01.000Z', '2026-11-22T00:00:00.000Z', '2027-01-01T00:00:00.000Z'];
    const ids = times.map((t) => snapshotIdAt(new Date(t)));
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it.each<[string, string, string | undefined, string]>([
    ['no previous id', '2026-11-21T07:15:00.123Z', undefined, '20261121T071500123Z'],
    ['a previous id earlier', '2026-11-21T07:20:00.456Z', '20261121T071500123Z', '20261121T072000456Z'],
    ['one millisecond later', '2026-11-21T07:15:00.124Z', '20261121T071500123Z', '20261121T071500124Z'],
    ['a tie', '2026-11-21T07:15:00.123Z', '20261121T071500123Z', '20261121T071500123Z-000001'],
    ['a tie with a tie-broken previous id', '2026-11-21T07:15:00.123Z', '20261121T071500123Z-000001', '20261121T071500123Z-000002'],
    ['the clock one second back', '2026-11-21T07:14:59.123Z', '20261121T071500123Z', '20261121T071500123Z-000001'],
    ['the clock a day back', '2026-11-20T07:15:00.123Z', '20261121T071500123Z', '20261121T071500123Z-000001'],
    ['the clock back, previous tie-broken', '2026-11-21T07:00:00.000Z', '20261121T071500123Z-000009', '20261121T071500123Z-000010'],
    ['one millisecond after a tie-broken id', '2026-11-21T07:15:00.124Z', '20261121T071500123Z-000002', '20261121T071500124Z'],
  ])('nextSnapshotId: %s', (_name, iso, previous, expected) => {
    const id = nextSnapshotId(new Date(iso), previous);
    expect(id).toBe(expected);
    expect(id).toMatch(/^\d{8}T\d{9}Z(-\d{6})?$/);
    if (previous) expect(id > previous).toBe(true);
  });

  it.each([
    ['20261121T071500123Z', 'history/2026/11/21/20261121T071500123Z.json'],
    ['20261121T071500123Z-001', 'history/2026/11/21/20261121T071500123Z-001.json'],
    ['20270101T000000000Z', 'history/2027/01/01/20270101T000000000Z.json'],
    ['20280229T235959999Z', 'history/2028/02/29/20280229T235959999Z.json'],
  ])('historyKey(%s) = %s', (id, key) => {
    expect(historyKey(id)).toBe(key);
  });

  it.each(['', 'latest', '2026-11-21T07:15:00.123Z', '../20261121T071500123Z', '20261121Tlatest', '20261121T/../../state'])('historyKey refuses %j', (id) => {
    expect(() => historyKey(id)).toThrow(/not a snapshot id/);
  });
});

describe('stored tasks (checked without a zod copy)', () => {
  const instance = (task: unknown) => ({
    instance_id: 'i', name: null, region: 'r', project_id: 'p', ok: true, error: null,
    total_number: 1, max_tasks: 18, quota_tasks: 18, tasks: [task],
  });
  it.each<[string, unknown]>([
    ['the API example task', fixture.tasks[1]],
    ['id and status only', { id: 't', status: 'RUNNING' }],
    ['null names and types', { id: 't', status: 'PAUSED', task_name: null, source_type: null, sink_type: null }],
    ['an empty id', { id: '', status: 'RUNNING' }],
    ['no status', { id: 't' }],
    ['a numeric status', { id: 't', status: 1 }],
    ['a numeric task_name', { id: 't', status: 'RUNNING', task_name: 7 }],
    ['an object sink_type', { id: 't', status: 'RUNNING', sink_type: {} }],
    ['an array', [{ id: 't', status: 'RUNNING' }]],
    ['null', null],
  ])('%s: accepted in a snapshot exactly when the API task schema accepts it', (_name, task) => {
    const stored = InstanceSnapshot.safeParse(instance(task));
    expect(stored.success).toBe(Task.safeParse(task).success);
    // Kept as parsed, not copied.
    if (stored.success) expect(stored.data.tasks[0]).toBe(task);
  });
});
