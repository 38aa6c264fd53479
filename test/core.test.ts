import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { canonicalChunks, canonicalJson, sortedCopy } from '../lib/store/canonical-json';
import { listedTasks } from '../lib/source/listing';
import { fakeClock } from './support/fake-clock';
import { type Change, type ChangeKind, type Severity, severityRank } from '../lib/alerting/change';
import { mapLimit } from '../lib/source/concurrency';
import type { ChannelConfig } from '../lib/config/config';
import { deliverOutbox } from '../lib/alerting/deliver';
import { verifyStandardWebhook } from '../lib/demo/webhook-receiver';
import { diffSnapshots } from '../lib/alerting/diff';
import { loadDotEnv } from '../lib/config/dotenv';
import { parseDuration } from '../lib/config/duration';
import { silentLogger } from '../lib/log';
import { expireOutbox, newOutboxEntry } from '../lib/alerting/outbox';
import { changesForChannel } from '../lib/notify/filter';
import { genericPayload, standardWebhookHeaders } from '../lib/notify/generic';
import { classifyHttpStatus, retryAfterMs } from '../lib/notify/http';
import type { Message, Notifier, Outcome } from '../lib/notify/types';
import { backoffDelay, type RetryPolicy, withRetry } from '../lib/retry';
import { Redactor, Secret, describeUrl } from '../lib/secret';
import { ExpiredMessage, InstanceSnapshot, Snapshot, Task, historyKey, nextSnapshotId, snapshotIdAt } from '../lib/store/snapshot';
import { OutboxEntry, State } from '../lib/store/state';
import fixture from './fixtures/list-connector-tasks.example.json';

// ---------------------------------------------------------------------------------------------
// Realistic inputs: the API example's tasks on one instance, and the changes a diff makes of them.

const FIXTURE: readonly Task[] = fixture.tasks.map((t) => Task.parse(t));
const [REPLICATOR, OBS_SINK, REDIS] = FIXTURE as [Task, Task, Task];
const PROD_ID = '59f6d088-1c2b-4d3e-8f90-a1b2c3d4e5f6';

