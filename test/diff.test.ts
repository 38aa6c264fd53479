import { describe, expect, it } from 'vitest';
import { Change, type ChangeKind, type Severity } from '../lib/alerting/change';
import { changedPaths, diffSnapshots, statusSeverity } from '../lib/alerting/diff';
import { InstanceSnapshot, Task } from '../lib/store/snapshot';
import fixture from './fixtures/list-connector-tasks.example.json';

// The three tasks of the API example, as the DMS source keeps them (unknown fields and quirks included:
// `deliver_time_interva`, `source_task: null`, `sink_task: null`, `topics_regex`).
const FIXTURE: readonly Task[] = fixture.tasks.map((t) => Task.parse(t));
const REPLICATOR_ID = '194917d0-****-****-****-********'; // KAFKA_REPLICATOR_SOURCE, sink_task null
const OBS_SINK_ID = '3c0ac4d1-****-****-****-********'; // OBS_SINK, source_task null, topics_regex
const REDIS_ID = '8a205bbd-****-****-****-********'; // REDIS_REPLICATOR_SOURCE/SINK

const PROD = { id: '59f6d088-1c2b-4d3e-8f90-a1b2c3d4e5f6', name: 'prod' };
const DR = { id: 'c7e2a914-5b6d-4e7f-8091-0a1b2c3d4e5f', name: 'dr' };

const SNAPSHOT_ID = '20261121T071500123Z';
const DETECTED_AT = '2026-11-21T07:15:00.123Z';

type Json = Record<string, unknown>;

/** A deep copy of one fixture task with `patch` applied (`undefined` deletes a key, nested objects merge). */
function task(id: string, patch: Json = {}): Task {
  const base = FIXTURE.find((t) => t.id === id);
  if (!base) throw new Error(`no fixture task ${id}`);
  return Task.parse(merge(structuredClone(base) as Json, patch));
}

function merge(target: Json, patch: Json): Json {
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete target[k];
    else if (isObject(v) && isObject(target[k])) target[k] = merge(target[k] as Json, v);
    else target[k] = structuredClone(v);
  }
  return target;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function instance(
  who: { id: string; name: string },
  tasks: readonly Task[],
  opts: { ok?: boolean } = {},
): InstanceSnapshot {
  const ok = opts.ok ?? true;
  return InstanceSnapshot.parse({
    instance_id: who.id,
    name: who.name,
    region: 'cn-north-4',
    project_id: '0b5c8f2e9d7a4c6b8e1f3a5d7c9e0b2a',
    ok,
    error: ok ? null : 'ListConnectorTasks failed: HTTP 503 (after 3 attempts)',
    total_number: tasks.length,
    max_tasks: 18,
    quota_tasks: 18,
    tasks,
  });
}

const allTasks = (): Task[] => FIXTURE.map((t) => task(t.id));

function diff(previous: readonly InstanceSnapshot[] | null, next: readonly InstanceSnapshot[], snapshotId = SNAPSHOT_ID) {
  const changes = diffSnapshots({ previous, next, snapshotId, detectedAt: DETECTED_AT });
  for (const c of changes) Change.parse(c); // every change is a DESIGN.md §4 change
  return changes;
}

/** The part of a change a table row states. */
const brief = (c: Change) => ({ kind: c.kind, severity: c.severity, task_id: c.task_id, from: c.from, to: c.to, fields: c.fields });

const STATUS_TABLE: [from: string, to: string, severity: Severity][] = [
  ['PAUSED', 'RUNNING', 'resolved'],
  ['FAILED', 'RUNNING', 'resolved'],
  ['WAITING', 'RUNNING', 'resolved'],
  ['CREATING', 'RUNNING', 'resolved'],
  ['SOMETHING_NEW', 'RUNNING', 'resolved'],
  ['RUNNING', 'PAUSED', 'warning'],
  ['RUNNING', 'FAILED', 'critical'],
  ['PAUSED', 'FAILED', 'critical'],
  ['RUNNING', 'WAITING', 'critical'],
  ['CREATING', 'WAITING', 'critical'],
  ['CREATING', 'FAILED', 'critical'],
  ['FAILED', 'PAUSED', 'critical'],
  ['WAITING', 'PAUSED', 'critical'],
  ['PAUSED', 'WAITING', 'critical'],
  ['RUNNING', 'SOMETHING_NEW', 'critical'],
  ['RUNNING', 'running', 'critical'],
];

