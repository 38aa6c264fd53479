import * as z from 'zod';
import { CHANGE_KINDS, type ChangeKind, ProducedKind, SEVERITIES, Severity } from '../alerting/change';
import { parseInstances, regionProblems } from './instances';
import { type Forms, describeIssue, describeValueIssue, isWordLike } from './issues';
import { readBool, readChoice, readDuration, readInteger } from './env-value';
import { obsEndpoint as regionObsEndpoint } from '../source/dms-region';
import { ConfigError } from '../errors';
import { sha256Hex } from '../store/hash';
import { LOG_LEVELS, type LogLevel } from '../log';
import { Secret } from '../secret';

export const CHANNEL_TYPES = ['generic', 'feishu', 'dingtalk', 'wecom', 'slack', 'teams'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export const NOTIFY_LANGS = ['en', 'zh'] as const;
export type NotifyLang = (typeof NOTIFY_LANGS)[number];

export interface InstanceTarget {
  instance_id: string;
  name: string | null;
  region: string;
  project_id: string;
  /** The glob of the discover entry that found it (DESIGN.md §9); absent for a configured id. */
  discovered_by?: string;
}

/** A discover entry (DESIGN.md §9): the Smart Connect instances of a project whose name matches `glob`. */
export interface DiscoverTarget {
  glob: string;
  region: string;
  project_id: string;
}

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
}

export interface Config {
  /** The configured ids; discovered instances are added to these at each run. */
  instances: InstanceTarget[];
  discover: DiscoverTarget[];
  dmsEndpoint: string | undefined;
  obs: { bucket: string; prefix: string; endpoint: string };
  channels: ChannelConfig[];
  notifyOn: ChangeKind[];
  notifyFirstRun: boolean;
  /** How chat messages render: language and the time zone of times. */
  notify: { lang: NotifyLang; timezone: string };
  outboxMaxAgeMs: number;
  /** The run's time budget when the runtime context gives none (outside FunctionGraph). */
  runTimeoutMs: number;
  concurrency: number;
  logLevel: LogLevel;
}

export type Env = Record<string, string | undefined>;

const ChannelEntry = z.strictObject({
  type: z.enum(CHANNEL_TYPES),
  url: z.string().refine(isHttpUrl, 'is not an http(s) URL'),
  secret: z.string().min(1).optional(),
  name: z.string().trim().min(1).optional(),
  events: z.array(ProducedKind).optional(),
  min_severity: Severity.optional(),
  mention: z.array(z.string().min(1)).optional(),
  digest: z.string().refine(isClockTime, 'is not a time from 00:00 to 23:59').optional(),
});
type ChannelEntry = z.infer<typeof ChannelEntry>;

const KINDS = `(${CHANGE_KINDS.join(', ')})`;
const CHANNEL_FORMS: Forms = {
  '': 'expected a JSON array of {"type","url","secret"?,"name"?,"events"?,"min_severity"?,"mention"?,"digest"?}',
  '[]': 'expected {"type","url","secret"?,"name"?,"events"?,"min_severity"?,"mention"?,"digest"?}',
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
};

/** Parses DESIGN.md §3 variables. Throws one ConfigError listing every problem; never echoes a value of a secret. */
export function parseConfig(env: Env, fallback: { projectId?: string | undefined } = {}): Config {
  const problems: string[] = [];
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };

  const region = get('WATCH_REGION');
  const projectId = get('WATCH_PROJECT_ID') ?? fallback.projectId ?? get('RUNTIME_PROJECT_ID');
  const { entries, discover: discoverEntries, seen } = parseInstances(get('WATCH_INSTANCES'), problems);
  if (seen.some((e) => !e.region) && !region) {
    problems.push('WATCH_REGION is required unless every instance in WATCH_INSTANCES names its region: expected a region such as cn-north-4');
  }
  const dmsEndpoint = get('DMS_ENDPOINT');
  if (!dmsEndpoint) problems.push(...regionProblems(region, seen));
  if (seen.some((e) => !e.project_id) && !projectId) {
    problems.push("WATCH_PROJECT_ID is required: the runtime gave no project id; expected the instances' project id");
  }
  const instances = entries.map((e) => ({
    instance_id: e.instance_id,
    name: e.name ?? null,
    region: e.region ?? region ?? '',
    project_id: e.project_id ?? projectId ?? '',
  }));
  const discover = discoverEntries.map((e) => ({ glob: e.discover, region: e.region ?? region ?? '', project_id: e.project_id ?? projectId ?? '' }));

  const bucket = get('OBS_BUCKET');
  if (!bucket) problems.push('OBS_BUCKET is required: expected the name of the bucket for state and history');
  const prefix = env.OBS_PREFIX === undefined ? 'smart-connect-watch/' : normalisePrefix(env.OBS_PREFIX.trim());
  const obsRegion = region ?? [...instances, ...discover].find((i) => i.region)?.region;
  const obsEndpoint = get('OBS_ENDPOINT') ?? (obsRegion ? regionObsEndpoint(obsRegion) : undefined);
  if (get('OBS_ENDPOINT') && !isHttpUrl(get('OBS_ENDPOINT')!)) problems.push('OBS_ENDPOINT must be an http(s) URL, such as https://obs.cn-north-4.myhuaweicloud.com');
  if (dmsEndpoint && !isHttpUrl(dmsEndpoint)) problems.push('DMS_ENDPOINT must be an http(s) URL, such as https://dms.cn-north-4.myhuaweicloud.com');

  const channels = parseChannels(get, problems);
  const notifyOn = parseKinds(get('NOTIFY_ON'), problems);
  const notifyFirstRun = readBool('NOTIFY_FIRST_RUN', get('NOTIFY_FIRST_RUN'), false, problems);
  const lang = readChoice('NOTIFY_LANG', get('NOTIFY_LANG'), NOTIFY_LANGS, 'en', problems);
  const timezone = get('NOTIFY_TIMEZONE') ?? 'UTC';
  // Intl's time zone data takes ~15 ms to load: not for the default.
  if (timezone !== 'UTC' && !isTimeZone(timezone)) problems.push('NOTIFY_TIMEZONE must be an IANA time zone such as UTC or Asia/Shanghai');
  const outboxMaxAgeMs = readDuration('OUTBOX_MAX_AGE', get('OUTBOX_MAX_AGE'), { dflt: '7d', minMs: 1, form: 'a duration such as 7d, 12h or 30m' }, problems);
  const runTimeoutMs = readDuration('RUN_TIMEOUT', get('RUN_TIMEOUT'), { dflt: '120s', minMs: 10_000, form: 'a duration of at least 10s, such as 120s or 5m' }, problems);
  const concurrency = readInteger('CONCURRENCY', get('CONCURRENCY'), { dflt: 8, min: 1, max: 64, example: 8 }, problems);
  const logLevel = readChoice('LOG_LEVEL', get('LOG_LEVEL'), LOG_LEVELS, 'info', problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    instances,
    discover,
    dmsEndpoint,
    obs: { bucket: bucket!, prefix, endpoint: obsEndpoint! },
    channels,
    notifyOn,
    notifyFirstRun,
    notify: { lang, timezone },
    outboxMaxAgeMs,
    runTimeoutMs,
    concurrency,
    logLevel,
  };
}

