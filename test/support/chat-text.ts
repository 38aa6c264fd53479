import MarkdownIt from 'markdown-it';
import { buildDingTalkPayloads } from '../../lib/notify/dingtalk';
import { buildFeishuPayloads } from '../../lib/notify/feishu';
import { buildSlackPayloads } from '../../lib/notify/slack';
import type { ChatBuildOptions } from '../../lib/notify/summary';
import { buildTeamsPayloads } from '../../lib/notify/teams';
import type { Message } from '../../lib/notify/types';
import { buildWeComPayloads } from '../../lib/notify/wecom';

/**
 * What a chat payload shows, read with an independent parser: the markdown texts of Feishu,
 * DingTalk, WeCom and Teams rendered by markdown-it (CommonMark, raw HTML allowed so that an
 * injected tag would show up as one), Slack's mrkdwn read by Slack's own rules.
 */
export type ChatPlatform = 'feishu' | 'dingtalk' | 'wecom' | 'slack' | 'teams';

/** Every chat platform with its payload builder. */
export const CHAT_PLATFORMS: [ChatPlatform, (m: Message, o: ChatBuildOptions) => unknown[]][] = [
  ['feishu', buildFeishuPayloads],
  ['dingtalk', buildDingTalkPayloads],
  ['wecom', buildWeComPayloads],
  ['slack', buildSlackPayloads],
  ['teams', buildTeamsPayloads],
];

/** All a reader sees of a message's payloads: plain texts as they are, markup as its renderer shows it. */
export function shownText(platform: ChatPlatform, payloads: readonly unknown[]): string {
  const markup = payloads.flatMap((p) => markupTexts(platform, p));
  const read = (t: string) => (platform === 'slack' ? readSlack(t).text.replace(/\*([^*\n]+)\*/g, '$1') /* mrkdwn bold */ : renderMarkdown(t).text);
  return [...payloads.flatMap((p) => plainTexts(platform, p)), ...markup.map(read)].join('\n');
}

// Probing untyped payloads as the receivers get them.
type Json = Record<string, any>;

/** The texts a platform renders as markdown (for Slack: as mrkdwn). */
export function markupTexts(platform: ChatPlatform, payload: unknown): string[] {
  const p = payload as Json;
  switch (platform) {
    case 'feishu':
      return (p.card.elements as Json[]).filter((e) => e.tag === 'markdown').map((e) => e.content as string);
    case 'dingtalk':
      return [p.markdown.text];
    case 'wecom':
      return p.msgtype === 'markdown' ? [p.markdown.content] : [];
    case 'slack':
      return [p.text, ...(p.blocks as Json[]).flatMap((b) => (b.type === 'context' ? (b.elements as Json[]) : [b.text]).filter((t) => t.type === 'mrkdwn').map((t) => t.text))];
    case 'teams':
      return (p.attachments[0].content.body as Json[]).filter((b) => b.type === 'TextBlock').map((b) => b.text as string);
  }
}

/** The texts a platform shows as they are: headers, notification titles, WeCom's text message. */
export function plainTexts(platform: ChatPlatform, payload: unknown): string[] {
  const p = payload as Json;
  switch (platform) {
    case 'feishu':
      return [p.card.header.title.content, ...(p.card.elements as Json[]).filter((e) => e.tag === 'note').flatMap((e) => (e.elements as Json[]).map((n) => n.content))];
    case 'dingtalk':
      return [p.markdown.title];
    case 'wecom':
      return p.msgtype === 'text' ? [p.text.content] : [];
    case 'slack':
      return (p.blocks as Json[]).filter((b) => b.type === 'header').map((b) => b.text.text);
    case 'teams':
      return [];
  }
}

const md = new MarkdownIt({ html: true, linkify: false });
const mdLinkify = new MarkdownIt({ html: true, linkify: true });

/** Tags our own templates produce; anything else in the rendering came from a value. */
const OWN_TAGS = new Set(['p', 'strong', 'em', 'h4', 'h6', 'blockquote', 'font', 'br']);

export interface Rendering {
  /** The text a reader sees (tags removed, HTML entities decoded). */
  text: string;
  /** Tags in the rendering that none of our templates writes (`a`, `img`, `at`, `code`, `s`, …). */
  foreignTags: string[];
  /** Links a linkifying renderer makes whose label is not their own address (a disguised link). */
  disguisedLinks: string[];
}

/** A markdown text as markdown-it renders it. */
export function renderMarkdown(text: string): Rendering {
  const html = md.render(text);
  const tags = [...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase());
  const disguisedLinks = [...mdLinkify.render(text).matchAll(/<a href="([^"]*)">(.*?)<\/a>/g)]
    .filter(([, href, label]) => !safeDecodeUri(decode(href!)).endsWith(decode(label!.replace(/<[^>]*>/g, ''))))
    .map((m) => m[0]);
  return { text: decode(html.replace(/<[^>]*>/g, '')), foreignTags: tags.filter((t) => !OWN_TAGS.has(t)), disguisedLinks };
}

/**
 * A Slack mrkdwn text as Slack reads it: `<…>` is a link or a mention (the only way mrkdwn makes
 * one), `&lt;`, `&gt;`, `&amp;` are the characters.
 */
export function readSlack(text: string): { text: string; controls: string[] } {
  return { text: text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'), controls: text.match(/<[^>]*>?/g) ?? [] };
}

function safeDecodeUri(uri: string): string {
  try {
    return decodeURI(uri);
  } catch {
    return uri; // not percent-encoded text: compared as it is
  }
}

function decode(html: string): string {
  return html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
