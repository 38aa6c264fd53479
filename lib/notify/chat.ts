import type { ChannelConfig } from '../config/config';
import { MAX_PARTS } from './chunk';
import { type PostDeps, postJson, retryAfterMs } from './http';
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
  /** Codes that mean "too many requests" or "busy": worth retrying. Every other non-zero code is permanent. */
  retryable: readonly number[];
}

/**
 * For platforms that answer HTTP 200 with an error code in the body: 2xx with code 0 is delivered;
 * a retryable code, 429, 408 and 5xx are retryable (Retry-After honoured); any other code or status,
 * and a 2xx whose body has no code, are permanent. The message stays in the outbox either way.
 */
export function classifyCodeAnswer(answer: HttpAnswer, rules: CodeRules): Outcome {
  const body = parseObject(answer.body);
  const code = rules.fields.map((f) => body?.[f]).find((v) => typeof v === 'number');
  const detail = typeof code === 'number' ? `code ${code}${describeMsg(body)}` : bodyText(answer.body);
  const retryAfter = retryAfterMs(answer.headers);
  if (answer.status === 429 || answer.status === 408 || answer.status >= 500) {
    return { status: 'retryable', reason: `HTTP ${answer.status}${detail ? `: ${detail}` : ''}`, retryAfterMs: retryAfter };
  }
  if (answer.status < 200 || answer.status >= 300) return { status: 'permanent', reason: `HTTP ${answer.status}${detail ? `: ${detail}` : ''}` };
  if (typeof code !== 'number') return { status: 'permanent', reason: `HTTP ${answer.status} without a result ${rules.fields[0]}${detail ? `: ${detail}` : ''}` };
  if (code === 0) return { status: 'ok' };
  if (rules.retryable.includes(code)) return { status: 'retryable', reason: detail, retryAfterMs: retryAfter };
  return { status: 'permanent', reason: detail };
}

/** Slack and Teams: the HTTP status says it all; the reason quotes a short, URL-free piece of the body. */
export function classifyStatusAnswer(answer: HttpAnswer): Outcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return { status: 'ok' };
  const text = bodyText(answer.body);
  const reason = `HTTP ${status}${text ? `: ${text}` : ''}`;
  if (status === 429 || status === 408 || status >= 500) return { status: 'retryable', reason, retryAfterMs: retryAfterMs(answer.headers) };
  return { status: 'permanent', reason };
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
