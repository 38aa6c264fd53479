import { describe, expect, it, vi } from 'vitest';
import { mapLimit } from '../lib/source/concurrency';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued continuation run (no timers). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

describe('mapLimit', () => {
  it.each([
    [7, 3, 'last started first'],
    [7, 3, 'first started first'],
    [5, 1, 'last started first'],
    [4, 4, 'last started first'],
    [3, 8, 'first started first'],
    [10, 2, 'last started first'],
  ] as const)('%i items, limit %i, released %s: never more than the limit in flight, results in input order', async (n, limit, release) => {
    const items = Array.from({ length: n }, (_, i) => `instance-${i}`);
    const gates = items.map(() => deferred<void>());
    const started: number[] = [];
    const done = new Set<number>();
    let inFlight = 0;
    let maxInFlight = 0;
    const all = mapLimit(items, limit, async (item, i) => {
      expect(item).toBe(items[i]);
      started.push(i);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gates[i]?.promise;
      inFlight--;
      return `${item}:listed`;
    });
    while (done.size < n) {
      await settle();
      const running = started.filter((i) => !done.has(i));
      expect(running.length).toBe(Math.min(limit, n - done.size));
      expect(inFlight).toBeLessThanOrEqual(limit);
      const next = release === 'last started first' ? running[running.length - 1] : running[0];
      if (next === undefined) throw new Error('nothing in flight');
      done.add(next);
      gates[next]?.resolve();
    }
    await expect(all).resolves.toEqual(items.map((item) => `${item}:listed`));
    expect(maxInFlight).toBe(Math.min(limit, n));
    expect([...started].sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
  });

  // whenLeft: the state read starts when the listing's last instances are about to start.
  it.each([
    [10, 2, 4, 6],
    [10, 2, 0, 10],
    [10, 3, 9, 1],
    [3, 8, 4, 0],
    [0, 2, 0, 0],
  ] as const)('%i items, limit %i: whenLeft(atMost %i) is called once, after %i items started', async (n, limit, atMost, startedBefore) => {
    const started: number[] = [];
    const calls: number[] = [];
    const items = Array.from({ length: n }, (_, i) => i);
    await mapLimit(items, limit, async (i) => {
      started.push(i);
      await settle();
    }, { atMost, call: () => calls.push(started.length) });
    expect(calls).toEqual([startedBefore]);
    expect(started).toHaveLength(n);
  });

  it.each([[0], [2]])('an empty list with limit %i calls nothing', async (limit) => {
    const fn = vi.fn(async () => 1);
    await expect(mapLimit([], limit, fn)).resolves.toEqual([]);
    expect(fn).not.toHaveBeenCalled();
  });

  it.each([[1], [3]])('limit %i: a rejection rejects the whole map', async (limit) => {
    const gate = deferred<void>();
    const all = mapLimit(['a', 'b', 'c'], limit, async (item) => {
      if (item === 'a') await gate.promise;
      if (item === 'b') throw new Error('listing b failed');
      return item;
    });
    gate.resolve();
    await expect(all).rejects.toThrow('listing b failed');
  });
});
