import type { DigestBody } from '../alerting/digest';
import { jsonBytes } from './chunk';
import { DINGTALK_MAX_BODY_BYTES, type DingTalkPayload } from './dingtalk';
import { type DigestItem, type DigestView, digestView, fitDigest, sections } from './digest-view';
import { FEISHU_MAX_BODY_BYTES, type FeishuPayload } from './feishu';
import { type Escape, escapeDingTalk, escapeFeishu, escapeSlack, escapeTeams, escapeWeCom } from './markup';
import { SLACK_MAX_BLOCKS, SLACK_MAX_BODY_CHARS, SLACK_MAX_HEADER_CHARS, SLACK_MAX_SECTION_CHARS, type SlackBlock, type SlackPayload } from './slack';
import type { RenderOptions } from './summary';
import { TEAMS_MAX_BODY_BYTES, type TeamsPayload } from './teams';
import type { Message } from './types';
import { WECOM_MAX_MARKDOWN_BYTES, type WeComPayload } from './wecom';

/**
 * The daily digest (DESIGN.md §12) as one native message per platform, within its limits: the
 * summary lines always, then the failing tasks and the instances while they fit, then an exact
 * count of what was left out. Mentions are never used: a digest calls nobody. Pure.
 */
export type DigestMessage = Message & { digest: DigestBody };

const FEISHU_TEMPLATE = { critical: 'red', warning: 'orange', resolved: 'green', info: 'blue' } as const;
const TEAMS_COLOR = { critical: 'Attention', warning: 'Warning', resolved: 'Good', info: 'Accent' } as const;

const line = (i: DigestItem, v: DigestView, bold: (s: string) => string) => `${i.marker} ${bold(i.subject)}${v.texts.colon}${i.text}`;
const stars = (s: string) => `**${s}**`;

function build<P>(message: DigestMessage, opts: RenderOptions, escape: Escape, render: (v: DigestView, shown: readonly DigestItem[], omitted: string | null) => P, fits: (p: P) => boolean): P[] {
  const v = digestView(message, opts, escape);
  return [fitDigest(v, escape, (shown, omitted) => render(v, shown, omitted), fits)];
}

/** Feishu / Lark: an interactive card; the body (with its signature fields) within 20,000 bytes. */
export function buildFeishuDigest(message: DigestMessage, opts: RenderOptions): FeishuPayload[] {
  return build(message, opts, escapeFeishu, (v, shown, omitted) => {
    const elements: Record<string, unknown>[] = [{ tag: 'markdown', content: v.summary.join('\n') }];
    for (const s of sections(v, shown)) elements.push({ tag: 'markdown', content: [stars(s.heading), ...s.items.map((i) => line(i, v, stars))].join('\n') });
    if (omitted) elements.push({ tag: 'markdown', content: omitted });
    elements.push({ tag: 'note', elements: [{ tag: 'plain_text', content: v.footer }] });
    return {
      msg_type: 'interactive',
      card: { config: { wide_screen_mode: true }, header: { template: FEISHU_TEMPLATE[v.worst], title: { tag: 'plain_text', content: `${v.marker} ${v.title}` } }, elements },
    } satisfies FeishuPayload;
  }, (p) => jsonBytes(p) + 100 <= FEISHU_MAX_BODY_BYTES);
}

/** DingTalk: a markdown message within 20,000 bytes; nobody is called. */
export function buildDingTalkDigest(message: DigestMessage, opts: RenderOptions): DingTalkPayload[] {
  return build(message, opts, escapeDingTalk, (v, shown, omitted) => {
    const paragraphs = [`#### ${v.marker} ${v.title}`, ...v.summary];
    for (const s of sections(v, shown)) paragraphs.push(`##### ${s.heading}`, ...s.items.map((i) => line(i, v, stars)));
    if (omitted) paragraphs.push(`*${omitted}*`);
    paragraphs.push(`###### ${v.footer}`);
    return { msgtype: 'markdown', markdown: { title: `${v.marker} ${v.title}`, text: paragraphs.join('\n\n') }, at: { atMobiles: [], isAtAll: false } } satisfies DingTalkPayload;
  }, (p) => jsonBytes(p) <= DINGTALK_MAX_BODY_BYTES);
}

