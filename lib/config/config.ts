import * as z from 'zod';
import { CHANGE_KINDS, type ChangeKind } from '../alerting/change';
import { type ParsedInstances, parseInstances, regionProblems } from './instances';
import { isWordLike } from './issues';
import { bool, choice, duration, durationOrOff, httpUrl, integer, isTimeZone, text, variable } from './env-value';
import { type ChannelConfig, KINDS, type NumberedEntry, duplicateChannels, shorthandEntry, toChannel, webhooksVariable } from './channels';
import { obsLocation, obsVariables } from './obs-env';
import { ConfigError } from '../errors';
import { LOG_LEVELS, type LogLevel } from '../log';

export { CHANNEL_TYPES, type ChannelConfig, type ChannelType } from './channels';
export { isClockTime, isHttpUrl } from './env-value';
export { normalisePrefix } from './obs-env';
export type { QuietHours } from './quiet-hours';

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
  /** The alert lifecycle (DESIGN.md §10): reminders (null: off), pending, flapping (threshold 0: off). */
  remindEveryMs: number | null;
  notifyAfterMs: number;
  flapThreshold: number;
  flapWindowMs: number;
}

export type Env = Record<string, string | undefined>;

/**
 * FunctionGraph's shortest timer period. A run detects at most one status change per task, so
 * FLAP_THRESHOLD changes need at least FLAP_THRESHOLD − 1 periods between the first and the last.
 */
export const MIN_TIMER_PERIOD_MS = 60_000;

const notifyOn = variable((raw, problem): ChangeKind[] => {
  if (!raw) return [...CHANGE_KINDS];
  const kinds = raw.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(CHANGE_KINDS as readonly string[]).includes(k));
  const form = `expected comma-separated change kinds ${KINDS}`;
  if (kinds.length === 0) problem(`NOTIFY_ON lists no kind: ${form}`);
  // Quoting a word that looks like a kind tells which to fix; anything else may be a pasted secret.
  else if (unknown.length > 0) problem(`NOTIFY_ON has unknown kinds (${unknown.map((k) => (isWordLike(k) ? k : 'another value')).join(', ')}): ${form}`);
  return kinds.filter((k): k is ChangeKind => (CHANGE_KINDS as readonly string[]).includes(k));
});

/** DESIGN.md §3, one field per variable, in the order their problems are listed. */
const WatchEnv = z.object({
  WATCH_INSTANCES: variable((raw, problem) => {
    const problems: string[] = [];
    const parsed = parseInstances(raw, problems);
    problems.forEach(problem);
    return parsed;
  }),
  WATCH_REGION: text(),
  /** Already WATCH_PROJECT_ID, else the runtime's project (parseConfig's fallback, RUNTIME_PROJECT_ID). */
  WATCH_PROJECT_ID: text(),
  ...obsVariables(': expected the name of the bucket for state and history'),
  DMS_ENDPOINT: httpUrl('DMS_ENDPOINT must be an http(s) URL, such as https://dms.cn-north-4.myhuaweicloud.com'),
  WEBHOOKS: webhooksVariable(),
  WEBHOOK_URL: text(),
  WEBHOOK_TYPE: text(),
  WEBHOOK_SECRET: text(),
  NOTIFY_ON: notifyOn,
  NOTIFY_FIRST_RUN: bool('NOTIFY_FIRST_RUN', false),
  NOTIFY_LANG: choice('NOTIFY_LANG', NOTIFY_LANGS, 'en'),
  NOTIFY_TIMEZONE: variable((raw, problem) => {
    if (raw !== undefined && !isTimeZone(raw)) problem('NOTIFY_TIMEZONE must be an IANA time zone such as UTC or Asia/Shanghai');
    return raw ?? 'UTC';
  }),
  OUTBOX_MAX_AGE: duration('OUTBOX_MAX_AGE', { dflt: '7d', minMs: 1, form: 'a duration such as 7d, 12h or 30m' }),
  RUN_TIMEOUT: duration('RUN_TIMEOUT', { dflt: '120s', minMs: 10_000, form: 'a duration of at least 10s, such as 120s or 5m' }),
  CONCURRENCY: integer('CONCURRENCY', { dflt: 8, min: 1, max: 64, example: 8 }),
  LOG_LEVEL: choice('LOG_LEVEL', LOG_LEVELS, 'info'),
  REMIND_EVERY: durationOrOff('REMIND_EVERY', { dflt: '4h', minMs: 1, form: 'a duration such as 4h, 30m or 1d, or off' }),
  NOTIFY_AFTER: duration('NOTIFY_AFTER', { dflt: '0s', minMs: 0, form: 'a duration such as 0s, 5m or 1h' }),
  FLAP_THRESHOLD: integer('FLAP_THRESHOLD', { dflt: 4, min: 0, max: 100, example: 4, refuse: [1], form: '0 (off) or a decimal integer from 2 to 100, such as 4' }),
  FLAP_WINDOW: duration('FLAP_WINDOW', { dflt: '1h', minMs: 1, form: 'a duration such as 1h or 30m' }),
});
type WatchEnv = z.output<typeof WatchEnv>;
const ORDER = Object.keys(WatchEnv.shape);

