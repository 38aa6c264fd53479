// Measures `smart-connect-watch availability` (the built dist/cli.js) over a generated month of history in a local
// s3rver store. Not a test, not part of the suite. Run:
//
//   node scripts/package.mjs && npx esbuild scripts/bench-availability.ts --bundle --platform=node --target=node20 \
//     --format=cjs --external:s3rver --log-level=warning --outfile=dist/bench-availability.js && node dist/bench-availability.js
//
// The history: BENCH_DAYS (30) days of 5-minute runs over BENCH_INSTANCES (50) instances × 18 tasks, one object per
// run that changed something, as the function writes them (canonical JSON, hash chain, changes from the real diff).
// The change rate: each task fails about BENCH_FAILURES (1) times a month and recovers after 5–90 minutes (mean
// ~30); each instance is unreachable once a month for 10 minutes; ~3 config changes a day across the fleet.
// BENCH_DIR keeps the store between runs (generated once). Each measured run is a child process under
// /usr/bin/time -v (wall time and peak RSS); the median of BENCH_REPEAT (3) runs is printed.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ObsClient from 'esdk-obs-nodejs';
import { canonicalJson } from '../lib/store/canonical-json';
import { LOCAL_OBS_ACCESS_KEY, startLocalObs } from '../lib/demo/local-obs';
import { diffSnapshots } from '../lib/alerting/diff';
import { type InstanceSnapshot, SNAPSHOT_SCHEMA, type Snapshot, type Task, historyKey, snapshotIdAt } from '../lib/store/snapshot';
import { STATE_SCHEMA } from '../lib/store/state';
import fixture from '../test/fixtures/list-connector-tasks.example.json';

const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 50);
const TASKS = 18;
const FAILURES = Number(process.env.BENCH_FAILURES ?? 1);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const DIR = process.env.BENCH_DIR ?? join(tmpdir(), `scw-bench-availability-${DAYS}d-${INSTANCES}x${TASKS}-${FAILURES}`);
const PREFIX = 'smart-connect-watch/';
const RUN_MS = 5 * 60_000;
const MARKER = join(DIR, 'generated.json');

/** A small seeded PRNG (mulberry32): the same history every time. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(endpoint: string, bucket: string, end: number): Promise<{ objects: number; bytes: number; changes: number }> {
  const client = new ObsClient({ access_key_id: LOCAL_OBS_ACCESS_KEY, secret_access_key: 'S3RVER', server: endpoint, path_style: true });
  await new Promise((r) => setImmediate(r));
  const rand = prng(22);
  const runs = (DAYS * 86_400_000) / RUN_MS;
  const shapes = fixture.tasks as Task[];
  const instances = Array.from({ length: INSTANCES }, (_, i) => ({
    instance_id: `${String(i).padStart(8, '0')}-bench-4000-8000-000000000000`,
    name: `kafka-${i}`,
    tasks: Array.from({ length: TASKS }, (_, j): Task => ({ ...structuredClone(shapes[j % shapes.length]!), id: `${String(i).padStart(4, '0')}${String(j).padStart(4, '0')}-0000-4000-8000-000000000000`, task_name: `orders-${i}-${j}`, status: 'RUNNING' })),
    downUntil: -1,
  }));
  const recoverAt = new Map<Task, number>();
  const pFail = FAILURES / runs;
  const pDown = 1 / runs;
  const pConfig = 3 / 288 / (INSTANCES * TASKS);
  let previous: Snapshot | undefined;
  let previousSha: string | undefined;
  let objects = 0;
  let bytes = 0;
  let changes = 0;
  const puts = new Set<Promise<unknown>>();
  const put = async (key: string, body: string) => {
    while (puts.size >= 16) await Promise.race(puts);
    const p = client.putObject({ Bucket: bucket, Key: key, Body: body }).then((r) => {
      if (r.CommonMsg.Status >= 300) throw new Error(`PUT ${key}: ${r.CommonMsg.Status}`);
    });
    puts.add(p);
    void p.finally(() => puts.delete(p));
  };
  for (let run = 0; run < runs; run++) {
    const at = end - (runs - 1 - run) * RUN_MS;
    let changed = run === 0;
    for (const inst of instances) {
      if (inst.downUntil < run && rand() < pDown) {
        inst.downUntil = run + 1;
        changed = true;
      } else if (inst.downUntil === run - 1) changed = true;
      for (const t of inst.tasks) {
        const due = recoverAt.get(t);
        if (due !== undefined && due <= run) {
          t.status = 'RUNNING';
          recoverAt.delete(t);
          changed = true;
        } else if (due === undefined && rand() < pFail) {
          t.status = 'FAILED';
          recoverAt.set(t, run + 1 + Math.min(17, Math.floor(-Math.log(1 - rand()) * 6)));
          changed = true;
        } else if (rand() < pConfig) {
          t.sink_task = { ...(t.sink_task as object), flush_size: Math.floor(rand() * 10_000) };
          changed = true;
        }
      }
    }
    if (!changed) continue;
    const id = snapshotIdAt(new Date(at));
    const snapInstances: InstanceSnapshot[] = instances.map((inst, i) => {
      const down = inst.downUntil >= run;
      const tasks = down && previous ? previous.instances[i]!.tasks : inst.tasks.map((t) => structuredClone(t));
      return { instance_id: inst.instance_id, name: inst.name, region: 'cn-north-4', project_id: 'p0000000000000000000000000000001', ok: !down, error: down ? 'HTTP 503 from DMS' : null, total_number: TASKS, max_tasks: 18, quota_tasks: 18, tasks: [...tasks].sort((a, b) => (a.id < b.id ? -1 : 1)) };
    });
    const found = diffSnapshots({ previous: previous?.instances ?? null, next: snapInstances, snapshotId: id, detectedAt: new Date(at).toISOString() });
    const snapshot: Snapshot = { schema: SNAPSHOT_SCHEMA, id, taken_at: new Date(at).toISOString(), previous: previous ? { id: previous.id, sha256: previousSha! } : null, instances: snapInstances, changes: found };
    const body = canonicalJson(snapshot);
    await put(PREFIX + historyKey(id), body);
    previous = snapshot;
    previousSha = createHash('sha256').update(body).digest('hex');
    objects++;
    bytes += Buffer.byteLength(body);
    changes += found.length;
    if (objects % 200 === 0) process.stderr.write(`  generated ${objects} objects (run ${run + 1}/${runs})\n`);
  }
  await Promise.all(puts);
  const state = { schema: STATE_SCHEMA, snapshot: previous!, last_history: { id: previous!.id, key: PREFIX + historyKey(previous!.id), sha256: previousSha! }, checked_at: new Date(end).toISOString(), outbox: [] };
  await put(`${PREFIX}state.json`, canonicalJson(state));
  await Promise.all(puts);
  client.close();
  return { objects, bytes, changes };
}

/** One run of the built CLI as a child process (asynchronous: s3rver answers from this process meanwhile). */
function measure(args: string[], env: Record<string, string>): Promise<{ seconds: number; cpu: number; rssMb: number; stdout: string }> {
  return new Promise((done, fail) => {
    execFile('/usr/bin/time', ['-v', process.execPath, join(__dirname, 'cli.js'), ...args], { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return fail(new Error(`availability ${args.join(' ')}: ${err.message}: ${stderr}`));
      const field = (name: string) => new RegExp(`${name}: (.+)`).exec(stderr)?.[1] ?? '';
      const [m, s] = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)').split(':').slice(-2).map(Number);
      const cpu = Number(field('User time \\(seconds\\)')) + Number(field('System time \\(seconds\\)'));
      done({ seconds: m! * 60 + s!, cpu, rssMb: Number(field('Maximum resident set size \\(kbytes\\)')) / 1024, stdout });
    });
  });
}

