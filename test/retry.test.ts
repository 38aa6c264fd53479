import { describe, expect, it } from 'vitest';
import { backoffDelay, type RetryPolicy, withRetry } from '../lib/retry';
import { fakeTime } from './support/builders';

const POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 1_000, maxDelayMs: 8_000 };

describe('backoffDelay', () => {
  it.each<[number, number, number | undefined, number]>([
    [1, 0, undefined, 500],
    [1, 0.5, undefined, 750],
    [1, 1, undefined, 1_000],
    [2, 0, undefined, 1_000],
    [2, 1, undefined, 2_000],
    [3, 1, undefined, 4_000],
    [4, 1, undefined, 8_000],
    [5, 1, undefined, 8_000],
    [10, 0, undefined, 4_000],
    [1, 1, 30_000, 30_000],
    [3, 0, 2_500, 2_500],
    [2, 1, 100, 2_000],
    [1, 0.5, 0, 750],
  ])('attempt %i, random %d, Retry-After %s ms → %i ms', (attempt, random, retryAfter, expected) => {
    expect(backoffDelay(POLICY, attempt, random, retryAfter)).toBe(expected);
  });

  const grid = [1, 2, 3, 4, 5, 8, 30].flatMap((attempt) => [0, 0.01, 0.5, 0.99, 1].map((random) => [attempt, random] as const));
  it.each(grid)('attempt %i, random %d: between half and all of min(max, base·2^(n-1))', (attempt, random) => {
    const ceiling = Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** (attempt - 1));
    const d = backoffDelay(POLICY, attempt, random);
    expect(d).toBeGreaterThanOrEqual(ceiling / 2);
    expect(d).toBeLessThanOrEqual(ceiling);
    expect(d).toBeLessThanOrEqual(POLICY.maxDelayMs);
  });
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP ${status}`);
  }
}

const classifyError = (err: unknown) => {
  const status = err instanceof HttpError ? err.status : 0;
  return { retryable: status === 429 || status >= 500, retryAfterMs: err instanceof HttpError ? err.retryAfterMs : undefined };
};

describe('withRetry', () => {
  type Step = 'ok' | { status: number; retryAfterMs?: number };
  it.each<{ name: string; steps: Step[]; policy?: RetryPolicy; deadline?: number; calls: number; sleeps: number[]; result: string }>([
    { name: 'succeeds first time', steps: ['ok'], calls: 1, sleeps: [], result: 'ok' },
    { name: 'retryable twice, then ok', steps: [{ status: 503 }, { status: 500 }, 'ok'], calls: 3, sleeps: [1_000, 2_000], result: 'ok' },
    { name: 'stops at the attempts', steps: [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }, 'ok'], calls: 4, sleeps: [1_000, 2_000, 4_000], result: 'HTTP 503 #4' },
    { name: 'attempts 1: no retry', steps: [{ status: 503 }, 'ok'], policy: { ...POLICY, attempts: 1 }, calls: 1, sleeps: [], result: 'HTTP 503 #1' },
    { name: 'non-retryable is not retried', steps: [{ status: 403 }, 'ok'], calls: 1, sleeps: [], result: 'HTTP 403 #1' },
    { name: 'retryable, then non-retryable', steps: [{ status: 429 }, { status: 400 }, 'ok'], calls: 2, sleeps: [1_000], result: 'HTTP 400 #2' },
    { name: 'Retry-After honoured', steps: [{ status: 429, retryAfterMs: 5_000 }, 'ok'], calls: 2, sleeps: [5_000], result: 'ok' },
    { name: 'stops when the next wait would pass the deadline', steps: [{ status: 503 }, { status: 503 }, 'ok'], deadline: 2_500, calls: 2, sleeps: [1_000], result: 'HTTP 503 #2' },
    { name: 'a wait ending exactly at the deadline is not taken', steps: [{ status: 503 }, 'ok'], deadline: 1_000, calls: 1, sleeps: [], result: 'HTTP 503 #1' },
    { name: 'Retry-After beyond the deadline: no wait', steps: [{ status: 429, retryAfterMs: 60_000 }, 'ok'], deadline: 30_000, calls: 1, sleeps: [], result: 'HTTP 429 #1' },
  ])('$name', async ({ steps, policy = POLICY, deadline, calls, sleeps, result }) => {
    const time = fakeTime(deadline);
    const attempts: number[] = [];
    const run = withRetry(
      policy,
      time.deps,
      async (attempt) => {
        attempts.push(attempt);
        const step = steps[attempt - 1];
        if (step === undefined || step === 'ok') return 'ok';
        throw Object.assign(new HttpError(step.status, step.retryAfterMs), { message: `HTTP ${step.status} #${attempt}` });
      },
      classifyError,
    );
    if (result === 'ok') await expect(run).resolves.toBe('ok');
    else await expect(run).rejects.toThrow(new RegExp(`^${result}$`));
    expect(attempts).toEqual(Array.from({ length: calls }, (_, i) => i + 1));
    expect(time.sleeps).toEqual(sleeps);
  });
});
