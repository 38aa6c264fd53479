import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { CreateFunctionTriggerRequestBodyTriggerStatusEnum, CreateFunctionTriggerRequestBodyTriggerTypeCodeEnum } from '@huaweicloud/huaweicloud-sdk-functiongraph/v2/model/CreateFunctionTriggerRequestBody';
import { LOCAL_OBS_ACCESS_KEY } from '../lib/demo/local-obs';
import { SECRET_VARIABLES } from '../lib/doctor/checks';
import { parseConfig } from '../lib/config/config';
import { scheduleMaxGap } from '../lib/config/schedule';
import { ConfigError } from '../lib/errors';
import { type Harness, TIMER_EVENT, fixtureTasks, startHarness } from './support/harness';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/**
 * What serverless-huawei-functions 0.0.10 (commit b67fef5) reads and where it sends it, transcribed from
 * its source and from serverless-fgs-sdk's TimerTrigger, each entry with file:line at the commit.
 */
const PluginMapping = z.looseObject({
  plugin: z.looseObject({ version: z.literal('0.0.10'), commit: z.string().regex(/^b67fef5[0-9a-f]{33}$/) }),
  sdk: z.looseObject({ version: z.literal('0.0.3'), commit: z.string().regex(/^16d63ba[0-9a-f]{33}$/) }),
  function: z.looseObject({ reads: z.record(z.string(), z.looseObject({ to: z.string(), when: z.string(), at: z.string() })) }),
  trigger: z.looseObject({ reads: z.record(z.string(), z.looseObject({ to: z.string(), at: z.string(), default: z.string().optional(), also: z.string().optional() })), existing_trigger_matched_by: z.array(z.string()) }),
  deploy_failure: z.looseObject({ message: z.string() }),
});
const MAPPING = PluginMapping.parse(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/serverless-huawei-functions-0.0.10.json'), 'utf8')));

const TimerEvent = z.strictObject({
  triggerTypeCode: z.literal('TIMER'),
  status: z.enum(['ACTIVE', 'DISABLED']),
  eventData: z.strictObject({ name: z.string().regex(/^[A-Za-z][\w-]{0,63}$/), scheduleType: z.enum(['Rate', 'Cron']), schedule: z.string(), userEvent: z.string().max(2048).optional() }),
});
const HuaweiFunction = z.looseObject({
  name: z.string(),
  events: z.array(TimerEvent).length(1),
  environment: z.strictObject({ variables: z.record(z.string(), z.string()) }),
  encryptedUserData: z.record(z.string(), z.string()),
  agencyName: z.string().min(1),
  concurreny: z.number(),
  concurrentNum: z.number(),
  code: z.strictObject({ codeUri: z.string() }),
});
const ServerlessConfig = z.looseObject({
  service: z.string(),
  frameworkVersion: z.literal('3'),
  provider: z.looseObject({ name: z.literal('huawei'), credentials: z.string(), region: z.string(), runtime: z.literal('Node.js20.15'), memorySize: z.number().int(), timeout: z.number().int() }),
  plugins: z.array(z.string()).refine((p) => p.includes('serverless-huawei-functions')),
  functions: z.record(z.string(), HuaweiFunction),
});

/** DESIGN.md §3, less the credentials (inside FunctionGraph they come from the agency). */
const PLAIN = ['WATCH_INSTANCES', 'WATCH_REGION', 'WATCH_PROJECT_ID', 'DMS_ENDPOINT', 'OBS_BUCKET', 'OBS_PREFIX', 'OBS_ENDPOINT', 'WEBHOOK_TYPE', 'NOTIFY_ON', 'NOTIFY_FIRST_RUN', 'OUTBOX_MAX_AGE', 'CONCURRENCY', 'LOG_LEVEL', 'REMIND_EVERY', 'FLAP_THRESHOLD', 'FLAP_WINDOW', 'WATCH_SCHEDULE'];
/** The doctor's list of variables that must be encrypted. */
const SECRET = [...SECRET_VARIABLES];

async function print(dir: string, env: Record<string, string>, params: string[] = []) {
  const { stdout } = await run(join(ROOT, 'node_modules/.bin/serverless'), ['print', '--format', 'json', ...params.flatMap((p) => ['--param', p])], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', ...env },
  });
  return ServerlessConfig.parse(JSON.parse(stdout.slice(stdout.indexOf('{'))));
}

