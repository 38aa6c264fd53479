import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Change } from '../lib/alerting/change';
import { Snapshot } from '../lib/store/snapshot';
import { State } from '../lib/store/state';
import { type Harness, type TaskRecord, fixtureTasks, generatedTasks, startHarness } from './support/harness';

const PROD = 'inst-prod-0001';
const BULK = 'inst-bulk-0002';
const STATE_KEY = 'smart-connect-watch/state.json';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** One scripted history through the real handler, the real SDK clients, the DMS emulator, s3rver and a webhook receiver. */
describe('the watch cycle through the built handler', () => {
  let h: Harness;
  let prod: TaskRecord[];
  let bulk: TaskRecord[];
  const publish = () => {
    h.dms.setInstance(PROD, prod);
    h.dms.setInstance(BULK, bulk);
  };
  const readState = async () => State.parse(JSON.parse((await h.getObject(STATE_KEY)) ?? 'null'));
  const historyKeys = () => h.listKeys('smart-connect-watch/history/');
  const setStatus = (list: TaskRecord[], name: string, status: string) => {
    const task = list.find((t) => t.task_name === name);
    if (!task) throw new Error(`no task ${name}`);
    task.status = status;
  };

  beforeAll(async () => {
    h = await startHarness();
    prod = fixtureTasks();
    bulk = generatedTasks(120);
    publish();
  });
  afterAll(async () => h?.close());

  it('baseline: lists every page with limit 50, records the first snapshot, sends no message', async () => {
    const { report, error } = await h.invoke();
    expect(error).toBeUndefined();
    expect(report).toMatchObject({ first_run: true, instances: { total: 2, ok: 2, failed: 0 }, tasks: 123, api_requests: 4 });
    expect(h.dms.requests.map((r) => [r.instanceId, r.offset, r.limit, r.status]).sort()).toEqual(
      [[BULK, 0, 50, 200], [BULK, 50, 50, 200], [BULK, 100, 50, 200], [PROD, 0, 50, 200]].sort(),
    );
    expect(h.hook.received).toHaveLength(0);

    const keys = await historyKeys();
    expect(keys).toEqual([report!.history_key]);
    expect(keys[0]).toMatch(/^smart-connect-watch\/history\/\d{4}\/\d{2}\/\d{2}\/\d{8}T\d{9}Z\.json$/);
    const history = Snapshot.parse(JSON.parse((await h.getObject(keys[0]!))!));
    expect(history.previous).toBeNull();
    expect(history.instances.find((i) => i.instance_id === PROD)?.tasks.map((t) => t.id)).toEqual(prod.map((t) => t.id).sort());
    // The API's quirks survive into the snapshot.
    const obsTask = history.instances[1]?.tasks.find((t) => t.task_name === 'smart-connect-1') ?? history.instances[0]?.tasks.find((t) => t.task_name === 'smart-connect-1');
    expect(obsTask).toMatchObject({ topics_regex: 'topic-obs*', source_task: null, sink_task: { deliver_time_interva: 300 } });

    const state = await readState();
    expect(state.last_history).toEqual({ id: history.id, key: keys[0], sha256: sha256((await h.getObject(keys[0]!))!) });
    expect(state.outbox).toEqual([]);
  });

  it('a quiet run sends nothing and writes no history object', async () => {
    const before = await historyKeys();
    const stateBefore = await readState();
    const { report } = await h.invoke();
    expect(report).toMatchObject({ first_run: false, changes: 0, history_key: null });
    expect(await historyKeys()).toEqual(before);
    expect(h.hook.received).toHaveLength(0);
    const state = await readState();
    expect(state.snapshot).toEqual(stateBefore.snapshot);
    expect(state.checked_at > stateBefore.checked_at).toBe(true);
  });

  it('a status change, an added and a removed task arrive in one signed message, chained in the history', async () => {
    setStatus(prod, 'smart-connect-1', 'PAUSED');
    prod.push({ ...prod[0]!, id: 'added-task-0001', task_name: 'smart-connect-new', status: 'CREATING' });
    const removed = bulk.splice(7, 1)[0]!;
    publish();
    const previous = (await readState()).last_history!;

    const { report } = await h.invoke();
    expect(report).toMatchObject({ changes: 3, messages: { delivered: 1, pending: 0, expired: 0 } });
    expect(h.hook.received).toHaveLength(1);
    const [req] = h.hook.received;
    expect(req!.signature).toBe('valid');
    const body = req!.json as { type: string; id: string; snapshot_id: string; taken_at: string; changes: unknown[] };
    expect(body).toMatchObject({ type: 'smart_connect.task_changes', id: req!.headers['webhook-id'], snapshot_id: report!.snapshot_id });
    const changes = body.changes.map((c) => Change.parse(c));
    expect(changes.map((c) => [c.kind, c.severity, c.task_name, c.from, c.to])).toEqual([
      ['task_removed', 'warning', removed.task_name, 'RUNNING', null],
      ['status_changed', 'warning', 'smart-connect-1', 'RUNNING', 'PAUSED'],
      ['task_added', 'info', 'smart-connect-new', null, 'CREATING'],
    ]);

    const history = Snapshot.parse(JSON.parse((await h.getObject(report!.history_key!))!));
    expect(history.previous).toEqual({ id: previous.id, sha256: sha256((await h.getObject(previous.key))!) });
    expect(history.changes).toEqual(changes);
    h.hook.reset();
  });

  it('an instance answering 5xx is reported unreachable and keeps its tasks; its recovery is reported', async () => {
    h.dms.setFault(BULK, { kind: 'status', status: 503 });
    const failed = await h.invoke();
    expect(failed.report).toMatchObject({ instances: { ok: 1, failed: 1 }, changes: 1, changes_by_kind: { instance_unreachable: 1 } });
    expect(failed.report!.errors.join('\n')).toContain('HTTP 503');
    const state = await readState();
    const kept = state.snapshot.instances.find((i) => i.instance_id === BULK)!;
    expect(kept).toMatchObject({ ok: false, error: expect.stringContaining('503') });
    expect(kept.tasks).toHaveLength(119);
    const sent = (h.hook.received[0]!.json as { changes: Change[] }).changes;
    expect(sent.map((c) => [c.kind, c.severity, c.instance_name])).toEqual([['instance_unreachable', 'critical', 'bulk']]);

    h.dms.setFault(BULK, null);
    h.hook.reset();
    const recovered = await h.invoke();
    expect(recovered.report).toMatchObject({ instances: { ok: 2, failed: 0 }, changes_by_kind: { instance_recovered: 1 } });
    expect(recovered.report!.changes_by_kind.task_removed).toBeUndefined();
    h.hook.reset();
  });

  it('a 200 whose body is not JSON is a failed listing, never an empty one', async () => {
    h.dms.setFault(PROD, { kind: 'not-json' });
    const { report } = await h.invoke();
    expect(report).toMatchObject({ instances: { failed: 1 }, changes: 1, changes_by_kind: { instance_unreachable: 1 } });
    expect(report!.errors.join('\n')).toContain('no tasks array');
    const prodNow = (await readState()).snapshot.instances.find((i) => i.instance_id === PROD)!;
    expect(prodNow.tasks.map((t) => t.id)).toEqual(prod.map((t) => t.id).sort());
    h.dms.setFault(PROD, null);
    await h.invoke();
    h.hook.reset();
  });

  it('a webhook outage keeps the message in the outbox; the next run delivers it with the same webhook-id', async () => {
    h.hook.respondWith({ status: 503 }, { status: 502 }, { status: 500 });
    setStatus(prod, 'smart-connect-121248117', 'FAILED');
    publish();
    const down = await h.invoke();
    expect(down.report).toMatchObject({ messages: { delivered: 0, pending: 1 } });
    expect(h.hook.received.map((r) => r.answered)).toEqual([503, 502, 500]);
    const pending = (await readState()).outbox;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ attempts: 1, last_error: expect.stringContaining('HTTP 500') });

    const up = await h.invoke();
    expect(up.report).toMatchObject({ changes: 0, messages: { delivered: 1, pending: 0 } });
    const ids = h.hook.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toBe(pending[0]!.id);
    const delivered = h.hook.received.at(-1)!;
    expect(delivered.signature).toBe('valid');
    expect((delivered.json as { changes: Change[] }).changes.map((c) => [c.kind, c.to])).toEqual([['status_changed', 'FAILED']]);
    expect((await readState()).outbox).toEqual([]);
    h.hook.reset();
  });

  it('a corrupt state.json is quarantined byte for byte, reported as state_reset, and the run continues from the history', async () => {
    const newestBefore = (await historyKeys()).at(-1)!;
    const garbage = '{"schema": "smart-connect-watch/state/v1", "snapsh\u0000ot": [truncated';
    await h.putObject(STATE_KEY, garbage);

    const { report, error } = await h.invoke();
    expect(error).toBeUndefined();
    expect(report).toMatchObject({ state_reset: true, first_run: false, changes: 1, changes_by_kind: { state_reset: 1 } });
    const quarantined = await h.listKeys('smart-connect-watch/quarantine/');
    expect(quarantined).toEqual([`smart-connect-watch/quarantine/${report!.snapshot_id}-state.json`]);
    expect(await h.getObject(quarantined[0]!)).toBe(garbage);

    const history = Snapshot.parse(JSON.parse((await h.getObject(report!.history_key!))!));
    expect(history.previous).toEqual({ id: expect.any(String), sha256: sha256((await h.getObject(newestBefore))!) });
    // The newest object's message is sent again first, under its original id: nothing says it was delivered (DESIGN.md §6).
    const bodies = h.hook.received.map((r) => r.json as { snapshot_id: string; changes: Change[] });
    expect(bodies.map((b) => [b.snapshot_id, b.changes.map((c) => [c.kind, c.severity])])).toEqual([
      [history.previous!.id, [['status_changed', 'critical']]],
      [report!.snapshot_id, [['state_reset', 'warning']]],
    ]);
    expect((await readState()).last_history?.key).toBe(report!.history_key);
    h.hook.reset();
  });

  it('every log line is one JSON object with level, msg and request_id, and a summary line carries the report', async () => {
    const { logs, report } = await h.invoke();
    expect(logs.length).toBeGreaterThan(1);
    for (const line of logs) expect(line).toMatchObject({ level: expect.any(String), msg: expect.any(String), request_id: expect.stringMatching(/^req-/) });
    const summary = logs.find((l) => l.msg === 'run finished');
    expect(summary).toMatchObject({ snapshot_id: report!.snapshot_id, duration_ms: expect.any(Number), tasks: 123 });
  });
});

