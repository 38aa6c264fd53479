// What each chat platform accepts as a webhook body (PLATFORM-NOTES.md): its shape and its size limits.
export const CHAT_PLATFORMS = ['feishu', 'dingtalk', 'wecom', 'slack', 'teams'] as const;
export type ChatPlatformName = (typeof CHAT_PLATFORMS)[number];

/** Body limits, as each platform states them (Teams: 28 KB): bytes of the body, or of the content (WeCom); blocks and characters (Slack). */
export const CHAT_LIMITS = { feishu: 20_000, dingtalk: 20_000, wecomMarkdown: 4096, wecomText: 2048, slackBlocks: 50, slackSection: 3000, slackHeader: 150, teams: 28 * 1024 } as const;

/** Over the platform's limit: the platform refuses it. */
export function tooLarge(platform: ChatPlatformName, body: string, json: unknown): boolean {
  const bytes = Buffer.byteLength(body, 'utf8');
  const j = json as Record<string, Record<string, unknown> | undefined>;
  switch (platform) {
    case 'feishu': return bytes > CHAT_LIMITS.feishu;
    case 'dingtalk': return bytes > CHAT_LIMITS.dingtalk;
    case 'wecom': {
      const content = j.markdown?.content ?? j.text?.content;
      const limit = j.markdown ? CHAT_LIMITS.wecomMarkdown : CHAT_LIMITS.wecomText;
      return typeof content === 'string' && Buffer.byteLength(content, 'utf8') > limit;
    }
    case 'slack': {
      const blocks = (j as { blocks?: { type?: string; text?: { text?: string } }[] }).blocks ?? [];
      return blocks.length > CHAT_LIMITS.slackBlocks || blocks.some((b) => (b.text?.text?.length ?? 0) > (b.type === 'header' ? CHAT_LIMITS.slackHeader : CHAT_LIMITS.slackSection));
    }
    case 'teams': return bytes > CHAT_LIMITS.teams;
  }
}

/** The platform's documented body shape for the message types we send. */
export function wellFormed(platform: ChatPlatformName, json: unknown): boolean {
  // Probing an untyped body.
  const j = json as Record<string, any>;
  const isStr = (v: unknown) => typeof v === 'string' && v.length > 0;
  switch (platform) {
    case 'feishu': return j.msg_type === 'interactive' ? Array.isArray(j.card?.elements) && isStr(j.card?.header?.title?.content) : j.msg_type === 'text' && isStr(j.content?.text);
    case 'dingtalk': return j.msgtype === 'markdown' ? isStr(j.markdown?.title) && isStr(j.markdown?.text) : j.msgtype === 'text' && isStr(j.text?.content);
    case 'wecom': return j.msgtype === 'markdown' ? isStr(j.markdown?.content) : j.msgtype === 'text' && isStr(j.text?.content);
    case 'slack': return isStr(j.text) || (Array.isArray(j.blocks) && j.blocks.length > 0);
    case 'teams': {
      const a = j.type === 'message' && Array.isArray(j.attachments) ? j.attachments[0] : undefined;
      return a?.contentType === 'application/vnd.microsoft.card.adaptive' && a.content?.type === 'AdaptiveCard' && isStr(a.content?.version) && Array.isArray(a.content?.body);
    }
  }
}

