import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_OBS_ACCESS_KEY } from '../lib/demo/local-obs';
import { State } from '../lib/store/state';
import { acceptedChanges, deliveryGaps, historyObjects } from './support/delivery-oracle';
import { type Harness, type Invocation, type TaskRecord, fixtureTasks, generatedTasks, leakedSecrets } from './support/harness';
import type { ObsFaultProxy } from './support/obs-fault-proxy';
import { withFaultProxyHarness } from './support/fault-harness';
import { invokeTogether } from './support/overlap';

// Issue #15 items 1–3, through the built handler with real SDK clients, s3rver behind a fault proxy
// and a webhook receiver: a reset after a failed run, a reset with a full outbox, overlapping runs.
// After each sequence: every change of every history object was accepted by the receiver at least
// once, and it received no change that is not in the history.

const PROD = 'inst-prod-0001';
const BULK = 'inst-bulk-0002';
const CLI = join(__dirname, '../dist/cli.js');

describe('nothing lost across resets and overlapping runs', () => {
  let h: Harness;
  let obs: ObsFaultProxy;
  let prod: TaskRecord[];
  let prefix = '';
  let tests = 0;
  const env = () => ({ OBS_ENDPOINT: obs.url, OBS_PREFIX: prefix, NOTIFY_FIRST_RUN: 'true' });
  const run = async (): Promise<Invocation> => {
    const inv = await h.invoke(env());
    expect(leakedSecrets(h, inv)).toEqual([]);
    return inv;
  };
  const setStatus = (names: string[], status: string) => {
    prod = prod.map((t) => (names.includes(t.task_name) ? { ...t, status } : t));
    h.dms.setInstance(PROD, prod);
  };
  const setBulk = (n: number, status: string) => h.dms.setInstance(BULK, generatedTasks(5).map((t, i) => (i < n ? { ...t, status } : t)));
  const corruptState = () => h.putObject(`${prefix}state.json`, '{"schema": "smart-connect-watch/state/v1", "outbox": [trunc');
  const readState = async () => State.parse(JSON.parse((await h.getObject(`${prefix}state.json`))!));
  const expectNothingLost = async () => {
    const gaps = deliveryGaps(await historyObjects(h, prefix), h.hook.received);
    expect(gaps.missing.map((c) => `${c.kind} ${c.task_name ?? ''} ${c.snapshot_id}`)).toEqual([]);
    expect(gaps.invented).toEqual([]);
  };
  const verify = () =>
    new Promise<{ code: number; stdout: string }>((resolve) => {
      const cliEnv = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: h.obs.endpoint, OBS_BUCKET: h.obs.bucket, OBS_PREFIX: prefix, CLOUD_SDK_AK: LOCAL_OBS_ACCESS_KEY, CLOUD_SDK_SK: h.secrets.sk };
      execFile(process.execPath, [CLI, 'verify', '--json'], { env: cliEnv, timeout: 30_000 }, (err, stdout) => resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout }));
    });

  withFaultProxyHarness((started) => ({ h, obs } = started));
  beforeEach(async () => {
    prefix = `recovery-${++tests}/`;
    prod = fixtureTasks();
    h.dms.setInstance(PROD, prod);
    h.dms.setInstance(BULK, generatedTasks(5));
    obs.clear();
    h.hook.reset();
    h.hook.setDefault({ status: 204 });
    expect((await run()).report).toMatchObject({ first_run: true, messages: { delivered: 1 } });
  });
  afterEach(() => obs.clear());

  it('1. a reset after a failed run: the next run sends the failed run\'s changes (its history object counts as not sent)', async () => {
    await corruptState();
    setStatus(['smart-connect-1', 'smart-connect-121248117'], 'FAILED');
    obs.fault({ method: 'PUT', key: /\/state\.json$/, status: 503, code: 'ServiceUnavailable', times: 4 });
    const failed = await run();
    expect(failed.error?.name).toBe('StoreError');
    const written = (await historyObjects(h, prefix)).at(-1)!;
    expect(written.changes.map((c) => [c.kind, c.to])).toEqual([['state_reset', null], ['status_changed', 'FAILED'], ['status_changed', 'FAILED']]);
    const sentBefore = h.hook.received.length;

    const next = await run();
    expect(next.error).toBeUndefined();
    expect(next.report).toMatchObject({ state_reset: true });
    const resent = acceptedChanges(h.hook.received.slice(sentBefore));
    expect(resent.filter((a) => a.change.snapshot_id === written.id).map((a) => [a.change.kind, a.change.to])).toEqual([
      ['state_reset', null],
      ['status_changed', 'FAILED'],
      ['status_changed', 'FAILED'],
    ]);
    await expectNothingLost();
    expect(next.report!.errors[0]).toMatch(/^state\.json .*: kept as quarantine\/.*; continuing from recovery-\d+\/history\/.*; \d+ message\(s\) that may be undelivered queued again from the history$/);
    expect(JSON.parse((await verify()).stdout)).toMatchObject({ intact: true });
  });

  it('1b. a failed state write: the run still delivers its message, so a quiet fleet afterwards loses nothing', async () => {
    setStatus(['smart-connect-1'], 'FAILED');
    obs.fault({ method: 'PUT', key: /\/state\.json$/, status: 503, code: 'ServiceUnavailable', times: 4 });
    const failed = await run();
    expect(failed.error?.name).toBe('StoreError');
    const written = (await historyObjects(h, prefix)).at(-1)!;
    expect(acceptedChanges(h.hook.received).filter((a) => a.change.snapshot_id === written.id).map((a) => [a.change.kind, a.change.to])).toEqual([['status_changed', 'FAILED']]);
    // The task recovers before the next run: compared with state.json's snapshot, nothing changed.
    setStatus(['smart-connect-1'], 'RUNNING');
    expect((await run()).report).toMatchObject({ changes: 0 });
    await expectNothingLost();
  });

  it('2. a reset with 19 changes pending after a webhook outage sends them again under their original ids', async () => {
    h.hook.setDefault({ status: 503 });
    for (const [n, status] of [[5, 'FAILED'], [5, 'PAUSED'], [5, 'RUNNING'], [4, 'FAILED']] as const) {
      setBulk(n, status);
      expect((await run()).report!.messages.delivered).toBe(0);
    }
    const pending = (await readState()).outbox;
    expect(pending.reduce((n, e) => n + e.changes.length, 0)).toBe(19);
    await corruptState();
    h.hook.setDefault({ status: 204 });
    const sentBefore = h.hook.received.length;

    const next = await run();
    expect(next.report).toMatchObject({ state_reset: true, messages: { pending: 0 } });
    const byId = new Map(h.hook.received.slice(sentBefore).map((r) => [r.headers['webhook-id'], (r.json as { changes: { id: string }[] }).changes.map((c) => c.id)]));
    for (const e of pending) expect(byId.get(e.id)).toEqual(e.changes.map((c) => c.id));
    await expectNothingLost();
  });

  it('3. two overlapping runs fork the chain; the next run that writes history merges the heads, and verify accepts the healed fork', async () => {
    h.hook.setDefault({ status: 503 });
    setStatus(['smart-connect-1'], 'FAILED');
    // Both runs have read state.json before either writes its history object.
    obs.fault({ method: 'PUT', key: /\/history\//, gate: 2 });
    const both = await invokeTogether(h, 2, env());
    for (const inv of both) {
      expect(inv.error).toBeUndefined();
      expect(leakedSecrets(h, inv)).toEqual([]);
    }
    const heads = (await historyObjects(h, prefix)).slice(1);
    expect(heads).toHaveLength(2);
    expect(heads[0]!.previous).toEqual(heads[1]!.previous);
    const forked = await verify();
    expect(forked.code).toBe(1);
    // Which one depends on which run wrote state.json last: the other head is unlinked, or newer than state.json.
    expect(JSON.parse(forked.stdout).problems).toEqual([expect.objectContaining({ kind: expect.stringMatching(/^(unlinked|broken)$/) })]);

    // A quiet run does not look for forks: one read, one write.
    obs.clear();
    h.hook.setDefault({ status: 204 });
    await run();
    expect(obs.requests.filter((r) => r.key.includes('/history/') || r.key === '')).toEqual([]);

    setStatus(['smart-connect-121248117'], 'FAILED');
    const healing = await run();
    expect(healing.report!.anomalies).toContainEqual(expect.stringMatching(/^a fork: history recovery-\d+\/history\/.* continues .* merged into this run's history object/));
    const newest = (await historyObjects(h, prefix)).at(-1)!;
    expect(newest.merged).toHaveLength(1);
    expect([newest.previous!.id, newest.merged![0]!.id].sort()).toEqual(heads.map((o) => o.id).sort());
    const healed = await verify();
    expect(healed.code).toBe(0);
    expect(JSON.parse(healed.stdout).notes).toContainEqual(expect.stringMatching(/^a fork healed: /));
    await expectNothingLost();
  });
});
