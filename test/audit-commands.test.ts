import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../lib/store/canonical-json';
import type { AuditIo, AuditStore } from '../lib/audit/commands/common';
import { listHistory, readHistory } from '../lib/audit/history-reader';
import { findAuditCommand, runAuditCommand } from '../lib/audit/main';
import { StoreError } from '../lib/errors';
import { State } from '../lib/store/state';
import { type GeneratedHistory, generateHistory, lifecycleHistory, timesEndingAt } from './fixtures/audit/history';

const NOW = new Date('2026-11-21T07:20:00.000Z');
const PREFIX = 'smart-connect-watch/';
const ENV = { OBS_BUCKET: 'b', OBS_ENDPOINT: 'http://127.0.0.1:1', CLOUD_SDK_AK: 'AK', CLOUD_SDK_SK: 'sk-secret-value-123' };

/** A year of history (one object every 20 hours) in memory, behind the store port, counting the calls. */
function memoryStore(h: GeneratedHistory, objects = new Map(h.objects.map((o) => [o.key, o.body]))) {
  objects.set(h.stateKey, canonicalJson(h.state));
  const calls = { list: [] as string[], read: 0 };
  const store: AuditStore = {
    prefix: PREFIX,
    location: `obs://b/${PREFIX}`,
    async listKeys(sub) {
      calls.list.push(sub);
      return [...objects.keys()].filter((k) => k.startsWith(PREFIX + sub)).map((k) => k.slice(PREFIX.length)).sort();
    },
    async readText(key) {
      calls.read++;
      return objects.get(PREFIX + key);
    },
    async readState() {
      const raw = objects.get(h.stateKey);
      return raw ? { kind: 'ok', state: State.parse(JSON.parse(raw)) } : { kind: 'missing' };
    },
    async readLatestHistory() {
      throw new Error('not used');
    },
  };
  return { store, calls, objects };
}

const YEAR = generateHistory(timesEndingAt(new Date('2026-11-21T07:15:00.123Z'), 440, 20 * 3_600_000), PREFIX);

async function run(argv: string[], store: AuditStore, env: Record<string, string | undefined> = ENV) {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  const io: AuditIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env,
    now: () => NOW,
    writeFile: async (p, t) => void files.set(p, t),
  };
  const [name, ...rest] = argv;
  const code = await runAuditCommand(findAuditCommand(name)!, rest, io, { openStore: async () => store });
  return { code, out: out.join(''), err: err.join(''), files };
}

describe('reading a range of a year of history', () => {
  it('--since 1d lists two days and reads only their objects', async () => {
    const { store, calls } = memoryStore(YEAR);
    const listing = await listHistory(store, { since: new Date(NOW.getTime() - 86_400_000), until: undefined }, NOW);
    expect(calls.list).toEqual(['history/2026/11/20/', 'history/2026/11/21/']);
    const expected = YEAR.objects.filter((o) => new Date(o.snapshot.taken_at).getTime() >= NOW.getTime() - 86_400_000);
    expect(listing.keys).toEqual(expected.map((o) => o.key.slice(PREFIX.length)));
    const entries = await readHistory(store, listing.keys);
    expect(calls.read).toBe(expected.length);
    expect(entries.map((e) => e.kind)).toEqual(expected.map(() => 'ok'));
  });

  it('an open range lists the whole history once', async () => {
    const { store, calls } = memoryStore(YEAR);
    const listing = await listHistory(store, { since: undefined, until: undefined }, NOW);
    expect(calls.list).toEqual(['history/']);
    expect(listing.keys).toHaveLength(440);
  });
});