describe('statusSeverity (DESIGN.md §4)', () => {
  it.each(STATUS_TABLE)('%s → %s is %s', (from, to, severity) => {
    expect(statusSeverity(from, to)).toBe(severity);
  });
});

describe('diffSnapshots: task_added / task_removed on a listed instance', () => {
  it.each([
    {
      name: 'a task appears',
      before: () => [task(REPLICATOR_ID), task(REDIS_ID)],
      after: () => allTasks(),
      expected: [{ kind: 'task_added', severity: 'info', task_id: OBS_SINK_ID, from: null, to: 'RUNNING', fields: null }],
    },
    {
      name: 'a PAUSED task appears',
      before: () => [],
      after: () => [task(REDIS_ID, { status: 'PAUSED' })],
      expected: [{ kind: 'task_added', severity: 'info', task_id: REDIS_ID, from: null, to: 'PAUSED', fields: null }],
    },
    {
      name: 'a task disappears',
      before: () => allTasks(),
      after: () => [task(REPLICATOR_ID), task(OBS_SINK_ID)],
      expected: [{ kind: 'task_removed', severity: 'warning', task_id: REDIS_ID, from: 'RUNNING', to: null, fields: null }],
    },
    {
      name: 'a FAILED task disappears',
      before: () => [task(REPLICATOR_ID, { status: 'FAILED' })],
      after: () => [],
      expected: [{ kind: 'task_removed', severity: 'warning', task_id: REPLICATOR_ID, from: 'FAILED', to: null, fields: null }],
    },
    {
      name: 'one added and one removed',
      before: () => [task(REPLICATOR_ID)],
      after: () => [task(REDIS_ID)],
      expected: [
        { kind: 'task_added', severity: 'info', task_id: REDIS_ID, from: null, to: 'RUNNING', fields: null },
        { kind: 'task_removed', severity: 'warning', task_id: REPLICATOR_ID, from: 'RUNNING', to: null, fields: null },
      ].sort((a, b) => a.task_id.localeCompare(b.task_id)),
    },
    {
      name: 'nothing differs',
      before: () => allTasks(),
      after: () => allTasks(),
      expected: [],
    },
    {
      name: 'only the key order differs',
      before: () => allTasks(),
      after: () => allTasks().map((t) => Task.parse(Object.fromEntries(Object.entries(t).reverse()))),
      expected: [],
    },
  ])('$name', ({ before, after, expected }) => {
    const changes = diff([instance(PROD, before())], [instance(PROD, after())]);
    expect(changes.map(brief)).toEqual(expected);
    for (const c of changes) expect(c.instance_name).toBe('prod');
  });
});

describe('diffSnapshots: a failed instance (ok: false)', () => {
  it.each([
    {
      name: 'listed before, failing now, keeping its tasks',
      previous: () => [instance(PROD, allTasks())],
      next: () => [instance(PROD, allTasks(), { ok: false })],
      expected: [{ kind: 'instance_unreachable', severity: 'critical' }],
    },
    {
      name: 'listed before, failing now with no tasks at all: still no task_removed',
      previous: () => [instance(PROD, allTasks())],
      next: () => [instance(PROD, [], { ok: false })],
      expected: [{ kind: 'instance_unreachable', severity: 'critical' }],
    },
    {
      name: 'failing now with different tasks than before: no task changes',
      previous: () => [instance(PROD, allTasks())],
      next: () => [instance(PROD, [task(REDIS_ID, { status: 'FAILED' })], { ok: false })],
      expected: [{ kind: 'instance_unreachable', severity: 'critical' }],
    },
    {
      name: 'already failing: nothing (not unreachable again)',
      previous: () => [instance(PROD, allTasks(), { ok: false })],
      next: () => [instance(PROD, allTasks(), { ok: false })],
      expected: [],
    },
    {
      name: 'already failing, tasks differ: nothing',
      previous: () => [instance(PROD, allTasks(), { ok: false })],
      next: () => [instance(PROD, [task(REPLICATOR_ID)], { ok: false })],
      expected: [],
    },
    {
      name: 'failing on the first run',
      previous: () => null,
      next: () => [instance(PROD, [], { ok: false })],
      expected: [{ kind: 'instance_unreachable', severity: 'critical' }],
    },
    {
      name: 'an instance new to the configuration that fails',
      previous: () => [instance(DR, allTasks())],
      next: () => [instance(DR, allTasks()), instance(PROD, [], { ok: false })],
      expected: [{ kind: 'instance_added', severity: 'info' }, { kind: 'instance_unreachable', severity: 'critical' }],
    },
  ])('$name', ({ previous, next, expected }) => {
    const changes = diff(previous(), next());
    expect(changes.map((c) => ({ kind: c.kind, severity: c.severity }))).toEqual(expected);
    for (const c of changes) {
      expect(c).toMatchObject({ instance_id: PROD.id, instance_name: 'prod', task_id: null, task_name: null, from: null, to: null, fields: null });
    }
  });

  it.each([
    { name: 'the failing instance: only instance_unreachable', who: PROD, expected: [['instance_unreachable', null]] },
    {
      name: 'a healthy neighbour: diffs normally',
      who: DR,
      expected: [
        ['task_removed', REPLICATOR_ID],
        ['task_removed', OBS_SINK_ID],
      ],
    },
  ])('one instance fails, another loses two tasks: $name', ({ who, expected }) => {
    const previous = [instance(PROD, allTasks()), instance(DR, allTasks())];
    const next = [instance(PROD, [], { ok: false }), instance(DR, [task(REDIS_ID)])];
    const changes = diff(previous, next).filter((c) => c.instance_id === who.id);
    expect(changes.map((c) => [c.kind, c.task_id])).toEqual(expected);
  });
});

