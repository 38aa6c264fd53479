import * as z from 'zod';
import { CHANGE_KINDS, ChangeKind, Severity } from './change';
import { parseDuration } from './duration';
import { ConfigError } from './errors';
import { sha256Hex } from './hash';
import { LOG_LEVELS, type LogLevel } from './log';
import { Secret } from './secret';

export const CHANNEL_TYPES = ['generic', 'feishu', 'dingtalk', 'wecom', 'slack', 'teams'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export const NOTIFY_LANGS = ['en', 'zh'] as const;
export type NotifyLang = (typeof NOTIFY_LANGS)[number];

export interface InstanceTarget {
  instance_id: string;
  name: string | null;
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
}

export interface Config {
  instances: InstanceTarget[];
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

const InstanceEntry = z.strictObject({
  instance_id: z.string().trim().min(1),
  name: z.string().trim().min(1).optional(),
  region: z.string().trim().min(1).optional(),
  project_id: z.string().trim().min(1).optional(),
});

const ChannelEntry = z.strictObject({
  type: z.enum(CHANNEL_TYPES),
  url: z.string().refine(isHttpUrl, 'must be an http(s) URL'),
  secret: z.string().min(1).optional(),
  name: z.string().trim().min(1).optional(),
  events: z.array(ChangeKind).optional(),
  min_severity: Severity.optional(),
  mention: z.array(z.string().min(1)).optional(),
});
type ChannelEntry = z.infer<typeof ChannelEntry>;

/** Parses DESIGN.md §3 variables. Throws one ConfigError listing every problem; never echoes a value of a secret. */
export function parseConfig(env: Env, fallback: { projectId?: string | undefined } = {}): Config {
  const problems: string[] = [];
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };

  const region = get('WATCH_REGION');
  const projectId = get('WATCH_PROJECT_ID') ?? fallback.projectId ?? get('RUNTIME_PROJECT_ID');
  const entries = parseInstances(get('WATCH_INSTANCES'), problems);
  if (entries.some((e) => !e.region) && !region) {
    problems.push('WATCH_REGION is required unless every instance in WATCH_INSTANCES names its region');
  }
  if (entries.some((e) => !e.project_id) && !projectId) {
    problems.push('WATCH_PROJECT_ID is required: the runtime gave no project id');
  }
  const instances = entries.map((e) => ({
    instance_id: e.instance_id,
    name: e.name ?? null,
    region: e.region ?? region ?? '',
    project_id: e.project_id ?? projectId ?? '',
  }));

  const bucket = get('OBS_BUCKET');
  if (!bucket) problems.push('OBS_BUCKET is required');
  const prefix = env.OBS_PREFIX === undefined ? 'smart-connect-watch/' : normalisePrefix(env.OBS_PREFIX.trim());
  const obsRegion = region ?? instances.find((i) => i.region)?.region;
  const obsEndpoint = get('OBS_ENDPOINT') ?? (obsRegion ? `https://obs.${obsRegion}.myhuaweicloud.com` : undefined);
  if (get('OBS_ENDPOINT') && !isHttpUrl(get('OBS_ENDPOINT')!)) problems.push('OBS_ENDPOINT must be an http(s) URL');
  const dmsEndpoint = get('DMS_ENDPOINT');
  if (dmsEndpoint && !isHttpUrl(dmsEndpoint)) problems.push('DMS_ENDPOINT must be an http(s) URL');

  const channels = parseChannels(get, problems);
  const notifyOn = parseKinds(get('NOTIFY_ON'), problems);
  const notifyFirstRun = parseBool('NOTIFY_FIRST_RUN', get('NOTIFY_FIRST_RUN'), false, problems);
  const lang = (get('NOTIFY_LANG') ?? 'en').toLowerCase();
  if (!(NOTIFY_LANGS as readonly string[]).includes(lang)) problems.push(`NOTIFY_LANG must be one of ${NOTIFY_LANGS.join(', ')}`);
  const timezone = get('NOTIFY_TIMEZONE') ?? 'UTC';
  // Intl's time zone data takes ~15 ms to load: not for the default.
  if (timezone !== 'UTC' && !isTimeZone(timezone)) problems.push('NOTIFY_TIMEZONE must be an IANA time zone such as UTC or Asia/Shanghai');
  const outboxMaxAgeMs = parseDuration(get('OUTBOX_MAX_AGE') ?? '7d');
  if (outboxMaxAgeMs === undefined || outboxMaxAgeMs <= 0) problems.push('OUTBOX_MAX_AGE must be a duration such as 7d, 12h or 30m');
  const runTimeoutMs = parseDuration(get('RUN_TIMEOUT') ?? '120s');
  if (runTimeoutMs === undefined || runTimeoutMs < 10_000) problems.push('RUN_TIMEOUT must be a duration of at least 10s, such as 120s or 5m');
  const concurrency = Number(get('CONCURRENCY') ?? '8');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) problems.push('CONCURRENCY must be an integer from 1 to 64');
  const logLevel = (get('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    instances,
    dmsEndpoint,
    obs: { bucket: bucket!, prefix, endpoint: obsEndpoint! },
    channels,
    notifyOn,
    notifyFirstRun,
    notify: { lang: lang as NotifyLang, timezone },
    outboxMaxAgeMs: outboxMaxAgeMs!,
    runTimeoutMs: runTimeoutMs!,
    concurrency,
    logLevel: logLevel as LogLevel,
  };
}

function parseInstances(raw: string | undefined, problems: string[]): z.infer<typeof InstanceEntry>[] {
  if (!raw) {
    problems.push('WATCH_INSTANCES is required: instance ids (`id` or `name=id`, comma-separated) or a JSON array');
    return [];
  }
  let entries: unknown;
  if (raw.startsWith('[') || raw.startsWith('{')) {
    entries = parseJson(raw, 'WATCH_INSTANCES', problems);
    if (entries === undefined) return [];
  } else {
    entries = raw.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? { instance_id: part } : { name: part.slice(0, eq).trim(), instance_id: part.slice(eq + 1).trim() };
    });
  }
  const parsed = z.array(InstanceEntry).min(1).safeParse(entries);
  if (!parsed.success) {
    problems.push(...formatIssues('WATCH_INSTANCES', parsed.error));
    return [];
  }
  const seen = new Set<string>();
  for (const e of parsed.data) {
    if (seen.has(e.instance_id)) problems.push(`WATCH_INSTANCES lists instance ${e.instance_id} twice`);
    seen.add(e.instance_id);
  }
  return parsed.data;
}

