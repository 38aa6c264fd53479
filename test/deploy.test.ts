import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { LOCAL_OBS_ACCESS_KEY } from '../lib/demo/local-obs';
import { type Harness, TIMER_EVENT, fixtureTasks, startHarness } from './support/harness';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/** The fields of serverless-huawei-functions (its README, docs/trigger.md and function.service.ts) that this project sets. */
const TimerEvent = z.strictObject({
  triggerTypeCode: z.literal('TIMER'),
  status: z.enum(['ACTIVE', 'DISABLED']),
  eventData: z.strictObject({
    name: z.string().regex(/^[A-Za-z][\w-]{0,63}$/),
    scheduleType: z.enum(['Rate', 'Cron']),
    schedule: z.string(),
    userEvent: z.string().max(2048).optional(),
  }),
});
const HuaweiFunction = z.strictObject({
  handler: z.literal('index.handler'),
  description: z.string().optional(),
  memorySize: z.number().int().min(128).max(10240),
  timeout: z.number().int().min(3).max(900),
  code: z.strictObject({ codeUri: z.string() }),
  agencyName: z.string().min(1),
  concurrency: z.literal(1),
  concurreny: z.literal(1),
  concurrentNum: z.literal(1),
  environment: z.strictObject({ variables: z.record(z.string(), z.string()) }),
  encryptedUserData: z.record(z.string(), z.string()),
  events: z.array(TimerEvent).length(1),
  name: z.string().optional(),
});
const ServerlessConfig = z.looseObject({
  service: z.string(),
  frameworkVersion: z.literal('3'),
  provider: z.looseObject({
    name: z.literal('huawei'),
    credentials: z.string(),
    region: z.string(),
    runtime: z.literal('Node.js20.15'),
    memorySize: z.number().int(),
    timeout: z.number().int(),
  }),
  plugins: z.array(z.string()).refine((p) => p.includes('serverless-huawei-functions')),
  functions: z.record(z.string(), HuaweiFunction),
});

/** DESIGN.md §3, less the credentials (inside FunctionGraph they come from the agency). */
const PLAIN = ['WATCH_INSTANCES', 'WATCH_REGION', 'WATCH_PROJECT_ID', 'DMS_ENDPOINT', 'OBS_BUCKET', 'OBS_PREFIX', 'OBS_ENDPOINT', 'WEBHOOK_TYPE', 'NOTIFY_ON', 'NOTIFY_FIRST_RUN', 'OUTBOX_MAX_AGE', 'CONCURRENCY', 'LOG_LEVEL'];
const SECRET = ['WEBHOOKS', 'WEBHOOK_URL', 'WEBHOOK_SECRET'];

async function print(dir: string, env: Record<string, string>, params: string[] = []) {
  const { stdout } = await run(join(ROOT, 'node_modules/.bin/serverless'), ['print', '--format', 'json', ...params.flatMap((p) => ['--param', p])], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', ...env },
  });
  return ServerlessConfig.parse(JSON.parse(stdout.slice(stdout.indexOf('{'))));
}

