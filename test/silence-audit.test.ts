import { describe, expect, it } from 'vitest';
import type { AuditIo, AuditStore } from '../lib/audit/commands/common';
import { findAuditCommand, runAuditCommand } from '../lib/audit/main';
import { heldNote, marksOf } from '../lib/audit/silence-marks';
import type { Silence } from '../lib/alerting/silences';
import { canonicalJson } from '../lib/store/canonical-json';
import type { Snapshot } from '../lib/store/snapshot';
import { State } from '../lib/store/state';
import { type GeneratedHistory, chainSnapshots, generateHistory, timesEndingAt } from './fixtures/audit/history';

const PREFIX = 'p/';
const NOW = new Date('2026-11-21T12:00:00.000Z');
const ENV = { OBS_BUCKET: 'b', OBS_ENDPOINT: 'http://127.0.0.1:1', CLOUD_SDK_AK: 'AK', CLOUD_SDK_SK: 'sk-secret-value-123' };
const H = 3_600_000;

/** Six hourly snapshots; the status changes of the last one were held: the first silenced, the second pending. */
function history(): { h: GeneratedHistory; held: Snapshot } {
  const base = generateHistory(timesEndingAt(new Date('2026-11-21T07:15:00.123Z'), 6, H), PREFIX).objects.map((o) => structuredClone(o.snapshot));
  const last = base.at(-1)!;
  last.changes = [
    ...last.changes,
    { id: 'c-held-1', kind: 'status_changed', severity: 'critical', instance_id: 'inst-prod-0001', instance_name: 'prod', task_id: 't1', task_name: 'orders-a', from: 'RUNNING', to: 'FAILED', fields: null, snapshot_id: last.id, detected_at: last.taken_at, held: 'silenced', silenced_by: ['sil_upgrade'] } as never,
    { id: 'c-held-2', kind: 'status_changed', severity: 'critical', instance_id: 'inst-prod-0001', instance_name: 'prod', task_id: 't2', task_name: 'orders-b', from: 'RUNNING', to: 'FAILED', fields: null, snapshot_id: last.id, detected_at: last.taken_at, held: 'pending' } as never,
  ];
  return { h: chainSnapshots(base, PREFIX), held: last };
}

function silence(over: Partial<Silence>): Silence {
  return { id: 'sil_upgrade', instance: 'prod', task: null, kind: null, starts_at: '2026-11-21T06:00:00.000Z', ends_at: '2026-11-21T09:00:00.000Z', created_at: '2026-11-21T06:00:00.000Z', created_by: 'alice', comment: 'upgrade CHG-1042', ...over };
}

function memoryStore(h: GeneratedHistory, silencesText?: string): AuditStore {
  const objects = new Map(h.objects.map((o) => [o.key, o.body]));
  objects.set(h.stateKey, canonicalJson(h.state));
  if (silencesText !== undefined) objects.set(`${PREFIX}silences.json`, silencesText);
  return {
    prefix: PREFIX,
    location: `obs://b/${PREFIX}`,
    listKeys: async (sub) => [...objects.keys()].filter((k) => k.startsWith(PREFIX + sub)).map((k) => k.slice(PREFIX.length)).sort(),
    readText: async (key) => objects.get(PREFIX + key),
    readState: async () => ({ kind: 'ok', state: State.parse(JSON.parse(objects.get(h.stateKey)!)) }),
    readLatestHistory: async () => null,
  };
}

async function run(argv: string[], store: AuditStore) {
  const out: string[] = [];
  const err: string[] = [];
  const io: AuditIo = { out: (t) => out.push(t), err: (t) => err.push(t), stdoutIsTTY: false, stderrIsTTY: false, env: ENV, now: () => NOW, writeFile: async () => undefined };
  const [name, ...rest] = argv;
  const code = await runAuditCommand(findAuditCommand(name)!, rest, io, { openStore: async () => store });
  return { code, out: out.join(''), err: err.join('') };
}

const file = (silences: Silence[]) => JSON.stringify({ schema: 'smart-connect-watch/silences/v1', silences });

describe('held changes in the audit', () => {
  it.each<[string, unknown, string]>([
    ['sent', { id: 'x' }, ''],
    ['silenced, with the comment', { held: 'silenced', silenced_by: ['sil_a'] }, '[silenced by sil_a "upgrade"]'],
    ['silenced by a silence no longer in the file', { held: 'silenced', silenced_by: ['sil_gone'] }, '[silenced by sil_gone]'],
    ['pending', { held: 'pending' }, '[held: pending]'],
    ['flapping', { held: 'flapping' }, '[held: flapping]'],
    ['an unknown reason of a newer version is not invented', { held: 'quiet_hours' }, ''],
  ])('%s', (_name, change, note) => {
    expect(heldNote(change, new Map([['sil_a', 'upgrade']]))).toBe(note);
  });

  it('history marks the held changes and names the silence by its comment', async () => {
    const { h } = history();
    const r = await run(['history'], memoryStore(h, file([silence({})])));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/prod \/ orders-a\s+RUNNING → FAILED \[silenced by sil_upgrade "upgrade CHG-1042"\]/);
    expect(r.out).toMatch(/prod \/ orders-b\s+RUNNING → FAILED \[held: pending\]/);
    expect(r.out.match(/\[(silenced|held)/g)).toHaveLength(2);
  });

  it('history with a broken silences.json still marks them, and says the file is broken', async () => {
    const { h } = history();
    const r = await run(['history'], memoryStore(h, '{'));
    expect(r.out).toContain('[silenced by sil_upgrade]');
    expect(r.err).toContain('p/silences.json: not valid JSON');
  });

  it('history --json keeps held and silenced_by', async () => {
    const { h } = history();
    const r = await run(['history', '--json'], memoryStore(h));
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((c) => c.id === 'c-held-1')).toMatchObject({ held: 'silenced', silenced_by: ['sil_upgrade'] });
    expect(lines.find((c) => c.id === 'c-held-2')).toMatchObject({ held: 'pending' });
    expect(lines.filter((c) => 'held' in c)).toHaveLength(2);
    expect(marksOf(lines.find((c) => c.id === 'c-held-2'))).toEqual({ held: 'pending' });
  });

  it('show lists the silences active when the snapshot was taken, none other', async () => {
    const { h, held } = history();
    const silences = [silence({}), silence({ id: 'sil_later', starts_at: '2026-11-21T10:00:00.000Z', ends_at: '2026-11-21T11:00:00.000Z' }), silence({ id: 'sil_task', instance: null, task: 'orders-*', comment: 'ticket 7' })];
    const r = await run(['show', held.id], memoryStore(h, file(silences)));
    expect(r.code).toBe(0);
    expect(held.taken_at).toBe('2026-11-21T07:15:00.123Z');
    expect(r.out).toContain('silences active at 2026-11-21 07:15 UTC');
    expect(r.out).toMatch(/sil_upgrade\s+everything on instance prod until 2026-11-21 09:00 UTC\s+by alice: upgrade CHG-1042/);
    expect(r.out).toMatch(/sil_task\s+task orders-\* on every instance/);
    expect(r.out).not.toContain('sil_later');
  });

  it('show without silences.json has no silence section', async () => {
    const { h, held } = history();
    const r = await run(['show', held.id], memoryStore(h));
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('silences active');
    expect(r.err).toBe('');
  });
});