function parseChannels(get: (n: string) => string | undefined, problems: string[]): ChannelConfig[] {
  const entries: ChannelEntry[] = [];
  const raw = get('WEBHOOKS');
  if (raw) {
    const json = parseJson(raw, 'WEBHOOKS', problems);
    if (json !== undefined) {
      const parsed = z.array(ChannelEntry).safeParse(json);
      if (parsed.success) entries.push(...parsed.data);
      else problems.push(...formatIssues('WEBHOOKS', parsed.error));
    }
  }
  const url = get('WEBHOOK_URL');
  if (url) {
    const one = ChannelEntry.safeParse({ type: get('WEBHOOK_TYPE') ?? 'generic', url, secret: get('WEBHOOK_SECRET') });
    if (one.success) entries.push(one.data);
    else for (const issue of one.error.issues) problems.push(`${shorthandVariable(issue.path[0])} ${issue.message}`);
  } else if (get('WEBHOOK_SECRET') || get('WEBHOOK_TYPE')) {
    problems.push('WEBHOOK_URL is required when WEBHOOK_TYPE or WEBHOOK_SECRET is set');
  }
  const channels = entries.map((e, i) => ({
    // A named channel keeps its pending messages when its URL is rotated.
    key: e.name ? `${e.type}:${e.name}` : `${e.type}-${sha256Hex(`${e.type}\n${e.url}`).slice(0, 12)}`,
    name: e.name ?? `${e.type}#${i + 1}`,
    type: e.type,
    url: new Secret(e.url),
    secret: e.secret === undefined ? undefined : new Secret(e.secret),
    events: e.events,
    min_severity: e.min_severity,
    mention: e.mention,
  }));
  const seen = new Map<string, number>();
  channels.forEach((c, i) => {
    const first = seen.get(c.key);
    if (first !== undefined) problems.push(`WEBHOOKS: channel ${i + 1} is the same channel as channel ${first + 1} (same type and name, or same URL): give it another "name"`);
    else seen.set(c.key, i);
  });
  return channels;
}

function shorthandVariable(field: PropertyKey | undefined): string {
  return field === 'type' ? 'WEBHOOK_TYPE' : field === 'secret' ? 'WEBHOOK_SECRET' : 'WEBHOOK_URL';
}

function parseKinds(raw: string | undefined, problems: string[]): ChangeKind[] {
  if (!raw) return [...CHANGE_KINDS];
  const kinds = raw.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(CHANGE_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0 || kinds.length === 0) {
    problems.push(`NOTIFY_ON has unknown kinds (${unknown.join(', ')}); known: ${CHANGE_KINDS.join(', ')}`);
  }
  return kinds.filter((k): k is ChangeKind => (CHANGE_KINDS as readonly string[]).includes(k));
}

function parseBool(name: string, raw: string | undefined, dflt: boolean, problems: string[]): boolean {
  if (raw === undefined) return dflt;
  const v = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  problems.push(`${name} must be true or false`);
  return dflt;
}

/** Never quotes the input: JSON.parse messages include a slice of it, and WEBHOOKS holds secrets. */
function parseJson(raw: string, name: string, problems: string[]): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    problems.push(`${name} is not valid JSON`);
    return undefined;
  }
}

function formatIssues(name: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${name}${path}: ${issue.message}`;
  });
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

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