describe('the audit commands over the store port', () => {
  it('history --since 2d --json prints the changes of those days, oldest first', async () => {
    const { store } = memoryStore(YEAR);
    const { code, out, err } = await run(['history', '--since', '2d', '--json'], store);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const since = NOW.getTime() - 2 * 86_400_000;
    const expected = YEAR.objects.flatMap((o) => o.snapshot.changes).filter((c) => new Date(c.detected_at).getTime() >= since);
    expect(expected.length).toBeGreaterThan(0);
    expect(out.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(expected);
  });

  it('history --task --kind filters; a filter matching nothing says so', async () => {
    const { store } = memoryStore(YEAR);
    const task = 'smart-connect-121248117';
    const expected = YEAR.objects.flatMap((o) => o.snapshot.changes).filter((c) => c.task_name === task && c.kind === 'config_changed');
    expect(expected.length).toBeGreaterThan(10);
    const r = await run(['history', '--task', task, '--kind', 'config_changed'], store);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\) +SEVERITY +INSTANCE \/ TASK +CHANGE$/);
    expect(lines.slice(1, -1)).toHaveLength(expected.length);
    expect(lines.slice(1, -1).every((l) => /^\S+ \S+ {2}info {6}prod \/ smart-connect-121248117 {2}configuration changed: sink_task.flush_size$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe(`${expected.length} changes in obs://b/smart-connect-watch/, task ${task}, kind config_changed, from 440 history objects read`);
    const none = await run(['history', '--task', 'no-such-task'], store);
    expect(none.out).toMatch(/^no changes in obs:\/\/b\/smart-connect-watch\/, task no-such-task \(440 history objects read\)\n$/);
  });

  it('usage errors exit 2 before the configuration is read', async () => {
    const { store } = memoryStore(YEAR);
    const r = await run(['history', '--kind', 'nope'], store, {});
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^smart-connect-watch: --kind nope: not a change kind .*\nusage: smart-connect-watch history \[--since/);
  });

  it('a bad configuration exits 1 listing the problems', async () => {
    const { store } = memoryStore(YEAR);
    const r = await run(['verify'], store, { OBS_BUCKET: 'b' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('smart-connect-watch verify: invalid configuration:\n  - CLOUD_SDK_AK is required');
  });

  it('a store failure exits 1, with the secret key redacted', async () => {
    const { store } = memoryStore(YEAR);
    const failing = { ...store, listKeys: async () => Promise.reject(new StoreError(`OBS LIST failed: signature for ${ENV.CLOUD_SDK_SK} rejected`)) };
    const r = await run(['history'], failing);
    expect(r.code).toBe(1);
    expect(r.err).toBe('smart-connect-watch history: OBS LIST failed: signature for <secret> rejected\n');
  });

  it('--help prints the usage line and exits 0', async () => {
    const r = await run(['diff', '--help'], memoryStore(YEAR).store, {});
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^usage: smart-connect-watch diff <snapshot_id\|latest> <snapshot_id\|latest> \[--json\]\n/) });
  });

  it('show latest without state.json falls back to the newest history object', async () => {
    const { store, objects } = memoryStore(YEAR);
    objects.delete(YEAR.stateKey);
    const newest = YEAR.objects.at(-1)!;
    const r = await run(['show', '--json'], { ...store, readLatestHistory: async () => ({ snapshot: newest.snapshot, key: newest.key, sha256: newest.sha256 }) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(JSON.parse(newest.body));
  });

  it('diff uses the function diff, both ways', async () => {
    const { store } = memoryStore(YEAR);
    const [a, b] = [YEAR.objects[100]!, YEAR.objects[101]!];
    const forward = await run(['diff', a.id, b.id, '--json'], store);
    expect(forward.out.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(b.snapshot.changes);
    const back = await run(['diff', b.id, a.id], store);
    expect(back.out).toMatch(new RegExp(`^${b.id} → ${a.id}: \\d+ changes? \\(backwards in time`));
  });

  it('report --html writes the file it names', async () => {
    const { store } = memoryStore(YEAR);
    const r = await run(['report', '--html', 'out/r.html', '--since', '7d'], store);
    expect(r.code).toBe(0);
    const [path, html] = [...r.files][0]!;
    expect(path).toMatch(/\/out\/r\.html$/);
    expect(html).toContain('<h1>Smart Connect task history</h1>');
    expect(r.out).toMatch(/^wrote .*r\.html: \d+ tasks, \d+ changes, \d+ snapshots\n$/);
  });

  it('report --html opens with the availability summary of the same tasks and range', async () => {
    const { store } = memoryStore(YEAR);
    const r = await run(['report', '--html', 'r.html', '--since', '30d'], store);
    const html = [...r.files.values()][0]!;
    const [, tasks] = /: (\d+) tasks,/.exec(r.out)!;
    expect(html.indexOf('<section class="av">')).toBeGreaterThan(html.indexOf('</header>'));
    expect(html.indexOf('<section class="av">')).toBeLessThan(html.indexOf('<div class="legend">'));
    expect(html).toMatch(new RegExp(`<p class="av-fleet"><strong>[\\d.]+%</strong> available · ${tasks} tasks, \\d+ never failing · \\d+ incidents`));
    expect(html).toContain('<h3>Worst tasks</h3>');
  });
});

describe('the audit shows why a recorded change stayed quiet (DESIGN.md §10–§11)', () => {
  const LIFECYCLE = lifecycleHistory(PREFIX);
  const recorded = LIFECYCLE.objects.flatMap((o) => o.snapshot.changes);

  it('history marks each held change with its reason on its line, and the lifecycle kinds read as the messages do', async () => {
    const r = await run(['history'], memoryStore(LIFECYCLE).store);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    const line = (task: string, kind: string) => r.out.split('\n').filter((l) => l.includes(`prod / orders-${task} `) && l.includes(kind));
    expect(line('a', 'RUNNING → FAILED')).toEqual([expect.stringMatching(/RUNNING → FAILED \[held: pending\]$/)]);
    expect(line('a', 'FAILED → RUNNING')).toEqual([expect.stringMatching(/FAILED → RUNNING \[held: pending\]$/)]);
    expect(line('b', 'RUNNING → FAILED')).toEqual([expect.stringMatching(/RUNNING → FAILED \[held: pending\]$/)]);
    expect(line('b', 'FAILED for')).toEqual([expect.stringMatching(/FAILED for 1 h 15 min \(since 07:10\)$/)]);
    expect(line('c', 'status flapping')).toEqual([expect.stringMatching(/status flapping: 3 status changes in 30 min, now FAILED$/)]);
    expect(line('c', ' → ').map((l) => l.match(/\[held: \w+\]$/)?.[0] ?? 'sent')).toEqual(['[held: pending]', '[held: pending]', '[held: flapping]', '[held: flapping]']);
    expect(line('c', 'stable again')).toEqual([expect.stringMatching(/stable again: RUNNING, no status change for 30 min$/)]);
    expect(line('d', 'RUNNING → FAILED')).toEqual([expect.stringMatching(/RUNNING → FAILED \[silenced by sil_0a1b2c3d\]$/)]);
    const marked = r.out.split('\n').filter((l) => /\[(held|silenced)/.test(l));
    expect(marked).toHaveLength(recorded.filter((c) => c.held).length);
  });

  it('history --json keeps held, silenced_by, since, flap_count and flap_window_ms, one change per line', async () => {
    const r = await run(['history', '--json'], memoryStore(LIFECYCLE).store);
    const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(recorded);
    expect(lines.filter((c) => c.held).map((c) => [c.task_id, c.held, c.silenced_by])).toEqual([
      ['a', 'pending', undefined],
      ['a', 'pending', undefined],
      ['b', 'pending', undefined],
      ['c', 'pending', undefined],
      ['c', 'pending', undefined],
      ['c', 'flapping', undefined],
      ['c', 'flapping', undefined],
      ['d', 'silenced', ['sil_0a1b2c3d']],
    ]);
    expect(lines.find((c) => c.kind === 'flapping')).toMatchObject({ flap_count: 3, flap_window_ms: 1_800_000 });
    expect(lines.find((c) => c.kind === 'still_failing')).toMatchObject({ since: '2026-11-21T07:10:00.000Z' });
  });

  it('show lists the changes of a snapshot with the same marks', async () => {
    const object = LIFECYCLE.objects.find((o) => o.snapshot.changes.some((c) => c.held === 'flapping'))!;
    const r = await run(['show', object.id], memoryStore(LIFECYCLE).store);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/prod \/ orders-c +RUNNING → FAILED \[held: flapping\]\n/);
  });

  it('a change that was sent has no mark', async () => {
    const r = await run(['history', '--kind', 'task_added'], memoryStore(LIFECYCLE).store);
    expect(r.out).not.toMatch(/\[held|\[silenced/);
  });
});