describe('bad configuration fails the run with an error naming the variable', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it.each([
    ['empty WATCH_INSTANCES', { WATCH_INSTANCES: '' }, 'WATCH_INSTANCES'],
    ['missing OBS_BUCKET', { OBS_BUCKET: undefined }, 'OBS_BUCKET'],
    ['unknown channel type in WEBHOOKS', { WEBHOOKS: '[{"type":"pager","url":"https://example.invalid/x"}]' }, 'WEBHOOKS[0].type'],
    ['WEBHOOKS not JSON', { WEBHOOKS: '[{"type":"generic",' }, 'WEBHOOKS is not valid JSON'],
  ])('%s', async (_name, extra, named) => {
    const { error, report } = await h.invoke(extra);
    expect(report).toBeUndefined();
    expect(error?.name).toBe('ConfigError');
    expect(error?.message).toContain(named);
    expect(h.dms.requests).toHaveLength(0);
    expect(await h.listKeys('')).toEqual([]);
  });
});

describe('baselines per instance', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('an instance failing since the first run sends no task_added flood when it recovers; a newly configured one sends only instance_added', async () => {
    h.dms.setInstance(PROD, fixtureTasks());
    h.dms.setInstance(BULK, generatedTasks(30));
    h.dms.setFault(BULK, { kind: 'status', status: 500 });
    const first = await h.invoke();
    expect(first.report).toMatchObject({ first_run: true, instances: { failed: 1 } });
    expect((h.hook.received[0]!.json as { changes: Change[] }).changes.map((c) => c.kind)).toEqual(['instance_unreachable']);
    h.hook.reset();

    h.dms.setFault(BULK, null);
    const recovered = await h.invoke();
    expect(recovered.report).toMatchObject({ changes_by_kind: { instance_recovered: 1, task_added: 30 } });
    expect((h.hook.received[0]!.json as { changes: Change[] }).changes.map((c) => c.kind)).toEqual(['instance_recovered']);
    h.hook.reset();

    h.dms.setInstance('inst-new-0003', generatedTasks(5, 'new'));
    const added = await h.invoke({ WATCH_INSTANCES: `prod=${PROD},bulk=${BULK},new=inst-new-0003` });
    // DESIGN §9: a newly configured instance is news (instance_added), its tasks a silent baseline.
    expect(added.report).toMatchObject({ changes_by_kind: { instance_added: 1, task_added: 5 }, messages: { delivered: 1 } });
    expect(h.hook.received.map((r) => (r.json as { changes: Change[] }).changes.map((c) => [c.kind, c.instance_name]))).toEqual([[['instance_added', 'new']]]);
  });
});

