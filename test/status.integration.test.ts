/**
 * `smart-connect-watch status` (DESIGN.md §12) as a user or a monitoring script runs it: the built
 * `dist/cli.js` in a child process, reading the state.json that runs of the built handler wrote into
 * a local s3rver (through a recording proxy, to count its requests).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eastAsianWidth } from 'get-east-asian-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OBS_ACCESS_KEY } from '../lib/demo/local-obs';
import { State } from '../lib/store/state';
import { type Harness, fixtureTasks, generatedTasks, leakedSecrets, startHarness } from './support/harness';
import { type ObsFaultProxy, startObsFaultProxy } from './support/obs-fault-proxy';

const PROD = 'inst-prod-0001';
const BULK = 'inst-bulk-0002';
const JSON_KEYS = ['healthy', 'problems', 'checked_at', 'age_s', 'instances', 'tasks_by_status', 'failing', 'pending', 'silences'];
const CLI_SK = 'sk-of-the-status-test-00000001';

/** Columns a string takes on a terminal, by UAX #11. */
const terminalWidth = (s: string) => [...s].reduce((w, ch) => w + eastAsianWidth(ch.codePointAt(0)!), 0);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe('smart-connect-watch status', () => {
  let h: Harness;
  let proxy: ObsFaultProxy;
  let cwd: string;
  let cliJs: string;
  const heartbeatToken = 'hbtok0123456789abcdef';
  /** Prefixes written in beforeAll: a healthy run with a failing task, and a run whose message is pending. */
  const HEALTHY = 'status-healthy/';
  const PENDING = 'status-pending/';
  let failingSince: string;

  const cli = (args: string[], prefix: string): Promise<Result> =>
    new Promise((done) => {
      const env = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: proxy.url, OBS_BUCKET: h.obs.bucket, OBS_PREFIX: prefix, CLOUD_SDK_AK: LOCAL_OBS_ACCESS_KEY, CLOUD_SDK_SK: CLI_SK };
      execFile(process.execPath, [cliJs, 'status', ...args], { cwd, env, timeout: 20_000 }, (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
  /** The CLI's output never holds a secret: its key, the function's keys and tokens, webhook and heartbeat URLs. */
  const noSecrets = (r: Result) => {
    const text = r.stdout + r.stderr;
    for (const s of [CLI_SK, h.secrets.sk, h.secrets.token, h.secrets.webhookSecret, h.secrets.urlToken, heartbeatToken]) expect(text).not.toContain(s);
  };
  const readState = async (prefix: string) => State.parse(JSON.parse((await h.getObject(`${prefix}state.json`))!));
  /** Rewrites state.json as if time had passed: no test waits for a clock. */
  const age = async (prefix: string, edit: (raw: Record<string, any>) => void) => {
    const raw = JSON.parse((await h.getObject(`${prefix}state.json`))!);
    edit(raw);
    await h.putObject(`${prefix}state.json`, JSON.stringify(raw));
  };
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

  beforeAll(async () => {
    h = await startHarness();
    proxy = await startObsFaultProxy(h.obs.endpoint);
    cwd = await mkdtemp(join(tmpdir(), 'scw-status-'));
    cliJs = join(cwd, 'smart-connect-watch.js');
    await copyFile(resolve(__dirname, '../dist/cli.js'), cliJs);
    const heartbeat = { HEARTBEAT_URL: `http://127.0.0.1:9/ping/${heartbeatToken}` };
    // Healthy: a baseline, then one task WAITING (a hostile name) and one instance failing to list.
    const prod = fixtureTasks();
    prod[0]!.task_name = 'invoice-\u202Egnp.exe';
    prod[2]!.task_name = '订单同步🚀';
    h.dms.setInstance(PROD, prod);
    h.dms.setInstance(BULK, generatedTasks(3));
    for (const inv of [await h.invoke({ OBS_PREFIX: HEALTHY, ...heartbeat })]) expect(leakedSecrets(h, inv)).toEqual([]);
    h.dms.setInstance(PROD, prod.map((t, i) => (i === 0 ? { ...t, status: 'WAITING' } : i === 2 ? { ...t, status: 'RESTARTING' } : t)));
    h.dms.setFault(BULK, { kind: 'status', status: 500 });
    const second = await h.invoke({ OBS_PREFIX: HEALTHY, ...heartbeat });
    expect(leakedSecrets(h, second)).toEqual([]);
    h.dms.setFault(BULK, null);
    failingSince = second.report!.started_at;
    // Pending: the webhook fails every attempt, so the change stays in the outbox.
    h.dms.setInstance(PROD, fixtureTasks());
    await h.invoke({ OBS_PREFIX: PENDING });
    h.dms.setInstance(PROD, fixtureTasks().map((t) => ({ ...t, status: 'PAUSED' })));
    h.hook.respondWith({ status: 503 }, { status: 503 }, { status: 503 });
    const pending = await h.invoke({ OBS_PREFIX: PENDING });
    expect(pending.report?.messages.pending).toBe(1);
  });
  afterAll(async () => {
    await proxy?.close();
    await h?.close();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('healthy: exit 0, one GET of state.json; the failing task and the unreachable instance with since when, names escaped', async () => {
    proxy.clear();
    const text = await cli([], HEALTHY);
    expect(proxy.requests.map((r) => [r.method, r.key])).toEqual([['GET', `${HEALTHY}state.json`]]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    noSecrets(text);
    const state = await readState(HEALTHY);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^last check {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+s ago, the run took \d+\.\d s\)$/);
    expect(lines[1]).toBe(`snapshot    ${state.snapshot.id}`);
    expect(lines).toContain('instances   1 ok, 1 unreachable');
    expect(text.stdout).toContain('invoice-\\u202Egnp.exe');
    expect(text.stdout).not.toContain('\u202E');
    expect(lines.at(-1)).toBe('healthy');
    // The columns line up on a terminal, measured by an independent oracle (East Asian Width, UAX #11).
    const table = lines.slice(lines.findIndex((l) => l.startsWith('  INSTANCE')), lines.findIndex((l) => l.startsWith('pending')));
    expect(table).toHaveLength(4);
    const columnOf = (line: string, cell: string) => terminalWidth(line.slice(0, line.indexOf(cell)));
    for (const [i, status] of ['WAITING', 'RESTARTING', 'UNREACHABLE'].entries()) expect([status, columnOf(table[i + 1]!, `${status} `)]).toEqual([status, columnOf(table[0]!, 'STATUS')]);

    const json = await cli(['--json'], HEALTHY);
    expect(json.code).toBe(0);
    const v = JSON.parse(json.stdout);
    expect(Object.keys(v)).toEqual(JSON_KEYS);
    expect(v).toMatchObject({ healthy: true, problems: [], checked_at: state.checked_at, instances: { total: 2, ok: 1, failed: 1 }, pending: [], silences: [] });
    expect(v.tasks_by_status).toEqual({ RESTARTING: 1, RUNNING: 4, WAITING: 1 });
    expect(v.failing).toEqual([
      { instance_id: PROD, instance_name: 'prod', task_id: fixtureTasks()[0]!.id, task_name: 'invoice-\u202Egnp.exe', status: 'WAITING', since: failingSince, error: null },
      { instance_id: PROD, instance_name: 'prod', task_id: fixtureTasks()[2]!.id, task_name: '订单同步🚀', status: 'RESTARTING', since: failingSince, error: null },
      { instance_id: BULK, instance_name: 'bulk', task_id: null, task_name: null, status: null, since: failingSince, error: expect.stringContaining('HTTP 500') },
    ]);
  });

  it.each([
    { args: [] as string[], minutes: 16, problem: /^the last check was 16m( \d+s)? ago, longer than --max-age 15m: / },
    { args: ['--max-age', '2h'], minutes: 150, problem: /^the last check was 2h 30m ago, longer than --max-age 2h: / },
  ])('stale ($minutes minutes, $args): exit 1 naming the problem, in text and JSON', async ({ args, minutes, problem }) => {
    const prefix = `status-stale-${minutes}/`;
    await h.putObject(`${prefix}state.json`, (await h.getObject(`${HEALTHY}state.json`))!);
    await age(prefix, (s) => (s.checked_at = minutesAgo(minutes)));
    const text = await cli(args, prefix);
    expect(text.code).toBe(1);
    noSecrets(text);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.at(-2)).toMatch(new RegExp(`^problem: ${problem.source.slice(1)}`));
    expect(lines.at(-1)).toBe('NOT HEALTHY: 1 problem');
    const json = await cli([...args, '--json'], prefix);
    expect(json.code).toBe(1);
    const v = JSON.parse(json.stdout);
    expect(v.healthy).toBe(false);
    expect(v.problems).toEqual([expect.stringMatching(problem)]);
    expect(v.age_s).toBeGreaterThanOrEqual(minutes * 60);
  });

  it('a pending message: listed per channel (count, oldest age, last error); exit 1 once it waits longer than --max-age', async () => {
    const fresh = await cli(['--json'], PENDING);
    noSecrets(fresh);
    expect(fresh.code).toBe(0);
    const pending = JSON.parse(fresh.stdout).pending;
    expect(pending).toEqual([{ channel: expect.stringMatching(/^generic-[0-9a-f]{12}$/), messages: 1, oldest_created_at: expect.any(String), oldest_age_s: expect.any(Number), last_error: expect.stringContaining('HTTP 503') }]);

    await age(PENDING, (s) => (s.outbox[0].created_at = minutesAgo(40)));
    const text = await cli([], PENDING);
    expect(text.code).toBe(1);
    noSecrets(text);
    expect(text.stdout).toMatch(/\n {2}CHANNEL +MESSAGES +OLDEST +LAST ERROR\n {2}generic-[0-9a-f]{12} +1 +40m( \d+s)? +.*HTTP 503/);
    expect(text.stdout).toMatch(/\nproblem: channel generic-[0-9a-f]{12} has a message pending for 40m( \d+s)?, longer than --max-age 15m \(last error: .*HTTP 503.*\)\nNOT HEALTHY: 1 problem\n$/);
    const json = await cli(['--json', '--max-age', '1h'], PENDING);
    expect([json.code, JSON.parse(json.stdout).healthy]).toEqual([0, true]);
  });

  it('no state.json: exit 1; JSON healthy false with the problem, every other field null', async () => {
    const text = await cli([], 'status-nothing-here/');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^problem: no state\.json in obs:\/\/[^/]+\/status-nothing-here\/: the function has never run, or writes elsewhere \(check OBS_BUCKET and OBS_PREFIX\)\nNOT HEALTHY: 1 problem\n$/);
    const json = await cli(['--json'], 'status-nothing-here/');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      healthy: false, problems: [expect.stringMatching(/^no state\.json in /)], checked_at: null, age_s: null, instances: null, tasks_by_status: null, failing: null, pending: null, silences: null,
    });
    noSecrets(json);
  });

  it('OBS refuses (no such bucket): exit 1, the reason printed, in text and JSON', async () => {
    const bucket = 'no-such-bucket-0404';
    const run = (args: string[]) =>
      new Promise<Result>((done) => {
        const env = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: proxy.url, OBS_BUCKET: bucket, OBS_PREFIX: HEALTHY, CLOUD_SDK_AK: LOCAL_OBS_ACCESS_KEY, CLOUD_SDK_SK: CLI_SK };
        execFile(process.execPath, [cliJs, 'status', ...args], { cwd, env, timeout: 20_000 }, (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
      });
    const [text, json] = await Promise.all([run([]), run(['--json'])]);
    for (const r of [text, json]) noSecrets(r);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^problem: state\.json could not be read: OBS GET obs:\/\/no-such-bucket-0404\/status-healthy\/state\.json failed: NoSuchBucket .*\nNOT HEALTHY: 1 problem\n$/);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ healthy: false, problems: [expect.stringContaining('NoSuchBucket')], checked_at: null, failing: null });
  });

  it.each([
    [['--max-age', '15'], 2, /--max-age 15 has no unit/],
    [['--max-age', 'soon'], 2, /--max-age soon is not a duration/],
    [['extra'], 2, /status: unexpected argument extra/],
    [['--jsn'], 2, /unknown option --jsn for status/],
    [['--help'], 0, null],
  ])('%j: exit %i', async (args, code, message) => {
    const r = await cli(args, HEALTHY);
    expect(r.code).toBe(code);
    if (message) expect(r.stderr).toMatch(message);
    else expect(r.stdout).toMatch(/^usage: smart-connect-watch status \[--json\] \[--max-age <duration>\]\n/);
  });
});
