/**
 * The CLI as a well-made command-line tool (`node dist/cli.js …` child processes): help for every
 * command, --version, a hanging OBS that ends in a named timeout, an exit as soon as the output is
 * written, `| head` that ends quietly, and the demo's temp directory removed on Ctrl-C and on a closed
 * pipe; `demo --keep` leaves a store the audit commands read.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import { type AddressInfo, type Server, type Socket, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../package.json';
import { type LocalObs, startLocalObs } from '../lib/demo/local-obs';
import { generateFleet } from './fixtures/audit/fleet';
import { Bucket, chainSnapshots } from './fixtures/audit/history';

const CLI = resolve(__dirname, '../dist/cli.js');
const COMMANDS = ['run', 'start', 'demo', 'history', 'show', 'diff', 'verify', 'report'];

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The exit, once every output has been read ('close' comes after both the exit and the end of the streams). */
function exited(child: ChildProcess, out: { stdout: string; stderr: string }): Promise<Ran> {
  return new Promise((done) => child.on('close', (code, signal) => done({ code, signal, ...out })));
}

/** Runs the CLI; `onOutput` sees stdout as it grows. */
function start(args: string[], env: Record<string, string>, onOutput?: (stdout: string, child: ChildProcess) => void) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out.stdout += d;
    onOutput?.(out.stdout, child);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  return { child, done: exited(child, out), output: () => out.stdout };
}

/** A shell pipeline, as a user types it; prints the CLI's exit status last. */
function pipeline(command: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string; status: number }> {
  return new Promise((done) => {
    execFile('bash', ['--norc', '--noprofile', '-c', `${command}; echo "status=\${PIPESTATUS[0]}"`], { env: { PATH: process.env.PATH ?? '', ...env }, maxBuffer: 64 * 1024 * 1024 }, (_err, stdout, stderr) => {
      const status = Number(/status=(\d+)\n$/.exec(stdout)?.[1] ?? -1);
      done({ stdout: stdout.replace(/status=\d+\n$/, ''), stderr, status });
    });
  });
}

const listen = (server: Server) => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));