async function main(): Promise<void> {
  await mkdir(DIR, { recursive: true });
  const obs = await startLocalObs({ directory: DIR });
  try {
    let info: { end: number; objects: number; bytes: number; changes: number };
    if (existsSync(MARKER)) {
      info = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(MARKER, 'utf8')));
      console.log(`store ${DIR}: generated before`);
    } else {
      const end = Math.floor(Date.now() / RUN_MS) * RUN_MS;
      const started = Date.now();
      info = { end, ...(await generate(obs.endpoint, obs.bucket, end)) };
      await writeFile(MARKER, JSON.stringify(info));
      console.log(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    const runs = (DAYS * 86_400_000) / RUN_MS;
    console.log(`history: ${DAYS} days of 5-minute runs (${runs}), ${INSTANCES}×${TASKS} tasks; ${info.objects} objects (${((info.objects / runs) * 100).toFixed(0)}% of runs changed something), ${(info.bytes / 1e9).toFixed(2)} GB, ${info.changes} changes`);
    const env = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: obs.endpoint, OBS_BUCKET: obs.bucket, CLOUD_SDK_AK: LOCAL_OBS_ACCESS_KEY, CLOUD_SDK_SK: 'S3RVER' };
    // The generated history ends at `end`; --until pins the range so that a kept store measures the same month.
    const until = new Date(info.end + 1).toISOString();
    for (const since of [`${DAYS}d`, '7d', '1d']) {
      const sinceIso = new Date(info.end + 1 - (Number(since.slice(0, -1)) * 86_400_000)).toISOString();
      const results = [];
      for (let i = 0; i < REPEAT; i++) results.push(await measure(['availability', '--since', sinceIso, '--until', until, '--json'], env));
      const median = <T>(xs: T[], f: (x: T) => number) => xs.map(f).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      console.log(`--since ${since} --json: ${median(results, (r) => r.seconds).toFixed(2)} s (CPU ${median(results, (r) => r.cpu).toFixed(1)} s), peak RSS ${median(results, (r) => r.rssMb).toFixed(0)} MB (median of ${REPEAT})`);
    }
    const human = await measure(['availability', '--since', new Date(info.end + 1 - DAYS * 86_400_000).toISOString(), '--until', until], env);
    console.log(`\n$ smart-connect-watch availability --since ${DAYS}d\n${human.stdout.split('\n').slice(0, 14).join('\n')}\n…\n${human.stdout.trimEnd().split('\n').slice(-1).join('\n')}`);
  } finally {
    await obs.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
