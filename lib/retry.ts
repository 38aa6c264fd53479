export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryDeps {
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
  /** Epoch ms after which no new attempt starts. */
  deadline: number;
}

/** A `Retry-After` value (seconds, or an HTTP date) in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with full jitter, honouring a server's Retry-After when it is longer. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: number, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(exp / 2 + (random * exp) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * Runs `fn` until it succeeds, throws a non-retryable error, runs out of attempts, or the next
 * wait would pass the deadline. The last error is rethrown.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  deps: RetryDeps,
  fn: (attempt: number) => Promise<T>,
  classify: (err: unknown) => { retryable: boolean; retryAfterMs?: number | undefined },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const c = classify(err);
      if (!c.retryable || attempt >= policy.attempts) throw err;
      const delay = backoffDelay(policy, attempt, deps.random(), c.retryAfterMs);
      if (deps.now() + delay >= deps.deadline) throw err;
      await deps.sleep(delay);
    }
  }
}
