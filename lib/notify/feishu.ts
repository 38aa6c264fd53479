import { createHmac } from 'node:crypto';
import type { Severity } from '../alerting/change';
import type { ChannelConfig } from '../config/config';
import { buildFeishuDigest, isDigest } from './digest-chat';
import { type ChatDeps, type CodeRules, classifyCodeAnswer, createChatNotifier } from './chat';
import { type PartPosition, jsonBytes, renderParts } from './chunk';
import type { ChatTexts } from './i18n';
import { escapeFeishu } from './markup';
import { type ChatBuildOptions, type ChatLine, type ChatSummary, type RenderOptions, footerText, mentions, omittedText, summarize } from './summary';
import type { HttpAnswer, Message, Notifier, Outcome } from './types';

/**
 * Feishu / Lark custom bot: an interactive card (card JSON 1.0: header, markdown and note elements).
 * The request body may hold 20 KB; the signature fields are reserved on top of the card.
 */
export const FEISHU_MAX_BODY_BYTES = 20_000;
const SIGNATURE_RESERVE_BYTES = 100;
/** 5 requests a second, 100 a minute per bot: at most 4 a second. */
const FEISHU_MIN_INTERVAL_MS = 250;
/** Result codes: 11232 is the rate limit (retried); 19021, a bad signature; 9499 (bad request) and the others are rejected. */
export const FEISHU_CODES: CodeRules = { fields: ['code', 'StatusCode'], codes: { 11232: 'throttled', 19021: 'auth' } };

const TEMPLATE: Record<Severity, string> = { critical: 'red', warning: 'orange', resolved: 'green', info: 'blue' };

export interface FeishuPayload {
  msg_type: 'interactive';
  card: {
    config: { wide_screen_mode: true };
    header: { template: string; title: { tag: 'plain_text'; content: string } };
    elements: Record<string, unknown>[];
  };
}

/** The cards for a message, each within the body limit (pure). */
export function buildFeishuPayloads(message: Message, opts: ChatBuildOptions): FeishuPayload[] {
  const s = summarize(message, opts, escapeFeishu);
  const ats = mentions(s, opts.mention).map((id) => `<at id=${attribute(id)}></at>`).join(' ');
  return renderParts(
    s.lines,
    (lines, omitted, position) => card(s, lines, omitted, position, ats),
    (payload) => jsonBytes(payload) + SIGNATURE_RESERVE_BYTES <= FEISHU_MAX_BODY_BYTES,
  );
}

/** `sign`: base64 of HMAC-SHA256 keyed with `timestamp + "\n" + secret` over an empty message. */
export function signFeishu(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** The request body: the card, with `timestamp` (seconds, a string) and `sign` when the bot has a secret. */
export function feishuBody(payload: FeishuPayload, secret: string | undefined, nowMs: number): string {
  if (secret === undefined) return JSON.stringify(payload);
  const timestamp = Math.floor(nowMs / 1000);
  return JSON.stringify({ timestamp: String(timestamp), sign: signFeishu(secret, timestamp), ...payload });
}

/** HTTP 200 is not success: `code` must be 0. */
export function classifyFeishu(answer: HttpAnswer): Outcome {
  return classifyCodeAnswer(answer, FEISHU_CODES);
}

export function createFeishuNotifier(channel: ChannelConfig, deps: ChatDeps & { render: RenderOptions }): Notifier {
  const opts: ChatBuildOptions = { ...deps.render, mention: channel.mention };
  return createChatNotifier(channel, deps, {
    payloads: (message) => (isDigest(message) ? buildFeishuDigest(message, deps.render) : buildFeishuPayloads(message, opts)),
    request: (payload, nowMs) => ({ url: channel.url.reveal(), body: feishuBody(payload, channel.secret?.reveal(), nowMs) }),
    classify: classifyFeishu,
    minIntervalMs: FEISHU_MIN_INTERVAL_MS,
  });
}

function card(s: ChatSummary, lines: readonly ChatLine[], omitted: readonly ChatLine[], position: PartPosition, ats: string): FeishuPayload {
  const body = lines.map((l) => feishuLine(l, s.texts));
  if (position.first && ats) body.unshift(ats);
  const elements: Record<string, unknown>[] = [];
  if (body.length > 0) elements.push({ tag: 'markdown', content: body.join('\n') });
  if (omitted.length > 0) elements.push({ tag: 'markdown', content: omittedText(s, omitted) });
  elements.push({ tag: 'note', elements: [{ tag: 'plain_text', content: footerText(s, position) }] });
  return {
    msg_type: 'interactive',
    card: {
      config: { wide_screen_mode: true },
      header: { template: TEMPLATE[s.worst], title: { tag: 'plain_text', content: s.title } },
      elements,
    },
  };
}

/** A configured user id (`ou_…`, `all`) inside the `<at>` tag: it cannot end the tag. */
function attribute(id: string): string {
  return id.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Card markdown: the subject in bold; the values in it were escaped by `summarize` (markup.ts). The header and note are plain text. */
function feishuLine(l: ChatLine, t: ChatTexts): string {
  return `${l.marker} **${l.subject}**${t.colon}${l.summary}${l.types ? ` · ${l.types}` : ''}`;
}
