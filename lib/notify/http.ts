import { parseRetryAfter } from '../retry';
import { type Verdict, classifyNoAnswer, classifyStatus } from '../retry/classify';
import type { Fetch, HttpAnswer, Outcome } from './types';

export interface PostDeps {
  fetch: Fetch;
  timeoutMs: number;
}

/**
 * POSTs a JSON body and classifies the answer. A network failure or a timeout is retryable (lib/retry/classify.ts).
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
    // A receiver may echo the request line (`Cannot POST /hooks/<token>`): its reason must not carry the token.
    answer = { status: res.status, headers: res.headers, body: withoutUrlSecrets(await res.text(), url) };
  } catch (err) {
    return outcomeOf(classifyNoAnswer(err), `network error: ${networkReason(err)}`);
  }
  return classify(answer);
}

/**
 * `text` without the URL's path segments and query values of 6 characters or more (a webhook URL's
 * tokens), in plain or percent-encoded form: an answer's body ends up in `last_error`, which is kept
 * in state.json and, when a message expires, in a history object that is never rewritten.
 */
export function withoutUrlSecrets(text: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return text;
  }
  const parts = [...parsed.pathname.split('/').map(safeDecode), ...parsed.searchParams.values()].filter((p) => p.length >= 6);
  const forms = new Set(parts.flatMap((p) => [p, encodeURIComponent(p)]));
  let out = text;
  for (const f of [...forms].sort((a, b) => b.length - a.length)) out = out.split(f).join('<redacted>');
  return out;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
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

/** The classification of an answer by its status alone (generic, Slack, Teams), with its Retry-After. */
export function httpVerdict(answer: HttpAnswer): Verdict {
  return classifyStatus(answer.status, retryAfterMs(answer.headers));
}

/** A delivery's outcome: the verdict, with `reason` when it failed. */
export function outcomeOf(verdict: Verdict, reason: string): Outcome {
  if (verdict.status === 'ok') return { status: 'ok' };
  return verdict.status === 'retryable' ? { status: 'retryable', reason, retryAfterMs: verdict.retryAfterMs } : { status: 'permanent', reason };
}

/** DESIGN.md §5: 2xx delivered; 429, 408 and 5xx retryable; other statuses permanent. */
export function classifyHttpStatus(answer: HttpAnswer): Outcome {
  const reason = `HTTP ${answer.status}${answer.body ? `: ${answer.body.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`;
  return outcomeOf(httpVerdict(answer), reason);
}