/** WeCom: one markdown message of at most 4096 bytes of content. */
export function buildWeComDigest(message: DigestMessage, opts: RenderOptions): WeComPayload[] {
  return build(message, opts, escapeWeCom, (v, shown, omitted): WeComPayload => {
    const out = [stars(`${v.marker} ${v.title}`), `> <font color="comment">${v.footer}</font>`, ...v.summary];
    for (const s of sections(v, shown)) out.push(stars(s.heading), ...s.items.map((i) => line(i, v, stars)));
    if (omitted) out.push(`> ${omitted}`);
    return { msgtype: 'markdown', markdown: { content: out.join('\n') } };
  }, (p) => p.msgtype === 'markdown' && Buffer.byteLength(p.markdown.content, 'utf8') <= WECOM_MAX_MARKDOWN_BYTES);
}

/** Slack: Block Kit, at most 50 blocks, 3000 characters a section, the body under 40,000 characters. */
export function buildSlackDigest(message: DigestMessage, opts: RenderOptions): SlackPayload[] {
  return build(message, opts, escapeSlack, (v, shown, omitted) => {
    const title = `${v.marker} ${v.title}`.slice(0, SLACK_MAX_HEADER_CHARS);
    const blocks: SlackBlock[] = [
      { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlack(v.footer) }] },
      { type: 'section', text: { type: 'mrkdwn', text: v.summary.join('\n') } },
    ];
    for (const s of sections(v, shown)) {
      for (const text of slackSections([`*${s.heading}*`, ...s.items.map((i) => line(i, v, (x) => `*${x}*`))])) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
    }
    if (omitted) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: omitted }] });
    return { text: escapeSlack(`${title}\n${v.summary[0]}`), blocks };
  }, (p) => p.blocks.length <= SLACK_MAX_BLOCKS && JSON.stringify(p).length <= SLACK_MAX_BODY_CHARS);
}

/** Teams: an Adaptive Card 1.4 within 20,000 bytes. */
export function buildTeamsDigest(message: DigestMessage, opts: RenderOptions): TeamsPayload[] {
  return build(message, opts, escapeTeams, (v, shown, omitted) => {
    const body: Record<string, unknown>[] = [
      { type: 'TextBlock', text: `${v.marker} ${v.title}`, size: 'Medium', weight: 'Bolder', color: TEAMS_COLOR[v.worst], wrap: true },
      { type: 'TextBlock', text: v.footer, isSubtle: true, spacing: 'None', wrap: true },
      ...v.summary.map((text) => ({ type: 'TextBlock', text, spacing: 'Small', wrap: true })),
    ];
    for (const s of sections(v, shown)) {
      body.push({ type: 'TextBlock', text: s.heading, weight: 'Bolder', spacing: 'Medium', wrap: true });
      body.push(...s.items.map((i) => ({ type: 'TextBlock', text: line(i, v, stars), spacing: 'Small', wrap: true })));
    }
    if (omitted) body.push({ type: 'TextBlock', text: omitted, isSubtle: true, wrap: true });
    return {
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' }, body } }],
    } satisfies TeamsPayload;
  }, (p) => jsonBytes(p) <= TEAMS_MAX_BODY_BYTES);
}

/** Lines grouped into section texts of at most SLACK_MAX_SECTION_CHARS. */
function slackSections(lines: string[]): string[] {
  const out: string[] = [];
  let current = '';
  for (const l of lines) {
    if (current && current.length + 1 + l.length > SLACK_MAX_SECTION_CHARS) {
      out.push(current);
      current = '';
    }
    current = current ? `${current}\n${l}` : l;
  }
  if (current) out.push(current);
  return out;
}

export function isDigest(message: Message): message is DigestMessage {
  return message.digest !== undefined;
}
