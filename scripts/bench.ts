// `npm run bench`: measures the built function (dist/index.js) against the local emulators.
// Not a vitest test (vitest runs test/**/*.test.ts only); bundled to dist/bench.js by the npm script.
//
// The emulators (DMS, s3rver, a webhook receiver) and a counting proxy in front of s3rver run in
// this process; every measured run of the function is a fresh child process (dist/bench-child.js),
// so its peak RSS is the function's own. The memory runs are each in a 128 MB memory cgroup where one
// can be made (Linux, root: scripts/bench-cgroup.ts), as in FunctionGraph's smallest instance.
// Figures are printed as measured, then as one table.
//
// Environment: BENCH_ONLY=fleet,memory,cold runs those parts alone; BENCH_TIMELINE=1 prints when each
// DMS and OBS request of a run happened; BENCH_NODE_ARGS passes flags (--trace-gc, --cpu-prof, …) to
// every measured run.
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger';
import { KafkaClient, ListConnectorTasksRequest } from '@huaweicloud/huaweicloud-sdk-kafka';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type DmsEmulator, startDmsEmulator } from '../lib/demo/dms-emulator';
import { LOCAL_OBS_ACCESS_KEY, startLocalObs } from '../lib/demo/local-obs';
import { startWebhookReceiver } from '../lib/demo/webhook-receiver';
import fixture from '../test/fixtures/list-connector-tasks.example.json';
import type { ChildResult } from './bench-child';
import { type MemoryCgroup, createMemoryCgroup } from './bench-cgroup';

// The SDK core logs every failed request's config, secrets included, to stdout (as lib/source/dms-source.ts notes).
for (const method of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'mark', 'log'] as const) {
  (Logger4jInstance as unknown as Record<string, unknown>)[method] = () => undefined;
}
Logger4jInstance.level = 'off';

const DIST = __dirname; // dist/bench.js sits beside dist/index.js
const PROJECT_ID = '0b5f2c9e8d7a4c3b9e1f6a2d4c8b7e01';
const TASKS_PER_INSTANCE = 18;
const FLEET = { instances: 200, latencyMs: 50, concurrency: 8 };
/** Discovery (#18): `WATCH_INSTANCES=[{"discover":"*", project}]` over this many instances, in a project of their own. */
const DISCOVERY = { instances: 1000, latencyMs: 50, projectId: 'd15c0ve7d15c0ve7d15c0ve7d15c0ve7' };
const MEMORY_INSTANCES = 1000;
const MEMORY_TARGET_KIB = 128 * 1024;
const COLD_START_ITERATIONS = 15;
const QUIET_RUNS = 3;
const CHILD_TIMEOUT_MS = 150_000;
/** `BENCH_ONLY=fleet,discovery,memory,cold` (comma-separated) runs those parts alone; all by default. */
const only = (part: string): boolean => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').includes(part);

// Only the report fields the bench reads: lib/report.ts may change under us, so no import of it.
interface Report {
  duration_ms: number;
  api_requests: number;
  tasks: number;
  changes: number;
  changes_by_kind: Record<string, number>;
  instances: { total: number; ok: number; failed: number };
  messages: { delivered: number; pending: number };
  errors: string[];
}
type Task = Record<string, unknown> & { id: string; task_name: string; status: string };
type ObsKind = 'GET' | 'HEAD' | 'PUT' | 'LIST' | 'COPY' | 'OTHER';
/** `bytes`: the body's content-length (request for PUT, response otherwise), when sent. */
interface ObsEvent { kind: ObsKind; key: string; status: number; bytes: number; start: number; end: number }
interface Run {
  report: Report;
  maxRssKiB: number;
  wallMs: number;
  obs: ObsEvent[];
  dmsRequests: number;
  dmsSpanMs: number | undefined;
  logLines: string[];
  /** Set when the run was in a memory cgroup: its limit, and the most memory charged to it. */
  cgroup: { limitBytes: number; peakBytes: number | undefined } | undefined;
}
interface Row { figure: string; measured: string; target: string; verdict: 'meets' | 'misses' | '—' }

