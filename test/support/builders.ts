import { type Change, type ChangeKind, type Severity } from '../../lib/alerting/change';
import { newOutboxEntry } from '../../lib/alerting/outbox';
import { diffSnapshots } from '../../lib/alerting/diff';
import type { ChannelConfig } from '../../lib/config/config';
import { Secret } from '../../lib/secret';
import { InstanceSnapshot, Task } from '../../lib/store/snapshot';
import { OutboxEntry } from '../../lib/store/state';
import fixture from '../fixtures/list-connector-tasks.example.json';
import { fakeClock } from './fake-clock';

// Shared builders of the unit tests (moved from test/core.test.ts).

// Realistic inputs: the API example's tasks on one instance, and the changes a diff makes of them.

export const FIXTURE: readonly Task[] = fixture.tasks.map((t) => Task.parse(t));
export const [REPLICATOR, OBS_SINK, REDIS] = FIXTURE as [Task, Task, Task];
export const PROD_ID = '59f6d088-1c2b-4d3e-8f90-a1b2c3d4e5f6';

export function instance(tasks: readonly Task[]): InstanceSnapshot {
  return InstanceSnapshot.parse({
    instance_id: PROD_ID,
    name: 'prod',
    region: 'cn-north-4',
    project_id: '0b5c8f2e9d7a4c6b8e1f3a5d7c9e0b2a',
    ok: true,
    error: null,
    total_number: tasks.length,
    max_tasks: 18,
    quota_tasks: 18,
    tasks,
  });
}

export const withTask = (t: Task, patch: Record<string, unknown>): Task => Task.parse({ ...structuredClone(t), ...patch });

/** One run's changes: the replicator fails (critical), the OBS sink is paused (warning) and reconfigured (info), the Redis task is deleted (warning). */
export function runChanges(snapshotId: string): { changes: Change[]; instances: InstanceSnapshot[] } {
  const instances = [
    instance([withTask(REPLICATOR, { status: 'FAILED' }), withTask(OBS_SINK, { status: 'PAUSED', topics_regex: 'topic-obs-v2*' })]),
  ];
  const changes = diffSnapshots({
    previous: [instance(FIXTURE)],
    next: instances,
    snapshotId,
    detectedAt: isoOf(snapshotId),
  });
  return { changes, instances };
}

/** `20261121T071500123Z` → `2026-11-21T07:15:00.123Z`. */
export function isoOf(snapshotId: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(snapshotId);
  if (!m) throw new Error(snapshotId);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`;
}

export const RUN_1 = '20261121T071500123Z';
export const RUN_2 = '20261121T072000456Z';
export const RUN_3 = '20261121T072500789Z';

export function channel(key: string, filter: { events?: ChangeKind[]; min_severity?: Severity } = {}): ChannelConfig {
  return {
    key,
    name: key,
    type: 'generic',
    url: new Secret(`https://hooks.example.com/${key}/0f9e8d7c6b5a49382716`),
    secret: undefined,
    events: filter.events,
    min_severity: filter.min_severity,
    mention: undefined,
  };
}

export const kindsOf = (changes: readonly Change[]) => changes.map((c) => `${c.kind}:${c.severity}`);

/** `v` with every object's keys in reverse order. */
export const reversed = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(reversed)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]))
      : v;

/** An outbox entry of `runChanges(snapshotId)`, pending on the channels `pending`. */
export function entry(snapshotId: string, pending: string[], patch: Partial<OutboxEntry> = {}): OutboxEntry {
  const { changes, instances } = runChanges(snapshotId);
  const e = newOutboxEntry({ id: snapshotId, taken_at: isoOf(snapshotId), instances }, changes, pending.map((k) => channel(k)));
  if (!e) throw new Error('no entry');
  return OutboxEntry.parse({ ...e, ...patch });
}

export const fakeTime = (deadline?: number, random?: number) => fakeClock({ deadlineInMs: deadline, random });
