import { describe, expect, it } from 'vitest';
import type { Silence } from '../lib/alerting/silences';
import { StoreError } from '../lib/errors';
import { JOURNAL_SCHEMA, type JournalEntry, journalKey } from '../lib/store/silence-journal';
import { type SilencesWriter, editSilences, readSilences } from '../lib/store/silences-file';

const NOW = new Date('2026-12-02T07:00:00.000Z');
const H = 3_600_000;
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const silence = (id: string, over: Partial<Silence> = {}): Silence => ({ id, instance: null, task: 'orders-*', kind: null, starts_at: at(-H), ends_at: at(H), created_at: at(-H), created_by: 'alice', comment: 'c', ...over });
const add = (s: Silence): JournalEntry => ({ schema: JOURNAL_SCHEMA, op: 'add', silence: s });
const file = (silences: Silence[]) => JSON.stringify({ schema: 'smart-connect-watch/silences/v1', silences });

/** An in-memory store; `onPut` may act as another writer right after each write. */
function memory(objects: Map<string, string>, onPut?: (key: string) => void) {
  const calls: string[] = [];
  const store: SilencesWriter = {
    prefix: 'p/',
    readText: async (k) => (calls.push(`GET ${k}`), objects.get(k)),
    listKeys: async (sub) => [...objects.keys()].filter((k) => k.startsWith(sub)).sort(),
    putText: async (k, t) => {
      calls.push(`PUT ${k}`);
      objects.set(k, t);
      onPut?.(k);
    },
    deleteKey: async (k) => void (calls.push(`DELETE ${k}`), objects.delete(k)),
  };
  return { store, calls };
}
const ids = (objects: Map<string, string>) => (JSON.parse(objects.get('silences.json')!) as { silences: Silence[] }).silences.map((s) => s.id);
const sleeps: number[] = [];
const deps = { now: () => NOW, random: () => 0.5, sleep: async (ms: number) => void sleeps.push(ms) };

describe('editSilences', () => {
  it('journals first, then writes the file; prunes old silences and deletes their journal entries', async () => {
    const old = silence('sil_old', { starts_at: at(-40 * 24 * H), ends_at: at(-31 * 24 * H) });
    const objects = new Map([['silences.json', file([old])], [journalKey(add(old)), JSON.stringify(add(old))]]);
    const { store, calls } = memory(objects);
    await editSilences(store, add(silence('sil_new')), deps);
    expect(calls[0]).toBe(`PUT ${journalKey(add(silence('sil_new')))}`);
    expect(ids(objects)).toEqual(['sil_new']);
    expect([...objects.keys()].filter((k) => k.startsWith('silences/journal/'))).toEqual([journalKey(add(silence('sil_new')))]);
  });

  it('a silence another writer overwrote is merged again after the read-back, with a random wait', async () => {
    const objects = new Map([['silences.json', file([])]]);
    let raced = false;
    // Another writer, which read the file before our write, journals its silence and writes its own version over ours.
    const { store } = memory(objects, (key) => {
      if (key !== 'silences.json' || raced) return;
      raced = true;
      objects.set(journalKey(add(silence('sil_theirs'))), JSON.stringify(add(silence('sil_theirs'))));
      objects.set('silences.json', file([silence('sil_theirs')]));
    });
    sleeps.length = 0;
    const back = await editSilences(store, add(silence('sil_mine')), deps);
    expect(back.map((s) => s.id).sort()).toEqual(['sil_mine', 'sil_theirs']);
    expect(ids(objects).sort()).toEqual(['sil_mine', 'sil_theirs']);
    expect(sleeps).toEqual([150]);
  });

  it('gives up after the attempts, names what is missing, and withdraws its journal entry', async () => {
    const objects = new Map([['silences.json', file([])]]);
    const { store } = memory(objects, (key) => key === 'silences.json' && objects.set(key, file([])));
    const mine = add(silence('sil_mine'));
    const err = await editSilences(store, mine, { ...deps, attempts: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/after 3 attempts it still lacks sil_mine .*\(the edit was withdrawn/);
    expect(objects.has(journalKey(mine))).toBe(false);
  });

  it('never overwrites an invalid file', async () => {
    const objects = new Map([['silences.json', '{"schema":"v0"}']]);
    const { store } = memory(objects);
    await expect(editSilences(store, add(silence('sil_x')), deps)).rejects.toThrow('p/silences.json: does not match the schema');
    expect(objects.get('silences.json')).toBe('{"schema":"v0"}');
  });
});

describe('readSilences (the run reads the file once)', () => {
  it.each<[string, () => Promise<string | undefined>, string[], string | undefined]>([
    ['missing: none, no error', async () => undefined, [], undefined],
    ['valid', async () => file([silence('sil_a')]), ['sil_a'], undefined],
    ['invalid: none, named', async () => '[]', [], 'p/silences.json: does not match the schema'],
    ['unreadable: none, named (fail open)', async () => Promise.reject(new StoreError('OBS GET obs://b/p/silences.json failed: HTTP 503')), [], 'p/silences.json: unreadable (OBS GET obs://b/p/silences.json failed: HTTP 503)'],
  ])('%s', async (_name, readText, want, error) => {
    const read = await readSilences({ prefix: 'p/', readText });
    expect(read.silences.map((s) => s.id)).toEqual(want);
    if (error === undefined) expect(read.error).toBeUndefined();
    else expect(read.error).toContain(error);
  });
});