/** The checks that span variables; their problems are listed with the first variable they name. */
function crossChecks(e: WatchEnv, ctx: z.RefinementCtx): void {
  const at = (variable: keyof WatchEnv) => (message: string) => ctx.addIssue({ code: 'custom', message, path: [variable], input: undefined });
  const seen = e.WATCH_INSTANCES.seen;
  if (seen.some((i) => !i.region) && !e.WATCH_REGION) {
    at('WATCH_REGION')('WATCH_REGION is required unless every instance in WATCH_INSTANCES names its region: expected a region such as cn-north-4');
  }
  if (!e.DMS_ENDPOINT) regionProblems(e.WATCH_REGION, seen).forEach(at('WATCH_REGION'));
  if (seen.some((i) => !i.project_id) && !e.WATCH_PROJECT_ID) {
    at('WATCH_PROJECT_ID')("WATCH_PROJECT_ID is required: the runtime gave no project id; expected the instances' project id");
  }
  duplicateChannels(channelEntries(e, at('WEBHOOKS')), at('WEBHOOKS'));
  const needMs = (e.FLAP_THRESHOLD - 1) * MIN_TIMER_PERIOD_MS;
  // Temporary (schedule helper replaces this): a window under a minute (tests, demos) is not checked.
  if (e.FLAP_THRESHOLD >= 2 && e.FLAP_WINDOW < needMs && e.FLAP_WINDOW >= MIN_TIMER_PERIOD_MS) {
    at('FLAP_WINDOW')(
      `FLAP_WINDOW is shorter than FLAP_THRESHOLD=${e.FLAP_THRESHOLD} status changes can fill: expected at least ${needMs / MIN_TIMER_PERIOD_MS}m ` +
        '(a run detects at most one status change per task, and a FunctionGraph timer runs at most once a minute), or FLAP_THRESHOLD=0 to turn flapping off',
    );
  }
}

function channelEntries(e: WatchEnv, problem: (message: string) => void): NumberedEntry[] {
  const one = shorthandEntry({ url: e.WEBHOOK_URL, type: e.WEBHOOK_TYPE, secret: e.WEBHOOK_SECRET }, e.WEBHOOKS.count, problem);
  return one ? [...e.WEBHOOKS.entries, one] : e.WEBHOOKS.entries;
}

function toConfig(e: WatchEnv): Config {
  const { entries, discover } = e.WATCH_INSTANCES satisfies ParsedInstances;
  const instances = entries.map((i) => ({
    instance_id: i.instance_id,
    name: i.name ?? null,
    region: i.region ?? e.WATCH_REGION ?? '',
    project_id: i.project_id ?? e.WATCH_PROJECT_ID ?? '',
  }));
  const globs = discover.map((d) => ({ glob: d.discover, region: d.region ?? e.WATCH_REGION ?? '', project_id: d.project_id ?? e.WATCH_PROJECT_ID ?? '' }));
  return {
    instances,
    discover: globs,
    dmsEndpoint: e.DMS_ENDPOINT,
    obs: obsLocation(e, e.WATCH_REGION ?? [...instances, ...globs].find((i) => i.region)?.region),
    // The shorthand is read again here: crossChecks reported its problems, and there were none.
    channels: channelEntries(e, () => {}).map((c) => toChannel(c, e.NOTIFY_TIMEZONE)),
    notifyOn: e.NOTIFY_ON,
    notifyFirstRun: e.NOTIFY_FIRST_RUN,
    notify: { lang: e.NOTIFY_LANG, timezone: e.NOTIFY_TIMEZONE },
    outboxMaxAgeMs: e.OUTBOX_MAX_AGE,
    runTimeoutMs: e.RUN_TIMEOUT,
    concurrency: e.CONCURRENCY,
    logLevel: e.LOG_LEVEL,
    remindEveryMs: e.REMIND_EVERY,
    notifyAfterMs: e.NOTIFY_AFTER,
    flapThreshold: e.FLAP_THRESHOLD,
    flapWindowMs: e.FLAP_WINDOW,
  };
}

const ConfigFromEnv = WatchEnv.superRefine(crossChecks, { when: () => true }).transform(toConfig);

/** Parses DESIGN.md §3 variables. Throws one ConfigError listing every problem; never echoes a value of a secret. */
export function parseConfig(env: Env, fallback: { projectId?: string | undefined } = {}): Config {
  const project = [env.WATCH_PROJECT_ID, fallback.projectId, env.RUNTIME_PROJECT_ID].find((p) => p !== undefined && p.trim() !== '');
  const parsed = ConfigFromEnv.safeParse({ ...env, WATCH_PROJECT_ID: project });
  if (parsed.success) return parsed.data;
  const rank = (issue: z.core.$ZodIssue) => ORDER.indexOf(String(issue.path[0]));
  throw new ConfigError([...parsed.error.issues].sort((a, b) => rank(a) - rank(b)).map((i) => i.message));
}
