import { describe, expect, it } from 'vitest';
import { readInOrder } from '../lib/audit/availability-reader';
import type { HistoryEntry } from '../lib/audit/history-object';

const key = (i: number) => `history/2026/11/21/20261121T${String(100000 + i).slice(1)}0000Z.json`;

/** A store whose reads are answered by the test, in any order. */
function manualStore(keyIndex: (k: string) => number, handed: () => number) {
  let ahead = 0;
  const pending = new Map<string, (text: string | undefined) => void>();
  let asked: () => void = () => {};
  return {
    pending,
    /** How far past the next object to hand over a read has started. */
    ahead: () => ahead,
    /** Resolves once `n` reads are waiting for an answer. */
    waitFor: (n: number) =>
      new Promise<void>((r) => {
        const check = () => (pending.size >= n ? r() : (asked = check));
        check();
      }),
    store: {
      listKeys: async () => [],
      readText: (k: string) =>
        new Promise<string | undefined>((r) => {
          ahead = Math.max(ahead, keyIndex(k) - handed());
          pending.set(k, (t) => {
            pending.delete(k);
            r(t);
          });
          asked();
        }),
    },
  };
}

describe('readInOrder', () => {
  it('hands objects over in key order whatever order they arrive in, holding at most the window', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => key(i));
    const seen: string[] = [];
    const m = manualStore((k) => keys.indexOf(k), () => seen.length);
    const progress: number[] = [];
    const done = readInOrder(m.store, keys, (e: HistoryEntry) => e.key, (k) => seen.push(k), { concurrency: 4, window: 6, progress: { update: (n) => progress.push(n), end: () => progress.push(-1) } });
    await m.waitFor(4);
    // Answer the later ones first: nothing is handed over until the first arrives, and no more than the window is read ahead.
    for (const k of [...m.pending.keys()].slice(1)) m.pending.get(k)!(undefined);
    await m.waitFor(3);
    expect(seen).toEqual([]);
    expect(m.pending.has(keys[0]!)).toBe(true);
    expect([...m.pending.keys()].every((k) => keys.indexOf(k) < 6)).toBe(true);
    m.pending.get(keys[0]!)!(undefined);
    // Then the oldest waiting read each turn of the event loop, until all are handed over.
    while (seen.length < keys.length) {
      await new Promise((r) => setImmediate(r));
      const [first] = [...m.pending.keys()].sort();
      if (first) m.pending.get(first)!(undefined);
    }
    await done;
    expect(seen).toEqual(keys);
    expect(m.ahead()).toBe(5);
    expect(progress.at(-1)).toBe(-1);
    expect(progress.slice(0, -1)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('a failed read fails the whole read, after the reads in flight', async () => {
    const keys = Array.from({ length: 10 }, (_, i) => key(i));
    let reads = 0;
    const store = {
      listKeys: async () => [],
      readText: async (k: string) => {
        reads++;
        if (k === keys[3]) throw new Error('OBS GET failed: 503');
        return undefined;
      },
    };
    await expect(readInOrder(store, keys, (e) => e, () => {}, { concurrency: 2 })).rejects.toThrow('OBS GET failed: 503');
    expect(reads).toBeLessThan(10);
  });
});
