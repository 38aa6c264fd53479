import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import type { LocalObs } from '../../lib/demo/local-obs';

const CLI = resolve(__dirname, '../../dist/cli.js');

/** Runs the built CLI's `report --html <file> …args` against the local store, with only PATH and the OBS variables set. */
export function writeReport(obs: LocalObs, opts: { prefix: string; sk: string; file: string; args: string[]; cwd: string }): Promise<{ code: number; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: obs.endpoint, OBS_BUCKET: obs.bucket, OBS_PREFIX: opts.prefix, CLOUD_SDK_AK: obs.accessKey, CLOUD_SDK_SK: opts.sk };
  return new Promise((done) => {
    execFile(process.execPath, [CLI, 'report', '--html', opts.file, ...opts.args], { env, cwd: opts.cwd }, (err, _out, stderr) => done({ code: err ? Number(err.code) : 0, stderr }));
  });
}
