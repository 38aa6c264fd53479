import { SourceError } from '../errors';
import { type RetryAdvice, parseRetryAfter } from '../retry';
import { type Verdict, classifyNoAnswer, classifyStatus } from '../retry/classify';

/** One HTTP answer of the DMS API as the SDK adapter hands it over: its body parsed where it is JSON. */
export interface DmsAnswer {
  status: number;
  retryAfter: string | undefined;
  body: unknown;
}

/** The classification of a DMS answer; its Retry-After is read on a 429 (APIG's throttling, `APIG.0308`). */
export function dmsVerdict(answer: DmsAnswer, now: number): Verdict {
  return classifyStatus(answer.status, answer.status === 429 ? parseRetryAfter(answer.retryAfter, now) : undefined);
}

/**
 * The body of a 2xx answer; any other answer throws a SourceError that carries its verdict and the
 * wait the server asked for. The message quotes DMS's `error_code` and `error_msg` (the fields the SDK reads).
 */
export function answerBody(answer: DmsAnswer, now: number): unknown {
  const verdict = dmsVerdict(answer, now);
  if (verdict.status === 'ok') return answer.body;
  const { code, message } = errorFields(answer.body);
  const detail = [code, message ?? `Request failed with status code ${answer.status}`].filter(Boolean).join(': ').slice(0, 300);
  throw new SourceError(`HTTP ${answer.status} ${detail}`, verdict.status === 'retryable', {
    status: answer.status,
    code,
    category: verdict.category,
    retryAfterMs: verdict.status === 'retryable' ? verdict.retryAfterMs : undefined,
  });
}

/** A request that got no HTTP answer (the SDK's exception without a status): a timeout or a network error, retryable. */
export function noAnswerError(err: unknown): SourceError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { errorMsg?: unknown; message?: unknown };
  const detail = String((typeof e.errorMsg === 'string' && e.errorMsg) || (typeof e.message === 'string' && e.message) || '').slice(0, 300);
  const verdict = classifyNoAnswer(err);
  return new SourceError(`network error: ${detail || 'no response'}`, verdict.status === 'retryable', { cause: err, category: verdict.status === 'ok' ? undefined : verdict.category });
}

/** What the retry loop reads of a failed DMS call: only a retryable SourceError is tried again, after the wait it carries. */
export function sourceAdvice(err: unknown): RetryAdvice {
  return err instanceof SourceError && err.retryable ? { retryable: true, retryAfterMs: err.retryAfterMs } : { retryable: false };
}

/** `{"error_code","error_msg"}`, or API Gateway's `{"error":{"code","message"}}`. */
function errorFields(body: unknown): { code: string | undefined; message: string | undefined } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const nested = (typeof b.error === 'object' && b.error !== null ? b.error : {}) as Record<string, unknown>;
  const text = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string' && v !== '');
  return { code: text(nested.code, b.error_code), message: text(nested.message, b.error_msg) };
}