function instance(tasks: readonly Task[]): InstanceSnapshot {
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

const withTask = (t: Task, patch: Record<string, unknown>): Task => Task.parse({ ...structuredClone(t), ...patch });

/** One run's changes: the replicator fails (critical), the OBS sink is paused (warning) and reconfigured (info), the Redis task is deleted (warning). */
function runChanges(snapshotId: string): { changes: Change[]; instances: InstanceSnapshot[] } {
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
function isoOf(snapshotId: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(snapshotId);
  if (!m) throw new Error(snapshotId);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`;
}

const RUN_1 = '20261121T071500123Z';
const RUN_2 = '20261121T072000456Z';
const RUN_3 = '20261121T072500789Z';

function channel(key: string, filter: { events?: ChangeKind[]; min_severity?: Severity } = {}): ChannelConfig {
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

const kindsOf = (changes: readonly Change[]) => changes.map((c) => `${c.kind}:${c.severity}`);

// ---------------------------------------------------------------------------------------------

/** `v` with every object's keys in reverse order. */
const reversed = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(reversed)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]))
      : v;

describe('canonicalJson', () => {
  it('honours toJSON, as JSON.stringify does', () => {
    const v = { at: new Date('2026-11-21T07:15:00.123Z') };
    expect(canonicalJson(v)).toBe(JSON.stringify(v));
  });

  it.each([
    ['keys sorted', { b: 1, a: 2 }, '{"a":2,"b":1}'],
    ['nested keys sorted', { z: { y: 1, x: [{ b: 2, a: 1 }] }, a: null }, '{"a":null,"z":{"x":[{"a":1,"b":2}],"y":1}}'],
    ['arrays keep their order', [3, 1, 2, { d: 1, c: 2 }], '[3,1,2,{"c":2,"d":1}]'],
    ['undefined properties dropped', { a: undefined, b: 1, c: { d: undefined } }, '{"b":1,"c":{}}'],
    ['null kept', { a: null }, '{"a":null}'],
    ['strings escaped as JSON does', { 'k"': 'line\nbreak 签名' }, '{"k\\"":"line\\nbreak 签名"}'],
    ['primitives', 42, '42'],
    ['a string', 'RUNNING', '"RUNNING"'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it.each<[string, unknown, number]>([
    ['a snapshot of 100 instances × 15 fixture tasks', { z: 1, instances: Array.from({ length: 100 }, (_, n) => ({ tasks: Array.from({ length: 15 }, (_, i) => ({ ...FIXTURE[i % 3], id: `t${n}-${i}` })), b: null })), a: 'x' }, 3],
    ['toJSON, undefined members and holes at every level', { at: new Date(0), list: [undefined, 1, { u: undefined, d: new Date(1) }], skip: undefined }, 3],
    ['integer-like keys', { 10: 'a', 2: 'b', x: { 10: 1, 9: 2 } }, 3],
    ['depth 0: one piece', { b: [1, 2], a: 'é签名' }, 0],
    ['a primitive', 'RUNNING', 3],
  ])('canonicalChunks: the bytes of canonicalJson — %s', (_name, value, depth) => {
    const chunks = [...canonicalChunks(value, depth)];
    expect(Buffer.concat(chunks).toString('utf8')).toBe(canonicalJson(value));
    // Pieces are flushed at 64 KiB: no chunk is larger than that plus one instance's tasks.
    expect(chunks.every((c) => c.length <= 64 * 1024 + 16 * 1024)).toBe(true);
  });

  it.each(FIXTURE.map((t) => [t.task_name, t] as const))('the task %s gives the same bytes in any key order', (_name, t) => {
    expect(JSON.stringify(reversed(t))).not.toBe(JSON.stringify(t));
    expect(canonicalJson(reversed(t))).toBe(canonicalJson(t));
  });

  it.each([
    ['another value', { a: 1 }, { a: 2 }],
    ['another array order', { a: [1, 2] }, { a: [2, 1] }],
    ['a key more', { a: 1 }, { a: 1, b: null }],
    ['the task with another status', OBS_SINK, withTask(OBS_SINK, { status: 'PAUSED' })],
  ])('%s gives other bytes', (_name, a, b) => {
    expect(canonicalJson(a)).not.toBe(canonicalJson(b));
  });

  it.each<[string, unknown]>([
    ['a fixture task in reversed key order', reversed(FIXTURE[1])],
    ['nested objects in arrays', { z: [{ b: 1, a: { d: 1, c: 2 } }], a: null }],
    ['undefined members', { b: undefined, a: 1 }],
    ['a primitive', 'RUNNING'],
  ])('sortedCopy: %s becomes its canonical form, and plain JSON.stringify gives canonicalJson', (_name, value) => {
    const copy = sortedCopy(value);
    expect(JSON.stringify(copy)).toBe(canonicalJson(value));
    expect(canonicalJson(copy)).toBe(canonicalJson(value));
  });

  it('sortedCopy keeps "__proto__" as an own member, never as the prototype', () => {
    const copy = sortedCopy(JSON.parse('{"b":1,"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'b']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('listedTasks (the state read at the end of the listing)', () => {
  const target = { instance_id: 'i-1', name: 'prod', region: 'r', project_id: 'p' };
  const listed = sortedCopy(withTask(OBS_SINK, { id: 'task-1' }));
  const { intern } = listedTasks([{ target, listing: { tasks: [listed], total_number: 1, max_tasks: null, quota_tasks: null, anomalies: [], complete: true, requests: 1 }, error: null }, { target: { ...target, instance_id: 'i-2' }, listing: null, error: 'failed' }]);

  it.each<[string, string, Task, boolean]>([
    ['an equal stored task (any key order) becomes the listed object', 'i-1', reversed(withTask(OBS_SINK, { id: 'task-1' })) as Task, true],
    ['a stored task with another status stays itself', 'i-1', withTask(OBS_SINK, { id: 'task-1', status: 'PAUSED' }), false],
    ['a task of another instance stays itself', 'i-2', withTask(OBS_SINK, { id: 'task-1' }), false],
    ['a task no longer listed stays itself', 'i-1', withTask(OBS_SINK, { id: 'task-9' }), false],
  ])('%s', (_name, instanceId, stored, same) => {
    expect(intern(instanceId, stored) === listed).toBe(same);
    if (!same) expect(intern(instanceId, stored)).toBe(stored);
  });
});

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

describe('parseDuration', () => {
  it.each<[string, number | undefined]>([
    ['500ms', 500],
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['1.5h', 5_400_000],
    [' 7d ', 604_800_000],
    ['7 d', 604_800_000],
    ['0s', 0],
    ['soon', undefined],
    ['', undefined],
    ['7', undefined],
    ['d', undefined],
    ['-1d', undefined],
    ['7D', undefined],
    ['7days', undefined],
    ['1h30m', undefined],
    ['1e3s', undefined],
  ])('%j → %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('Redactor', () => {
  const FEISHU = 'https://open.feishu.cn/open-apis/bot/v2/hook/0f9e8d7c-6b5a-4321-9876-abcdef012345';
  const DINGTALK = 'https://oapi.dingtalk.com/robot/send?access_token=9a8b7c6d5e4f3a2b&timestamp=1';
  const SLACK = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';

  it.each<[string, (r: Redactor) => void, string, string]>([
    ['longer values first', (r) => r.add('abcd1234', 'abcd1234efgh'), 'x abcd1234efgh y abcd1234', 'x <secret> y <secret>'],
    ['longer first whatever the order added', (r) => r.add('abcd1234efgh', 'abcd1234'), 'abcd1234efgh|abcd1234', '<secret>|<secret>'],
    ['every occurrence', (r) => r.add('s3cr3t-TOKEN'), 's3cr3t-TOKEN and s3cr3t-TOKEN', '<secret> and <secret>'],
    ['a Secret', (r) => r.add(new Secret('s3cr3t-TOKEN')), 'key=s3cr3t-TOKEN', 'key=<secret>'],
    ['values under 4 characters ignored', (r) => r.add('abc', undefined, ''), 'abc', 'abc'],
    ['a URL, and its path token alone', (r) => r.addUrl(FEISHU), `POST ${FEISHU} failed; token 0f9e8d7c-6b5a-4321-9876-abcdef012345 invalid`, 'POST <secret> failed; token <secret> invalid'],
    ['a query token', (r) => r.addUrl(DINGTALK), 'sent to oapi.dingtalk.com?access_token=9a8b7c6d5e4f3a2b: 310000', 'sent to oapi.dingtalk.com?access_token=<secret>: 310000'],
    ['a long path token, not the short segments', (r) => r.addUrl(SLACK), 'services/T00000000: XXXXXXXXXXXXXXXXXXXXXXXX invalid', 'services/T00000000: <secret> invalid'],
    ['a URL password', (r) => r.addUrl('https://bot:p4ssw0rd@hooks.example.com/in'), 'auth p4ssw0rd rejected', 'auth <secret> rejected'],
    ['a string that is not a URL, whole', (r) => r.addUrl('not a url but secret'), 'x not a url but secret y', 'x <secret> y'],
    ['text without secrets unchanged', (r) => r.addUrl(FEISHU), 'instance prod: HTTP 503', 'instance prod: HTTP 503'],
  ])('%s', (_name, register, text, expected) => {
    const r = new Redactor();
    register(r);
    expect(r.redact(text)).toBe(expected);
  });

  it.each<[string, string]>([
    ['https://open.feishu.cn/open-apis/bot/v2/hook/0f9e8d7c-6b5a-4321-9876-abcdef012345', 'https://open.feishu.cn/…'],
    ['https://oapi.dingtalk.com/robot/send?access_token=9a8b7c6d5e4f3a2b', 'https://oapi.dingtalk.com/…'],
    ['http://127.0.0.1:8080/hook/5e4f3a2b1c0d', 'http://127.0.0.1:8080/…'],
    ['https://bot:p4ssw0rd@hooks.example.com/in#frag', 'https://hooks.example.com/…'],
    ['not a url', '<invalid url>'],
  ])('describeUrl(%s) = %s', (url, described) => {
    expect(describeUrl(url)).toBe(described);
    for (const token of ['0f9e8d7c', '9a8b7c6d5e4f3a2b', '5e4f3a2b1c0d', 'p4ssw0rd']) expect(describeUrl(url)).not.toContain(token);
  });
});

// ---------------------------------------------------------------------------------------------

const DAY = 86_400_000;
const MAX_AGE = 7 * DAY;

function entry(snapshotId: string, pending: string[], patch: Partial<OutboxEntry> = {}): OutboxEntry {
  const { changes, instances } = runChanges(snapshotId);
  const e = newOutboxEntry({ id: snapshotId, taken_at: isoOf(snapshotId), instances }, changes, pending.map((k) => channel(k)));
  if (!e) throw new Error('no entry');
  return OutboxEntry.parse({ ...e, ...patch });
}

describe('expireOutbox', () => {
  const now = Date.parse(isoOf(RUN_1)) + 3 * DAY;

  it.each([
    {
      name: 'a fresh message to configured channels: kept',
      outbox: () => [entry(RUN_1, ['ops', 'audit'])],
      keys: ['ops', 'audit'],
      now,
      kept: [['ops', 'audit']],
      expired: [],
    },
    {
      name: 'too old: expired for every pending channel, default reason',
      outbox: () => [entry(RUN_1, ['ops', 'audit'])],
      keys: ['ops', 'audit'],
      now: Date.parse(isoOf(RUN_1)) + MAX_AGE + 1,
      kept: [],
      expired: [['ops', 'not delivered in time'], ['audit', 'not delivered in time']],
    },
    {
      name: 'too old: the last error is recorded',
      outbox: () => [entry(RUN_1, ['ops'], { last_error: 'ops: HTTP 500: internal error', attempts: 12 })],
      keys: ['ops'],
      now: Date.parse(isoOf(RUN_1)) + 8 * DAY,
      kept: [],
      expired: [['ops', 'ops: HTTP 500: internal error']],
    },
    {
      name: 'exactly the maximum age: kept',
      outbox: () => [entry(RUN_1, ['ops'])],
      keys: ['ops'],
      now: Date.parse(isoOf(RUN_1)) + MAX_AGE,
      kept: [['ops']],
      expired: [],
    },
    {
      name: 'a removed channel: expired for that channel only',
      outbox: () => [entry(RUN_1, ['ops', 'audit'])],
      keys: ['ops'],
      now,
      kept: [['ops']],
      expired: [['audit', 'channel no longer configured']],
    },
    {
      name: 'every channel removed: the message goes, recorded per channel',
      outbox: () => [entry(RUN_1, ['ops', 'audit'])],
      keys: ['teams-new'],
      now,
      kept: [],
      expired: [['ops', 'channel no longer configured'], ['audit', 'channel no longer configured']],
    },
    {
      name: 'an old and a young message: only the old expires, the young is kept',
      outbox: () => [entry(RUN_1, ['ops']), entry('20261127T071500000Z', ['ops', 'audit'])],
      keys: ['ops', 'audit'],
      now: Date.parse(isoOf(RUN_1)) + 7.5 * DAY,
      kept: [['ops', 'audit']],
      expired: [['ops', 'not delivered in time']],
    },
  ])('$name', ({ outbox, keys, now: at, kept, expired }) => {
    const box = outbox();
    const result = expireOutbox(box, at, MAX_AGE, new Set(keys));
    expect(result.outbox.map((e) => e.pending)).toEqual(kept);
    expect(result.expired.map((x) => [x.channel, x.last_error])).toEqual(expired);
    for (const x of result.expired) {
      ExpiredMessage.parse(x);
      const from = box.find((e) => e.id === x.id);
      expect(from).toBeDefined();
      expect(x).toMatchObject({ snapshot_id: from?.snapshot_id, created_at: from?.created_at, change_ids: from?.changes.map((c) => c.id) });
    }
    for (const k of result.outbox) {
      const from = box.find((e) => e.id === k.id);
      expect({ ...k, pending: from?.pending }).toEqual(from);
    }
  });
});

describe('newOutboxEntry', () => {
  const { changes, instances } = runChanges(RUN_1);
  const snapshot = { id: RUN_1, taken_at: isoOf(RUN_1), instances };

  it('the run changes are: critical, info, warning, warning', () => {
    expect(kindsOf(changes)).toEqual(['status_changed:critical', 'config_changed:info', 'status_changed:warning', 'task_removed:warning']);
  });

  it.each([
    ['the same snapshot and changes', () => newOutboxEntry(snapshot, runChanges(RUN_1).changes, [channel('ops')]), true],
    ['the same, other channels', () => newOutboxEntry(snapshot, changes, [channel('audit'), channel('ops')]), true],
    ['another snapshot id', () => newOutboxEntry({ ...snapshot, id: RUN_2 }, changes, [channel('ops')]), false],
    ['fewer changes', () => newOutboxEntry(snapshot, changes.slice(1), [channel('ops')]), false],
    ['the changes of another run', () => newOutboxEntry(snapshot, runChanges(RUN_2).changes, [channel('ops')]), false],
  ])('id for %s: same = %s', (_name, make, same) => {
    const base = newOutboxEntry(snapshot, changes, [channel('ops')]);
    const other = make();
    expect(base?.id).toMatch(/^msg_[0-9a-f]{26}$/);
    expect(other?.id).toMatch(/^msg_[0-9a-f]{26}$/);
    expect(other?.id === base?.id).toBe(same);
  });

  it.each<[string, ChannelConfig[], string[] | null]>([
    ['no filter', [channel('all')], ['all']],
    ['critical only, and a change is critical', [channel('pager', { min_severity: 'critical' })], ['pager']],
    ['task_added only: nothing was added', [channel('adds', { events: ['task_added'] })], null],
    ['instance kinds only: none happened', [channel('infra', { events: ['instance_unreachable', 'instance_recovered'] })], null],
    ['config_changed at warning or more: the config change is info', [channel('cfg', { events: ['config_changed'], min_severity: 'warning' })], null],
    [
      'a mix: only the channels that accept a change',
      [channel('all'), channel('adds', { events: ['task_added'] }), channel('removals', { events: ['task_removed'] }), channel('pager', { min_severity: 'critical' })],
      ['all', 'removals', 'pager'],
    ],
    ['no channel at all', [], null],
  ])('pending: %s', (_name, channels, pending) => {
    const e = newOutboxEntry(snapshot, changes, channels);
    if (pending === null) {
      expect(e).toBeNull();
      return;
    }
    expect(OutboxEntry.parse(e)).toEqual(e);
    expect(e).toMatchObject({ snapshot_id: RUN_1, taken_at: isoOf(RUN_1), created_at: isoOf(RUN_1), changes, pending, attempts: 0, last_error: null });
  });

  it.each([
    [REPLICATOR.id, { source_type: 'KAFKA_REPLICATOR_SOURCE', sink_type: 'NONE' }],
    [OBS_SINK.id, { source_type: 'NONE', sink_type: 'OBS_SINK' }],
  ])('task_types holds the types of the changed task %s', (id, types) => {
    expect(newOutboxEntry(snapshot, changes, [channel('ops')])?.task_types?.[id]).toEqual(types);
  });
});

describe('changesForChannel', () => {
  const change = (kind: ChangeKind, severity: Severity, task: Task | null): Change => ({
    id: `${kind}-${severity}-${task?.id ?? ''}`,
    kind,
    severity,
    instance_id: PROD_ID,
    instance_name: 'prod',
    task_id: task?.id ?? null,
    task_name: task?.task_name ?? null,
    from: null,
    to: null,
    fields: null,
    snapshot_id: RUN_1,
    detected_at: isoOf(RUN_1),
  });
  const all = [
    change('task_added', 'info', REDIS),
    change('config_changed', 'info', OBS_SINK),
    change('status_changed', 'resolved', REPLICATOR),
    change('instance_recovered', 'resolved', null),
    change('status_changed', 'warning', OBS_SINK),
    change('task_removed', 'warning', REDIS),
    change('status_changed', 'critical', REPLICATOR),
    change('instance_unreachable', 'critical', null),
  ];

  it.each<[string, { events?: ChangeKind[]; min_severity?: Severity }, string[]]>([
    ['no filter', {}, kindsOf(all)],
    ['min info', { min_severity: 'info' }, kindsOf(all)],
    ['min resolved', { min_severity: 'resolved' }, ['status_changed:resolved', 'instance_recovered:resolved', 'status_changed:warning', 'task_removed:warning', 'status_changed:critical', 'instance_unreachable:critical']],
    ['min warning', { min_severity: 'warning' }, ['status_changed:warning', 'task_removed:warning', 'status_changed:critical', 'instance_unreachable:critical']],
    ['min critical', { min_severity: 'critical' }, ['status_changed:critical', 'instance_unreachable:critical']],
    ['events status_changed', { events: ['status_changed'] }, ['status_changed:resolved', 'status_changed:warning', 'status_changed:critical']],
    ['events status_changed, min warning', { events: ['status_changed'], min_severity: 'warning' }, ['status_changed:warning', 'status_changed:critical']],
    ['events of the instance', { events: ['instance_unreachable', 'instance_recovered'] }, ['instance_recovered:resolved', 'instance_unreachable:critical']],
    ['events task_added, min resolved: none', { events: ['task_added'], min_severity: 'resolved' }, []],
    ['events state_reset: none here', { events: ['state_reset'] }, []],
  ])('%s', (_name, filter, expected) => {
    expect(kindsOf(changesForChannel({ events: filter.events, min_severity: filter.min_severity }, all))).toEqual(expected);
  });

  it.each<[Severity, Severity]>([
    ['info', 'resolved'],
    ['resolved', 'warning'],
    ['warning', 'critical'],
  ])('severity %s ranks below %s', (lower, higher) => {
    expect(severityRank(lower)).toBeLessThan(severityRank(higher));
  });
});

// ---------------------------------------------------------------------------------------------

const POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 1_000, maxDelayMs: 8_000 };

describe('backoffDelay', () => {
  it.each<[number, number, number | undefined, number]>([
    [1, 0, undefined, 500],
    [1, 0.5, undefined, 750],
    [1, 1, undefined, 1_000],
    [2, 0, undefined, 1_000],
    [2, 1, undefined, 2_000],
    [3, 1, undefined, 4_000],
    [4, 1, undefined, 8_000],
    [5, 1, undefined, 8_000],
    [10, 0, undefined, 4_000],
    [1, 1, 30_000, 30_000],
    [3, 0, 2_500, 2_500],
    [2, 1, 100, 2_000],
    [1, 0.5, 0, 750],
  ])('attempt %i, random %d, Retry-After %s ms → %i ms', (attempt, random, retryAfter, expected) => {
    expect(backoffDelay(POLICY, attempt, random, retryAfter)).toBe(expected);
  });

  const grid = [1, 2, 3, 4, 5, 8, 30].flatMap((attempt) => [0, 0.01, 0.5, 0.99, 1].map((random) => [attempt, random] as const));
  it.each(grid)('attempt %i, random %d: between half and all of min(max, base·2^(n-1))', (attempt, random) => {
    const ceiling = Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** (attempt - 1));
    const d = backoffDelay(POLICY, attempt, random);
    expect(d).toBeGreaterThanOrEqual(ceiling / 2);
    expect(d).toBeLessThanOrEqual(ceiling);
    expect(d).toBeLessThanOrEqual(POLICY.maxDelayMs);
  });
});

const fakeTime = (deadline?: number, random?: number) => fakeClock({ deadlineInMs: deadline, random });

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP ${status}`);
  }
}

