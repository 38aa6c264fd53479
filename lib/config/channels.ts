import * as z from 'zod';
import { CHANGE_KINDS, type ChangeKind, ProducedKind, SEVERITIES, Severity } from '../alerting/change';
import { type Forms, describeIssue, describeValueIssue } from './issues';
import { isClockTime, isHttpUrl, variable } from './env-value';
import { QUIET_HOURS_FORMS, type QuietHours, QuietHoursEntry, toQuietHours } from './quiet-hours';
import { sha256Hex } from '../store/hash';
import { Secret } from '../secret';

// The chat channels (DESIGN.md §3): WEBHOOKS, and the WEBHOOK_URL/TYPE/SECRET shorthand for one more.

export const CHANNEL_TYPES = ['generic', 'feishu', 'dingtalk', 'wecom', 'slack', 'teams'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface ChannelConfig {
  /** Stable, secret-free identity used in the outbox: type and name, else a hash of type and URL. */
  key: string;
  /** Human name for logs and reports; never the URL. */
  name: string;
  type: ChannelType;
  url: Secret;
  secret: Secret | undefined;
  events: ChangeKind[] | undefined;
  min_severity: Severity | undefined;
  mention: string[] | undefined;
  /** `HH:MM` in NOTIFY_TIMEZONE: the daily digest's time (DESIGN.md §12), or undefined for none. */
  digest?: string | undefined;
  /** Quiet hours (DESIGN.md §11), null for none; parseConfig always sets it. */
  quietHours?: QuietHours | null;
}

const ChannelEntry = z.strictObject({
  type: z.enum(CHANNEL_TYPES),
  url: z.string().refine(isHttpUrl, 'is not an http(s) URL'),
  secret: z.string().min(1).optional(),
  name: z.string().trim().min(1).optional(),
  events: z.array(ProducedKind).optional(),
  min_severity: Severity.optional(),
  mention: z.array(z.string().min(1)).optional(),
  digest: z.string().refine(isClockTime, 'is not a time from 00:00 to 23:59').optional(),
  quiet_hours: QuietHoursEntry.optional(),
});
type ChannelEntry = z.infer<typeof ChannelEntry>;
/** A valid channel and its number (1-based; the shorthand after WEBHOOKS). */
export type NumberedEntry = { e: ChannelEntry; n: number };

export const KINDS = `(${CHANGE_KINDS.join(', ')})`;
// quiet_hours has forms of its own (QUIET_HOURS_FORMS); the entry's form stays as the existing messages print it.
const FIELDS = '{"type","url","secret"?,"name"?,"events"?,"min_severity"?,"mention"?,"digest"?}';
const CHANNEL_FORMS: Forms = {
  '': `expected a JSON array of ${FIELDS}`,
  '[]': `expected ${FIELDS}`,
  type: `expected one of ${CHANNEL_TYPES.join(', ')}`,
  url: 'expected an http(s) URL',
  secret: 'expected a non-empty string',
  name: 'expected a non-empty string',
  events: `expected an array of change kinds ${KINDS}`,
  'events[]': `expected one of ${CHANGE_KINDS.join(', ')}`,
  min_severity: `expected one of ${SEVERITIES.join(', ')}`,
  mention: 'expected an array of non-empty strings (user ids, mobile numbers or "all")',
  'mention[]': 'expected a non-empty string',
  digest: 'expected the daily digest\'s local time (NOTIFY_TIMEZONE) as "HH:MM", from 00:00 to 23:59, such as "09:00"',
  ...QUIET_HOURS_FORMS,
};

/** WEBHOOKS: its valid channels, each bad one reported on its own. Never quotes the input: it holds secrets. */
export const webhooksVariable = () =>
  variable((raw, problem) => {
    const list = webhookList(raw, problem);
    const entries: NumberedEntry[] = [];
    list.forEach((entry, i) => {
      const parsed = ChannelEntry.safeParse(entry, { reportInput: true });
      if (parsed.success) entries.push({ e: parsed.data, n: i + 1 });
      else for (const issue of parsed.error.issues) problem(describeIssue('WEBHOOKS', { ...issue, path: [i, ...issue.path] }, CHANNEL_FORMS));
    });
    return { entries, count: list.length };
  });

function webhookList(raw: string | undefined, problem: (message: string) => void): unknown[] {
  if (!raw) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    problem(`WEBHOOKS is not valid JSON: ${CHANNEL_FORMS['']}`);
    return [];
  }
  if (Array.isArray(json)) return json;
  problem(describeIssue('WEBHOOKS', { code: 'invalid_type', expected: 'array', input: json, path: [], message: '' }, CHANNEL_FORMS));
  return [];
}

/** The WEBHOOK_URL/TYPE/SECRET channel, numbered after WEBHOOKS' `count` entries; null when there is none or it is bad. */
export function shorthandEntry(s: { url?: string; type?: string; secret?: string }, count: number, problem: (message: string) => void): NumberedEntry | null {
  if (!s.url) {
    if (s.secret || s.type) problem("WEBHOOK_URL is required when WEBHOOK_TYPE or WEBHOOK_SECRET is set: expected the channel's http(s) URL");
    return null;
  }
  const one = ChannelEntry.safeParse({ type: s.type ?? 'generic', url: s.url, secret: s.secret }, { reportInput: true });
  if (one.success) return { e: one.data, n: count + 1 };
  for (const issue of one.error.issues) problem(describeValueIssue(shorthandVariable(issue.path[0]), issue, CHANNEL_FORMS[String(issue.path[0])]));
  return null;
}

function shorthandVariable(field: PropertyKey | undefined): string {
  return field === 'type' ? 'WEBHOOK_TYPE' : field === 'secret' ? 'WEBHOOK_SECRET' : 'WEBHOOK_URL';
}

/** A named channel keeps its pending messages when its URL is rotated. */
const channelKey = (e: ChannelEntry) => (e.name ? `${e.type}:${e.name}` : `${e.type}-${sha256Hex(`${e.type}\n${e.url}`).slice(0, 12)}`);

/** Two channels never share an outbox key. */
export function duplicateChannels(entries: NumberedEntry[], problem: (message: string) => void): void {
  const seen = new Map<string, number>();
  for (const { e, n } of entries) {
    const first = seen.get(channelKey(e));
    if (first !== undefined) problem(`WEBHOOKS: channel ${n} is the same channel as channel ${first} (same type and name, or same URL): give it another "name"`);
    else seen.set(channelKey(e), n);
  }
}

export function toChannel({ e, n }: NumberedEntry, notifyTimeZone: string): ChannelConfig {
  return {
    key: channelKey(e),
    name: e.name ?? `${e.type}#${n}`,
    type: e.type,
    url: new Secret(e.url),
    secret: e.secret === undefined ? undefined : new Secret(e.secret),
    events: e.events,
    min_severity: e.min_severity,
    mention: e.mention,
    digest: e.digest,
    quietHours: e.quiet_hours ? toQuietHours(e.quiet_hours, notifyTimeZone) : null,
  };
}