describe('instances of several projects', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ channel: false });
  });
  afterAll(async () => h?.close());

  // One SDK client per endpoint and project: each instance is asked under its own project, in any order.
  it.each([
    ['the other project first', [1, 0]],
    ['the right project first', [0, 1]],
  ])('each instance is listed under its own project_id (%s)', async (_name, order) => {
    h.dms.setInstance(PROD, fixtureTasks());
    h.dms.setInstance(BULK, generatedTasks(3));
    h.dms.reset();
    const instances = [{ instance_id: PROD, name: 'prod' }, { instance_id: BULK, name: 'bulk', project_id: 'another-project-0001' }];
    const { report, error } = await h.invoke({ WATCH_INSTANCES: JSON.stringify(order.map((i) => instances[i])), CONCURRENCY: '1', OBS_PREFIX: `projects-${order.join('')}/` });
    expect(error).toBeUndefined();
    expect(report).toMatchObject({ instances: { ok: 1, failed: 1 } });
    expect(report!.errors).toEqual([expect.stringMatching(/^listing bulk \(inst-bulk-0002\) failed: HTTP 403 DMS\.00403000/)]);
    expect(h.dms.requests.map((r) => [r.instanceId, r.status]).sort()).toEqual([[BULK, 403], [PROD, 200]].sort());
  });
});