const mb = (kib: number): string => `${(kib / 1024).toFixed(1)} MB`;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (n: number): string => `${Math.round(n)} ms`;
const verdict = (ok: boolean): Row['verdict'] => (ok ? 'meets' : 'misses');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** UUID-shaped ids, as the real API uses: instance `i`, task `t` of a named group. */
const instanceId = (group: number, i: number): string => `${String(group).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
function tasksFor(i: number, n = TASKS_PER_INSTANCE, from = 0): Task[] {
  return Array.from({ length: n }, (_, k) => ({
    ...(structuredClone(fixture.tasks[1]) as Record<string, unknown>),
    id: `${String(i).padStart(4, '0')}${String(from + k).padStart(4, '0')}-0000-0000-0000-000000000000`,
    task_name: `dump-${i}-${from + k}`,
    status: 'RUNNING',
  }));
}

function countObs(events: ObsEvent[]): string {
  const by = new Map<ObsKind, number>();
  for (const e of events) by.set(e.kind, (by.get(e.kind) ?? 0) + 1);
  return [...by].map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
}
const reads = (events: ObsEvent[]): number => events.filter((e) => e.kind === 'GET' || e.kind === 'HEAD' || e.kind === 'LIST').length;
const writes = (events: ObsEvent[]): number => events.filter((e) => e.kind === 'PUT' || e.kind === 'COPY').length;

/**
 * An HTTP reverse proxy in front of s3rver that records each OBS request's kind and timing.
 * Bodies are piped through untouched (state objects reach ~20 MB). Path-style: /bucket[/key][?query].
 */
async function startCountingProxy(upstream: string) {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const events: ObsEvent[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const path = url.pathname.slice(1);
    const slash = path.indexOf('/');
    const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
    const copy = req.headers['x-amz-copy-source'] !== undefined || req.headers['x-obs-copy-source'] !== undefined;
    const kind: ObsKind =
      req.method === 'GET' ? (key === '' ? 'LIST' : 'GET')
      : req.method === 'HEAD' ? 'HEAD'
      : req.method === 'PUT' ? (copy ? 'COPY' : key === '' ? 'OTHER' : 'PUT')
      : 'OTHER';
    const event: ObsEvent = { kind, key, status: 0, bytes: Number(req.headers['content-length'] ?? 0), start: performance.now(), end: 0 };
    events.push(event);
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (ures) => {
      event.status = ures.statusCode ?? 0;
      if (kind !== 'PUT' && kind !== 'COPY') event.bytes = Number(ures.headers['content-length'] ?? 0);
      res.writeHead(event.status, ures.rawHeaders);
      ures.pipe(res);
    });
    up.on('error', (err) => res.destroy(err));
    res.on('close', () => { event.end = performance.now(); });
    req.pipe(up);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    events,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
      agent.destroy();
    }),
  };
}
type CountingProxy = Awaited<ReturnType<typeof startCountingProxy>>;

/** One invocation of dist/index.js in a fresh child process; its stdout (the function's logs) is kept apart. */
async function runChild(b: Bench, env: Record<string, string>, cgroup?: MemoryCgroup): Promise<ChildResult & { logLines: string[] }> {
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const argv = [process.execPath, ...nodeArgs, b.childJs, b.indexJs, PROJECT_ID];
  // In a cgroup: a shell joins it, then becomes node (exec), so node starts inside the limit.
  const [cmd, ...args] = cgroup ? ['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup.dir, ...argv] : argv;
  const child = spawn(cmd as string, args, { env, cwd: b.scratch, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const chunks = { out: [] as Buffer[], err: [] as Buffer[], result: [] as Buffer[] };
  child.stdout?.on('data', (c: Buffer) => chunks.out.push(c));
  child.stderr?.on('data', (c: Buffer) => chunks.err.push(c));
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => chunks.result.push(c));
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  clearTimeout(timer);
  const text = Buffer.concat(chunks.result).toString('utf8').trim();
  if (cgroup && cgroup.oomKills() > 0) throw new Error(`the function was killed for going over the ${mb(cgroup.limitBytes / 1024)} memory cgroup`);
  if (code !== 0 || !text) {
    throw new Error(`bench child exited ${code}: ${Buffer.concat(chunks.err).toString('utf8').slice(-2000)}`);
  }
  const logLines = Buffer.concat(chunks.out).toString('utf8').split('\n').filter(Boolean);
  return { ...(JSON.parse(text) as ChildResult), logLines };
}

/** `indexJs`, `childJs`: the scratch copies of the bundles that every run uses. */
interface Bench { dms: DmsEmulator; proxy: CountingProxy; env: Record<string, string>; scratch: string; indexJs: string; childJs: string }

/** Runs the function once with the given instances and prefix, counting DMS and OBS requests for that run only. */
async function measure(b: Bench, label: string, instances: string[] | string, prefix: string, latencyMs = 0, memoryLimitBytes?: number): Promise<Run> {
  b.dms.reset();
  b.proxy.events.length = 0;
  // A string is WATCH_INSTANCES as it is (discover entries).
  const watch = typeof instances === 'string' ? instances : instances.map((id, i) => `inst-${i}=${id}`).join(',');
  const env = { ...b.env, OBS_PREFIX: prefix, WATCH_INSTANCES: watch };
  const cgroup = memoryLimitBytes === undefined ? undefined : createMemoryCgroup(memoryLimitBytes);
  let peakBytes: number | undefined;
  const r = await runChild(b, env, cgroup).finally(() => {
    peakBytes = cgroup?.peakBytes();
    cgroup?.remove();
  });
  if (r.error !== undefined || r.report === undefined) throw new Error(`${label}: the handler failed: ${r.error}`);
  const run: Run = { report: r.report as Report, maxRssKiB: r.maxRssKiB, wallMs: r.wallMs, obs: [...b.proxy.events], dmsRequests: b.dms.requests.length, dmsSpanMs: dmsSpanMs(b.dms, latencyMs), logLines: r.logLines, cgroup: cgroup && { limitBytes: cgroup.limitBytes, peakBytes } };
  const rep = run.report;
  console.log(
    `${label}: duration_ms=${rep.duration_ms} handler=${ms(run.wallMs)} instances ok=${rep.instances.ok}/${rep.instances.total} tasks=${rep.tasks} ` +
      `changes=${rep.changes} messages delivered=${rep.messages.delivered} pending=${rep.messages.pending} api_requests=${rep.api_requests} ` +
      `dms_requests=${run.dmsRequests} dms_span=${run.dmsSpanMs === undefined ? '-' : ms(run.dmsSpanMs)} obs=[${countObs(run.obs)}] peak_rss=${mb(run.maxRssKiB)} log_lines=${run.logLines.length}` +
      (run.cgroup ? ` cgroup=${mb(run.cgroup.limitBytes / 1024)} (peak charged ${run.cgroup.peakBytes === undefined ? '-' : mb(run.cgroup.peakBytes / 1024)})` : ''),
  );
  for (const e of rep.errors.slice(0, 5)) console.log(`  report error: ${e}`);
  if (process.env.BENCH_TIMELINE && r.startedAt !== undefined && r.endedAt !== undefined) {
    // Every time in ms from the handler's call: DMS requests as the emulator saw them, OBS requests as the proxy did.
    const from = (epochMs: number) => Math.round(epochMs - (r.startedAt as number));
    const dms = b.dms.requests.map((q) => q.at.getTime());
    const obs = run.obs.map((e) => `${e.kind} ${from(performance.timeOrigin + e.start)}–${from(performance.timeOrigin + e.end)}`);
    console.log(`  timeline (ms from the handler's call): DMS requests ${from(Math.min(...dms))}–${from(Math.max(...dms))}; OBS ${obs.join(', ')}; returned ${from(r.endedAt)}`);
  }
  // What the child printed that is not a log line (e.g. --trace-gc from BENCH_NODE_ARGS).
  for (const line of run.logLines.filter((l) => !l.startsWith('{'))) console.log(`  child: ${line}`);
  return run;
}