describe('diffSnapshots: recovery', () => {
  it.each([
    {
      name: 'same tasks as before the failure',
      next: () => allTasks(),
      expected: [{ kind: 'instance_recovered', severity: 'resolved', task_id: null, from: null, to: null, fields: null }],
    },
    {
      name: 'a task failed meanwhile',
      next: () => [task(REPLICATOR_ID), task(OBS_SINK_ID, { status: 'FAILED' }), task(REDIS_ID)],
      expected: [
        { kind: 'instance_recovered', severity: 'resolved', task_id: null, from: null, to: null, fields: null },
        { kind: 'status_changed', severity: 'critical', task_id: OBS_SINK_ID, from: 'RUNNING', to: 'FAILED', fields: null },
      ],
    },
    {
      name: 'a task was deleted meanwhile',
      next: () => [task(REPLICATOR_ID), task(OBS_SINK_ID)],
      expected: [
        { kind: 'instance_recovered', severity: 'resolved', task_id: null, from: null, to: null, fields: null },
        { kind: 'task_removed', severity: 'warning', task_id: REDIS_ID, from: 'RUNNING', to: null, fields: null },
      ],
    },
    {
      name: 'a task was created and one reconfigured meanwhile',
      next: () => [
        task(REPLICATOR_ID, { source_task: { task_num: 4 } }),
        task(OBS_SINK_ID),
        task(REDIS_ID),
        task(REDIS_ID, { id: 'e4d3c2b1-****-****-****-********', task_name: 'smart-connect-redis-2', status: 'CREATING' }),
      ],
      expected: [
        { kind: 'instance_recovered', severity: 'resolved', task_id: null, from: null, to: null, fields: null },
        { kind: 'config_changed', severity: 'info', task_id: REPLICATOR_ID, from: null, to: null, fields: ['source_task.task_num'] },
        { kind: 'task_added', severity: 'info', task_id: 'e4d3c2b1-****-****-****-********', from: null, to: 'CREATING', fields: null },
      ],
    },
  ])('$name', ({ next, expected }) => {
    const previous = [instance(PROD, allTasks(), { ok: false })];
    expect(diff(previous, [instance(PROD, next())]).map(brief)).toEqual(expected);
  });
});

