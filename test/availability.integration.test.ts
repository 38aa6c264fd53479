/**
 * Availability end to end: the built function (dist/index.js, through the harness) runs through a failure, an
 * unreachable instance and a recovery with real time passing between runs; then the built CLI
 * (`node dist/cli.js availability --json`) reads the same store, and its figures are checked against the times
 * in the history objects and state.json, read back independently.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OBS_ACCESS_KEY } from '../lib/demo/local-obs';
import { Snapshot } from '../lib/store/snapshot';
import { State } from '../lib/store/state';
import { type Harness, type TaskRecord, fixtureTasks, generatedTasks, startHarness } from './support/harness';

const PROD = 'inst-prod-0001';
const BULK = 'inst-bulk-0002';
const PREFIX = 'smart-connect-watch/';

/** Lets real time pass between runs: the durations are what is measured, not a synchronisation. */
const pass = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('availability of a history the function wrote', () => {
  let h: Harness;
  let cwd: string;
  let cli_js: string;
  let prod: TaskRecord[];
  let started: Date;
  const failing = 'smart-connect-121248117';

  const cli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((done) => {
      const env = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: h.obs.endpoint, OBS_BUCKET: h.obs.bucket, CLOUD_SDK_AK: LOCAL_OBS_ACCESS_KEY, CLOUD_SDK_SK: h.secrets.sk };
      execFile(process.execPath, [cli_js, ...args], { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
    });

  beforeAll(async () => {
    h = await startHarness({ channel: false });
    cwd = await mkdtemp(join(tmpdir(), 'scw-availability-'));
    cli_js = join(cwd, 'smart-connect-watch.js');
    await copyFile(resolve(__dirname, '../dist/cli.js'), cli_js);
    prod = fixtureTasks();
    h.dms.setInstance(PROD, prod);
    h.dms.setInstance(BULK, generatedTasks(30));
    started = new Date(Date.now() - 2_000);
    const run = async () => {
      const inv = await h.invoke();
      if (inv.error) throw inv.error;
      return inv.report!;
    };
    await run(); // baseline
    await pass(1_500);
    prod.find((t) => t.task_name === failing)!.status = 'FAILED';
    h.dms.setInstance(PROD, prod);
    await run(); // the failure
    await pass(1_200);
    h.dms.setFault(BULK, { kind: 'status', status: 403, body: { error_code: 'DMS.00403000', error_msg: 'forbidden' } });
    await run(); // bulk unreachable
    await pass(1_300);
    h.dms.setFault(BULK, null);
    prod.find((t) => t.task_name === failing)!.status = 'RUNNING';
    h.dms.setInstance(PROD, prod);
    await run(); // recovery of both
    await pass(1_000);
    await run(); // a quiet run: no object, the last check moves on
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('availability --json matches the times in the history objects, within a second', async () => {
    const keys = (await h.listKeys(`${PREFIX}history/`)).sort();
    const objects = await Promise.all(keys.map(async (k) => Snapshot.parse(JSON.parse((await h.getObject(k))!))));
    expect(objects).toHaveLength(4);
    const state = State.parse(JSON.parse((await h.getObject(`${PREFIX}state.json`))!));
    const t = (s: Snapshot) => Date.parse(s.taken_at) / 1000;
    const [base, failure, unreachable, recovery] = objects as [Snapshot, Snapshot, Snapshot, Snapshot];
    const checked = Date.parse(state.checked_at) / 1000;
    expect(checked).toBeGreaterThan(t(recovery) + 0.5);
    const since = started.getTime() / 1000;

    const r = await cli(['availability', '--since', started.toISOString(), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const fleet = lines.pop();
    const range = checked - since;

    const task = lines.find((l) => l.task_name === failing);
    expect(task).toMatchObject({ instance_id: PROD, incidents: 1, status: 'RUNNING', unknown_s: expect.closeTo(t(base) - since, 0) });
    expect(task.failing_s).toBeCloseTo(t(recovery) - t(failure), 0);
    expect(task.mttr_s).toBeCloseTo(t(recovery) - t(failure), 0);
    expect(task.longest_s).toBeCloseTo(t(recovery) - t(failure), 0);
    expect(task.running_s).toBeCloseTo(t(failure) - t(base) + (checked - t(recovery)), 0);
    expect(task.availability).toBeCloseTo(task.running_s / (task.running_s + task.failing_s), 6);
    // Worst first: the only task that failed.
    expect(lines[0].task_name).toBe(failing);

    for (const l of lines) expect(Math.abs(l.running_s + l.failing_s + l.paused_s + l.unknown_s - range)).toBeLessThan(0.001);
    const bulk = lines.filter((l) => l.instance_id === BULK);
    expect(bulk).toHaveLength(30);
    for (const l of bulk) {
      // Unknown before the first run and while bulk could not be listed; never failing.
      expect(l.unknown_s).toBeCloseTo(t(base) - since + (t(recovery) - t(unreachable)), 0);
      expect(l).toMatchObject({ failing_s: 0, incidents: 0, availability: 1, status: 'RUNNING' });
    }
    expect(fleet).toMatchObject({ fleet: true, tasks: lines.length, tasks_never_failing: lines.length - 1, incidents: 1, until: state.checked_at, gaps: [] });
    expect(`${r.stdout}${r.stderr}`).not.toContain(h.secrets.sk);
  });

  it('the table worst first, with the fleet line', async () => {
    const r = await cli(['availability', '--since', started.toISOString(), '--instance', 'prod']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[2]).toMatch(/^INSTANCE +TASK +AVAILABLE +RUNNING +FAILING +PAUSED +UNKNOWN +INCIDENTS +MTTR +LONGEST +STATUS$/);
    expect(lines[3]).toMatch(new RegExp(`^prod +${failing} +\\d+\\.\\d\\d% .* 1 .* RUNNING$`));
    expect(lines.at(-1)).toMatch(/^fleet: \d+\.\d\d% available over \d+ tasks .*; 1 incident, MTTR \ds, longest \ds; \d+ of \d+ never failing$/);
  });

  it('a task that never existed: exit 1, named', async () => {
    const r = await cli(['availability', '--task', 'no-such-task']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/no task matches task "no-such-task" in obs:\/\/.*smart-connect-watch\/ between/);
    expect(r.stderr).not.toContain(h.secrets.sk);
  });
});
