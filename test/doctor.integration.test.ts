/**
 * `smart-connect-watch doctor` as a user runs it: the built CLI (dist/cli.js) in a child process, the
 * real FunctionGraph SDK signing its requests to a local FunctionGraph API emulator that verifies
 * each signature, and state.json in a local OBS (s3rver). One correct deployment, then one
 * misconfiguration per case.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FgsEmulator, startFgsEmulator } from '../lib/demo/fgs-emulator';
import { type LocalObs, startLocalObs } from '../lib/demo/local-obs';
import { Bucket } from './fixtures/audit/history';
import { MISCONFIGURATIONS, PROJECT_ID, REGION, type RawDeployment, SECRET_VALUES, healthyDeployment, urnOf } from './fixtures/doctor/deployments';

const BUILT_CLI = resolve(__dirname, '../dist/cli.js');
const SK = 'sk-of-the-doctor-test-5d41402abc4b2a76';
const TOKEN = 'security-token-of-the-doctor-test-7f3a9c';

interface Result { code: number; stdout: string; stderr: string }

let fgs: FgsEmulator;
let obs: LocalObs;
let bucket: Bucket;
const now = new Date();

/** Deploys `raw` as function `name` in the emulator, its state.json under prefix `name/`. */
async function deploy(name: string, raw: RawDeployment): Promise<void> {
  fgs.setFunction(urnOf(name), { config: raw.config, triggers: raw.triggers, asyncConfig: raw.asyncConfig });
  if (raw.state !== undefined) await bucket.put(`${name}/state.json`, raw.state);
  else await bucket.delete(`${name}/state.json`);
}

