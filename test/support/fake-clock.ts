import type { RetryDeps } from '../../lib/retry';

/** A fake clock for retry code: `sleep` only advances it and records the delay; nothing waits. */
export function fakeClock(opts: { deadlineInMs?: number; random?: number; start?: number } = {}) {
  const start = opts.start ?? 1_763_709_300_000;
  let now = start;
  const sleeps: number[] = [];
  const deps: RetryDeps = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => opts.random ?? 1,
    deadline: start + (opts.deadlineInMs ?? Number.POSITIVE_INFINITY),
  };
  return { deps, sleeps };
}
