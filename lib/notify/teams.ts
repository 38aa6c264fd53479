import type { Severity } from '../alerting/change';
import type { ChannelConfig } from '../config/config';
import { buildTeamsDigest, isDigest } from './digest-chat';
import { type ChatDeps, classifyStatusAnswer, createChatNotifier } from './chat';
import { type PartPosition, jsonBytes, renderParts } from './chunk';
import type { ChatTexts } from './i18n';
import { escapeTeams } from './markup';
import { type ChatBuildOptions, type ChatLine, type ChatSummary, type RenderOptions, footerText, omittedText, summarize } from './summary';
import type { HttpAnswer, Message, Notifier, Outcome } from './types';

/**
 * Teams Workflows webhook ("when a Teams webhook request is received"): an Adaptive Card 1.4 in a
 * message attachment. Microsoft documents about 28 KB per message; users of the older connectors
 * measured less (≈21 KB), so parts are kept under 20,000 bytes.
 */
export const TEAMS_MAX_BODY_BYTES = 20_000;
/** More than 4 requests a second are throttled. */
const TEAMS_MIN_INTERVAL_MS = 250;

const COLOR: Record<Severity, string> = { critical: 'Attention', warning: 'Warning', resolved: 'Good', info: 'Accent' };

export interface TeamsPayload {
  type: 'message';
  attachments: {
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
      type: 'AdaptiveCard';
      version: '1.4';
      msteams: { width: 'Full' };
      body: Record<string, unknown>[];
    };
  }[];
}

/** The Adaptive Card messages for a message (pure). Workflows webhooks have no mentions here. */
export function buildTeamsPayloads(message: Message, opts: ChatBuildOptions): TeamsPayload[] {
  const s = summarize(message, opts, escapeTeams);
  return renderParts(
    s.lines,
    (lines, omitted, position) => payload(s, lines, omitted, position),
    (p) => jsonBytes(p) <= TEAMS_MAX_BODY_BYTES,
  );
}

/** 200 or 202 is accepted; 429 (Retry-After) and 5xx are retried; 413 (too large) and other 4xx are permanent. */
export function classifyTeams(answer: HttpAnswer): Outcome {
  return classifyStatusAnswer(answer);
}

/** No signing: the `sig` in the URL is the secret. */
export function createTeamsNotifier(channel: ChannelConfig, deps: ChatDeps & { render: RenderOptions }): Notifier {
  const opts: ChatBuildOptions = { ...deps.render };
  return createChatNotifier(channel, deps, {
    payloads: (message) => (isDigest(message) ? buildTeamsDigest(message, deps.render) : buildTeamsPayloads(message, opts)),
    request: (p) => ({ url: channel.url.reveal(), body: JSON.stringify(p) }),
    classify: classifyTeams,
    minIntervalMs: TEAMS_MIN_INTERVAL_MS,
  });
}

function payload(s: ChatSummary, lines: readonly ChatLine[], omitted: readonly ChatLine[], position: PartPosition): TeamsPayload {
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: `${s.lines[0]?.marker ?? ''} ${s.titleMarkup}`.trim(), size: 'Medium', weight: 'Bolder', color: COLOR[s.worst], wrap: true },
    { type: 'TextBlock', text: footerText(s, position), isSubtle: true, spacing: 'None', wrap: true },
    ...lines.map((l) => ({ type: 'TextBlock', text: teamsLine(l, s.texts), spacing: 'Small', wrap: true })),
  ];
  if (omitted.length > 0) body.push({ type: 'TextBlock', text: omittedText(s, omitted), isSubtle: true, wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
        },
      },
    ],
  };
}

/** TextBlock markdown: the subject in bold; the values in the line were escaped by `summarize` (markup.ts). */
function teamsLine(l: ChatLine, t: ChatTexts): string {
  return `${l.marker} **${l.subject}**${t.colon}${l.summary}${l.types ? ` · ${l.types}` : ''}`;
}