/**
 * The listing phase as the DMS emulator saw it: first request's arrival to the last response, which
 * the latency fault sends `latencyMs` after that request's arrival. Excludes everything else in the run.
 */
function dmsSpanMs(dms: DmsEmulator, latencyMs: number): number | undefined {
  const times = dms.requests.map((r) => r.at.getTime());
  return times.length ? Math.max(...times) + latencyMs - Math.min(...times) : undefined;
}

/** The baseline the function is compared with: instances one after another, the API's default page size 10. */
async function listSequentially(dms: DmsEmulator, ids: string[], sk: string, token: string): Promise<{ ms: number; requests: number; tasks: number }> {
  const cred = new BasicCredentials().withAk(LOCAL_OBS_ACCESS_KEY).withSk(sk).withSecurityToken(token).withProjectId(PROJECT_ID);
  const client = KafkaClient.newBuilder().withCredential(cred).withEndpoint(dms.url).build();
  let requests = 0;
  let tasks = 0;
  const start = performance.now();
  for (const id of ids) {
    for (let offset = 0; ; offset += 10) {
      const page = (await client.listConnectorTasks(new ListConnectorTasksRequest().withInstanceId(id).withOffset(offset).withLimit(10))) as unknown as {
        tasks?: unknown[];
        total_number?: number;
      };
      requests++;
      // The SDK's typed getters are undefined: the response is the raw snake_case JSON (PLATFORM-NOTES.md).
      if (!Array.isArray(page.tasks) || typeof page.total_number !== 'number') throw new Error(`sequential listing of ${id}: unexpected response`);
      tasks += page.tasks.length;
      if (page.tasks.length === 0 || offset + 10 >= page.total_number) break;
    }
  }
  return { ms: performance.now() - start, requests, tasks };
}