describe('paging anomalies', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('a listing that runs dry before total_number is flagged, and its unseen tasks are not reported removed', async () => {
    const tasks = generatedTasks(120);
    h.dms.setInstance(PROD, fixtureTasks());
    h.dms.setInstance(BULK, tasks);
    await h.invoke();
    h.hook.reset();
    h.dms.reset();

    // The API now says 120 but serves only the first 60: the listing stops at the empty page.
    h.dms.setInstance(BULK, tasks.slice(0, 60), { total_number: 120 });
    const { report, logs } = await h.invoke();
    expect(report!.anomalies).toEqual([expect.stringMatching(/^bulk \(inst-bulk-0002\): listing ended with 60 of 120 tasks$/)]);
    expect(logs.some((l) => l.msg === 'paging anomaly' && l.level === 'warn')).toBe(true);
    expect(report!.changes_by_kind.task_removed).toBeUndefined();
    expect(report!.tasks).toBe(123);
    expect(h.dms.requests.filter((r) => r.instanceId === BULK).map((r) => r.offset)).toEqual([0, 50, 100]);
    expect(h.hook.received).toHaveLength(0);
  });
});

describe('overlapping runs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('a run that finds state.json rewritten by another run continues from it: no forked chain, no duplicate message', async () => {
    const prod = fixtureTasks();
    h.dms.setInstance(PROD, prod);
    h.dms.setInstance(BULK, generatedTasks(3));
    await h.invoke();
    const baselineKeys = await h.listKeys('smart-connect-watch/history/');
    h.dms.reset();

    // Run A is held up listing PROD (its request waits at a gate); run B starts and finishes meanwhile,
    // finding a paused task; then A's answer is let through.
    const gate = h.dms.gate((r) => r.instanceId === PROD);
    const runA = h.invoke();
    await gate.reached;
    prod[0]!.status = 'PAUSED';
    h.dms.setInstance(PROD, prod);
    const b = await h.invoke();
    expect(b.report).toMatchObject({ changes: 1, messages: { delivered: 1 } });
    gate.release();
    const a = await runA;

    expect(a.error).toBeUndefined();
    expect(a.report!.anomalies).toEqual([expect.stringContaining('another run wrote state.json during this run')]);
    expect(a.report).toMatchObject({ changes: 0, history_key: null, messages: { delivered: 0 } });
    expect(h.hook.received).toHaveLength(1);
    const keys = await h.listKeys('smart-connect-watch/history/');
    expect(keys).toEqual([...baselineKeys, b.report!.history_key].sort());
    const state = State.parse(JSON.parse((await h.getObject(STATE_KEY))!));
    expect(state.last_history?.key).toBe(b.report!.history_key);
  });
});