function parseChannels(get: (n: string) => string | undefined, problems: string[]): ChannelConfig[] {
  // Each entry with its position (1-based; the shorthand after WEBHOOKS): a bad entry hides no other problem.
  const entries: { e: ChannelEntry; n: number }[] = [];
  const list = webhookEntries(get('WEBHOOKS'), problems);
  list.forEach((entry, i) => {
    const parsed = ChannelEntry.safeParse(entry, { reportInput: true });
    if (parsed.success) entries.push({ e: parsed.data, n: i + 1 });
    else problems.push(...parsed.error.issues.map((issue) => describeIssue('WEBHOOKS', { ...issue, path: [i, ...issue.path] }, CHANNEL_FORMS)));
  });
  const url = get('WEBHOOK_URL');
  if (url) {
    const one = ChannelEntry.safeParse({ type: get('WEBHOOK_TYPE') ?? 'generic', url, secret: get('WEBHOOK_SECRET') }, { reportInput: true });
    if (one.success) entries.push({ e: one.data, n: list.length + 1 });
    else for (const issue of one.error.issues) problems.push(describeValueIssue(shorthandVariable(issue.path[0]), issue, CHANNEL_FORMS[String(issue.path[0])]));
  } else if (get('WEBHOOK_SECRET') || get('WEBHOOK_TYPE')) {
    problems.push("WEBHOOK_URL is required when WEBHOOK_TYPE or WEBHOOK_SECRET is set: expected the channel's http(s) URL");
  }
  const channels = entries.map(({ e, n }) => ({
    // A named channel keeps its pending messages when its URL is rotated.
    key: e.name ? `${e.type}:${e.name}` : `${e.type}-${sha256Hex(`${e.type}\n${e.url}`).slice(0, 12)}`,
    name: e.name ?? `${e.type}#${n}`,
    type: e.type,
    url: new Secret(e.url),
    secret: e.secret === undefined ? undefined : new Secret(e.secret),
    events: e.events,
    min_severity: e.min_severity,
    mention: e.mention,
    digest: e.digest,
  }));
  const seen = new Map<string, number>();
  channels.forEach((c, i) => {
    const n = entries[i]!.n;
    const first = seen.get(c.key);
    if (first !== undefined) problems.push(`WEBHOOKS: channel ${n} is the same channel as channel ${first} (same type and name, or same URL): give it another "name"`);
    else seen.set(c.key, n);
  });
  return channels;
}

/** WEBHOOKS as a list of entries to check one by one. Never quotes the input: it holds secrets. */
function webhookEntries(raw: string | undefined, problems: string[]): unknown[] {
  if (!raw) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    problems.push(`WEBHOOKS is not valid JSON: ${CHANNEL_FORMS['']}`);
    return [];
  }
  if (Array.isArray(json)) return json;
  problems.push(describeIssue('WEBHOOKS', { code: 'invalid_type', expected: 'array', input: json, path: [], message: '' }, CHANNEL_FORMS));
  return [];
}

function shorthandVariable(field: PropertyKey | undefined): string {
  return field === 'type' ? 'WEBHOOK_TYPE' : field === 'secret' ? 'WEBHOOK_SECRET' : 'WEBHOOK_URL';
}

function parseKinds(raw: string | undefined, problems: string[]): ChangeKind[] {
  if (!raw) return [...CHANGE_KINDS];
  const kinds = raw.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(CHANGE_KINDS as readonly string[]).includes(k));
  const form = `expected comma-separated change kinds ${KINDS}`;
  if (kinds.length === 0) problems.push(`NOTIFY_ON lists no kind: ${form}`);
  // Quoting a word that looks like a kind tells which to fix; anything else may be a pasted secret.
  else if (unknown.length > 0) problems.push(`NOTIFY_ON has unknown kinds (${unknown.map((k) => (isWordLike(k) ? k : 'another value')).join(', ')}): ${form}`);
  return kinds.filter((k): k is ChangeKind => (CHANGE_KINDS as readonly string[]).includes(k));
}

/** No leading slash, a trailing one unless empty. */
export function normalisePrefix(p: string): string {
  const trimmed = p.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** `HH:MM`, 00:00 to 23:59. */
export function isClockTime(s: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(s);
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
