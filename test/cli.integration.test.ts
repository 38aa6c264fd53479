/**
 * The CLI as a user runs it: `node dist/cli.js …` child processes, with the environment pointing at a
 * local s3rver (behind a recording proxy, to see which requests the CLI makes) holding generated
 * histories of hundreds of objects: an intact year, a damaged one, and one the function itself wrote.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { type IncomingMessage, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Change } from '../lib/alerting/change';
import { startDmsEmulator, type DmsEmulator } from '../lib/demo/dms-emulator';
import { type LocalObs, startLocalObs } from '../lib/demo/local-obs';
import { diffSnapshots } from '../lib/alerting/diff';
import { Bucket, type GeneratedHistory, generateHistory, timesEndingAt } from './fixtures/audit/history';
import fixture from './fixtures/list-connector-tasks.example.json';

const BUILT_CLI = resolve(__dirname, '../dist/cli.js');
const DAY = 86_400_000;
const H = 3_600_000;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

interface Recorded {
  method: string;
  /** `list` for a bucket listing, else the object key. */
  what: 'list' | 'object';
  key: string;
}

/** An HTTP proxy in front of s3rver that records what the CLI asks for. */
async function startRecordingProxy(target: string) {
  const upstream = new URL(target);
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const prefix = url.searchParams.get('prefix');
    const [, , ...key] = decodeURIComponent(url.pathname).split('/');
    requests.push(prefix !== null ? { method: req.method ?? '', what: 'list', key: prefix } : { method: req.method ?? '', what: 'object', key: key.join('/') });
    const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

// Ten CLI processes at once on a shared 2-CPU machine: generous limits, no wall-clock expectations.
describe('smart-connect-watch CLI over OBS (s3rver)', { timeout: 240_000 }, () => {
  let obs: LocalObs;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let bucket: Bucket;
  let dms: DmsEmulator;
  let cwd: string;
  let cli_js: string;
  let year: GeneratedHistory;
  let damaged: GeneratedHistory;

  /** Runs the CLI in an empty directory (no .env) with only the given environment. */
  const cli = (args: string[], env: Record<string, string> = {}, prefix = 'year/'): Promise<Result> =>
    new Promise((done) => {
      const base = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: proxy.url, OBS_BUCKET: obs.bucket, OBS_PREFIX: prefix, CLOUD_SDK_AK: obs.accessKey, CLOUD_SDK_SK: 'sk-of-the-cli-test-0001' };
      // No time limit of its own: a slow machine makes it slow, not wrong (the OBS timeouts bound a hang).
      execFile(process.execPath, [cli_js, ...args], { cwd, env: { ...base, ...env } }, (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });

  beforeAll(async () => {
    obs = await startLocalObs();
    proxy = await startRecordingProxy(obs.endpoint);
    bucket = await Bucket.open(obs.endpoint, obs.bucket, obs.accessKey, obs.secretKey);
    cwd = await mkdtemp(join(tmpdir(), 'scw-cli-'));
    // The bundle is self-contained: run a copy, as an installed bin (the build replaces dist/cli.js atomically).
    cli_js = join(cwd, 'smart-connect-watch.js');
    await copyFile(BUILT_CLI, cli_js);
    // A year: 300 objects 29 hours apart, then a busy last day of 12 objects 90 minutes apart.
    const end = new Date(Date.now() - 10 * 60_000);
    year = generateHistory([...timesEndingAt(new Date(end.getTime() - DAY), 300, 29 * H), ...timesEndingAt(end, 12, 1.5 * H)], 'year/');
    damaged = generateHistory(timesEndingAt(end, 100, 7 * H), 'damaged/');
    await Promise.all([bucket.upload(year), bucket.upload(damaged)]);
    const o = damaged.objects;
    await bucket.put(o[30]!.key, o[30]!.body.replace('"status":"RUNNING"', '"status":"FAILED"')); // tampered
    await bucket.delete(o[60]!.key); // missing
    await bucket.put(o[90]!.key, `${o[90]!.body.slice(0, 200)}…truncated`); // unreadable (and so its bytes changed)
    await bucket.put('damaged/history/notes.txt', 'copied here by hand'); // foreign
    await bucket.put(o[95]!.key.replace(/\.json$/, '.json.bak'), o[95]!.body); // foreign
    dms = await startDmsEmulator({ credentials: { ak: obs.accessKey, sk: 'sk-of-the-cli-test-0001' }, projectId: 'p0000000000000000000000000000001' });
  }, 180_000);

  afterAll(async () => {
    bucket?.close();
    await Promise.all([proxy?.close(), dms?.close()]);
    await obs?.close();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  // Alone (the others run concurrently after it), so that the proxy sees only its requests.
  it('history --since 1d lists only yesterday and today, reads only their objects, and prints an aligned timeline', async () => {
    proxy.requests.length = 0;
    const before = Date.now();
    const r = await cli(['history', '--since', '1d']);
    const after = Date.now();
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const days = (t: number) => [t - DAY, t].map((d) => `year/history/${new Date(d).toISOString().slice(0, 10).replace(/-/g, '/')}/`);
    const lists = proxy.requests.filter((q) => q.what === 'list').map((q) => q.key);
    expect([days(before), days(after)]).toContainEqual(lists.sort());
    const recent = year.objects.slice(-12);
    expect(proxy.requests.filter((q) => q.what === 'object').map((q) => q.key).sort()).toEqual(recent.map((o) => o.key).sort());

    const lines = r.stdout.trimEnd().split('\n');
    const changes = recent.flatMap((o) => o.snapshot.changes);
    expect(lines[0]).toMatch(/^TIME \(UTC\) {11}SEVERITY {2}INSTANCE \/ TASK +CHANGE$/);
    expect(lines).toHaveLength(changes.length + 2);
    const column = lines[0]!.indexOf('CHANGE');
    for (const line of lines.slice(1, -1)) expect(line.slice(column - 2, column)).toBe('  ');
    expect(r.stdout).not.toContain('\x1b[');
    expect(lines.at(-1)).toMatch(/^\d+ changes in obs:\/\/\S+\/year\/, since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, from 12 history objects read$/);
  });

  it.concurrent('history --json prints one §4 change per line, oldest first, filtered by task', async ({ expect }) => {
    const r = await cli(['history', '--json', '--task', 'smart-connect-1', '--since', '30d']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const since = Date.now() - 30 * DAY;
    const expected = year.objects.flatMap((o) => o.snapshot.changes).filter((c) => c.task_name === 'smart-connect-1' && Date.parse(c.detected_at) >= since + 60_000);
    const got = r.stdout.trimEnd().split('\n').map((l) => Change.parse(JSON.parse(l)));
    expect(got.slice(-expected.length)).toEqual(expected);
    expect(got.map((c) => c.detected_at)).toEqual([...got.map((c) => c.detected_at)].sort());
    expect(Object.keys(JSON.parse(r.stdout.split('\n')[0]!))).toEqual(['id', 'kind', 'severity', 'instance_id', 'instance_name', 'task_id', 'task_name', 'from', 'to', 'fields', 'snapshot_id', 'detected_at']);
  });

  it.concurrent('show latest prints the newest snapshot as tables; show <id> --json prints the object', async ({ expect }) => {
    const newest = year.objects.at(-1)!;
    const old = year.objects[123]!;
    const [latest, json] = await Promise.all([cli(['show', 'latest']), cli(['show', old.id, '--json'])]);
    expect(latest.code).toBe(0);
    expect(latest.stdout).toContain(`snapshot ${newest.id}`);
    for (const i of newest.snapshot.instances) {
      expect(latest.stdout).toContain(`${i.name} (${i.instance_id})`);
      for (const t of i.tasks) expect(latest.stdout).toMatch(new RegExp(`^  ${t.task_name} +${t.status} `, 'm'));
    }
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(old.body));
  });

  it.concurrent('diff computes the changes between any two snapshots with the function diff', async ({ expect }) => {
    const [a, b] = [year.objects[200]!, year.objects[260]!];
    const r = await cli(['diff', a.id, b.id, '--json']);
    expect(r.code).toBe(0);
    const expected = diffSnapshots({ previous: a.snapshot.instances, next: b.snapshot.instances, snapshotId: b.id, detectedAt: b.snapshot.taken_at });
    expect(expected.length).toBeGreaterThan(0);
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(expected);
    const text = await cli(['diff', a.id, b.id]);
    expect(text.stdout.split('\n')[0]).toBe(`${a.id} → ${b.id}: ${expected.length} change${expected.length === 1 ? '' : 's'}`);
  });

  it.concurrent('verify: an intact year exits 0', async ({ expect }) => {
    const r = await cli(['verify']);
    expect(r.stdout).toContain(`checked 312 objects under obs://${obs.bucket}/year/history/ (${year.objects[0]!.id} … ${year.objects.at(-1)!.id})`);
    expect(r.stdout).toContain(`intact: every object parses, every link matches the bytes before it, state.json vouches for the newest (${year.objects.at(-1)!.id})`);
    expect(r.code).toBe(0);
  });

  it.concurrent('verify: a damaged history exits 1 naming every tampered, missing, unreadable and foreign object', async ({ expect }) => {
    const [r, asJson] = await Promise.all([cli(['verify'], {}, 'damaged/'), cli(['verify', '--json'], {}, 'damaged/')]);
    expect(r.code).toBe(1);
    const o = damaged.objects;
    const problems = r.stdout.split('\n').filter((l) => /^(tampered|missing|unreadable|foreign|unlinked|broken|state) /.test(l)).map((l) => l.split(/ +/).slice(0, 2));
    expect(problems).toEqual([
      ['tampered', o[30]!.key],
      ['missing', o[60]!.key],
      ['tampered', o[90]!.key],
      ['unreadable', o[90]!.key],
      ['foreign', o[95]!.key.replace(/\.json$/, '.json.bak')],
      ['foreign', 'damaged/history/notes.txt'],
    ]);
    expect(r.stdout).toContain(`referenced by ${o[61]!.id}`);
    expect(r.stdout).toMatch(/NOT INTACT: 6 problems \(2 tampered, 1 missing, 1 unreadable, 2 foreign\)\n$/);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ intact: false, objects: 101, problems: expect.arrayContaining([{ kind: 'missing', key: o[60]!.key, detail: expect.any(String) }]) });
  });

  it.concurrent('history over a damaged history still answers, and names what it skipped on stderr', async ({ expect }) => {
    const r = await cli(['history', '--kind', 'instance_unreachable'], {}, 'damaged/');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/instance unreachable/);
    expect(r.stderr).toMatch(/^warning: skipped 3 unusable objects under history\/ \(damaged\/history\/.*notes\.txt.*\); run `smart-connect-watch verify`\n$/);
  });

  it.concurrent('report --html writes one self-contained page with every task and every change of the range', async ({ expect }) => {
    const file = join(cwd, 'report.html');
    const r = await cli(['report', '--html', file, '--since', '14d']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^wrote .*report\.html: \d+ tasks, \d+ changes, \d+ snapshots\n$/);
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\/|<script|<link|url\(/i);
    const inRange = year.objects.filter((o) => Date.parse(o.snapshot.taken_at) >= Date.now() - 14 * DAY + 60_000);
    for (const t of inRange.at(-1)!.snapshot.instances.flatMap((i) => i.tasks)) expect(html).toContain(`<bdi>${t.task_name}</bdi>`);
    for (const c of inRange.flatMap((o) => o.snapshot.changes)) expect(html).toContain(`<td class="id">${c.snapshot_id}</td>`);
  });

  it.concurrent.for<[string[], RegExp]>([
    [['histroy'], /^smart-connect-watch: unknown command: histroy\nusage: smart-connect-watch <command>/],
    [['history', '--sinse', '1d'], /^smart-connect-watch: unknown option --sinse for history\nusage: smart-connect-watch history \[--since/],
    [['history', '--since', 'last tuesday'], /^smart-connect-watch: --since last tuesday: not a time .*\nusage: smart-connect-watch history /],
    [['history', '--until', '2026-02-30'], /^smart-connect-watch: --until 2026-02-30: not a time/],
    [['show', 'yesterday'], /^smart-connect-watch: yesterday: not a snapshot id .*\nusage: smart-connect-watch show \[latest\|<snapshot_id>\] \[--json\]\n$/],
    [['diff', '20261121T071500123Z'], /^smart-connect-watch: diff: missing argument\nusage: smart-connect-watch diff /],
    [['report', '--since', '1d'], /^smart-connect-watch: report needs --html <file>\nusage: smart-connect-watch report --html <file>/],
    [['verify', '--fix'], /^smart-connect-watch: unknown option --fix for verify\n/],
    [['run', '--now'], /^smart-connect-watch: unknown option --now for run\nusage: smart-connect-watch run\n$/],
    [['demo', 'now'], /^smart-connect-watch: demo: unexpected argument now\nusage: smart-connect-watch demo \[--keep\]\n$/],
    [['help', 'histroy'], /^smart-connect-watch: help: no command histroy\nusage: smart-connect-watch <command>/],
  ])('%j exits 2 with a usage line', async ([args, stderr], { expect }) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(stderr);
  });

  it.concurrent('a missing configuration exits 1 naming the variables; a missing snapshot exits 1', async ({ expect }) => {
    const r = await cli(['history'], { OBS_BUCKET: '', CLOUD_SDK_SK: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'smart-connect-watch history: invalid configuration:\n  - OBS_BUCKET is required: the bucket holding state.json and history/\n  - CLOUD_SDK_SK is required (with CLOUD_SDK_AK): the CLI reads OBS with these keys\n',
    );
    const missing = await cli(['show', '20200101T000000000Z']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(`smart-connect-watch show: no history object 20200101T000000000Z (looked for year/history/2020/01/01/20200101T000000000Z.json in obs://${obs.bucket}/year/)\n`);
  });

  it.concurrent('run writes the history the audit commands read: two cycles, then history and verify', async ({ expect }) => {
    const tasks = structuredClone(fixture.tasks) as Record<string, unknown>[];
    dms.setInstance('inst-run-0001', tasks);
    const env = {
      WATCH_INSTANCES: 'prod=inst-run-0001',
      WATCH_REGION: 'cn-north-4',
      WATCH_PROJECT_ID: 'p0000000000000000000000000000001',
      DMS_ENDPOINT: dms.url,
    };
    const first = await cli(['run'], env, 'run/');
    expect(first.code, first.stderr).toBe(0);
    tasks[1]!.status = 'FAILED';
    dms.setInstance('inst-run-0001', tasks);
    const second = await cli(['run'], env, 'run/');
    expect(JSON.parse(second.stdout)).toMatchObject({ first_run: false, changes: 1 });

    const [history, verify] = await Promise.all([cli(['history', '--json', '--kind', 'status_changed'], {}, 'run/'), cli(['verify'], {}, 'run/')]);
    expect(history.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ kind: 'status_changed', severity: 'critical', instance_name: 'prod', task_name: 'smart-connect-1', from: 'RUNNING', to: 'FAILED' }),
    ]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toContain('checked 2 objects');
  });
});