const classifyError = (err: unknown) => {
  const status = err instanceof HttpError ? err.status : 0;
  return { retryable: status === 429 || status >= 500, retryAfterMs: err instanceof HttpError ? err.retryAfterMs : undefined };
};

describe('withRetry', () => {
  type Step = 'ok' | { status: number; retryAfterMs?: number };
  it.each<{ name: string; steps: Step[]; policy?: RetryPolicy; deadline?: number; calls: number; sleeps: number[]; result: string }>([
    { name: 'succeeds first time', steps: ['ok'], calls: 1, sleeps: [], result: 'ok' },
    { name: 'retryable twice, then ok', steps: [{ status: 503 }, { status: 500 }, 'ok'], calls: 3, sleeps: [1_000, 2_000], result: 'ok' },
    { name: 'stops at the attempts', steps: [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }, 'ok'], calls: 4, sleeps: [1_000, 2_000, 4_000], result: 'HTTP 503 #4' },
    { name: 'attempts 1: no retry', steps: [{ status: 503 }, 'ok'], policy: { ...POLICY, attempts: 1 }, calls: 1, sleeps: [], result: 'HTTP 503 #1' },
    { name: 'non-retryable is not retried', steps: [{ status: 403 }, 'ok'], calls: 1, sleeps: [], result: 'HTTP 403 #1' },
    { name: 'retryable, then non-retryable', steps: [{ status: 429 }, { status: 400 }, 'ok'], calls: 2, sleeps: [1_000], result: 'HTTP 400 #2' },
    { name: 'Retry-After honoured', steps: [{ status: 429, retryAfterMs: 5_000 }, 'ok'], calls: 2, sleeps: [5_000], result: 'ok' },
    { name: 'stops when the next wait would pass the deadline', steps: [{ status: 503 }, { status: 503 }, 'ok'], deadline: 2_500, calls: 2, sleeps: [1_000], result: 'HTTP 503 #2' },
    { name: 'a wait ending exactly at the deadline is not taken', steps: [{ status: 503 }, 'ok'], deadline: 1_000, calls: 1, sleeps: [], result: 'HTTP 503 #1' },
    { name: 'Retry-After beyond the deadline: no wait', steps: [{ status: 429, retryAfterMs: 60_000 }, 'ok'], deadline: 30_000, calls: 1, sleeps: [], result: 'HTTP 429 #1' },
  ])('$name', async ({ steps, policy = POLICY, deadline, calls, sleeps, result }) => {
    const time = fakeTime(deadline);
    const attempts: number[] = [];
    const run = withRetry(
      policy,
      time.deps,
      async (attempt) => {
        attempts.push(attempt);
        const step = steps[attempt - 1];
        if (step === undefined || step === 'ok') return 'ok';
        throw Object.assign(new HttpError(step.status, step.retryAfterMs), { message: `HTTP ${step.status} #${attempt}` });
      },
      classifyError,
    );
    if (result === 'ok') await expect(run).resolves.toBe('ok');
    else await expect(run).rejects.toThrow(new RegExp(`^${result}$`));
    expect(attempts).toEqual(Array.from({ length: calls }, (_, i) => i + 1));
    expect(time.sleeps).toEqual(sleeps);
  });
});

