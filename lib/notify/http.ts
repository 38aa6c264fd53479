import { parseRetryAfter } from '../retry';
import type { Fetch, HttpAnswer, Outcome } from './types';

export interface PostDeps {
  fetch: Fetch;
  timeoutMs: number;
}

/**
 * POSTs a JSON body and classifies the answer. A network failure or a timeout is retryable.
 * Reasons never contain the URL (it carries the channel's token).
 */
export async function postJson(
  deps: PostDeps,
  url: string,
  body: string,
  headers: Record<string, string>,
  classify: (answer: HttpAnswer) => Outcome,
): Promise<Outcome> {
  let answer: HttpAnswer;
  try {
    const res = await deps.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'smart-connect-watch', ...headers },
      body,
      signal: AbortSignal.timeout(deps.timeoutMs),
      redirect: 'error',
    });
    answer = { status: res.status, headers: res.headers, body: await res.text() };
  } catch (err) {
    return { status: 'retryable', reason: `network error: ${networkReason(err)}` };
  }
  return classify(answer);
}

function networkReason(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
    const cause = (err as { cause?: { code?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return cause.code;
    return err.name;
  }
  return 'unknown';
}

/** `Retry-After` in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  return parseRetryAfter(headers.get('retry-after'), now);
}

/** DESIGN.md §5: 2xx delivered; 429 and 5xx retryable; other statuses permanent. */
export function classifyHttpStatus(answer: HttpAnswer): Outcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return { status: 'ok' };
  const reason = `HTTP ${status}${answer.body ? `: ${answer.body.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`;
  if (status === 429 || status >= 500) return { status: 'retryable', reason, retryAfterMs: retryAfterMs(answer.headers) };
  return { status: 'permanent', reason };
}
