/**
 * `silence add|list|expire` with the built CLI (`node dist/cli.js`) against s3rver behind the OBS fault
 * proxy: the file as stored, a maintenance window, two concurrent additions both kept (and lost without
 * the journal), bad input, a broken file never overwritten, and no key in any output.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalObs, startLocalObs } from '../lib/demo/local-obs';
import { Secret } from '../lib/secret';
import { createObsStore } from '../lib/store/obs-store';
import type { ClosableStore } from '../lib/store/ports';
import { JOURNAL_SCHEMA, type JournalEntry } from '../lib/store/silence-journal';
import { readModifyWrite } from '../lib/store/silences-file';
import { Bucket, generateHistory, timesEndingAt } from './fixtures/audit/history';
import { type ObsFaultProxy, startObsFaultProxy } from './support/obs-fault-proxy';

const CLI = resolve(__dirname, '../dist/cli.js');
const SK = 'sk-of-the-silence-test-5b1f0c';
const PREFIX = 'sil/';
const FILE = `${PREFIX}silences.json`;
const HOUR = 3_600_000;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}
const outputs: string[] = [];

function cli(args: string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (err, stdout, stderr) => {
      outputs.push(stdout, stderr);
      done({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('silence add|list|expire (built CLI, local OBS)', { timeout: 300_000 }, () => {
  let obs: LocalObs;
  let proxy: ObsFaultProxy;
  let bucket: Bucket;
  let env: Record<string, string>;
  let direct: ClosableStore;
  const stored = async () => JSON.parse((await bucket.get(FILE)) ?? 'null') as { schema: string; silences: Record<string, unknown>[] } | null;

  beforeAll(async () => {
    obs = await startLocalObs();
    proxy = await startObsFaultProxy(obs.endpoint);
    bucket = await Bucket.open(obs.endpoint, obs.bucket, obs.accessKey, obs.secretKey);
    await bucket.upload(generateHistory(timesEndingAt(new Date(Date.now() - 60_000), 4, HOUR), PREFIX));
    direct = await createObsStore({ bucket: obs.bucket, prefix: PREFIX, endpoint: obs.endpoint, credentials: { ak: new Secret(obs.accessKey), sk: new Secret(SK), securityToken: undefined, source: 'environment' } });
    env = { OBS_ENDPOINT: proxy.url, OBS_BUCKET: obs.bucket, OBS_PREFIX: PREFIX, CLOUD_SDK_AK: obs.accessKey, CLOUD_SDK_SK: SK };
  }, 120_000);

  afterAll(async () => {
    bucket?.close();
    direct?.close();
    await proxy?.close();
    await obs?.close();
  });

  it('adds, lists (table and --json), expires; the stored file has the §11 shape', async () => {
    const before = Date.now();
    const added = await cli(['silence', 'add', '--task', 'orders-*', '--for', '2h', '--comment', 'upgrade CHG-1042', '--by', 'alice'], env);
    expect(added.code, added.stderr).toBe(0);
    const [id, summary] = added.stdout.trim().split('\n');
    expect(id).toMatch(/^sil_[0-9a-f]{16}$/);
    expect(summary).toMatch(/^silences task orders-\* on every instance until \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC \(2 h\)$/);
    expect(added.stderr).toBe('');
    const file = await stored();
    expect(file?.schema).toBe('smart-connect-watch/silences/v1');
    const s = file?.silences.find((x) => x.id === id);
    expect(Object.keys(s ?? {}).sort()).toEqual(['comment', 'created_at', 'created_by', 'ends_at', 'id', 'instance', 'kind', 'starts_at', 'task']);
    expect(s).toMatchObject({ instance: null, task: 'orders-*', kind: null, comment: 'upgrade CHG-1042', created_by: 'alice' });
    expect(Date.parse(String(s?.ends_at)) - Date.parse(String(s?.starts_at))).toBe(2 * HOUR);
    expect(Date.parse(String(s?.starts_at))).toBeGreaterThanOrEqual(before - 1000);

    const table = await cli(['silence', 'list'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+active\\s+.*orders-\\*.*alice\\s+upgrade CHG-1042`));
    const json = await cli(['silence', 'list', '--json'], env);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.id === id)).toEqual(s);

    const expired = await cli(['silence', 'expire', id!], env);
    expect(expired.code, expired.stderr).toBe(0);
    expect(expired.stdout).toContain(`${id} expired at`);
    const after = (await stored())?.silences.find((x) => x.id === id);
    expect(Date.parse(String(after?.ends_at))).toBeLessThanOrEqual(Date.now());
    expect((await cli(['silence', 'list', '--json'], env)).stdout).not.toContain(id);
    expect((await cli(['silence', 'list', '--all'], env)).stdout).toMatch(new RegExp(`${id}\\s+ended`));
    const unknown = await cli(['silence', 'expire', 'sil_doesnotexist'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no silence sil_doesnotexist');
  });

  it('a future --starts is a maintenance window: listed as future, not active', async () => {
    const added = await cli(['silence', 'add', '--instance', 'prod', '--starts', '1d', '--for', '3h', '--comment', 'migration'], env);
    expect(added.code, added.stderr).toBe(0);
    const [id, summary] = added.stdout.trim().split('\n');
    expect(summary).toMatch(/^silences everything on instance prod from .* UTC until .* UTC \(3 h, a maintenance window\)$/);
    const s = (await stored())?.silences.find((x) => x.id === id);
    expect(Date.parse(String(s?.starts_at)) - Date.now()).toBeGreaterThan(23 * HOUR);
    expect((await cli(['silence', 'list'], env)).stdout).toMatch(new RegExp(`${id}\\s+future`));
  });

  it.each([
    ['matches nothing in the latest snapshot: a warning, still added', ['--task', 'nothing-like-it-*'], true],
    ['matches a task by id', ['--task', 'a11ce501-*'], false],
    ['matches an instance by name', ['--instance', 'analytics'], false],
  ])('%s', async (_name, matcher, warned) => {
    const added = await cli(['silence', 'add', ...matcher, '--for', '1h', '--comment', 'check'], env);
    expect(added.code).toBe(0);
    expect(added.stderr.includes('matches no instance or task of the latest snapshot')).toBe(warned);
  });

  it.each([
    ['no matcher', ['--for', '1h', '--comment', 'x'], 'at least one matcher'],
    ['no comment', ['--task', 'a*', '--for', '1h'], 'needs --comment'],
    ['a blank comment', ['--task', 'a*', '--for', '1h', '--comment', '  '], 'needs --comment'],
    ['no end', ['--task', 'a*', '--comment', 'x'], 'needs an end'],
    ['an end before its start', ['--task', 'a*', '--starts', '2d', '--until', '1d', '--comment', 'x'], 'before it starts'],
    ['an end in the past', ['--task', 'a*', '--until', '2020-01-01', '--comment', 'x'], 'in the past'],
    ['over 90 days', ['--task', 'a*', '--for', '91d', '--comment', 'x'], 'more than 90'],
    ['a bare number', ['--task', 'a*', '--for', '5', '--comment', 'x'], '--for 5: not a duration'],
    ['an unknown kind', ['--kind', 'task_exploded', '--for', '1h', '--comment', 'x'], '--kind task_exploded: not a change kind (one of status_changed,'],
    ['an invalid glob', ['--task', 'orders-[0-9]', '--for', '1h', '--comment', 'x'], '--task "orders-[0-9]" is not a valid name glob'],
    ['a bad time', ['--task', 'a*', '--until', 'tomorrow', '--comment', 'x'], '--until tomorrow: not a time'],
  ])('bad input, %s: exit 2 naming it, nothing written', async (_name, args, message) => {
    const before = await bucket.get(FILE);
    const r = await cli(['silence', 'add', ...args], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('usage: smart-connect-watch silence add');
    expect(await bucket.get(FILE)).toBe(before);
  });

  it('over 90 days with --force is added', async () => {
    expect((await cli(['silence', 'add', '--kind', 'config_changed', '--for', '120d', '--force', '--comment', 'noisy config churn'], env)).code).toBe(0);
  });

  it.each([['silence'], ['silence', 'add'], ['silence', 'list'], ['silence', 'expire']])('%s --help: exit 0, no configuration needed', async (...args) => {
    const r = await cli([...args, '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`usage: smart-connect-watch ${args.join(' ')}`);
  });

  it.each([
    ['no subcommand', []],
    ['an unknown subcommand', ['mute']],
    ['expire without an id', ['expire']],
    ['expire with a malformed id', ['expire', '../state.json']],
  ])('%s: exit 2', async (_name, args) => {
    expect((await cli(['silence', ...args], env)).code).toBe(2);
  });

  it('two concurrent adds (reads interleaved by the proxy) both stay, in each of 10 rounds', async () => {
    for (let round = 0; round < 10; round++) {
      proxy.clear();
      // Both processes read silences.json before either writes it: each writes a file without the other's silence.
      proxy.fault({ method: 'GET', key: /silences\.json$/, gate: 2 });
      const [a, b] = await Promise.all([0, 1].map((n) => cli(['silence', 'add', '--task', `round-${round}-${n}`, '--for', '1h', '--comment', `round ${round}`], env)));
      expect(a!.code, a!.stderr).toBe(0);
      expect(b!.code, b!.stderr).toBe(0);
      const ids = (await stored())!.silences.map((s) => s.id);
      for (const r of [a!, b!]) expect(ids).toContain(r.stdout.split('\n')[0]);
      // The race was real: the file was written again after a read-back found a journaled addition missing.
      expect(proxy.requests.filter((q) => q.method === 'PUT' && q.key === FILE).length).toBeGreaterThan(2);
    }
  }, 120_000); // ten rounds of two CLI processes: 25 s on a busy machine

  it('without the journal and the read-back, the same interleaving loses an addition', async () => {
    const store = await createObsStore({ bucket: obs.bucket, prefix: PREFIX, endpoint: proxy.url, credentials: { ak: new Secret(obs.accessKey), sk: new Secret(SK), securityToken: undefined, source: 'environment' } });
    try {
      proxy.clear();
      proxy.fault({ method: 'GET', key: /silences\.json$/, gate: 2 });
      const now = new Date();
      const entry = (id: string): JournalEntry => ({ schema: JOURNAL_SCHEMA, op: 'add', silence: { id, instance: null, task: id, kind: null, starts_at: now.toISOString(), ends_at: new Date(now.getTime() + HOUR).toISOString(), created_at: now.toISOString(), created_by: 't', comment: 'plain read-modify-write' } });
      await Promise.all([readModifyWrite(store, [entry('sil_plain_a')], now), readModifyWrite(store, [entry('sil_plain_b')], now)]);
      const ids = (await stored())!.silences.map((s) => String(s.id));
      expect(ids.filter((id) => id.startsWith('sil_plain_'))).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('a broken silences.json is never overwritten: add and list exit 1 naming it', async () => {
    const good = (await bucket.get(FILE))!;
    await bucket.put(FILE, good.replace('"schema"', '"schema":"v0","x"'));
    for (const args of [['add', '--task', 'a*', '--for', '1h', '--comment', 'x'], ['list']]) {
      const r = await cli(['silence', ...args], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${FILE}: does not match the schema`);
    }
    expect(await bucket.get(FILE)).toBe(good.replace('"schema"', '"schema":"v0","x"'));
    await bucket.put(FILE, good);
  });

  it('OBS errors name the request, never the keys; no output of this file holds the secret key', async () => {
    proxy.clear();
    proxy.fault({ method: 'PUT', key: /journal/, status: 403, code: 'AccessDenied' });
    const denied = await cli(['silence', 'add', '--task', 'a*', '--for', '1h', '--comment', 'x'], env);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/OBS PUT obs:\/\/.*silences\/journal\/sil_[0-9a-f]+-add\.json failed: AccessDenied/);
    // silences.json cannot be written: the journaled edit is withdrawn, so no later edit applies it.
    proxy.clear();
    const journal = async () => (await direct.listKeys('silences/journal/')).length;
    const entries = await journal();
    proxy.fault({ method: 'PUT', key: /silences\.json$/, status: 503, code: 'ServiceUnavailable' });
    const failed = await cli(['silence', 'add', '--task', 'never-*', '--for', '1h', '--comment', 'x'], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/OBS PUT obs:\/\/.*silences\.json failed: ServiceUnavailable.*\(after \d attempts\) \(the edit was withdrawn/);
    expect(await journal()).toBe(entries);
    expect(await bucket.get(FILE)).not.toContain('never-*');
    proxy.clear();
    const wrongKey = 'AK-NOT-KNOWN-TO-S3RVER-77';
    const rejected = await cli(['silence', 'list'], { ...env, CLOUD_SDK_AK: wrongKey });
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).not.toContain(wrongKey);
    expect(outputs.length).toBeGreaterThan(40);
    for (const text of outputs) expect(text).not.toContain(SK);
  });
});
