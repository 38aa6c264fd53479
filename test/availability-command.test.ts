import { describe, expect, it } from 'vitest';
import { classify } from '../lib/audit/availability';
import type { AuditIo, AuditStore } from '../lib/audit/commands/common';
import { findAuditCommand, runAuditCommand } from '../lib/audit/main';
import { canonicalJson } from '../lib/store/canonical-json';
import { State } from '../lib/store/state';
import { type GeneratedHistory, generateHistory, timesEndingAt } from './fixtures/audit/history';

const NOW = new Date('2026-11-21T07:20:00.000Z');
const PREFIX = 'smart-connect-watch/';
const ENV = { OBS_BUCKET: 'b', OBS_ENDPOINT: 'http://127.0.0.1:1', CLOUD_SDK_AK: 'AK', CLOUD_SDK_SK: 'sk-secret-value-123' };
const H = 3_600_000;

/** A history in memory behind the store port, counting the calls. */
function memoryStore(h: GeneratedHistory, edit: (objects: Map<string, string>) => void = () => {}) {
  const objects = new Map(h.objects.map((o) => [o.key, o.body]));
  objects.set(h.stateKey, canonicalJson(h.state));
  edit(objects);
  const calls = { list: [] as string[], read: [] as string[] };
  const store: AuditStore = {
    prefix: PREFIX,
    location: `obs://b/${PREFIX}`,
    async listKeys(sub) {
      calls.list.push(sub);
      return [...objects.keys()].filter((k) => k.startsWith(PREFIX + sub)).map((k) => k.slice(PREFIX.length)).sort();
    },
    async readText(key) {
      calls.read.push(key);
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
  return { store, calls };
}

async function run(argv: string[], store: AuditStore) {
  const out: string[] = [];
  const err: string[] = [];
  const io: AuditIo = { out: (t) => out.push(t), err: (t) => err.push(t), stdoutIsTTY: false, stderrIsTTY: false, env: ENV, now: () => NOW, writeFile: async () => {} };
  const [name, ...rest] = argv;
  const code = await runAuditCommand(findAuditCommand(name)!, rest, io, { openStore: async () => store });
  return { code, out: out.join(''), err: err.join('') };
}

/** One object every 5 hours for 10 days, the newest at 07:15 on the 21st; state.json checked at 07:19. */
const TEN_DAYS = (() => {
  const h = generateHistory(timesEndingAt(new Date('2026-11-21T07:15:00.123Z'), 48, 5 * H), PREFIX);
  h.state.checked_at = '2026-11-21T07:19:00.000Z';
  return h;
})();

/** The oracle: each object's statuses held until the next one (the last until the check), clipped to the range. */
function expected(h: GeneratedHistory, since: number, end: number) {
  const per = new Map<string, { running: number; failing: number; paused: number }>();
  h.objects.forEach((o, i) => {
    const from = Math.max(new Date(o.snapshot.taken_at).getTime(), since);
    const to = Math.min(i + 1 < h.objects.length ? new Date(h.objects[i + 1]!.snapshot.taken_at).getTime() : end, end);
    if (to <= from) return;
    for (const inst of o.snapshot.instances) {
      for (const t of inst.tasks) {
        const key = `${inst.instance_id}/${t.id}`;
        const acc = per.get(key) ?? { running: 0, failing: 0, paused: 0 };
        per.set(key, acc);
        if (inst.ok) acc[classify(t.status)] += to - from;
      }
    }
  });
  return new Map([...per].map(([k, v]) => [k, { running: v.running / 1000, failing: v.failing / 1000, paused: v.paused / 1000 }]));
}

describe('availability over a stored history', () => {
  it('--json: one line per task with the §13 fields, each matching the oracle, then the fleet line', async () => {
    const { store } = memoryStore(TEN_DAYS);
    const r = await run(['availability', '--since', '3d', '--json'], store);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    const fleet = lines.pop();
    const since = NOW.getTime() - 72 * H;
    const end = new Date(TEN_DAYS.state.checked_at).getTime();
    const want = expected(TEN_DAYS, since, end);
    expect(lines.map((l) => `${l.instance_id}/${l.task_id}`).sort()).toEqual([...want.keys()].sort());
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['instance_id', 'instance_name', 'task_id', 'task_name', 'running_s', 'failing_s', 'paused_s', 'unknown_s', 'availability', 'incidents', 'mttr_s', 'longest_s', 'status']);
      const w = want.get(`${l.instance_id}/${l.task_id}`)!;
      expect({ running: l.running_s, failing: l.failing_s, paused: l.paused_s }).toEqual(w);
      expect(l.running_s + l.failing_s + l.paused_s + l.unknown_s).toBeCloseTo((end - since) / 1000, 6);
    }
    // Worst first.
    const av = lines.map((l) => l.availability ?? 2);
    expect(av).toEqual([...av].sort((a, b) => a - b));
    expect(fleet).toMatchObject({ fleet: true, since: new Date(since).toISOString(), until: TEN_DAYS.state.checked_at, tasks: lines.length, gaps: [] });
  });

  it('reads only the days of the range, the object before it and the objects in it', async () => {
    const { store, calls } = memoryStore(TEN_DAYS);
    expect((await run(['availability', '--since', '2026-11-19T12:00Z', '--json'], store)).code).toBe(0);
    expect(calls.list).toEqual(['history/2026/11/19/', 'history/2026/11/20/', 'history/2026/11/21/', 'history/2026/11/22/']);
    const inRange = TEN_DAYS.objects.filter((o) => o.snapshot.taken_at >= '2026-11-19T12:00');
    const before = TEN_DAYS.objects[TEN_DAYS.objects.indexOf(inRange[0]!) - 1]!;
    expect(calls.read.sort()).toEqual([before, ...inRange].map((o) => o.key.slice(PREFIX.length)).sort());
  });

  it('a range with no object in it after the last one: state.json holds the status, nothing else is read', async () => {
    const { store, calls } = memoryStore(TEN_DAYS);
    const r = await run(['availability', '--since', '2026-11-21T07:16Z', '--json'], store);
    expect(r.code).toBe(0);
    expect(calls.read).toEqual([]);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ running_s: expect.any(Number), unknown_s: expect.any(Number) });
    expect(lines.slice(0, -1).every((l) => l.running_s + l.failing_s + l.paused_s + l.unknown_s === 180)).toBe(true);
  });

  it('a quiet range in the past: the object before it is found by listing back month by month', async () => {
    const { store, calls } = memoryStore(TEN_DAYS);
    // Objects at 20:15 on the 19th and 01:15 on the 20th: nothing between 01:00 and 01:10, nothing earlier that day.
    const r = await run(['availability', '--since', '2026-11-20T01:00Z', '--until', '2026-11-20T01:10Z', '--json'], store);
    expect(r.code).toBe(0);
    expect(calls.list).toEqual(['history/2026/11/20/', 'history/2026/11/21/', 'history/2026/11/']);
    // The one in force, and the first one after the range (its link says none was lost in between).
    const before = TEN_DAYS.objects.find((o) => o.id.startsWith('20261119T2015'))!;
    const after = TEN_DAYS.objects.find((o) => o.id.startsWith('20261120T0115'))!;
    expect(calls.read).toEqual([before.key.slice(PREFIX.length), after.key.slice(PREFIX.length)]);
    const want = expected(TEN_DAYS, Date.parse('2026-11-20T01:00Z'), Date.parse('2026-11-20T01:10Z'));
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l)).slice(0, -1);
    for (const l of lines) expect({ running: l.running_s, failing: l.failing_s, paused: l.paused_s }).toEqual(want.get(`${l.instance_id}/${l.task_id}`));
  });

  it('a missing object is a gap: unknown, and said so', async () => {
    const lost = TEN_DAYS.objects[40]!;
    const { store } = memoryStore(TEN_DAYS, (o) => o.delete(lost.key));
    const json = await run(['availability', '--since', '4d', '--json'], store);
    const fleet = JSON.parse(json.out.trim().split('\n').at(-1)!);
    expect(fleet.gaps).toEqual([{ from: TEN_DAYS.objects[39]!.snapshot.taken_at, to: TEN_DAYS.objects[41]!.snapshot.taken_at, after: TEN_DAYS.objects[39]!.id, before: TEN_DAYS.objects[41]!.id, missing: [lost.id] }]);
    const human = await run(['availability', '--since', '4d'], store);
    expect(human.out).toContain(`history object ${lost.id} missing or unreadable`);
  });

  it('a corrupt object is a gap too, and named on stderr', async () => {
    const bad = TEN_DAYS.objects[45]!;
    const { store } = memoryStore(TEN_DAYS, (o) => o.set(bad.key, '{"torn'));
    const r = await run(['availability', '--since', '4d', '--json'], store);
    expect(r.code).toBe(0);
    expect(r.err).toContain(bad.key);
    expect(JSON.parse(r.out.trim().split('\n').at(-1)!).gaps[0].missing).toEqual([bad.id]);
  });

  it('--task and --instance by name or id', async () => {
    const { store } = memoryStore(TEN_DAYS);
    const byName = await run(['availability', '--task', 'orders-dump-1', '--json'], store);
    const lines = byName.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.task_name)).toEqual(['orders-dump-1', undefined]);
    const byId = await run(['availability', '--task', lines[0].task_id, '--instance', 'inst-prod-0001', '--json'], store);
    expect(byId.out).toBe(byName.out);
  });
});