/** Median time to start Node and require the bundle, against starting Node alone, interleaved so drift hits both. */
function coldStart(indexJs: string): { bare: number; withBundle: number } {
  const time = (code: string): number => {
    const start = performance.now();
    const r = spawnSync(process.execPath, ['-e', code], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`node -e ${code} exited ${r.status}`);
    return performance.now() - start;
  };
  const bare: number[] = [];
  const withBundle: number[] = [];
  for (let i = 0; i < COLD_START_ITERATIONS; i++) {
    bare.push(time(''));
    withBundle.push(time(`require(${JSON.stringify(indexJs)})`));
  }
  return { bare: median(bare), withBundle: median(withBundle) };
}

async function main(): Promise<void> {
  const benchStart = performance.now();
  console.log(`# smart-connect-watch bench — node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${process.platform}/${process.arch}\n`);
  const scratch = await mkdtemp(join(tmpdir(), 'scw-bench-'));
  // Every run and the cold start use copies taken now: a build elsewhere (build.mjs starts with
  // rm -rf dist) must not change or remove the bundle under test halfway through the bench.
  const indexJs = join(scratch, 'index.js');
  const childJs = join(scratch, 'bench-child.js');
  try {
    await copyFile(join(DIST, 'index.js'), indexJs);
    await copyFile(join(DIST, 'bench-child.js'), childJs);
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw new Error(`dist/index.js or dist/bench-child.js is missing: run via npm run bench (${String(err)})`);
  }
  const zipPath = join(DIST, 'smart-connect-watch.zip');
  const zipBytes = existsSync(zipPath) ? statSync(zipPath).size : undefined;
  // The Kafka SDK writes ~/.huaweicloud/application_id when a client is built: keep that in scratch.
  process.env.HOME = scratch;
  const sk = `SK-${randomBytes(12).toString('hex')}`;
  const token = `TOKEN-${randomBytes(24).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  // AK must be S3RVER: the function uses one key pair for DMS and OBS, and s3rver knows only that one.
  const dms = await startDmsEmulator({ credentials: { ak: LOCAL_OBS_ACCESS_KEY, sk }, projectId: PROJECT_ID, securityToken: token, otherProjects: [DISCOVERY.projectId] });
  const obs = await startLocalObs();
  const hook = await startWebhookReceiver({ secret: webhookSecret });
  const proxy = await startCountingProxy(obs.endpoint);
  const rows: Row[] = [];
  try {
    const b: Bench = {
      dms,
      proxy,
      scratch,
      indexJs,
      childJs,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: scratch,
        CLOUD_SDK_AK: LOCAL_OBS_ACCESS_KEY,
        CLOUD_SDK_SK: sk,
        CLOUD_SDK_SECURITY_TOKEN: token,
        DMS_ENDPOINT: dms.url,
        OBS_ENDPOINT: proxy.url,
        OBS_BUCKET: obs.bucket,
        WATCH_REGION: 'cn-north-4',
        WATCH_PROJECT_ID: PROJECT_ID,
        CONCURRENCY: String(FLEET.concurrency),
        LOG_LEVEL: 'warn',
        WEBHOOK_URL: hook.url,
        WEBHOOK_SECRET: webhookSecret,
      },
    };

    if (only('fleet')) {
    // 1–3. Fleet: 200 instances × 18 tasks, every DMS request delayed 50 ms (the latency fault has no
    // `times`, so it stays on for every request of the instance until cleared).
    console.log(`## fleet: ${FLEET.instances} instances × ${TASKS_PER_INSTANCE} tasks, ${FLEET.latencyMs} ms per DMS request, CONCURRENCY=${FLEET.concurrency}`);
    const fleet = Array.from({ length: FLEET.instances }, (_, i) => instanceId(1, i));
    fleet.forEach((id, i) => {
      dms.setInstance(id, tasksFor(i));
      dms.setFault(id, { kind: 'latency', ms: FLEET.latencyMs });
    });
    await measure(b, 'fleet baseline run (first run, not the measured one)', fleet, 'bench-fleet/', FLEET.latencyMs);
    // Times are the median of a few quiet runs: one run on a shared machine is one sample of its noise.
    const quietRuns: Run[] = [];
    for (let i = 1; i <= QUIET_RUNS; i++) quietRuns.push(await measure(b, `fleet quiet run ${i} of ${QUIET_RUNS}`, fleet, 'bench-fleet/', FLEET.latencyMs));
    const spans = quietRuns.map((r) => r.dmsSpanMs);
    if (spans.some((x) => x === undefined)) throw new Error('fleet quiet run: no DMS requests recorded');
    const span = median(spans as number[]);
    const durations = quietRuns.map((r) => r.report.duration_ms);
    const duration = median(durations);
    const bound = Math.ceil(FLEET.instances / FLEET.concurrency) * FLEET.latencyMs;
    console.log(`  listing: DMS span median ${ms(span)} (first DMS request in to last response out; ${(spans as number[]).map(ms).join(', ')}); lower bound ${bound} ms`);
    const seq = await listSequentially(dms, fleet, sk, token);
    console.log(`sequential SDK listing, page size 10: ${ms(seq.ms)}, ${seq.requests} requests, ${seq.tasks} tasks`);
    const flipped = fleet.flatMap((id, i) => {
      const tasks = tasksFor(i);
      // 10% of the tasks: the first two of each instance (2 of 18 ≈ 11%), RUNNING → PAUSED.
      for (const t of tasks.slice(0, 2)) t.status = 'PAUSED';
      dms.setInstance(id, tasks);
      return tasks.slice(0, 2);
    });
    const changed = await measure(b, `fleet run with changes (${flipped.length} tasks RUNNING → PAUSED)`, fleet, 'bench-fleet/', FLEET.latencyMs);
    console.log(`  webhook requests received so far: ${hook.received.length}`);
    for (const id of fleet) dms.setFault(id, null);

    const ratio = (n: number): string => `${ms(n)} (${(n / bound).toFixed(2)}× the ${bound} ms bound)`;
    const within = `≤ 1.2 × ${bound} ms = ${1.2 * bound} ms`;
    const of = `median of ${QUIET_RUNS} quiet runs`;
    rows.push({ figure: `fleet listing: DMS span (200×18, 50 ms/request, CONCURRENCY=8), ${of}`, measured: ratio(span), target: within, verdict: verdict(span <= 1.2 * bound) });
    rows.push({ figure: `fleet run duration_ms (whole run: OBS + listing + diff), ${of}: ${durations.join(', ')} ms`, measured: ratio(duration), target: within, verdict: verdict(duration <= 1.2 * bound) });
    rows.push({ figure: 'speed-up: sequential SDK listing, page size 10 ÷ DMS span', measured: `${ms(seq.ms)} / ${ms(span)} = ${(seq.ms / span).toFixed(1)}×`, target: 'none (comparison)', verdict: '—' });

    // 2. API calls: one page of up to 50 tasks per instance is the minimum.
    const minimum = fleet.length * Math.ceil(TASKS_PER_INSTANCE / 50);
    // Counts are the same in every quiet run, or the row says which differ.
    const same = (f: (r: Run) => string | number) => [...new Set(quietRuns.map(f))].join(' / ');
    const everyQuiet = (ok: (r: Run) => boolean) => verdict(quietRuns.every(ok));
    rows.push({ figure: 'API calls per run (report.api_requests, every quiet run)', measured: same((r) => r.report.api_requests), target: `= ${minimum} (Σ ceil(tasks/50))`, verdict: everyQuiet((r) => r.report.api_requests === minimum) });
    rows.push({ figure: 'DMS requests received by the emulator (every quiet run)', measured: same((r) => r.dmsRequests), target: `= ${minimum}`, verdict: everyQuiet((r) => r.dmsRequests === minimum) });

    // 3. OBS operations.
    rows.push({ figure: 'OBS ops, every quiet run', measured: same((r) => `${countObs(r.obs)} (${reads(r.obs)} read, ${writes(r.obs)} write)`), target: '1 read + 1 write', verdict: everyQuiet((r) => reads(r.obs) === 1 && writes(r.obs) === 1) });
    rows.push({ figure: `OBS ops, run with ${changed.report.changes} changes`, measured: `${countObs(changed.obs)} (${reads(changed.obs)} read, ${writes(changed.obs)} write)`, target: 'none (figure)', verdict: '—' });
    }

    if (only('discovery')) {
    // Discovery: 1000 instances found by `*` (20 ListInstances pages, the 19 after the first CONCURRENCY
    // at a time), × 18 tasks, every DMS request delayed 50 ms; in the 128 MB cgroup where one can be made.
    const { instances: n, latencyMs: latency, projectId } = DISCOVERY;
    console.log(`\n## discovery: WATCH_INSTANCES=* over ${n} instances × ${TASKS_PER_INSTANCE} tasks, ${latency} ms per DMS request, CONCURRENCY=${FLEET.concurrency}`);
    const found = Array.from({ length: n }, (_, i) => instanceId(3, i));
    found.forEach((id, i) => {
      dms.setInstance(id, tasksFor(i), { name: `disc-${i}`, project_id: projectId });
      dms.setFault(id, { kind: 'latency', ms: latency });
    });
    dms.setListFault(projectId, { kind: 'latency', ms: latency });
    const watch = JSON.stringify([{ discover: '*', project_id: projectId }]);
    const limit = MEMORY_TARGET_KIB * 1024;
    await measure(b, 'discovery baseline run (first run, not the measured one)', watch, 'bench-discovery/', latency, limit);
    const runs: Run[] = [];
    // The discovery phase alone, as the emulator saw it: first ListInstances request in to last response out.
    const listSpans: number[] = [];
    for (let i = 1; i <= QUIET_RUNS; i++) {
      runs.push(await measure(b, `discovery quiet run ${i} of ${QUIET_RUNS}`, watch, 'bench-discovery/', latency, limit));
      const at = dms.requests.filter((r) => r.listProject !== undefined).map((r) => r.at.getTime());
      listSpans.push(Math.max(...at) + latency - Math.min(...at));
    }
    for (const id of found) dms.setFault(id, null);
    dms.setListFault(projectId, null);
    const pages = Math.ceil(n / 50);
    // ListInstances: the first page, then the others CONCURRENCY at a time; then the task pages, CONCURRENCY at a time.
    const bound = (1 + Math.ceil((pages - 1) / FLEET.concurrency)) * latency + Math.ceil(n / FLEET.concurrency) * latency;
    const durations = runs.map((r) => r.report.duration_ms);
    const duration = median(durations);
    const where = runs[0]?.cgroup ? `in a ${mb(MEMORY_TARGET_KIB)} memory cgroup` : 'no memory cgroup available';
    const requests = [...new Set(runs.map((r) => r.report.api_requests))].join(' / ');
    rows.push({
      figure: `discovery run duration_ms (${n} discovered × 18, 50 ms/request, CONCURRENCY=8, ${where}), median of ${QUIET_RUNS} quiet runs: ${durations.join(', ')} ms`,
      measured: `${ms(duration)} (${(duration / bound).toFixed(2)}× the ${bound} ms bound)`,
      target: `≤ 1.2 × ${bound} ms = ${1.2 * bound} ms`,
      verdict: verdict(duration <= 1.2 * bound),
    });
    const listBound = (1 + Math.ceil((pages - 1) / FLEET.concurrency)) * latency;
    rows.push({
      figure: `discovery phase: ListInstances span (${pages} pages, the first then CONCURRENCY at a time), median of ${QUIET_RUNS}: ${listSpans.map(ms).join(', ')}`,
      measured: `${ms(median(listSpans))} (${(median(listSpans) / listBound).toFixed(2)}× the ${listBound} ms bound)`,
      target: `≤ 1.2 × ${listBound} ms = ${1.2 * listBound} ms`,
      verdict: verdict(median(listSpans) <= 1.2 * listBound),
    });
    rows.push({ figure: 'discovery API calls per run (report.api_requests, every quiet run)', measured: requests, target: `= ${pages + n} (ceil(${n}/50) + ${n})`, verdict: verdict(runs.every((r) => r.report.api_requests === pages + n)) });
    rows.push({ figure: `discovery peak RSS, quiet runs, ${where}`, measured: runs.map((r) => mb(r.maxRssKiB)).join(', '), target: `≤ ${mb(MEMORY_TARGET_KIB)}`, verdict: verdict(runs.every((r) => r.maxRssKiB <= MEMORY_TARGET_KIB)) });
    }

    if (only('memory')) {
    // 4. Memory: 1000 instances × 18 tasks, no latency; each run's peak RSS in its own process.
    console.log(`\n## memory: ${MEMORY_INSTANCES} instances × ${TASKS_PER_INSTANCE} tasks, no latency`);
    const many = Array.from({ length: MEMORY_INSTANCES }, (_, i) => instanceId(2, i));
    many.forEach((id, i) => dms.setInstance(id, tasksFor(i)));
    // Each run in a memory cgroup of the target size where one can be made (Linux, root), as in a
    // FunctionGraph instance: Node then sizes V8's heap from the limit. Then one quiet run without it,
    // for comparison: V8 sizes its heap from the machine's memory and collects less often.
    const limit = MEMORY_TARGET_KIB * 1024;
    const memBase = await measure(b, 'memory (a) baseline run', many, 'bench-memory/', 0, limit);
    many.forEach((id, i) => {
      let tasks = tasksFor(i);
      if (i % 10 === 1) tasks = [...tasks.slice(1), ...tasksFor(i, 1, TASKS_PER_INSTANCE)]; // one task replaced: removed + added
      if (i % 3 === 0) tasks[0]!.status = 'FAILED'; // a third of the instances: one status change
      tasks[1]!.status = 'FAILED'; // and at least 10% of the tasks failing (DESIGN.md §10: their alert state)
      tasks[2]!.status = 'ERROR';
      dms.setInstance(id, tasks);
    });
    const failingShare = `${Math.round((100 * (2 * MEMORY_INSTANCES + Math.ceil(MEMORY_INSTANCES / 3))) / (MEMORY_INSTANCES * TASKS_PER_INSTANCE))}% of tasks failing`;
    const memChanged = await measure(b, 'memory (b) run with changes', many, 'bench-memory/', 0, limit);
    const memQuiet = await measure(b, 'memory (c) quiet run', many, 'bench-memory/', 0, limit);
    const memFree = await measure(b, 'memory (d) quiet run, no memory limit', many, 'bench-memory/');
    // Every failing task reminded in one run (REMIND_EVERY has passed for all): the largest lifecycle run.
    const memRemind = await measure({ ...b, env: { ...b.env, REMIND_EVERY: '1s' } }, 'memory (e) reminder run', many, 'bench-memory/', 0, limit);
    for (const e of memChanged.obs) console.log(`  (b) OBS ${e.kind} ${e.key || '(bucket)'} → ${e.status}, content-length ${(e.bytes / 1024 / 1024).toFixed(1)} MB`);
    const where = memBase.cgroup ? `in a ${mb(MEMORY_TARGET_KIB)} memory cgroup` : 'no memory cgroup available (not Linux or not root)';
    for (const [name, run] of [['(a) baseline', memBase], [`(b) ${memChanged.report.changes} changes, ${failingShare}`, memChanged], [`(c) quiet, ${failingShare}`, memQuiet], [`(e) ${memRemind.report.changes_by_kind.still_failing ?? 0} reminders, ${failingShare}`, memRemind]] as const) {
      rows.push({ figure: `peak RSS, 1000×18, ${name} run, ${where}`, measured: mb(run.maxRssKiB), target: `≤ ${mb(MEMORY_TARGET_KIB)}`, verdict: verdict(run.maxRssKiB <= MEMORY_TARGET_KIB) });
    }
    rows.push({ figure: 'peak RSS, 1000×18, (d) quiet run with no memory limit (V8 sized for the whole machine)', measured: mb(memFree.maxRssKiB), target: 'none (figure)', verdict: '—' });
    }

    if (only('cold')) {
    // 5. Cold start and artifact sizes.
    console.log('\n## cold start');
    const cold = coldStart(indexJs);
    const extra = cold.withBundle - cold.bare;
    console.log(`node -e "": median ${ms(cold.bare)}; node -e "require(dist/index.js)": median ${ms(cold.withBundle)} (${COLD_START_ITERATIONS} each, interleaved)`);
    rows.push({ figure: `cold start: require(dist/index.js) extra (median of ${COLD_START_ITERATIONS})`, measured: `${ms(extra)} (${ms(cold.withBundle)} vs ${ms(cold.bare)})`, target: '≤ 100 ms', verdict: verdict(extra <= 100) });
    rows.push({ figure: 'bundle size dist/index.js', measured: kib(statSync(indexJs).size), target: 'none (figure)', verdict: '—' });
    rows.push({ figure: 'package dist/smart-connect-watch.zip', measured: zipBytes === undefined ? 'n/a (run npm run package first)' : kib(zipBytes), target: 'none (figure)', verdict: '—' });
    }
  } finally {
    await Promise.all([proxy.close(), dms.close(), hook.close()]);
    await obs.close();
    await rm(scratch, { recursive: true, force: true });
  }

  console.log('\n| figure | measured | target | verdict |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.figure} | ${r.measured} | ${r.target} | ${r.verdict} |`);
  console.log(`\nbench took ${((performance.now() - benchStart) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
});
