import type { ChannelConfig } from '../config/config';
import { buildSlackDigest, isDigest } from './digest-chat';
import { type ChatDeps, classifyStatusAnswer, createChatNotifier } from './chat';
import { type PartPosition, renderParts } from './chunk';
import type { ChatTexts } from './i18n';
import { escapeSlack } from './markup';
import { type ChatBuildOptions, type ChatLine, type ChatSummary, type RenderOptions, footerText, omittedText, summarize } from './summary';
import type { HttpAnswer, Message, Notifier, Outcome } from './types';

/** Block Kit limits: 50 blocks a message, 3000 characters a section's text, 150 a header's. */
export const SLACK_MAX_BLOCKS = 50;
export const SLACK_MAX_SECTION_CHARS = 3000;
export const SLACK_MAX_HEADER_CHARS = 150;
/** Slack truncates a message's text past 40,000 characters; the whole body is kept under that, conservatively. */
export const SLACK_MAX_BODY_CHARS = 40_000;
/** About one message a second per channel (short bursts tolerated). */
const SLACK_MIN_INTERVAL_MS = 1_000;

type Text = { type: 'plain_text'; text: string; emoji: true } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: Text }
  | { type: 'section'; text: Text }
  | { type: 'context'; elements: Text[] };

export interface SlackPayload {
  /** The plain-text fallback: notifications and clients that cannot show blocks. */
  text: string;
  blocks: SlackBlock[];
}

/** The Block Kit messages for a message (pure). Incoming webhooks have no mentions here. */
export function buildSlackPayloads(message: Message, opts: ChatBuildOptions): SlackPayload[] {
  const s = summarize(message, opts, escapeSlack);
  return renderParts(
    s.lines,
    (lines, omitted, position) => payload(s, lines, omitted, position),
    (p) => p.blocks.length <= SLACK_MAX_BLOCKS && JSON.stringify(p).length <= SLACK_MAX_BODY_CHARS,
  );
}

/** 2xx (body `ok`) is delivered; 429 (Retry-After) and 5xx are retried; other 4xx (`invalid_payload`, `channel_is_archived`, …) are permanent. */
export function classifySlack(answer: HttpAnswer): Outcome {
  return classifyStatusAnswer(answer);
}

/** No signing: the URL is the secret. */
export function createSlackNotifier(channel: ChannelConfig, deps: ChatDeps & { render: RenderOptions }): Notifier {
  const opts: ChatBuildOptions = { ...deps.render };
  return createChatNotifier(channel, deps, {
    payloads: (message) => (isDigest(message) ? buildSlackDigest(message, deps.render) : buildSlackPayloads(message, opts)),
    request: (p) => ({ url: channel.url.reveal(), body: JSON.stringify(p) }),
    classify: classifySlack,
    minIntervalMs: SLACK_MIN_INTERVAL_MS,
  });
}

function payload(s: ChatSummary, lines: readonly ChatLine[], omitted: readonly ChatLine[], position: PartPosition): SlackPayload {
  const title = clip(`${s.lines[0]?.marker ?? ''} ${s.title}`.trim(), SLACK_MAX_HEADER_CHARS);
  const footer = footerText(s, position);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlack(footer) }] },
  ];
  for (const text of sections(lines.map((l) => slackLine(l, s.texts)))) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  if (omitted.length > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlack(omittedText(s, omitted)) }] });
  // The fallback `text` is read as mrkdwn (notifications show it): escaped like the blocks.
  return { text: escapeSlack(`${title}\n${footer}`), blocks };
}

/** Lines grouped into section texts of at most SLACK_MAX_SECTION_CHARS (a line is far shorter than that). */
function sections(lines: string[]): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current && current.length + 1 + line.length > SLACK_MAX_SECTION_CHARS) {
      out.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push(current);
  return out;
}

/** The subject in bold; the values in the line were escaped by `summarize` (markup.ts). */
function slackLine(l: ChatLine, t: ChatTexts): string {
  return `${l.marker} *${l.subject}*${t.colon}${l.summary}${l.types ? ` · ${l.types}` : ''}`;
}

/** At most `max` UTF-16 units, never splitting a character; the cut is visible. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = [...text];
  while (chars.join('').length > max - 1) chars.pop();
  return `${chars.join('')}…`;
}
