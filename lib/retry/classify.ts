import * as z from 'zod';

/**
 * Why a request failed. `throttled`, `server`, `network` and `timeout` are worth another attempt;
 * `auth` (401, 403, a bad signature), `client` (any other 4xx or 3xx) and `rejected` (a 2xx whose
 * body says no, as chat platforms answer) are not.
 */
export const Category = z.enum(['throttled', 'server', 'network', 'timeout', 'auth', 'client', 'rejected']);
export type Category = z.infer<typeof Category>;

const RETRYABLE: ReadonlySet<Category> = new Set<Category>(['throttled', 'server', 'network', 'timeout']);

/** The one classification of an answer (DMS, OBS, webhooks): `ok`, or a failure with its category. */
export type Verdict =
  | { status: 'ok' }
  | { status: 'retryable'; category: Category; retryAfterMs?: number | undefined }
  | { status: 'permanent'; category: Category };

/** A failure of `category`: retryable or permanent by the category alone; a wait the server asked for is kept on a retryable one. */
export function failure(category: Category, retryAfterMs?: number): Verdict {
  if (!RETRYABLE.has(category)) return { status: 'permanent', category };
  return retryAfterMs === undefined ? { status: 'retryable', category } : { status: 'retryable', category, retryAfterMs };
}

/** An HTTP status: 2xx ok; 429 throttled; 408 timeout; 5xx server; 401 and 403 auth; anything else client. */
export function classifyStatus(status: number, retryAfterMs?: number): Verdict {
  if (status >= 200 && status < 300) return { status: 'ok' };
  if (status === 429) return failure('throttled', retryAfterMs);
  if (status === 408) return failure('timeout', retryAfterMs);
  if (status >= 500) return failure('server', retryAfterMs);
  if (status === 401 || status === 403) return failure('auth');
  return failure('client');
}

/** A request that got no answer (a thrown network error): `timeout` when it timed out, else `network`. Both retryable. */
export function classifyNoAnswer(err: unknown): Verdict {
  return failure(timedOut(err) ? 'timeout' : 'network');
}

function timedOut(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; errorMsg?: unknown; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return true; // fetch's AbortSignal.timeout
  const codes = [e.code, e.cause?.code];
  if (codes.some((c) => c === 'ETIMEDOUT' || c === 'ECONNABORTED' || c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'UND_ERR_HEADERS_TIMEOUT')) return true;
  // The Kafka SDK keeps only axios' message: `timeout of 1000ms exceeded`.
  return [e.message, e.errorMsg].some((m) => typeof m === 'string' && /^timeout of \d+ms exceeded$/.test(m));
}
