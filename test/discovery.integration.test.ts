import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OBS_ACCESS_KEY } from '../lib/demo/local-obs';
import { Change } from '../lib/alerting/change';
import { Snapshot } from '../lib/store/snapshot';
import { State } from '../lib/store/state';
import { type Harness, type Invocation, generatedTasks, leakedSecrets, startHarness } from './support/harness';

// Issue #18: fleet discovery through the built handler, the real Kafka SDK and the DMS emulator
// (ListInstances signed, paged and faulted like the tasks API), s3rver and a webhook receiver.

const OTHER_PROJECT = 'a9d8c7b6e5f4a3b2c1d0e9f8a7b6c5d4';
const STATE_KEY = 'smart-connect-watch/state.json';
const id = (name: string) => `inst-${name}`;
const PRODS = Array.from({ length: 60 }, (_, i) => `prod-${String(i).padStart(2, '0')}`);

describe('fleet discovery through the built handler', () => {
  let h: Harness;
  let sent = 0;
  /** The snapshot ids of the baseline and of the run with added and removed instances. */
  const ids: string[] = [];
  const entries = {
    prod: { discover: 'prod-*' },
    other: { discover: '*', project_id: OTHER_PROJECT },
    explicitDev: { instance_id: id('dev-1'), name: 'dev-explicit' },
    explicitProd: { instance_id: id('prod-03'), name: 'prod-three' },
    ghost: { discover: 'ghost-?' },
  };
  let config: Record<string, unknown>[] = Object.values(entries);
  const run = async (): Promise<Invocation> => {
    const inv = await h.invoke({ WATCH_INSTANCES: JSON.stringify(config) });
    expect(inv.error).toBeUndefined();
    expect(leakedSecrets(h, inv)).toEqual([]);
    return inv;
  };
  /** The changes sent since the last call, as brief tuples. */
  const newlySent = () => {
    const messages = h.hook.received.slice(sent);
    sent = h.hook.received.length;
    return messages.flatMap((m) => ((m.json as { changes: unknown[] }).changes ?? []).map((c) => Change.parse(c))).map((c) => [c.kind, c.instance_name, c.from, c.to]);
  };
  const state = async () => State.parse(JSON.parse((await h.getObject(STATE_KEY))!));
  const recorded = async (key: string | null) => Snapshot.parse(JSON.parse((await h.getObject(key!))!)).changes;
  const listRequests = () => h.dms.requests.filter((r) => r.listProject !== undefined);

  beforeAll(async () => {
    h = await startHarness({ otherProjects: [OTHER_PROJECT] });
    for (const name of PRODS) h.dms.setInstance(id(name), generatedTasks(1, name), { name });
    h.dms.setInstance(id('dev-1'), generatedTasks(2, 'dev'), { name: 'dev-1' });
    h.dms.setInstance(id('legacy-1'), generatedTasks(1, 'legacy'), { name: 'prod-legacy', connector_enable: false });
    h.dms.setInstance(id('dr-1'), generatedTasks(3, 'dr'), { name: 'dr-1', project_id: OTHER_PROJECT });
  }, 60_000);
  afterAll(async () => h?.close());

  it('first run: every page of each project once, globs, explicit ids win, Smart Connect off ignored, a glob matching nothing reported', async () => {
    h.dms.reset();
    const { report } = await run();
    // 60 prod-* + dev-1 (explicit) + dr-1 (other project); prod-03 is watched once, prod-legacy has Smart Connect off.
    expect(report).toMatchObject({ first_run: true, instances: { total: 62, ok: 62, failed: 0 }, tasks: 65, api_requests: 3 + 62 });
    expect(listRequests().map((r) => [r.listProject, r.offset, r.limit, new URLSearchParams(r.query).get('engine'), r.status]).sort()).toEqual(
      [[h.projectId, 0, 50, 'kafka', 200], [h.projectId, 50, 50, 'kafka', 200], [OTHER_PROJECT, 0, 50, 'kafka', 200]].sort(),
    );
    expect(report!.anomalies).toEqual([`discover entry "ghost-?" (cn-north-4/${h.projectId}) matches no instance with Smart Connect enabled`]);
    expect(report!.changes_by_kind).toEqual({ task_added: 65 });
    const snapshot = (await state()).snapshot;
    const byName = new Map(snapshot.instances.map((i) => [i.name, i]));
    expect(byName.get('prod-three')).toMatchObject({ instance_id: id('prod-03') });
    expect(byName.get('prod-three')?.discovered_by).toBeUndefined();
    expect(byName.get('dev-explicit')?.discovered_by).toBeUndefined();
    expect(byName.get('prod-00')).toMatchObject({ discovered_by: 'prod-*', project_id: h.projectId });
    expect(byName.get('dr-1')).toMatchObject({ discovered_by: '*', project_id: OTHER_PROJECT });
    expect(byName.has('prod-legacy')).toBe(false);
    expect(newlySent()).toEqual([]);
    ids.push(report!.snapshot_id);
  });

  it('an instance appears and others go (deleted, Smart Connect off): instance_added / instance_removed, the new tasks a silent baseline', async () => {
    h.dms.setInstance(id('prod-new'), [...generatedTasks(1, 'new'), { ...generatedTasks(1, 'newfail')[0]!, status: 'FAILED' }], { name: 'prod-new' });
    h.dms.removeInstance(id('prod-05'));
    h.dms.setInstance(id('prod-06'), generatedTasks(1, 'prod-06'), { connector_enable: false });
    h.dms.setInstance(id('prod-07'), [{ ...generatedTasks(1, 'prod-07')[0]!, status: 'PAUSED' }]);
    const { report } = await run();
    // The new instance's failing task is told as still_failing (DESIGN.md §10), its tasks otherwise a silent baseline.
    expect(report!.changes_by_kind).toEqual({ instance_added: 1, task_added: 2, still_failing: 1, instance_removed: 2, status_changed: 1 });
    ids.push(report!.snapshot_id);
    expect(newlySent().sort()).toEqual(
      [['instance_added', 'prod-new', null, null], ['still_failing', 'prod-new', 'FAILED', 'FAILED'], ['instance_removed', 'prod-05', '1', null], ['instance_removed', 'prod-06', '1', null], ['status_changed', 'prod-07', 'RUNNING', 'PAUSED']].sort(),
    );
    const changes = await recorded(report!.history_key);
    expect(changes.filter((c) => c.kind === 'task_added').map((c) => c.instance_name)).toEqual(['prod-new', 'prod-new']);
    expect(changes.some((c) => c.kind === 'task_removed')).toBe(false);
    expect((await state()).snapshot.instances.map((i) => i.name)).not.toContain('prod-05');
  });

  it('entries removed from the configuration: one instance_removed each (a discovered project, an explicit id)', async () => {
    config = [entries.prod, entries.explicitProd, entries.ghost];
    const { report } = await run();
    expect(newlySent().sort()).toEqual([['instance_removed', 'dev-explicit', '2', null], ['instance_removed', 'dr-1', '3', null]].sort());
    expect(report!.changes_by_kind).toEqual({ instance_removed: 2 });
    expect(report!.instances.total).toBe(59);
  });

  it('a discovery failing on one page (after retries): nothing removed, the unseen instances kept, changes on them still delivered', async () => {
    h.dms.reset();
    // The oldest instances are on the second page: prod-00 … prod-1x.
    h.dms.setListFault(h.projectId, { kind: 'status', status: 503, atOffset: 50 });
    h.dms.setInstance(id('prod-01'), [{ ...generatedTasks(1, 'prod-01')[0]!, status: 'FAILED' }]);
    const { report } = await run();
    expect(listRequests().filter((r) => r.offset === 50).map((r) => r.status)).toEqual([503, 503, 503]);
    expect(report!.instances.total).toBe(59);
    expect(report!.changes_by_kind).toEqual({ status_changed: 1 });
    expect(newlySent()).toEqual([['status_changed', 'prod-01', 'RUNNING', 'FAILED']]);
    const failed = report!.anomalies.find((a) => a.startsWith('discover entry "prod-*"'));
    expect(failed).toMatch(/failed: the page at offset 50 failed: HTTP 503 .*; 4\d instance\(s\) found on the pages that answered, 1\d kept from the previous snapshot \(none is taken as removed\)$/);
    h.dms.setListFault(h.projectId, null);
  });

  it('a discovery failing on its first page keeps every instance it found last time', async () => {
    h.dms.setListFault(h.projectId, { kind: 'reset' });
    const { report } = await run();
    expect(report!.instances.total).toBe(59);
    expect(report!.changes).toBe(0);
    expect(report!.anomalies.join('\n')).toMatch(/discover entry "prod-\*" .* failed: the page at offset 0 failed: network error.*; 0 instance\(s\) found on the pages that answered, 58 kept/);
    expect(newlySent()).toEqual([]);
    h.dms.setListFault(h.projectId, null);
  });

  it('throttling: a 429 with Retry-After is waited for and retried, and the discovery is complete', async () => {
    h.dms.reset();
    h.dms.setListFault(h.projectId, { kind: 'status', status: 429, body: { error_code: 'APIG.0308', error_msg: 'The request is throttled.' }, headers: { 'retry-after': '1' }, times: 1 });
    const { report } = await run();
    const firsts = listRequests().filter((r) => r.offset === 0);
    expect(firsts.map((r) => r.status)).toEqual([429, 200]);
    expect(firsts[1]!.at.getTime() - firsts[0]!.at.getTime()).toBeGreaterThanOrEqual(990);
    expect(report!.anomalies.filter((a) => a.includes('failed'))).toEqual([]);
    expect(report!.changes).toBe(0);
  });

  it('tasks answering "Smart Connect not enabled" after discovery said enabled: removed once, then only an anomaly', async () => {
    h.dms.setFault(id('prod-02'), { kind: 'connector-off' });
    const first = await run();
    expect(newlySent()).toEqual([['instance_removed', 'prod-02', '1', null]]);
    expect(first.report!.errors).toEqual([]);
    expect(first.report!.anomalies).toContainEqual(expect.stringMatching(/^prod-02 \(inst-prod-02\): discovered with Smart Connect enabled, but its tasks answer that it is not \(HTTP 400 .*not enabled.*\): not watched$/));
    const again = await run();
    expect(again.report!.changes).toBe(0);
    expect(again.report!.history_key).toBeNull();
    expect(again.report!.anomalies.some((a) => a.startsWith('prod-02 (inst-prod-02): discovered with Smart Connect enabled'))).toBe(true);
    expect(newlySent()).toEqual([]);
  });

  it('an explicitly configured id answering "not enabled" is unreachable with that reason', async () => {
    h.dms.setFault(id('prod-03'), { kind: 'connector-off' });
    const { report } = await run();
    expect(newlySent()).toEqual([['instance_unreachable', 'prod-three', null, null]]);
    expect(report!.errors).toEqual([expect.stringMatching(/^listing prod-three \(inst-prod-03\) failed: HTTP 400 .*Smart Connect is not enabled/)]);
    h.dms.setFault(id('prod-03'), null);
  });

  it('the audit CLI (history, show, diff, report) shows both kinds', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'scw-discovery-'));
    const env = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: h.obs.endpoint, OBS_BUCKET: h.obs.bucket, CLOUD_SDK_AK: LOCAL_OBS_ACCESS_KEY, CLOUD_SDK_SK: h.secrets.sk };
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
        execFile(process.execPath, [join(__dirname, '../dist/cli.js'), ...args], { cwd, env, timeout: 30_000 }, (err, stdout, stderr) => done({ code: err ? Number(err.code ?? -1) : 0, stdout, stderr }));
      });
    try {
      const history = await cli('history');
      expect(history.code).toBe(0);
      expect(history.stdout).toMatch(/info +prod-new +instance now watched: its tasks are a baseline/);
      expect(history.stdout).toMatch(/warning +prod-05 +instance no longer watched \(it had 1 tasks\)/);
      expect(history.stdout).toMatch(/warning +dr-1 +instance no longer watched \(it had 3 tasks\)/);
      const json = await cli('history', '--json', '--kind', 'instance_removed');
      expect(json.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { instance_name: string }).instance_name).sort()).toEqual(['dev-explicit', 'dr-1', 'prod-02', 'prod-05', 'prod-06']);
      const show = await cli('show', ids[1]!);
      expect(show.stdout).toMatch(/prod-new +instance now watched/);
      expect(show.stdout).toMatch(/prod-06 +instance no longer watched/);
      expect(show.stdout).toContain('prod-new (inst-prod-new)  cn-north-4  ok  2 tasks (quota 18)  discovered by prod-*');
      const diff = await cli('diff', ids[0]!, ids[1]!, '--json');
      expect(diff.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { kind: string; instance_name: string }).filter((c) => c.kind.startsWith('instance_')).map((c) => [c.kind, c.instance_name]).sort()).toEqual(
        [['instance_added', 'prod-new'], ['instance_removed', 'prod-05'], ['instance_removed', 'prod-06']],
      );
      const report = await cli('report', '--html', join(cwd, 'report.html'));
      expect(report.code).toBe(0);
      const html = await readFile(join(cwd, 'report.html'), 'utf8');
      expect(html).toContain('<td>instance now watched: its tasks are a baseline</td>');
      expect(html).toContain('<td>instance no longer watched (it had 3 tasks)</td>');
      for (const out of [history, json, show, diff, report]) expect(`${out.stdout}${out.stderr}`).not.toContain(h.secrets.sk);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('an unreadable state.json and a failed discovery: the instances come from the newest history object, none removed', async () => {
    const before = (await state()).snapshot.instances.length;
    await h.putObject(STATE_KEY, '{"schema": "smart-connect-watch/state/v1", "snap');
    h.dms.setListFault(h.projectId, { kind: 'reset' });
    const { report } = await run();
    h.dms.setListFault(h.projectId, null);
    expect(report).toMatchObject({ state_reset: true, instances: { total: before } });
    expect(report!.changes_by_kind.instance_removed).toBeUndefined();
    expect(report!.anomalies.join('\n')).toMatch(/discover entry "prod-\*" .* failed: .*, \d+ kept from the previous snapshot/);
  });
});
