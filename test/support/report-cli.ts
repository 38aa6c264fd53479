import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LocalObs, startLocalObs } from '../../lib/demo/local-obs';
import { Bucket } from '../fixtures/audit/history';
import { type Browser, launchChromium } from './browser';

const CLI = resolve(__dirname, '../../dist/cli.js');

/** Runs the built CLI's `report --html <file> …args` against the local store, with only PATH and the OBS variables set. */
export function writeReport(obs: LocalObs, opts: { prefix: string; sk: string; file: string; args: string[]; cwd: string }): Promise<{ code: number; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: obs.endpoint, OBS_BUCKET: obs.bucket, OBS_PREFIX: opts.prefix, CLOUD_SDK_AK: obs.accessKey, CLOUD_SDK_SK: opts.sk };
  return new Promise((done) => {
    execFile(process.execPath, [CLI, 'report', '--html', opts.file, ...opts.args], { env, cwd: opts.cwd }, (err, _out, stderr) => done({ code: err ? Number(err.code) : 0, stderr }));
  });
}

/**
 * For the enclosing describe: a local store that `fill` writes into, a temporary folder and headless
 * Chromium, ready before its tests (`started` receives them) and stopped and removed after them.
 */
export function withReportStore(name: string, fill: (bucket: Bucket) => Promise<void>, started: (setup: { browser: Browser; obs: LocalObs; dir: string }) => void): void {
  let browser: Browser | undefined;
  let obs: LocalObs | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `scw-${name}-`));
    obs = await startLocalObs();
    const bucket = await Bucket.open(obs.endpoint, obs.bucket, obs.accessKey, obs.secretKey);
    await fill(bucket);
    bucket.close();
    browser = await launchChromium();
    started({ browser, obs, dir });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await obs?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
}