function doctor(args: string[], prefix: string, env: Record<string, string> = {}): Promise<Result> {
  const base = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: obs.endpoint, OBS_BUCKET: obs.bucket, OBS_PREFIX: prefix, CLOUD_SDK_AK: obs.accessKey, CLOUD_SDK_SK: SK, FUNCTIONGRAPH_ENDPOINT: fgs.url };
  return new Promise((done) => {
    execFile(process.execPath, [BUILT_CLI, 'doctor', ...args], { env: { ...base, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function expectNoSecret(r: Result): void {
  const all = r.stdout + r.stderr;
  for (const secret of [SK, TOKEN, ...Object.values(SECRET_VALUES), 'T0KEN-in-webhooks', 'hb-token']) expect(all).not.toContain(secret);
  // Nothing of a signed request (the SDK core logs its headers on errors unless silenced).
  for (const header of ['SDK-HMAC-SHA256', 'X-Security-Token', 'Authorization']) expect(all).not.toContain(header);
}

beforeAll(async () => {
  [fgs, obs] = await Promise.all([startFgsEmulator({ credentials: { ak: 'S3RVER', sk: SK }, projectId: PROJECT_ID }), startLocalObs()]);
  bucket = await Bucket.open(obs.endpoint, obs.bucket, obs.accessKey, obs.secretKey);
}, 60_000);
afterAll(async () => {
  bucket?.close();
  await Promise.all([fgs?.close(), obs?.close()]);
});

describe('doctor against an emulated FunctionGraph', () => {
  it('passes a correct deployment (exit 0), by function name and by URN, reading the three APIs once each', async () => {
    await deploy('healthy-fn', healthyDeployment('healthy-fn', now, obs.bucket));
    fgs.requests.length = 0;
    const byName = await doctor(['healthy-fn', '--region', REGION, '--project-id', PROJECT_ID], 'healthy-fn/');
    expect(byName).toMatchObject({ code: 0, stderr: '' });
    expect(byName.stdout).toContain(`checked ${urnOf('healthy-fn')}`);
    expect(byName.stdout).toContain('healthy:');
    expect(fgs.requests).toEqual([
      { api: 'ShowFunctionConfig', urn: urnOf('healthy-fn'), status: 200 },
      { api: 'ListFunctionTriggers', urn: urnOf('healthy-fn'), status: 200 },
      { api: 'ShowFunctionAsyncInvokeConfig', urn: urnOf('healthy-fn'), status: 200 },
    ]);
    const byUrn = await doctor([urnOf('healthy-fn'), '--json'], 'healthy-fn/');
    expect(byUrn.code).toBe(0);
    expect(JSON.parse(byUrn.stdout)).toEqual({ healthy: true, function: urnOf('healthy-fn'), endpoint: fgs.url, problems: [], notes: [] });
    expectNoSecret(byName);
    expectNoSecret(byUrn);
  });

  it.each(MISCONFIGURATIONS)('names $id (exit 1): $what', async ({ id, apply }) => {
    const name = `fn-${id.replace(/_/g, '-')}`;
    const raw = healthyDeployment(name, now, obs.bucket);
    apply(raw, now);
    await deploy(name, raw);
    const json = await doctor([name, '--json'], `${name}/`, { WATCH_REGION: REGION, WATCH_PROJECT_ID: PROJECT_ID });
    expect(json).toMatchObject({ code: 1, stderr: '' });
    const out = JSON.parse(json.stdout) as { healthy: boolean; problems: { id: string; problem: string; fix: string }[] };
    expect(out.healthy).toBe(false);
    expect(out.problems.map((p) => p.id)).toEqual([id]);
    const text = await doctor([urnOf(name)], `${name}/`);
    expect(text.code).toBe(1);
    // The two commands read the clock at different moments: an age in the message may read 121m in one and ~2h in the other.
    const age = (t: string) => t.replace(/ \S+ ago/g, ' <age> ago');
    expect(age(text.stdout)).toContain(age(out.problems[0]!.problem));
    expect(text.stdout).toContain(`fix: ${out.problems[0]!.fix}`);
    expect(text.stdout).toContain('NOT HEALTHY: 1 problem');
    expectNoSecret(json);
    expectNoSecret(text);
  });

  it.each([
    ['no argument', [], 'doctor: missing argument'],
    ['a malformed URN', ['urn:fss:cn-north-4:x'], 'not a function URN'],
    ['an unknown flag', ['fn', '--stage', 'dev'], 'unknown option --stage'],
    ['a region that contradicts the URN', [urnOf('fn'), '--region', 'ap-southeast-1'], 'differs from the URN'],
  ])('exits 2 on %s', async (_, args, message) => {
    const r = await doctor(args, 'x/');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('usage: smart-connect-watch doctor <function name|function URN>');
  });

  it('exits 1 naming what is missing: no region or project for a name, an unknown function, a refused signature, no answer', async () => {
    const bare = await doctor(['healthy-fn'], 'healthy-fn/');
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('the region is required with a function name');
    expect(bare.stderr).toContain('the project id is required with a function name');

    const missing = await doctor([urnOf('no-such-fn')], 'x/');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ShowFunctionConfig: HTTP 404 FSS.1051: Not found the function (no such function: check the name, region and project)');

    const wrongKey = await doctor([urnOf('healthy-fn')], 'healthy-fn/', { CLOUD_SDK_SK: 'another-secret-key-0123456789', CLOUD_SDK_SECURITY_TOKEN: TOKEN });
    expect(wrongKey).toMatchObject({ code: 1, stdout: '' });
    expect(wrongKey.stderr).toContain('ShowFunctionConfig: HTTP 401 APIGW.0301');
    expect(wrongKey.stderr).not.toContain('another-secret-key-0123456789');
    const unreachable = await doctor([urnOf('healthy-fn')], 'healthy-fn/', { FUNCTIONGRAPH_ENDPOINT: 'http://127.0.0.1:1', CLOUD_SDK_SECURITY_TOKEN: TOKEN });
    expect(unreachable).toMatchObject({ code: 1, stdout: '' });
    expect(unreachable.stderr).toContain('ShowFunctionConfig: no answer (connect ECONNREFUSED 127.0.0.1:1)');
    for (const r of [bare, missing, wrongKey, unreachable]) expectNoSecret(r);
  });

  it('the FunctionGraph SDK is in the CLI bundle only, never in the function (dist/index.js)', () => {
    expect(readFileSync(BUILT_CLI, 'utf8')).toContain('ShowFunctionAsyncInvokeConfigRequest');
    expect(readFileSync(resolve(__dirname, '../dist/index.js'), 'utf8')).not.toMatch(/ShowFunctionConfigRequest|FunctionGraphClient|huaweicloud-sdk-functiongraph/);
  });
});