describe('the CLI process', { timeout: 180_000 }, () => {
  let obs: LocalObs;
  let env: Record<string, string>;
  let ids: string[];
  let tmp: string;

  beforeAll(async () => {
    obs = await startLocalObs();
    tmp = await mkdtemp(join(tmpdir(), 'scw-cli-process-'));
    // Two snapshots of 200 instances × 18 tasks, every task changed between them: outputs far larger than a pipe's buffer.
    const [a, b] = generateFleet({ instances: 200, tasks: 18, days: 2 / 24, everyHours: 1, end: new Date(Date.now() - 60_000) });
    const failed = { ...b!, instances: b!.instances.map((i) => ({ ...i, tasks: i.tasks.map((t) => ({ ...t, status: 'FAILED' })) })) };
    failed.changes = failed.instances.flatMap((i) => i.tasks.map((t) => ({ id: `c-${t.id}`, kind: 'status_changed' as const, severity: 'critical' as const, instance_id: i.instance_id, instance_name: i.name ?? null, task_id: t.id, task_name: t.task_name ?? null, from: 'RUNNING', to: 'FAILED', fields: null, snapshot_id: b!.id, detected_at: b!.taken_at })));
    const history = chainSnapshots([a!, failed], 'big/');
    ids = history.objects.map((o) => o.id);
    const bucket = await Bucket.open(obs.endpoint, obs.bucket, obs.accessKey, obs.secretKey);
    await bucket.upload(history);
    bucket.close();
    env = { OBS_ENDPOINT: obs.endpoint, OBS_BUCKET: obs.bucket, OBS_PREFIX: 'big/', CLOUD_SDK_AK: obs.accessKey, CLOUD_SDK_SK: 'sk-of-the-process-test' };
  }, 180_000);

  afterAll(async () => {
    await obs?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it.concurrent.for(COMMANDS.flatMap((c) => [[c, '--help'], [c, '-h'], ['help', c]]))('%s %s prints the usage and exits 0', async (args, { expect }) => {
    const r = await start(args, {}).done;
    const command = args[0] === 'help' ? args[1] : args[0];
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(new RegExp(`^usage: smart-connect-watch ${command}( .*)?\\n\\n  \\S.*\\n`));
  });

  it.concurrent('--version prints the package version', async ({ expect }) => {
    expect(await start(['--version'], {}).done).toMatchObject({ code: 0, stdout: `smart-connect-watch ${version}\n`, stderr: '' });
  });

  it.concurrent('an OBS that accepts and never answers: the command gives up within 45 s, naming the timeout and the endpoint without its tokens', async ({ expect }) => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((s) => sockets.push(s));
    const port = await listen(silent);
    try {
      const began = Date.now();
      const r = await start(['history', '--json'], { ...env, OBS_ENDPOINT: `http://127.0.0.1:${port}/?token=tok-never-shown` }).done;
      expect(Date.now() - began).toBeLessThan(45_000);
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toBe(
        `smart-connect-watch history: OBS LIST obs://${obs.bucket}/big/history/ failed: timed out waiting for OBS at http://127.0.0.1:${port} (no answer in 15 s) (after 2 attempts)\n`,
      );
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it.concurrent('the first request held open by a proxy: the answer comes from the retry and the process exits as soon as it is written', async ({ expect }) => {
    const held: ServerResponse[] = [];
    const target = new URL(obs.endpoint);
    const proxy = createServer((req: IncomingMessage, res) => {
      if (held.length === 0) return void held.push(res); // never answered, never closed
      const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (a) => {
        res.writeHead(a.statusCode ?? 502, a.headers);
        a.pipe(res);
      });
      req.pipe(up);
    });
    const port = await listen(proxy);
    try {
      let wroteAt = 0;
      const run = start(['show', ids[0]!, '--json'], { ...env, OBS_ENDPOINT: `http://127.0.0.1:${port}` }, () => (wroteAt = Date.now()));
      const r = await run.done;
      const exitedAt = Date.now();
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ id: ids[0] });
      expect(held).toHaveLength(1);
      // The held socket stays open: only an exit that does not wait for it ends the process here.
      expect(exitedAt - wroteAt).toBeLessThan(10_000);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it.concurrent.for([
    ['history --json | head -1', 'history --json'],
    ['diff <first> <second> | head', 'diff FIRST SECOND'],
    ['report --html /dev/stdout | head', 'report --html /dev/stdout'],
  ])('%s ends quietly with exit 0', async ([, args], { expect }) => {
    const line = args!.replace('FIRST', ids[0]!).replace('SECOND', ids[1]!);
    const r = await pipeline(`node ${CLI} ${line} | head -1`, env);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout.split('\n')).toHaveLength(2);
  });

  const leftovers = async (dir: string) => (await readdir(dir)).filter((f) => f.startsWith('scw-obs-'));

  it.concurrent('npm start | head -3: the demo ends with exit 0 and removes its temp directory', async ({ expect }) => {
    const dir = await mkdtemp(join(tmp, 'head-'));
    const r = await pipeline(`node ${CLI} demo | head -3`, { TMPDIR: dir });
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout.split('\n')).toHaveLength(4);
    expect(await leftovers(dir)).toEqual([]);
  });

  it.concurrent('Ctrl-C during the demo stops it and removes its temp directory', async ({ expect }) => {
    const dir = await mkdtemp(join(tmp, 'sigint-'));
    let sent = false;
    const run = start(['demo'], { TMPDIR: dir }, (_out, child) => {
      if (!sent) child.kill('SIGINT');
      sent = true;
    });
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(await leftovers(dir)).toEqual([]);
  });

  it.concurrent('demo --keep: the audit commands read the store with the printed lines; Ctrl-C stops it and removes its files', async ({ expect }) => {
    const dir = await mkdtemp(join(tmp, 'keep-'));
    let ready: () => void;
    const printed = new Promise<void>((r) => (ready = r));
    const run = start(['demo', '--keep'], { TMPDIR: dir }, (out) => out.includes('Press Ctrl-C') && ready());
    // A demo that ends before it is ready fails the test at once, with what it said.
    await Promise.race([printed, run.done.then((r) => Promise.reject(new Error(`demo --keep ended (${r.code}) before it was ready: ${r.stderr}`)))]);
    const exported = Object.fromEntries([...run.output().matchAll(/^export (OBS_\w+|CLOUD_SDK_\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(exported).sort()).toEqual(['CLOUD_SDK_AK', 'CLOUD_SDK_SK', 'OBS_BUCKET', 'OBS_ENDPOINT', 'OBS_PREFIX']);
    const [history, verify] = await Promise.all([start(['history'], exported).done, start(['verify'], exported).done]);
    expect(history).toMatchObject({ code: 0, stderr: '' });
    expect(history.stdout).toMatch(/29 changes in obs:\/\/smart-connect-watch-local\/smart-connect-watch\/, from 12 history objects read\n$/);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('intact');
    expect(await leftovers(dir)).toHaveLength(1);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Stopping: the local OBS store and its files are deleted\.\n$/);
    expect(await leftovers(dir)).toEqual([]);
  });
});