// ---------------------------------------------------------------------------------------------

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued continuation run (no timers). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

describe('mapLimit', () => {
  it.each([
    [7, 3, 'last started first'],
    [7, 3, 'first started first'],
    [5, 1, 'last started first'],
    [4, 4, 'last started first'],
    [3, 8, 'first started first'],
    [10, 2, 'last started first'],
  ] as const)('%i items, limit %i, released %s: never more than the limit in flight, results in input order', async (n, limit, release) => {
    const items = Array.from({ length: n }, (_, i) => `instance-${i}`);
    const gates = items.map(() => deferred<void>());
    const started: number[] = [];
    const done = new Set<number>();
    let inFlight = 0;
    let maxInFlight = 0;
    const all = mapLimit(items, limit, async (item, i) => {
      expect(item).toBe(items[i]);
      started.push(i);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gates[i]?.promise;
      inFlight--;
      return `${item}:listed`;
    });
    while (done.size < n) {
      await settle();
      const running = started.filter((i) => !done.has(i));
      expect(running.length).toBe(Math.min(limit, n - done.size));
      expect(inFlight).toBeLessThanOrEqual(limit);
      const next = release === 'last started first' ? running[running.length - 1] : running[0];
      if (next === undefined) throw new Error('nothing in flight');
      done.add(next);
      gates[next]?.resolve();
    }
    await expect(all).resolves.toEqual(items.map((item) => `${item}:listed`));
    expect(maxInFlight).toBe(Math.min(limit, n));
    expect([...started].sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
  });

  // whenLeft: the state read starts when the listing's last instances are about to start.
  it.each([
    [10, 2, 4, 6],
    [10, 2, 0, 10],
    [10, 3, 9, 1],
    [3, 8, 4, 0],
    [0, 2, 0, 0],
  ] as const)('%i items, limit %i: whenLeft(atMost %i) is called once, after %i items started', async (n, limit, atMost, startedBefore) => {
    const started: number[] = [];
    const calls: number[] = [];
    const items = Array.from({ length: n }, (_, i) => i);
    await mapLimit(items, limit, async (i) => {
      started.push(i);
      await settle();
    }, { atMost, call: () => calls.push(started.length) });
    expect(calls).toEqual([startedBefore]);
    expect(started).toHaveLength(n);
  });

  it.each([[0], [2]])('an empty list with limit %i calls nothing', async (limit) => {
    const fn = vi.fn(async () => 1);
    await expect(mapLimit([], limit, fn)).resolves.toEqual([]);
    expect(fn).not.toHaveBeenCalled();
  });

  it.each([[1], [3]])('limit %i: a rejection rejects the whole map', async (limit) => {
    const gate = deferred<void>();
    const all = mapLimit(['a', 'b', 'c'], limit, async (item) => {
      if (item === 'a') await gate.promise;
      if (item === 'b') throw new Error('listing b failed');
      return item;
    });
    gate.resolve();
    await expect(all).rejects.toThrow('listing b failed');
  });
});

// ---------------------------------------------------------------------------------------------

interface FakeNotifier extends Notifier {
  sent: Message[];
}

/** A channel answering from a script (then `ok`), recording every message it was given. */
function fakeNotifier(ch: ChannelConfig, script: Outcome[] = []): FakeNotifier {
  const sent: Message[] = [];
  return {
    channel: ch,
    sent,
    async send(message) {
      sent.push(structuredClone(message));
      return script.shift() ?? { status: 'ok' };
    },
  };
}

const retryable = (reason = 'HTTP 503: busy', retryAfterMs?: number): Outcome => ({ status: 'retryable', reason, retryAfterMs });
const permanent = (reason = 'HTTP 400: bad request'): Outcome => ({ status: 'permanent', reason });
const DELIVERY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };

