import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Change } from '../lib/alerting/change';
import { diffSnapshots, statusSeverity } from '../lib/alerting/diff';
import type { InstanceSnapshot, Task } from '../lib/store/snapshot';

// Invariants of diffSnapshots over random fleets (fast-check). Ids come from small pools, so that the
// previous and the next snapshot share instances and tasks. statusSeverity is pinned by its table in diff.test.ts.

const SNAPSHOT_ID = '20261121T071500123Z';
const DETECTED_AT = '2026-11-21T07:15:00.123Z';
const STATUSES = ['RUNNING', 'PAUSED', 'FAILED', 'WAITING', 'CREATING', 'SOMETHING_NEW', 'running'];

const status = fc.constantFrom(...STATUSES);
const task = fc.record({
  id: fc.constantFrom('t-1', 't-2', 't-3', 't-4', 't-5'),
  status,
  task_name: fc.option(fc.constantFrom('smart-connect-1', '数据转储', 'x\u202Ey'), { nil: null }),
  source_type: fc.constantFrom('KAFKA_REPLICATOR_SOURCE', 'NONE'),
  topics_regex: fc.string({ maxLength: 3 }),
  source_task: fc.option(fc.record({ topics: fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }) }), { nil: null }),
}) as fc.Arbitrary<Task>;
const tasks = fc.uniqueArray(task, { selector: (t) => t.id, maxLength: 5 });
const instance = (ok: fc.Arbitrary<boolean>) =>
  fc.record({ instance_id: fc.constantFrom('i-1', 'i-2', 'i-3'), name: fc.option(fc.constantFrom('prod', 'dr'), { nil: null }), ok, tasks }).map(
    ({ instance_id, name, ok: listed, tasks: ts }): InstanceSnapshot => ({
      instance_id,
      name,
      region: 'cn-north-4',
      project_id: 'p',
      ok: listed,
      error: listed ? null : 'ListConnectorTasks failed: HTTP 503 (after 3 attempts)',
      total_number: listed ? ts.length : null,
      max_tasks: null,
      quota_tasks: null,
      tasks: ts,
    }),
  );
const fleet = (ok: fc.Arbitrary<boolean> = fc.boolean()) => fc.uniqueArray(instance(ok), { selector: (i) => i.instance_id, maxLength: 3 });

function diff(previous: readonly InstanceSnapshot[] | null, next: readonly InstanceSnapshot[]): Change[] {
  const changes = diffSnapshots({ previous, next, snapshotId: SNAPSHOT_ID, detectedAt: DETECTED_AT });
  for (const c of changes) Change.parse(c);
  return changes;
}

/** `v` as an equal value that shares no object with it, every object's keys in reverse order. */
const reversedCopy = <T>(v: T): T =>
  (Array.isArray(v) ? v.map(reversedCopy) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedCopy(x)])) : v) as T;

const RUNS = { numRuns: 400 };

describe('diffSnapshots invariants (fast-check)', () => {
  it('a failed listing never yields task_removed: an instance that failed to list gives only instance_unreachable or instance_added', () => {
    fc.assert(
      fc.property(fc.option(fleet(), { nil: null }), fleet(), (previous, next) => {
        const failed = new Set(next.filter((i) => !i.ok).map((i) => i.instance_id));
        const changes = diff(previous, next);
        expect(changes.filter((c) => c.kind === 'task_removed' && failed.has(c.instance_id ?? ''))).toEqual([]);
        for (const c of changes.filter((x) => failed.has(x.instance_id ?? ''))) expect(['instance_unreachable', 'instance_added']).toContain(c.kind);
      }),
      RUNS,
    );
  });

  it('diff(a, a) is empty, for the same objects and for an equal copy in another key order', () => {
    fc.assert(
      fc.property(fleet(), (a) => {
        expect(diff(a, a)).toEqual([]);
        expect(diff(a, reversedCopy(a))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('every status difference yields exactly one status_changed, whatever else changed; no other task yields one', () => {
    const edit = fc.record({ status: fc.option(status, { nil: undefined }), task_name: fc.option(fc.constantFrom('renamed', null), { nil: undefined }), topics_regex: fc.option(fc.string({ maxLength: 3 }), { nil: undefined }) });
    fc.assert(
      fc.property(fleet(fc.constant(true)), fc.array(edit, { minLength: 15, maxLength: 15 }), (previous, edits) => {
        let n = 0;
        const next = previous.map((i) => ({
          ...i,
          tasks: i.tasks.map((t) => {
            const e = edits[n++] ?? {};
            return Object.fromEntries(Object.entries({ ...t, ...e }).map(([k, v]) => [k, v === undefined ? t[k] : v])) as Task;
          }),
        }));
        const changes = diff(previous, next);
        for (const [p, q] of previous.map((i, k) => [i, next[k] as InstanceSnapshot] as const)) {
          for (const [before, after] of p.tasks.map((t, k) => [t, q.tasks[k] as Task] as const)) {
            const mine = changes.filter((c) => c.kind === 'status_changed' && c.instance_id === p.instance_id && c.task_id === before.id);
            if (before.status === after.status) {
              expect(mine).toEqual([]);
              continue;
            }
            expect(mine).toEqual([
              {
                id: expect.stringMatching(/^[0-9a-f]{32}$/),
                kind: 'status_changed',
                severity: statusSeverity(before.status, after.status),
                instance_id: p.instance_id,
                instance_name: p.name,
                task_id: before.id,
                task_name: after.task_name ?? null,
                from: before.status,
                to: after.status,
                fields: null,
                snapshot_id: SNAPSHOT_ID,
                detected_at: DETECTED_AT,
              },
            ]);
          }
        }
        expect(changes.filter((c) => c.kind !== 'status_changed' && c.kind !== 'config_changed')).toEqual([]);
      }),
      RUNS,
    );
  });
});