/** The function's environment as FunctionGraph gives it: the plain and the encrypted variables; the project from the runtime. */
const functionEnv = (cfg: z.infer<typeof ServerlessConfig>) => {
  const fn = Object.values(cfg.functions)[0]!;
  return { ...fn.environment.variables, ...fn.encryptedUserData };
};
const RUNTIME = { projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' };

/** The provider's keys overlaid by the function's, as the plugin merges them (basePlugin.ts:32,83-84). */
function pluginProps(cfg: z.infer<typeof ServerlessConfig>): Record<string, unknown> {
  const { name: _n, credentials: _c, stage: _s, ...provider } = cfg.provider;
  return { ...provider, ...Object.values(cfg.functions)[0]! };
}

/** The CreateFunctionTrigger body serverless-fgs-sdk's TimerTrigger builds from an event, per the transcribed mapping. */
function timerTriggerBody(event: Record<string, unknown>) {
  const data = event.eventData as Record<string, unknown>;
  const read = (key: string) => {
    const m = MAPPING.trigger.reads[`eventData.${key}`]!;
    return data[key] ?? (m.also ? data[m.also.replace('eventData.', '')] : undefined) ?? m.default;
  };
  return {
    trigger_type_code: event.triggerTypeCode,
    event_type_code: event.triggerTypeCode,
    trigger_status: event.status ?? MAPPING.trigger.reads.status!.default,
    event_data: { name: read('name'), schedule: read('schedule'), schedule_type: read('scheduleType'), user_event: read('userEvent') },
  };
}

describe('serverless.yml, as serverless-huawei-functions 0.0.10 reads it', () => {
  let dir: string;
  let cfg: z.infer<typeof ServerlessConfig>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scw-sls-'));
    await copyFile(join(ROOT, 'serverless.yml'), join(dir, 'serverless.yml'));
    await mkdir(join(dir, '.serverless_plugins'));
    await copyFile(join(ROOT, 'test/fixtures/serverless-stub/serverless-huawei-functions.js'), join(dir, '.serverless_plugins/serverless-huawei-functions.js'));
    cfg = await print(dir, { WATCH_INSTANCES: 'prod=abc', OBS_BUCKET: 'my-bucket', WEBHOOK_URL: 'https://hooks.example/x', WEBHOOK_SECRET: 'whsec_abc' });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('sets only keys the plugin reads (no `concurrency`: it reads `concurreny`)', () => {
    const fn = Object.values(cfg.functions)[0]!;
    expect(Object.keys(cfg.functions)).toHaveLength(1);
    const read = new Set([...Object.keys(MAPPING.function.reads).map((k) => k.split('.')[0]!), 'events']);
    expect(Object.keys(fn).filter((k) => !read.has(k))).toEqual([]);
    expect(fn).not.toHaveProperty('concurrency');
    expect(MAPPING.function.reads).not.toHaveProperty('concurrency');
    expect(MAPPING.function.reads.concurreny).toMatchObject({ to: 'strategy_config.concurrency' });
    expect(fn).toMatchObject({ concurreny: 1, concurrentNum: 1, tagPolicy: 'merge' });
  });

  it('gives the function what the doctor checks: runtime, memory, timeout, agency (as xrole), one request at a time', () => {
    const props = pluginProps(cfg);
    expect(props).toMatchObject({ runtime: 'Node.js20.15', handler: 'index.handler', memorySize: 256, timeout: 120, code: { codeUri: './dist/function' } });
    // xrole wins over agencyName (function.service.ts:470): the yml must not set both.
    expect(props).not.toHaveProperty('xrole');
    expect(MAPPING.function.reads.agencyName).toMatchObject({ to: 'xrole' });
    expect(props.agencyName).toBe('smart-connect-watch');
  });

  it('sends the secrets only as encrypted variables (encryptedUserData → encrypted_user_data)', () => {
    const fn = Object.values(cfg.functions)[0]!;
    expect(MAPPING.function.reads.encryptedUserData).toMatchObject({ to: 'encrypted_user_data' });
    expect(fn).not.toHaveProperty('userData'); // it would replace environment.variables (function.service.ts:536-540)
    expect(Object.keys(fn.environment.variables)).toEqual(expect.arrayContaining(PLAIN));
    expect(fn.environment.variables).toMatchObject({ WATCH_INSTANCES: 'prod=abc', OBS_BUCKET: 'my-bucket', OBS_PREFIX: 'smart-connect-watch/', REMIND_EVERY: '4h' });
    expect(Object.keys(fn.encryptedUserData).sort()).toEqual([...SECRET].sort());
    expect(fn.encryptedUserData).toMatchObject({ WEBHOOK_URL: 'https://hooks.example/x', WEBHOOK_SECRET: 'whsec_abc' });
    for (const s of SECRET) expect(fn.environment.variables[s]).toBeUndefined();
  });

  it('declares one TIMER trigger whose fields TimerTrigger maps into a valid CreateFunctionTrigger body', () => {
    const event = Object.values(cfg.functions)[0]!.events[0]!;
    for (const key of Object.keys(event.eventData)) expect(MAPPING.trigger.reads).toHaveProperty(`eventData.${key}`);
    const body = timerTriggerBody(event);
    expect(body).toEqual({
      trigger_type_code: 'TIMER', event_type_code: 'TIMER', trigger_status: 'ACTIVE',
      event_data: { name: 'smart-connect-watch-timer', schedule: '0 */5 * * * *', schedule_type: 'Cron', user_event: 'smart-connect-watch' },
    });
    expect(Object.values(CreateFunctionTriggerRequestBodyTriggerTypeCodeEnum)).toContain(body.trigger_type_code);
    expect(Object.values(CreateFunctionTriggerRequestBodyTriggerStatusEnum)).toContain(body.trigger_status);
    // WATCH_SCHEDULE is the trigger's schedule, and the function's configuration accepts it with the default flapping settings.
    expect(Object.values(cfg.functions)[0]!.environment.variables).toMatchObject({ WATCH_SCHEDULE: body.event_data.schedule, FLAP_THRESHOLD: '', FLAP_WINDOW: '' });
    expect(parseConfig(functionEnv(cfg), RUNTIME)).toMatchObject({ flapThreshold: 4, flapWindowMs: 3_600_000 });
    // The schedule the doctor accepts: at least every REMIND_EVERY (4h).
    expect(scheduleMaxGap(body.event_data.schedule_type as string, body.event_data.schedule as string)).toEqual({ ok: true, maxGapS: 300 });
    // A redeploy finds this trigger by these fields; change one and a second trigger is created.
    expect(MAPPING.trigger.existing_trigger_matched_by).toEqual(['name', 'schedule', 'schedule_type']);
  });

  it('takes the schedule and the agency as parameters', async () => {
    const other = await print(dir, { WATCH_INSTANCES: 'x', OBS_BUCKET: 'b' }, ['schedule=0 0 * * * *', 'agency=ops-watch']);
    const fn = Object.values(other.functions)[0]!;
    expect(timerTriggerBody(fn.events[0]!).event_data).toMatchObject({ schedule: '0 0 * * * *', schedule_type: 'Cron' });
    expect(fn.environment.variables.WATCH_SCHEDULE).toBe('0 0 * * * *');
    expect(fn.agencyName).toBe('ops-watch');
  });

  it('an hourly schedule: the defaults run (flapping goes undetected; doctor names it); a FLAP_WINDOW set too short is refused, naming the fix', async () => {
    // One `serverless print` (seconds on a busy machine); the variables a user would set are then laid over what it gives.
    const hourly = functionEnv(await print(dir, { WATCH_INSTANCES: 'x', OBS_BUCKET: 'b', WEBHOOK_URL: 'https://hooks.example/x' }, ['schedule=0 0 * * * *']));
    expect(parseConfig(hourly, RUNTIME)).toMatchObject({ flapThreshold: 4, flapWindowMs: 3_600_000 });
    let refused: unknown;
    try {
      parseConfig({ ...hourly, FLAP_WINDOW: '2h' }, RUNTIME);
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([expect.stringContaining('FLAP_WINDOW is too short for FLAP_THRESHOLD=4 at WATCH_SCHEDULE: 4 consecutive runs span at least 3h')]);
    expect(parseConfig({ ...hourly, FLAP_WINDOW: '4h' }, RUNTIME)).toMatchObject({ flapWindowMs: 4 * 3_600_000 });
    expect(parseConfig({ ...hourly, FLAP_THRESHOLD: '0' }, RUNTIME)).toMatchObject({ flapThreshold: 0 });
  });



  it('refuses to resolve without the required variables', async () => {
    const failure = (await print(dir, {}).then(() => null, (e: { stdout: string; stderr: string }) => `${e.stdout}${e.stderr}`)) ?? '';
    expect(failure).toContain('Cannot resolve variable at "functions.smart-connect-watch.environment.variables.WATCH_INSTANCES"');
    expect(failure).toContain('environment.variables.OBS_BUCKET');
  });

  it('the README cites the commits the mapping was read from, and the failure message as 0.0.10 prints it', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const deploy = readme.slice(readme.indexOf('## Deploy'), readme.indexOf('## Operate'));
    expect(deploy).toContain(MAPPING.plugin.commit.slice(0, 7));
    expect(deploy).toContain(MAPPING.sdk.commit.slice(0, 7));
    expect(MAPPING.deploy_failure.message).toBe('Deployed error. err = ${error}');
    expect(readme).toContain('`Deployed error. err = …`');
    expect(readme).not.toContain('`Deployed error. err=…`');
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