describe('deliverOutbox', () => {
  it.each<{
    name: string;
    outbox: () => OutboxEntry[];
    notifiers: () => FakeNotifier[];
    deadline?: number;
    delivered: number;
    pending: [string, string[], number, string | null][];
    sent: Record<string, string[]>;
    sleeps: number[];
    errors: number;
  }>([
    {
      name: 'ok: delivered and out of the outbox',
      outbox: () => [entry(RUN_1, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'))],
      delivered: 1,
      pending: [],
      sent: { ops: [RUN_1] },
      sleeps: [],
      errors: 0,
    },
    {
      name: 'retryable, then ok within the run',
      outbox: () => [entry(RUN_1, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'), [retryable(), retryable('HTTP 429', 1_500)])],
      delivered: 1,
      pending: [],
      sent: { ops: [RUN_1, RUN_1, RUN_1] },
      sleeps: [100, 1_500],
      errors: 0,
    },
    {
      name: 'permanent: stays pending with last_error and attempts + 1, not retried',
      outbox: () => [entry(RUN_1, ['ops'], { attempts: 2 })],
      notifiers: () => [fakeNotifier(channel('ops'), [permanent()])],
      delivered: 0,
      pending: [[RUN_1, ['ops'], 3, 'ops: HTTP 400: bad request']],
      sent: { ops: [RUN_1] },
      sleeps: [],
      errors: 1,
    },
    {
      name: 'retryable every time: stays pending after the policy attempts',
      outbox: () => [entry(RUN_1, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'), [retryable(), retryable(), retryable('HTTP 502: gateway')])],
      delivered: 0,
      pending: [[RUN_1, ['ops'], 1, 'ops: HTTP 502: gateway']],
      sent: { ops: [RUN_1, RUN_1, RUN_1] },
      sleeps: [100, 200],
      errors: 1,
    },
    {
      name: 'retryable past the deadline: no wait, stays pending',
      outbox: () => [entry(RUN_1, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'), [retryable('HTTP 429', 120_000)])],
      deadline: 60_000,
      delivered: 0,
      pending: [[RUN_1, ['ops'], 1, 'ops: HTTP 429']],
      sent: { ops: [RUN_1] },
      sleeps: [],
      errors: 1,
    },
    {
      name: 'the deadline has come: nothing new is sent, all stays pending, unchanged, and it is reported',
      outbox: () => [entry(RUN_1, ['ops']), entry(RUN_2, ['ops', 'audit'])],
      notifiers: () => [fakeNotifier(channel('ops')), fakeNotifier(channel('audit'))],
      deadline: 0,
      delivered: 0,
      pending: [
        [RUN_1, ['ops'], 0, null],
        [RUN_2, ['ops', 'audit'], 0, null],
      ],
      sent: {},
      sleeps: [],
      errors: 1,
    },
    {
      name: 'deferred by the channel (its per-run limit): pending, no error, no attempt counted as failed',
      outbox: () => [entry(RUN_1, ['ops']), entry(RUN_2, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'), [{ status: 'deferred', reason: 'deferred to the next run: limit' }])],
      delivered: 0,
      pending: [
        [RUN_1, ['ops'], 0, null],
        [RUN_2, ['ops'], 0, null],
      ],
      sent: { ops: [RUN_1] },
      sleeps: [],
      errors: 0,
    },
    {
      name: 'a failing channel does not affect another',
      outbox: () => [entry(RUN_1, ['ops', 'audit'])],
      notifiers: () => [fakeNotifier(channel('ops'), [permanent('HTTP 404: no such hook')]), fakeNotifier(channel('audit'))],
      delivered: 1,
      pending: [[RUN_1, ['ops'], 1, 'ops: HTTP 404: no such hook']],
      sent: { ops: [RUN_1], audit: [RUN_1] },
      sleeps: [],
      errors: 1,
    },
    {
      name: 'a channel that failed is not tried again for later messages this run; oldest first',
      outbox: () => [entry(RUN_1, ['ops', 'audit']), entry(RUN_2, ['ops', 'audit']), entry(RUN_3, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'), [permanent('HTTP 410: gone')]), fakeNotifier(channel('audit'))],
      delivered: 2,
      pending: [
        [RUN_1, ['ops'], 1, 'ops: HTTP 410: gone'],
        [RUN_2, ['ops'], 1, null],
        [RUN_3, ['ops'], 0, null],
      ],
      sent: { ops: [RUN_1], audit: [RUN_1, RUN_2] },
      sleeps: [],
      errors: 1,
    },
    {
      name: 'all delivered in order, oldest first',
      outbox: () => [entry(RUN_1, ['ops']), entry(RUN_2, ['ops', 'audit']), entry(RUN_3, ['audit'])],
      notifiers: () => [fakeNotifier(channel('audit')), fakeNotifier(channel('ops'))],
      delivered: 4,
      pending: [],
      sent: { ops: [RUN_1, RUN_2], audit: [RUN_2, RUN_3] },
      sleeps: [],
      errors: 0,
    },
    {
      name: 'a pending channel with no notifier (yet to expire) is kept, untried',
      outbox: () => [entry(RUN_1, ['ops', 'retired'])],
      notifiers: () => [fakeNotifier(channel('ops'))],
      delivered: 1,
      pending: [[RUN_1, ['retired'], 1, null]],
      sent: { ops: [RUN_1] },
      sleeps: [],
      errors: 0,
    },
  ])('$name', async ({ outbox, notifiers, deadline, delivered, pending, sent, sleeps, errors }) => {
    const box = outbox();
    const ns = notifiers();
    const time = fakeTime(deadline, 0); // random 0: each backoff is half of base·2^(n-1)
    const result = await deliverOutbox(box, ns, DELIVERY_POLICY, { ...time.deps, logger: silentLogger });
    expect(result.delivered).toBe(delivered);
    expect(result.outbox.map((e) => [e.snapshot_id, e.pending, e.attempts, e.last_error])).toEqual(pending);
    for (const n of ns) expect([n.channel.key, n.sent.map((m) => m.snapshot_id)]).toEqual([n.channel.key, sent[n.channel.key] ?? []]);
    for (const n of ns) for (const m of n.sent) expect(m.id).toBe(box.find((e) => e.snapshot_id === m.snapshot_id)?.id);
    expect(time.sleeps).toEqual(sleeps);
    expect(result.errors).toHaveLength(errors);
    for (const e of result.outbox) {
      const before = box.find((b) => b.id === e.id);
      expect({ ...e, pending: before?.pending, attempts: before?.attempts, last_error: before?.last_error }).toEqual(before);
    }
  });

  it.each<[string, { events?: ChangeKind[]; min_severity?: Severity }, string[]]>([
    ['no filter', {}, ['status_changed:critical', 'config_changed:info', 'status_changed:warning', 'task_removed:warning']],
    ['critical only', { min_severity: 'critical' }, ['status_changed:critical']],
    ['warning or more', { min_severity: 'warning' }, ['status_changed:critical', 'status_changed:warning', 'task_removed:warning']],
    ['config changes only', { events: ['config_changed'] }, ['config_changed:info']],
    ['removals only', { events: ['task_removed', 'task_added'] }, ['task_removed:warning']],
  ])('changes are filtered per channel: %s', async (_name, filter, expected) => {
    const ch = channel('filtered', filter);
    const other = fakeNotifier(channel('everything'));
    const n = fakeNotifier(ch);
    const e = entry(RUN_1, ['everything', 'filtered']);
    const result = await deliverOutbox([e], [other, n], DELIVERY_POLICY, { ...fakeTime().deps, logger: silentLogger });
    expect(result.outbox).toEqual([]);
    expect(n.sent.map((m) => kindsOf(m.changes))).toEqual([expected]);
    expect(other.sent.map((m) => m.changes.length)).toEqual([4]);
    expect(n.sent[0]?.id).toBe(e.id);
  });
});

// ---------------------------------------------------------------------------------------------

describe('genericPayload and Standard Webhooks headers', () => {
  const { changes } = runChanges(RUN_1);
  const message: Message = { id: 'msg_0123456789abcdef0123456789', snapshot_id: RUN_1, taken_at: isoOf(RUN_1), changes };
  const TS = 1_795_331_700;
  const WHSEC = `whsec_${Buffer.from('a 32-byte key for standard hooks').toString('base64')}`;

  it('the body is the DESIGN.md §5 payload', () => {
    expect(JSON.parse(genericPayload(message))).toEqual({ type: 'smart_connect.task_changes', id: message.id, snapshot_id: RUN_1, taken_at: isoOf(RUN_1), changes });
  });

  it.each([
    ['a whsec_ secret', WHSEC],
    ['the spec example secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['a plain secret', 's3cr3t-TOKEN'],
    ['a plain non-ASCII secret', 'plain-secret-签名'],
  ])('%s: verified by the independent receiver', (_name, secret) => {
    const body = genericPayload(message);
    const headers = standardWebhookHeaders(message.id, TS, body, secret);
    expect(headers['webhook-id']).toBe(message.id);
    expect(headers['webhook-timestamp']).toBe(String(TS));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyStandardWebhook(headers, body, secret, new Date(TS * 1000))).toEqual({ ok: true });
    expect(verifyStandardWebhook(headers, `${body} `, secret, new Date(TS * 1000))).toMatchObject({ ok: false });
    const wrong = secret.startsWith('whsec_') ? `whsec_${Buffer.from('another key entirely').toString('base64')}` : `${secret}x`;
    expect(verifyStandardWebhook(headers, body, wrong, new Date(TS * 1000))).toMatchObject({ ok: false });
    expect(verifyStandardWebhook({ ...headers, 'webhook-timestamp': String(TS + 1) }, body, secret, new Date(TS * 1000))).toMatchObject({ ok: false });
  });

  it.each([
    // The reference vector of the Standard Webhooks spec, and a plain-secret vector computed with openssl.
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}', 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='],
    ['plain-secret-签名', 'msg_2Kq8v1TWJ3xLm0', 1763712000, '{"type":"smart_connect.task_changes","id":"msg_2Kq8v1TWJ3xLm0"}', 'v1,/63rtxu4pad3EQrfurTyfAqfh8cbgStUsvyyIE3U/e4='],
  ])('known vector for %s', (secret, id, ts, body, signature) => {
    expect(standardWebhookHeaders(id, ts, body, secret)['webhook-signature']).toBe(signature);
  });

  it.each([
    ['the whsec_ key used as UTF-8', WHSEC, WHSEC.slice(6)],
    ['a plain secret taken as whsec_', 's3cr3t-TOKEN', 'whsec_s3cr3t-TOKEN'],
  ])('%s does not verify', (_name, signWith, verifyWith) => {
    const body = genericPayload(message);
    const headers = standardWebhookHeaders(message.id, TS, body, signWith);
    expect(verifyStandardWebhook(headers, body, verifyWith, new Date(TS * 1000))).toMatchObject({ ok: false });
  });
});

describe('classifyHttpStatus', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const answer = (status: number, headers: Record<string, string> = {}, body = '') => ({ status, headers: new Headers(headers), body });

  it.each([200, 201, 202, 204, 299])('%i is ok', (status) => {
    expect(classifyHttpStatus(answer(status, {}, '{"errcode":0}'))).toEqual({ status: 'ok' });
  });

  it.each([400, 401, 403, 404, 405, 410, 413, 422, 301, 302])('%i is permanent', (status) => {
    expect(classifyHttpStatus(answer(status))).toEqual({ status: 'permanent', reason: `HTTP ${status}` });
  });

  it.each([429, 500, 502, 503, 504, 599])('%i is retryable', (status) => {
    expect(classifyHttpStatus(answer(status))).toEqual({ status: 'retryable', reason: `HTTP ${status}`, retryAfterMs: undefined });
  });

  it.each<[string, number, Record<string, string>, number | undefined]>([
    ['Retry-After seconds on 429', 429, { 'retry-after': '120' }, 120_000],
    ['Retry-After 0 on 503', 503, { 'retry-after': '0' }, 0],
    ['Retry-After an HTTP-date 90 s ahead', 503, { 'retry-after': 'Sat, 21 Nov 2026 07:16:30 GMT' }, 90_000],
    ['Retry-After an HTTP-date in the past', 503, { 'retry-after': 'Sat, 21 Nov 2026 07:00:00 GMT' }, 0],
    ['Retry-After unreadable', 429, { 'retry-after': 'later please' }, undefined],
  ])('%s', (_name, status, headers, expected) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-21T07:15:00.000Z'));
    const outcome = classifyHttpStatus(answer(status, headers));
    expect(outcome).toMatchObject({ status: 'retryable' });
    expect(outcome.status === 'retryable' ? outcome.retryAfterMs : 'not retryable').toBe(expected);
    expect(retryAfterMs(new Headers(headers), Date.parse('2026-11-21T07:15:00.000Z'))).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['the body in the reason, whitespace collapsed', '{"error":\n  "invalid payload"}', 'HTTP 400: {"error": "invalid payload"}'],
    ['a long body cut at 200 characters', 'x'.repeat(500), `HTTP 400: ${'x'.repeat(200)}`],
  ])('%s', (_name, body, reason) => {
    expect(classifyHttpStatus(answer(400, {}, body))).toEqual({ status: 'permanent', reason });
  });
});

// ---------------------------------------------------------------------------------------------

describe('loadDotEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scw-dotenv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const write = (text: string) => {
    const path = join(dir, `env-${n++}`);
    writeFileSync(path, text);
    return path;
  };

  it.each<{ name: string; file: string; before: Record<string, string>; after: Record<string, string | undefined>; loaded: number }>([
    { name: 'plain pairs', file: 'OBS_BUCKET=scw-audit\nWATCH_REGION=cn-north-4\n', before: {}, after: { OBS_BUCKET: 'scw-audit', WATCH_REGION: 'cn-north-4' }, loaded: 2 },
    { name: 'double quotes keep spaces and #', file: 'WEBHOOK_SECRET="s3cr3t # not a comment "\n', before: {}, after: { WEBHOOK_SECRET: 's3cr3t # not a comment ' }, loaded: 1 },
    { name: 'single quotes', file: "WATCH_INSTANCES='prod=59f6d088, dr=c7e2a914'\n", before: {}, after: { WATCH_INSTANCES: 'prod=59f6d088, dr=c7e2a914' }, loaded: 1 },
    { name: 'JSON in single quotes', file: `WEBHOOKS='[{"type":"generic","url":"https://hooks.example.com/x"}]'`, before: {}, after: { WEBHOOKS: '[{"type":"generic","url":"https://hooks.example.com/x"}]' }, loaded: 1 },
    { name: 'comment lines and blank lines skipped', file: '# the bucket\n\n   # indented comment\nOBS_BUCKET=b\n#LOG_LEVEL=debug\n', before: {}, after: { OBS_BUCKET: 'b', LOG_LEVEL: undefined }, loaded: 1 },
    { name: 'a comment after a quoted value', file: 'WEBHOOK_SECRET="s3cr3t-TOKEN" # prod channel\n', before: {}, after: { WEBHOOK_SECRET: 's3cr3t-TOKEN' }, loaded: 1 },
    { name: 'an inline comment after an unquoted value', file: 'LOG_LEVEL=debug # while testing\n', before: {}, after: { LOG_LEVEL: 'debug' }, loaded: 1 },
    { name: 'a # without a space before it is part of the value', file: 'OBS_PREFIX=watch#1/\n', before: {}, after: { OBS_PREFIX: 'watch#1/' }, loaded: 1 },
    { name: 'export prefix and spaces around =', file: 'export CONCURRENCY = 4\n  NOTIFY_ON =  status_changed \n', before: {}, after: { CONCURRENCY: '4', NOTIFY_ON: 'status_changed' }, loaded: 2 },
    { name: 'CRLF line endings', file: 'OBS_BUCKET=b\r\nWATCH_REGION=cn-east-3\r\n', before: {}, after: { OBS_BUCKET: 'b', WATCH_REGION: 'cn-east-3' }, loaded: 2 },
    { name: 'a value holding =', file: 'WEBHOOK_URL=https://oapi.dingtalk.com/robot/send?access_token=abc=\n', before: {}, after: { WEBHOOK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=abc=' }, loaded: 1 },
    { name: 'an empty value', file: 'OBS_PREFIX=\n', before: {}, after: { OBS_PREFIX: '' }, loaded: 1 },
    { name: 'existing variables win', file: 'OBS_BUCKET=from-file\nWATCH_REGION=cn-north-4\n', before: { OBS_BUCKET: 'from-env' }, after: { OBS_BUCKET: 'from-env', WATCH_REGION: 'cn-north-4' }, loaded: 1 },
    { name: 'an existing empty variable wins', file: 'OBS_PREFIX=from-file/\n', before: { OBS_PREFIX: '' }, after: { OBS_PREFIX: '' }, loaded: 0 },
    { name: 'the first of two lines wins', file: 'LOG_LEVEL=warn\nLOG_LEVEL=debug\n', before: {}, after: { LOG_LEVEL: 'warn' }, loaded: 1 },
    { name: 'malformed lines ignored', file: 'just words\n1BAD=x\n=nokey\nGOOD=yes\n', before: {}, after: { GOOD: 'yes', '1BAD': undefined }, loaded: 1 },
  ])('$name', ({ file, before, after, loaded }) => {
    const env: NodeJS.ProcessEnv = { ...before };
    expect(loadDotEnv(write(file), env)).toBe(loaded);
    for (const [k, v] of Object.entries(after)) expect([k, env[k]]).toEqual([k, v]);
  });

  it('a missing file loads nothing and changes nothing', () => {
    const env: NodeJS.ProcessEnv = { OBS_BUCKET: 'b' };
    expect(loadDotEnv(join(dir, 'no-such-file'), env)).toBe(0);
    expect(env).toEqual({ OBS_BUCKET: 'b' });
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