describe('diffSnapshots: config_changed', () => {
  it.each([
    { name: 'a nested value (sink_task.flush_size)', id: OBS_SINK_ID, patch: { sink_task: { flush_size: 500000 } }, fields: ['sink_task.flush_size'] },
    { name: 'the misspelt API field (sink_task.deliver_time_interva)', id: OBS_SINK_ID, patch: { sink_task: { deliver_time_interva: 600 } }, fields: ['sink_task.deliver_time_interva'] },
    { name: 'a top-level field added (topics)', id: OBS_SINK_ID, patch: { topics: 'topic-obs-2' }, fields: ['topics'] },
    { name: 'a nested field added', id: REDIS_ID, patch: { sink_task: { redis_password: '******' } }, fields: ['sink_task.redis_password'] },
    { name: 'a top-level field removed (topics_regex)', id: OBS_SINK_ID, patch: { topics_regex: undefined }, fields: ['topics_regex'] },
    { name: 'source_task null → object', id: OBS_SINK_ID, patch: { source_task: { current_cluster_name: 'A' } }, fields: ['source_task'] },
    { name: 'sink_task object → null', id: REDIS_ID, patch: { sink_task: null }, fields: ['sink_task'] },
    { name: 'sink_task null → object', id: REPLICATOR_ID, patch: { sink_task: { obs_bucket_name: 'abcabc' } }, fields: ['sink_task'] },
    { name: 'two nested fields, sorted', id: REPLICATOR_ID, patch: { source_task: { task_num: 4, replication_factor: 2 } }, fields: ['source_task.replication_factor', 'source_task.task_num'] },
    { name: 'a rename and a nested value, sorted', id: REDIS_ID, patch: { task_name: 'redis-sync', sink_task: { target_db: 3 } }, fields: ['sink_task.target_db', 'task_name'] },
    { name: 'an unknown array field, compared whole', id: OBS_SINK_ID, patch: { tags: ['b', 'a'] }, fields: ['tags'] },
    { name: 'a value type change (number → string)', id: OBS_SINK_ID, patch: { create_time: '1708565483911' }, fields: ['create_time'] },
    { name: 'an empty string → value', id: REPLICATOR_ID, patch: { source_task: { user_name: 'admin' } }, fields: ['source_task.user_name'] },
  ])('$name → fields $fields', ({ id, patch, fields }) => {
    const changes = diff([instance(PROD, allTasks())], [instance(PROD, FIXTURE.map((t) => (t.id === id ? task(id, patch) : task(t.id))))]);
    expect(changes.map(brief)).toEqual([{ kind: 'config_changed', severity: 'info', task_id: id, from: null, to: null, fields }]);
  });

  it.each([
    { name: 'RUNNING → PAUSED and flush_size', status: 'PAUSED', patch: { sink_task: { flush_size: 1 } }, severity: 'warning', fields: ['sink_task.flush_size'] },
    { name: 'RUNNING → FAILED and topics_regex', status: 'FAILED', patch: { topics_regex: 'topic-obs-v2*' }, severity: 'critical', fields: ['topics_regex'] },
  ])('both differ ($name): config_changed and status_changed, status not in fields', ({ status, patch, severity, fields }) => {
    const changes = diff([instance(PROD, [task(OBS_SINK_ID)])], [instance(PROD, [task(OBS_SINK_ID, { status, ...patch })])]);
    expect(changes.map(brief)).toEqual([
      { kind: 'config_changed', severity: 'info', task_id: OBS_SINK_ID, from: null, to: null, fields },
      { kind: 'status_changed', severity, task_id: OBS_SINK_ID, from: 'RUNNING', to: status, fields: null },
    ]);
  });
});

describe('diffSnapshots: first run (previous null)', () => {
  it.each([
    ['one instance', [PROD]],
    ['two instances', [PROD, DR]],
  ])('%s: task_added (info) for every task', (_name, who) => {
    const next = who.map((w) => instance(w, allTasks()));
    const changes = diff(null, next);
    const expected = who
      .map((w) => w.id)
      .sort()
      .flatMap((iid) => [REPLICATOR_ID, OBS_SINK_ID, REDIS_ID].map((tid) => [iid, tid, 'task_added', 'info', 'RUNNING']));
    expect(changes.map((c) => [c.instance_id, c.task_id, c.kind, c.severity, c.to])).toEqual(expected);
  });
});

/** A diff with every kind a diff can produce, on two instances. */
function busyDiff(snapshotId: string, detectedAt = DETECTED_AT) {
  const previous = [
    instance(PROD, allTasks()),
    instance(DR, allTasks(), { ok: false }),
    instance({ id: '0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b', name: 'staging' }, [task(REDIS_ID)]),
  ];
  const next = [
    instance({ id: '0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b', name: 'staging' }, [task(REDIS_ID)], { ok: false }),
    instance(DR, [task(REPLICATOR_ID, { status: 'PAUSED' }), task(REDIS_ID)]),
    instance(PROD, [
      task(REDIS_ID, { status: 'FAILED', sink_task: { target_db: 2 } }),
      task(REPLICATOR_ID, { status: 'PAUSED' }),
      task(REDIS_ID, { id: '00aa11bb-****-****-****-********', status: 'CREATING' }),
    ]),
  ];
  return diffSnapshots({ previous, next, snapshotId, detectedAt });
}

