import type { Verdict } from './retry/classify';

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

/** What the loop needs to know of one attempt's result. */
export interface RetryAdvice {
  retryable: boolean;
  retryAfterMs?: number | undefined;
}

/** The advice of a classification (a `Verdict`, or a delivery's `Outcome`): only a retryable one is tried again. */
export function adviceOf(v: { status: Verdict['status'] | 'deferred'; retryAfterMs?: number | undefined }): RetryAdvice {
  return v.status === 'retryable' ? { retryable: true, retryAfterMs: v.retryAfterMs } : { retryable: false };
}

/**
 * The one retry loop: runs `attempt` until `advise` says its result is final, the attempts run out,
 * or the next wait would pass the deadline. Returns the last result.
 */
export async function retryLoop<R>(policy: RetryPolicy, deps: RetryDeps, attempt: (n: number) => Promise<R>, advise: (result: R) => RetryAdvice): Promise<R> {
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    const advice = advise(result);
    if (!advice.retryable || n >= policy.attempts) return result;
    const delay = backoffDelay(policy, n, deps.random(), advice.retryAfterMs);
    if (deps.now() + delay >= deps.deadline) return result;
    await deps.sleep(delay);
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** `retryLoop` for a function that throws: a thrown error is retried when `classify` says so; the last one is rethrown. */
export async function withRetry<T>(
  policy: RetryPolicy,
  deps: RetryDeps,
  fn: (attempt: number) => Promise<T>,
  classify: (err: unknown) => RetryAdvice,
): Promise<T> {
  const settle = async (n: number): Promise<Settled<T>> => {
    try {
      return { ok: true, value: await fn(n) };
    } catch (error) {
      return { ok: false, error };
    }
  };
  const last = await retryLoop(policy, deps, settle, (s) => (s.ok ? { retryable: false } : classify(s.error)));
  if (!last.ok) throw last.error;
  return last.value;
}