describe('a quiet run and the snapshot it read', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ channel: false });
    h.dms.setInstance(PROD, fixtureTasks());
    h.dms.setInstance(BULK, generatedTasks(3));
    await h.invoke(); // the baseline
  });
  afterAll(async () => h?.close());

  // The state's snapshot is the newest history object. When its text hashes to last_history.sha256,
  // a quiet run writes that text back as it is; otherwise it writes the snapshot anew, as canonical JSON.
  it.each([
    ['writes the text back as it is when the chain\'s sha256 matches it', true],
    ['writes canonical JSON when the sha256 does not match the text', false],
  ])('%s', async (_name, matching) => {
    const state = JSON.parse((await h.getObject(STATE_KEY))!) as State;
    const canonical = (await h.getObject(state.last_history!.key))!;
    const pretty = JSON.stringify(JSON.parse(canonical), null, 1); // the same snapshot, other bytes
    const lastHistory = { ...state.last_history!, sha256: matching ? sha256(pretty) : sha256(canonical) };
    const head = JSON.stringify({ ...state, last_history: lastHistory, snapshot: undefined });
    await h.putObject(STATE_KEY, `${head.slice(0, -1)},"snapshot":${pretty}}`);

    const { report, error } = await h.invoke();
    expect(error).toBeUndefined();
    expect(report).toMatchObject({ changes: 0, history_key: null, errors: [] });
    const after = (await h.getObject(STATE_KEY))!;
    expect(after.endsWith(`,"snapshot":${matching ? pretty : canonical}}`)).toBe(true);
    expect(State.parse(JSON.parse(after)).snapshot).toEqual(Snapshot.parse(JSON.parse(canonical)));
  });
});

describe('LOG_LEVEL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.dms.setInstance(PROD, fixtureTasks());
    h.dms.setInstance(BULK, []);
  });
  afterAll(async () => h?.close());

  it.each([
    ['debug', ['info']],
    ['info', ['info']],
    ['warn', ['warn']],
    ['error', []],
  ])('LOG_LEVEL=%s prints only lines at that level or above', async (level, expected) => {
    h.dms.setFault(BULK, { kind: 'status', status: 500 });
    const { logs } = await h.invoke({ LOG_LEVEL: level });
    h.dms.setFault(BULK, null);
    const order = ['debug', 'info', 'warn', 'error'];
    const levels = new Set(logs.map((l) => String(l.level)));
    for (const l of levels) expect(order.indexOf(l)).toBeGreaterThanOrEqual(order.indexOf(level));
    for (const l of expected) expect(levels).toContain(l);
    // The summary line is a warning when the run had errors, so it survives LOG_LEVEL=warn.
    expect(logs.some((l) => l.msg === 'run finished')).toBe(level !== 'error');
  });
});