describe('diffSnapshots: ids', () => {
  const base = busyDiff(SNAPSHOT_ID);

  it('the busy diff covers every kind a diff produces', () => {
    const kinds = new Set(base.map((c) => c.kind));
    const expected: ChangeKind[] = ['status_changed', 'task_added', 'task_removed', 'config_changed', 'instance_unreachable', 'instance_recovered'];
    expect([...kinds].sort()).toEqual([...expected].sort());
  });

  it.each([
    { name: 'the same inputs', snapshotId: SNAPSHOT_ID, detectedAt: DETECTED_AT, same: true },
    { name: 'the same snapshot detected at another time', snapshotId: SNAPSHOT_ID, detectedAt: '2026-11-21T07:15:09.999Z', same: true },
    { name: 'another snapshot id', snapshotId: '20261121T072000456Z', detectedAt: DETECTED_AT, same: false },
    { name: 'a tie-broken snapshot id', snapshotId: `${SNAPSHOT_ID}-001`, detectedAt: DETECTED_AT, same: false },
  ])('$name → same ids: $same', ({ snapshotId, detectedAt, same }) => {
    const again = busyDiff(snapshotId, detectedAt);
    expect(again.map(brief)).toEqual(base.map(brief));
    again.forEach((c, i) => {
      if (same) expect(c.id).toBe(base[i]?.id);
      else expect(c.id).not.toBe(base[i]?.id);
    });
  });

  it.each([
    ['the busy diff', () => busyDiff(SNAPSHOT_ID)],
    ['a first run over two instances', () => diff(null, [instance(PROD, allTasks()), instance(DR, allTasks())])],
    ['a status and a config change of one task', () => diff([instance(PROD, [task(OBS_SINK_ID)])], [instance(PROD, [task(OBS_SINK_ID, { status: 'FAILED', topics_regex: 'x' })])])],
  ])('ids are unique within %s', (_name, make) => {
    const changes = make();
    expect(changes.length).toBeGreaterThan(1);
    expect(new Set(changes.map((c) => c.id)).size).toBe(changes.length);
  });
});

