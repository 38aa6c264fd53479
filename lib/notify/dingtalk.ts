import { createHmac } from 'node:crypto';
import type { ChannelConfig } from '../config/config';
import { buildDingTalkDigest, isDigest } from './digest-chat';
import { type ChatDeps, type CodeRules, classifyCodeAnswer, createChatNotifier } from './chat';
import { type PartPosition, jsonBytes, renderParts } from './chunk';
import type { ChatTexts } from './i18n';
import { escapeDingTalk } from './markup';
import { type ChatBuildOptions, type ChatLine, type ChatSummary, type RenderOptions, footerText, mentions, omittedText, summarize } from './summary';
import type { HttpAnswer, Message, Notifier, Outcome } from './types';

/** DingTalk custom robot: a markdown message; the body may hold 20,000 bytes. */
export const DINGTALK_MAX_BODY_BYTES = 20_000;
/**
 * 20 messages a minute per robot (then it is blocked for 10 minutes): the 10 a run may send fit
 * in one minute, so no pause between them.
 */
const DINGTALK_MIN_INTERVAL_MS = 0;
/** 130101: sent too fast; -1: system busy (both retried); 310000: signature, keyword or IP; the others are rejected. */
export const DINGTALK_CODES: CodeRules = { fields: ['errcode'], codes: { 130101: 'throttled', [-1]: 'server', 310000: 'auth' } };

export interface DingTalkPayload {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
  at: { atMobiles: string[]; isAtAll: boolean };
}

/**
 * The markdown messages for a message (pure). `mention` holds mobiles or `all`: a mobile is called
 * with `at.atMobiles` and `@mobile` in the text (DingTalk requires both), `all` with `at.isAtAll`.
 */
export function buildDingTalkPayloads(message: Message, opts: ChatBuildOptions): DingTalkPayload[] {
  const s = summarize(message, opts, escapeDingTalk);
  const called = mentions(s, opts.mention);
  const mobiles = called.filter((m) => m !== 'all' && m !== '@all');
  const all = called.length > mobiles.length;
  return renderParts(
    s.lines,
    (lines, omitted, position) => markdown(s, lines, omitted, position, position.first ? { mobiles, all } : { mobiles: [], all: false }),
    (payload) => jsonBytes(payload) <= DINGTALK_MAX_BODY_BYTES,
  );
}

/** `sign`: base64 of HMAC-SHA256 keyed with the secret over `timestamp + "\n" + secret` (URL-encoded by the caller). */
export function signDingTalk(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The robot's URL with `timestamp` (ms) and the URL-encoded `sign` added to its query when it has a secret. */
export function dingTalkUrl(url: string, secret: string | undefined, nowMs: number): string {
  if (secret === undefined) return url;
  const u = new URL(url);
  u.searchParams.set('timestamp', String(nowMs));
  u.searchParams.set('sign', signDingTalk(secret, nowMs));
  return u.toString();
}

/** HTTP 200 is not success: `errcode` must be 0. */
export function classifyDingTalk(answer: HttpAnswer): Outcome {
  return classifyCodeAnswer(answer, DINGTALK_CODES);
}

export function createDingTalkNotifier(channel: ChannelConfig, deps: ChatDeps & { render: RenderOptions }): Notifier {
  const opts: ChatBuildOptions = { ...deps.render, mention: channel.mention };
  return createChatNotifier(channel, deps, {
    payloads: (message) => (isDigest(message) ? buildDingTalkDigest(message, deps.render) : buildDingTalkPayloads(message, opts)),
    request: (payload, nowMs) => ({ url: dingTalkUrl(channel.url.reveal(), channel.secret?.reveal(), nowMs), body: JSON.stringify(payload) }),
    classify: classifyDingTalk,
    minIntervalMs: DINGTALK_MIN_INTERVAL_MS,
  });
}

function markdown(
  s: ChatSummary,
  lines: readonly ChatLine[],
  omitted: readonly ChatLine[],
  position: PartPosition,
  at: { mobiles: string[]; all: boolean },
): DingTalkPayload {
  const marker = s.lines[0]?.marker ?? '';
  const title = `${marker} ${s.title}`.trim();
  const paragraphs = [`#### ${`${marker} ${s.titleMarkup}`.trim()}`];
  if (at.mobiles.length > 0 || at.all) paragraphs.push([...at.mobiles.map((m) => `@${m}`), ...(at.all ? ['@all'] : [])].join(' '));
  paragraphs.push(...lines.map((l) => dingTalkLine(l, s.texts)));
  if (omitted.length > 0) paragraphs.push(`*${omittedText(s, omitted)}*`);
  paragraphs.push(`###### ${footerText(s, position)}`);
  return {
    msgtype: 'markdown',
    // The title is what the conversation list and the notification show: plain text.
    markdown: { title, text: paragraphs.join('\n\n') },
    at: { atMobiles: at.mobiles, isAtAll: at.all },
  };
}

/** The subject in bold; the values in the line were escaped by `summarize` (markup.ts). */
function dingTalkLine(l: ChatLine, t: ChatTexts): string {
  return `${l.marker} **${l.subject}**${t.colon}${l.summary}${l.types ? ` · ${l.types}` : ''}`;
}
