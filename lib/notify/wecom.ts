import type { ChannelConfig } from '../config/config';
import { buildWeComDigest, isDigest } from './digest-chat';
import { type ChatDeps, type CodeRules, classifyCodeAnswer, createChatNotifier } from './chat';
import { MAX_PARTS, type PartPosition, renderParts } from './chunk';
import type { ChatTexts } from './i18n';
import { escapeWeCom, escapeWeComText } from './markup';
import {
  type ChatBuildOptions,
  type ChatLine,
  type ChatSummary,
  type RenderOptions,
  footerText,
  mentions,
  omittedText,
  summarize,
} from './summary';
import type { HttpAnswer, Message, Notifier, Outcome } from './types';

/** WeCom group robot: markdown `content` of at most 4096 bytes (UTF-8); a text message's `content` at most 2048. */
export const WECOM_MAX_MARKDOWN_BYTES = 4096;
const WECOM_MAX_TEXT_BYTES = 2048;
/** 20 messages a minute per robot: the 10 a run may send fit in one minute, so no pause between them. */
const WECOM_MIN_INTERVAL_MS = 0;
/** 45009: the rate limit; -1: system busy (both retried); 93000: the webhook key is invalid; every other non-zero `errcode` is rejected. */
export const WECOM_CODES: CodeRules = { fields: ['errcode'], codes: { 45009: 'throttled', [-1]: 'server', 93000: 'auth' } };

export type WeComPayload =
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'text'; text: { content: string; mentioned_list: string[] } };

/**
 * The messages for a message (pure): markdown parts, then, when a critical change calls people,
 * one short text message whose `mentioned_list` (user ids, or `@all`) does the calling — the
 * robot's markdown type has no mention list, and only the text type documents `@all`.
 */
export function buildWeComPayloads(message: Message, opts: ChatBuildOptions): WeComPayload[] {
  const s = summarize(message, opts, escapeWeCom);
  const called = mentions(s, opts.mention).map((m) => (m === 'all' ? '@all' : m));
  const parts = renderParts<ChatLine, WeComPayload>(
    s.lines,
    (lines, omitted, position) => ({ msgtype: 'markdown', markdown: { content: content(s, lines, omitted, position) } }),
    (payload) => payload.msgtype === 'markdown' && Buffer.byteLength(payload.markdown.content, 'utf8') <= WECOM_MAX_MARKDOWN_BYTES,
    called.length > 0 ? MAX_PARTS - 1 : MAX_PARTS,
  );
  if (called.length === 0) return parts;
  return [...parts, { msgtype: 'text', text: { content: clipBytes(escapeWeComText(`${s.lines[0]?.marker ?? ''} ${s.title}`.trim()), WECOM_MAX_TEXT_BYTES), mentioned_list: [...called] } }];
}

/** HTTP 200 is not success: `errcode` must be 0. */
export function classifyWeCom(answer: HttpAnswer): Outcome {
  return classifyCodeAnswer(answer, WECOM_CODES);
}

/** No signing: the `key` in the URL is the secret. */
export function createWeComNotifier(channel: ChannelConfig, deps: ChatDeps & { render: RenderOptions }): Notifier {
  const opts: ChatBuildOptions = { ...deps.render, mention: channel.mention };
  return createChatNotifier(channel, deps, {
    payloads: (message) => (isDigest(message) ? buildWeComDigest(message, deps.render) : buildWeComPayloads(message, opts)),
    request: (payload) => ({ url: channel.url.reveal(), body: JSON.stringify(payload) }),
    classify: classifyWeCom,
    minIntervalMs: WECOM_MIN_INTERVAL_MS,
  });
}

function content(s: ChatSummary, lines: readonly ChatLine[], omitted: readonly ChatLine[], position: PartPosition): string {
  const out = [`**${`${s.lines[0]?.marker ?? ''} ${s.titleMarkup}`.trim()}**`, `> <font color="comment">${footerText(s, position)}</font>`];
  out.push(...lines.map((l) => weComLine(l, s.texts)));
  if (omitted.length > 0) out.push(`> ${omittedText(s, omitted)}`);
  return out.join('\n');
}

/** The subject in bold, the types in grey; the values in the line were escaped by `summarize` (markup.ts). */
function weComLine(l: ChatLine, t: ChatTexts): string {
  return `${l.marker} **${l.subject}**${t.colon}${l.summary}${l.types ? ` · <font color="comment">${l.types}</font>` : ''}`;
}

function clipBytes(text: string, max: number): string {
  let out = text;
  while (Buffer.byteLength(out, 'utf8') > max) out = `${[...out].slice(0, -2).join('')}…`;
  return out;
}