describe('diffSnapshots: order', () => {
  it.each([
    ['the busy diff, instances and tasks given unsorted', () => busyDiff(SNAPSHOT_ID)],
    ['a first run, instances given in reverse', () => diff(null, [instance(DR, [...allTasks()].reverse()), instance(PROD, allTasks())])],
  ])('%s: sorted by instance, task, kind', (_name, make) => {
    const changes = make();
    const keys = changes.map((c) => [c.instance_id ?? '', c.task_id ?? '', c.kind].join('\u0000'));
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('the busy diff, exactly', () => {
    expect(busyDiff(SNAPSHOT_ID).map((c) => [c.instance_name, c.task_id, c.kind, c.severity])).toEqual([
      ['staging', null, 'instance_unreachable', 'critical'],
      ['prod', '00aa11bb-****-****-****-********', 'task_added', 'info'],
      ['prod', REPLICATOR_ID, 'status_changed', 'warning'],
      ['prod', OBS_SINK_ID, 'task_removed', 'warning'],
      ['prod', REDIS_ID, 'config_changed', 'info'],
      ['prod', REDIS_ID, 'status_changed', 'critical'],
      ['dr', null, 'instance_recovered', 'resolved'],
      ['dr', REPLICATOR_ID, 'status_changed', 'warning'],
      ['dr', OBS_SINK_ID, 'task_removed', 'warning'],
    ]);
  });
});

describe('tasks keep what the API returned', () => {
  it.each(FIXTURE.map((t, i) => [t.task_name, i] as const))('%s parses to exactly the API object', (_name, i) => {
    expect(Task.parse(fixture.tasks[i])).toEqual(fixture.tasks[i]);
  });

  it.each([
    ['an unknown top-level field', { connector_version: '2.1.0' }],
    ['an unknown nested field', { sink_task: { obs_kms_key_id: 'kms-1' } }],
    ['an open status', { status: 'SOMETHING_NEW' }],
  ])('%s survives parsing and the instance snapshot', (_name, patch) => {
    const t = task(OBS_SINK_ID, patch);
    const snap = InstanceSnapshot.parse(JSON.parse(JSON.stringify(instance(PROD, [t]))));
    expect(snap.tasks[0]).toEqual(merge(structuredClone(fixture.tasks[1]) as Json, patch));
  });

  it.each([
    ['an unknown field changes', { connector_version: '2.1.0' }, { connector_version: '2.2.0' }, 'config_changed', 'info', ['connector_version']],
    ['an open status appears', {}, { status: 'SOMETHING_NEW' }, 'status_changed', 'critical', null],
    ['an open status recovers', { status: 'SOMETHING_NEW' }, { status: 'RUNNING' }, 'status_changed', 'resolved', null],
  ])('%s → %s', (_name, before, after, kind, severity, fields) => {
    const changes = diff([instance(PROD, [task(OBS_SINK_ID, before)])], [instance(PROD, [task(OBS_SINK_ID, after)])]);
    expect(changes.map((c) => [c.kind, c.severity, c.fields])).toEqual([[kind, severity, fields]]);
  });
});

describe('changedPaths', () => {
  const sink = FIXTURE.find((t) => t.id === OBS_SINK_ID)?.sink_task as Json;
  it.each([
    ['equal objects', { a: 1, b: { c: 2 } }, { b: { c: 2 }, a: 1 }, []],
    ['a leaf', { a: 1 }, { a: 2 }, ['a']],
    ['a nested leaf', { sink_task: sink }, { sink_task: { ...sink, flush_size: 1 } }, ['sink_task.flush_size']],
    ['deep nesting', { a: { b: { c: { d: 1 } } } }, { a: { b: { c: { d: 2 } } } }, ['a.b.c.d']],
    ['a key added', { a: 1 }, { a: 1, b: 2 }, ['b']],
    ['a key removed', { a: 1, b: 2 }, { a: 1 }, ['b']],
    ['null → object', { source_task: null }, { source_task: { x: 1 } }, ['source_task']],
    ['object → null', { source_task: { x: 1 } }, { source_task: null }, ['source_task']],
    ['null → absent', { sink_task: null }, {}, ['sink_task']],
    ['undefined and absent are equal', { a: undefined }, {}, []],
    ['arrays compare whole', { a: [1, 2] }, { a: [2, 1] }, ['a']],
    ['equal arrays of objects in another key order', { a: [{ x: 1, y: 2 }] }, { a: [{ y: 2, x: 1 }] }, []],
    ['array → object', { a: [] }, { a: {} }, ['a']],
    ['several, sorted', { z: 1, a: { y: 1, b: 1 } }, { z: 2, a: { y: 2, b: 2 } }, ['a.b', 'a.y', 'z']],
    ['0 vs false', { a: 0 }, { a: false }, ['a']],
    ['the prefix is applied', { a: 1 }, { a: 2 }, ['sink_task.a'], 'sink_task'],
  ])('%s → %j', (_name, a, b, expected, prefix = '') => {
    expect(changedPaths(a, b, prefix)).toEqual(expected);
  });
});

describe('diffSnapshots: instance lifecycle (DESIGN.md §9)', () => {
  const brief2 = (c: Change) => [c.kind, c.severity, c.instance_name, c.task_id, c.from, c.to];
  it.each<{ name: string; previous: () => InstanceSnapshot[] | null; next: () => InstanceSnapshot[]; expected: unknown[][] }>([
    {
      name: 'the first run: no instance_added, only the baseline',
      previous: () => null,
      next: () => [instance(PROD, [task(REDIS_ID)])],
      expected: [['task_added', 'info', 'prod', REDIS_ID, null, 'RUNNING']],
    },
    {
      name: 'a newly watched instance: instance_added, then its tasks as task_added',
      previous: () => [instance(DR, allTasks())],
      next: () => [instance(DR, allTasks()), instance(PROD, [task(REDIS_ID)])],
      expected: [
        ['instance_added', 'info', 'prod', null, null, null],
        ['task_added', 'info', 'prod', REDIS_ID, null, 'RUNNING'],
      ],
    },
    {
      name: 'an instance gone: one instance_removed with its task count, no task_removed',
      previous: () => [instance(DR, allTasks()), instance(PROD, allTasks())],
      next: () => [instance(DR, allTasks())],
      expected: [['instance_removed', 'warning', 'prod', null, String(FIXTURE.length), null]],
    },
    {
      name: 'an instance gone that was unreachable: still one instance_removed',
      previous: () => [instance(PROD, [], { ok: false })],
      next: () => [],
      expected: [['instance_removed', 'warning', 'prod', null, '0', null]],
    },
    {
      name: 'one leaves and one arrives in the same run',
      previous: () => [instance(DR, [task(REDIS_ID)])],
      next: () => [instance(PROD, [])],
      expected: [
        ['instance_added', 'info', 'prod', null, null, null],
        ['instance_removed', 'warning', 'dr', null, '1', null],
      ],
    },
  ])('$name', ({ previous, next, expected }) => {
    const changes = diff(previous(), next());
    expect(changes.map(brief2)).toEqual(expected);
    for (const c of changes) expect(Change.parse(c)).toEqual(c);
  });
});
