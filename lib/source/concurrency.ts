/** Calls `call` once, as soon as at most `atMost` items are left to start (at once if there are no more). */
export interface WhenLeft {
  atMost: number;
  call(): void;
}

/** Maps over items with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, whenLeft?: WhenLeft): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let called = false;
  const check = () => {
    if (whenLeft && !called && items.length - next <= whenLeft.atMost) {
      called = true;
      whenLeft.call();
    }
  };
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const result = fn(items[i] as T, i);
      check();
      results[i] = await result;
    }
  };
  check();
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