describe('bad input', () => {
  it.each([
    [['--since', '1d', '--until', '2d'], 2, /--until must be later than --since/],
    [['--until', '2026-10-01'], 2, /empty range: --until 2026-10-01 .* is not later than the start, .*the default, 30 days ago/],
    [['--since', '2099-01-01'], 2, /empty range: --since 2099-01-01 .* is not in the past/],
    [['--since', 'yesterday'], 2, /--since yesterday: not a time/],
    [['--task'], 2, /--task needs a value/],
    [['--html', 'x'], 2, /unknown option --html/],
    [['--task', 'never-existed'], 1, /no task matches task "never-existed" in obs:\/\/b\/smart-connect-watch\/ between .* \(\d+ tasks there/],
    [['--instance', 'nope', '--task', 'orders-dump-1'], 1, /no task matches instance "nope" and task "orders-dump-1"/],
    [['--since', '2026-11-21T07:19:30Z'], 1, /nothing to measure: the last check was at 2026-11-21 07:19:00 UTC/],
  ])('%j → exit %i', async (args, code, message) => {
    const { store } = memoryStore(TEN_DAYS);
    const r = await run(['availability', ...args], store);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('no state.json: nothing to measure, exit 1', async () => {
    const { store } = memoryStore(TEN_DAYS, (o) => o.delete(TEN_DAYS.stateKey));
    const r = await run(['availability'], store);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no state.json in obs:\/\/b\/smart-connect-watch\/: the function has not run there yet/);
  });

  it('--help', async () => {
    const { store } = memoryStore(TEN_DAYS);
    const r = await run(['availability', '--help'], store);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: smart-connect-watch availability \[--since <time>\]/);
  });
});
