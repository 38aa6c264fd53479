import type { ChannelConfig } from '../config/config';
import { MAX_PARTS } from './chunk';
import { type Category, type Verdict, failure } from '../retry/classify';
import { httpVerdict, outcomeOf, type PostDeps, postJson, retryAfterMs } from './http';
import type { HttpAnswer, Message, Notifier, Outcome } from './types';

/** One HTTP request of a chat message: the URL (it carries the channel's token: never log it) and the body. */
export interface ChatRequest {
  url: string;
  body: string;
}

/** What a chat notifier needs from its platform file. */
export interface ChatPlatform<P> {
  /** The message's payloads, in order, within the platform's limits (pure). */
  payloads(message: Message): P[];
  /** The request for one payload, signed where the platform signs, at `nowMs`. */
  request(payload: P, nowMs: number): ChatRequest;
  classify(answer: HttpAnswer): Outcome;
  /** Least time between two requests to one channel: the platform's per-second rate limit. */
  minIntervalMs: number;
}

export interface ChatDeps extends PostDeps {
  now: () => number;
  /** Waits between the parts of a message (default: a timer). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

const JSON_UTF8 = { 'content-type': 'application/json; charset=utf-8' };

/**
 * A notifier for one chat channel during one run (app.ts creates the notifiers per run). It sends
 * a message's parts in order and returns the first failure: the whole message then stays pending.
 * A retry within the run resumes after the parts already accepted; a retry in a later run starts
 * again from the first part, so a reader may see a part twice (at-least-once, as DESIGN.md §2 allows).
 * It sends at most MAX_PARTS messages to the channel per run: a message that would go past that
 * waits, whole, for the next run.
 */
export function createChatNotifier<P>(channel: ChannelConfig, deps: ChatDeps, platform: ChatPlatform<P>): Notifier {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const accepted = new Map<string, number>();
  let sentThisRun = 0;
  let lastRequestAt: number | undefined;

  return {
    channel,
    async send(message) {
      const payloads = platform.payloads(message);
      const from = accepted.get(message.id) ?? 0;
      if (from === 0 && sentThisRun > 0 && sentThisRun + payloads.length > MAX_PARTS) {
        return {
          status: 'deferred',
          reason: `deferred to the next run: ${payloads.length} message(s) would pass ${MAX_PARTS} messages to this channel in one run (${sentThisRun} sent)`,
        };
      }
      for (let i = from; i < payloads.length; i++) {
        if (lastRequestAt !== undefined) {
          const wait = lastRequestAt + platform.minIntervalMs - deps.now();
          if (wait > 0) await sleep(wait);
        }
        const { url, body } = platform.request(payloads[i]!, deps.now());
        lastRequestAt = deps.now();
        const outcome = await postJson(deps, url, body, JSON_UTF8, platform.classify);
        if (outcome.status !== 'ok') {
          return payloads.length === 1 ? outcome : { ...outcome, reason: `part ${i + 1} of ${payloads.length}: ${outcome.reason}` };
        }
        sentThisRun++;
        accepted.set(message.id, i + 1);
      }
      accepted.delete(message.id);
      return { status: 'ok' };
    },
  };
}

export interface CodeRules {
  /** The body fields holding the platform's result code, first found wins: `code` (Feishu) or `errcode` (DingTalk, WeCom). */
  fields: readonly string[];
  /**
   * The category of the codes the platform documents: rate limits `throttled` and "busy" `server`
   * (retried), bad signatures or keys `auth`. Every other non-zero code is `rejected` (permanent).
   */
  codes: Readonly<Record<number, Category>>;
}

/**
 * For platforms that answer HTTP 200 with an error code in the body: a non-2xx status is classified
 * by its status (429, 408 and 5xx retryable, Retry-After honoured); a 2xx with code 0 is delivered,
 * with a known code as the platform's table says, with any other code or none, `rejected`.
 */
export function codeVerdict(answer: HttpAnswer, rules: CodeRules): Verdict {
  return judgeCodeAnswer(answer, rules).verdict;
}

/** `codeVerdict` as a delivery's outcome; the message stays in the outbox on any failure. */
export function classifyCodeAnswer(answer: HttpAnswer, rules: CodeRules): Outcome {
  const { verdict, reason } = judgeCodeAnswer(answer, rules);
  return outcomeOf(verdict, reason);
}

function judgeCodeAnswer(answer: HttpAnswer, rules: CodeRules): { verdict: Verdict; reason: string } {
  const body = parseObject(answer.body);
  const code = rules.fields.map((f) => body?.[f]).find((v) => typeof v === 'number');
  const detail = typeof code === 'number' ? `code ${code}${describeMsg(body)}` : bodyText(answer.body);
  const status = httpVerdict(answer);
  const http = `HTTP ${answer.status}`;
  if (status.status !== 'ok') return { verdict: status, reason: `${http}${detail ? `: ${detail}` : ''}` };
  if (typeof code !== 'number') return { verdict: failure('rejected'), reason: `${http} without a result ${rules.fields[0]}${detail ? `: ${detail}` : ''}` };
  if (code === 0) return { verdict: status, reason: '' };
  return { verdict: failure(rules.codes[code] ?? 'rejected', retryAfterMs(answer.headers)), reason: detail };
}

/** Slack and Teams: the HTTP status says it all; the reason quotes a short, URL-free piece of the body. */
export function classifyStatusAnswer(answer: HttpAnswer): Outcome {
  const text = bodyText(answer.body);
  return outcomeOf(httpVerdict(answer), `HTTP ${answer.status}${text ? `: ${text}` : ''}`);
}

/** A body as a short reason: one line, no URL (a proxy's error page might quote the request's). */
export function bodyText(body: string): string {
  return body.replace(/https?:\/\/\S+/g, '<url>').replace(/\s+/g, ' ').trim().slice(0, 160);
}

function describeMsg(body: Record<string, unknown> | undefined): string {
  const msg = body?.msg ?? body?.errmsg;
  return typeof msg === 'string' && msg ? ` (${bodyText(msg)})` : '';
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // not JSON: the caller reports the raw text
  }
}