describe('serverless.yml', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scw-sls-'));
    await copyFile(join(ROOT, 'serverless.yml'), join(dir, 'serverless.yml'));
    await mkdir(join(dir, '.serverless_plugins'));
    await copyFile(join(ROOT, 'test/fixtures/serverless-stub/serverless-huawei-functions.js'), join(dir, '.serverless_plugins/serverless-huawei-functions.js'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('resolves with `serverless print` (v3, offline) into the plugin’s documented fields', async () => {
    const cfg = await print(dir, { WATCH_INSTANCES: 'prod=abc', OBS_BUCKET: 'my-bucket', WEBHOOK_URL: 'https://hooks.example/x', WEBHOOK_SECRET: 'whsec_abc' });
    const fn = Object.values(cfg.functions)[0]!;
    expect(Object.keys(cfg.functions)).toHaveLength(1);
    expect(fn.code.codeUri).toBe('./dist/function');
    expect(fn.events[0]!.eventData).toMatchObject({ scheduleType: 'Cron', schedule: '0 */5 * * * *' });
    expect(fn.events[0]!.eventData.schedule.split(' ')).toHaveLength(6);
    expect(fn.environment.variables).toMatchObject({ WATCH_INSTANCES: 'prod=abc', OBS_BUCKET: 'my-bucket', OBS_PREFIX: 'smart-connect-watch/' });
    expect(Object.keys(fn.environment.variables).sort()).toEqual(expect.arrayContaining(PLAIN.sort()));
    // Secrets only as encrypted variables.
    expect(Object.keys(fn.encryptedUserData).sort()).toEqual(SECRET.sort());
    expect(fn.encryptedUserData).toMatchObject({ WEBHOOK_URL: 'https://hooks.example/x', WEBHOOK_SECRET: 'whsec_abc' });
    for (const s of SECRET) expect(fn.environment.variables[s]).toBeUndefined();
  });

  it('takes the schedule and the agency as parameters', async () => {
    const cfg = await print(dir, { WATCH_INSTANCES: 'x', OBS_BUCKET: 'b' }, ['schedule=0 0 * * * *', 'agency=ops-watch']);
    const fn = Object.values(cfg.functions)[0]!;
    expect(fn.events[0]!.eventData.schedule).toBe('0 0 * * * *');
    expect(fn.agencyName).toBe('ops-watch');
  });

  it('refuses to resolve without the required variables', async () => {
    const failure = (await print(dir, {}).then(() => null, (e: { stdout: string; stderr: string }) => `${e.stdout}${e.stderr}`)) ?? '';
    expect(failure).toContain('Cannot resolve variable at "functions.smart-connect-watch.environment.variables.WATCH_INSTANCES"');
    expect(failure).toContain('environment.variables.OBS_BUCKET');
  });
});

describe('the deployment zip', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await startHarness();
    h.dms.setInstance('inst-prod-0001', fixtureTasks());
    h.dms.setInstance('inst-bulk-0002', []);
    dir = await mkdtemp(join(tmpdir(), 'scw-zip-'));
  });
  afterAll(async () => {
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Runs the extracted index.js once in a fresh node, with no node_modules. `watch` records every
   * read of the globals behind Node's lazily loaded fetch implementation (undici).
   */
  async function runZip() {
    const script = `const touched = [];
      for (const k of ['fetch', 'FormData', 'Request', 'Response', 'Headers']) {
        const d = Object.getOwnPropertyDescriptor(globalThis, k);
        Object.defineProperty(globalThis, k, { configurable: true, enumerable: d.enumerable, get() { touched.push(k); return d.get ? d.get.call(this) : d.value; } });
      }
      const { handler } = require(${JSON.stringify(join(dir, 'index.js'))});
      process.stderr.write('REQUIRED ' + JSON.stringify(touched) + '\\n');
      handler(${JSON.stringify(TIMER_EVENT)}, { getRequestID: () => 'zip-run', getRemainingTimeInMilliSeconds: () => 30011 })
        .then((r) => process.stderr.write('REPORT ' + JSON.stringify({ ...r, touched })), (e) => { process.stderr.write('ERROR ' + e.message); process.exitCode = 1; });`;
    const { stdout, stderr } = await run(process.execPath, ['-e', script], {
      cwd: dir,
      env: { PATH: process.env.PATH, ...h.env, WATCH_PROJECT_ID: h.projectId, CLOUD_SDK_AK: LOCAL_OBS_ACCESS_KEY, CLOUD_SDK_SK: h.secrets.sk, CLOUD_SDK_SECURITY_TOKEN: h.secrets.token, NODE_PATH: '' },
    });
    return {
      stdout,
      required: JSON.parse(stderr.slice(stderr.indexOf('REQUIRED ') + 9, stderr.indexOf('\n'))),
      report: JSON.parse(stderr.slice(stderr.indexOf('REPORT ') + 7)),
    };
  }

  it('holds only index.js, which runs a full cycle with no node_modules', async () => {
    // An independent unzip (Python's zipfile), into an empty folder outside the project.
    await run('python3', ['-m', 'zipfile', '-e', join(ROOT, 'dist/smart-connect-watch.zip'), dir]);
    expect(await readdir(dir)).toEqual(['index.js']);
    const { stdout, report } = await runZip();
    expect(report).toMatchObject({ first_run: true, instances: { ok: 2, failed: 0 }, tasks: 3 });
    expect(await h.getObject(report.history_key)).toContain('smart-connect-watch/snapshot/v1');
    expect(stdout).toContain('"msg":"run finished"');
    expect(stdout).not.toContain(h.secrets.sk);
    expect((await readFile(join(ROOT, 'dist/smart-connect-watch.zip'))).subarray(0, 4).toString('hex')).toBe('504b0304');
  });

  it('loads no part of Node’s fetch (undici) to start or in a quiet run; the first message sent does', async () => {
    const quiet = await runZip();
    expect(quiet.required).toEqual([]);
    expect(quiet.report).toMatchObject({ changes: 0, messages: { delivered: 0 }, touched: [] });

    const tasks = fixtureTasks();
    tasks[0]!.status = 'PAUSED';
    h.dms.setInstance('inst-prod-0001', tasks);
    const before = h.hook.received.length;
    const changed = await runZip();
    expect(changed.required).toEqual([]);
    expect(changed.report).toMatchObject({ changes: 1, messages: { delivered: 1, pending: 0 } });
    expect(changed.report.touched).toContain('fetch');
    expect(h.hook.received.length).toBe(before + 1);
  });

  it('quarantines an unreadable state.json and continues from the history (the OBS operations the bundle keeps: LIST, GET, COPY, PUT)', async () => {
    await h.putObject('smart-connect-watch/state.json', '{"schema": "smart-connect-watch/state/v1", "snapsh');
    const { report } = await runZip();
    expect(report).toMatchObject({ state_reset: true, changes: 1, changes_by_kind: { state_reset: 1 }, instances: { ok: 2 } });
    const [quarantined, ...more] = await h.listKeys('smart-connect-watch/quarantine/');
    expect(more).toEqual([]);
    expect(await h.getObject(quarantined!)).toBe('{"schema": "smart-connect-watch/state/v1", "snapsh');
    expect(JSON.parse((await h.getObject('smart-connect-watch/state.json'))!)).toMatchObject({ snapshot: { id: report.snapshot_id } });
  });
});
