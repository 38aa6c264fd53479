import { type ChannelConfig, type Env, parseConfig } from './config/config';
import { type CredentialContext, resolveCredentials } from './source/credentials';
import { createDmsSource } from './source/dms-source';
import { ConfigError, StoreError, WatchError, describeError } from './errors';
import { oneLineReason, parseHeartbeat, redactHeartbeat, sendHeartbeat } from './alerting/heartbeat';
import { type Logger, createLogger } from './log';
import type { NotifierDeps } from './notify/factory';
import type { Fetch, Notifier } from './notify/types';
import { createObsStore } from './store/obs-store';
import type { RunReport } from './report';
import { runWatch } from './run';
import { DELIVERY_RETRY, DMS_RETRY, OBS_RETRY } from './retry/policies';
import { Redactor } from './secret';
import { timeBudget } from './time-budget';

/** The parts of the FunctionGraph context the watcher uses; every method is optional. */
export interface RuntimeContext extends CredentialContext {
  getRequestID?(): string | undefined;
  getRemainingTimeInMilliSeconds?(): number | undefined;
  getProjectID?(): string | undefined;
}

export interface AppOptions {
  fetch?: Fetch;
  /** Where log lines go (default stdout). */
  write?: (line: string) => void;
}

/**
 * Wires one run from the environment and the runtime context: configuration, credentials, the
 * SDK adapters, the notifiers. Every log line and thrown message is redacted of secrets.
 */
export async function runFromEnvironment(env: Env, context: RuntimeContext | undefined, opts: AppOptions = {}): Promise<RunReport> {
  const redactor = new Redactor();
  const requestId = safeCall(() => context?.getRequestID?.()) ?? undefined;
  let logger: Logger = createLogger({ level: 'info', requestId, redactor, write: opts.write });
  // The heartbeat is parsed first and on its own: a run whose other configuration is invalid still pings its fail URL.
  const heartbeatConfig = parseHeartbeat(env);
  const heartbeat = heartbeatConfig.heartbeat;
  redactHeartbeat(redactor, heartbeat);
  const ping = (outcome: Parameters<typeof sendHeartbeat>[1]) =>
    sendHeartbeat(heartbeat, outcome, {
      fetch: (...args) => (opts.fetch ?? globalThis.fetch)(...args),
      logger,
      remainingMs: positive(safeCall(() => context?.getRemainingTimeInMilliSeconds?.())),
    });
  try {
    const config = withHeartbeatProblems(() => parseConfig(env, { projectId: safeCall(() => context?.getProjectID?.()) }), heartbeatConfig.problems);
    logger = createLogger({ level: config.logLevel, requestId, redactor, write: opts.write });
    for (const c of config.channels) {
      redactor.addUrl(c.url.reveal());
      redactor.add(c.secret);
    }
    const credentials = resolveCredentials(env, context);
    redactor.add(credentials.ak, credentials.sk, credentials.securityToken);

    const now = () => Date.now();
    const startedAt = now();
    const budget = timeBudget(positive(safeCall(() => context?.getRemainingTimeInMilliSeconds?.())) ?? config.runTimeoutMs);
    const time = {
      now,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      deadline: startedAt + budget.deadlineOffsetMs,
    };
    const source = createDmsSource({
      credentials,
      endpoint: config.dmsEndpoint,
      requestTimeoutMs: budget.dmsRequestTimeoutMs,
      retry: DMS_RETRY,
      // Listing stops early enough to leave time for sending what it found.
      retryDeps: { ...time, deadline: startedAt + budget.listingDeadlineOffsetMs },
    });
    // OBS calls may retry until just before the platform stops the function: the final state writes
    // happen after the run's deadline, in the margin kept for them.
    const store = await createObsStore({
      ...config.obs,
      credentials,
      timeoutSeconds: budget.obsTimeoutSeconds,
      retry: OBS_RETRY,
      retryDeps: { ...time, deadline: startedAt + budget.storeDeadlineOffsetMs },
    });
    // Node's fetch (undici) is loaded when first used: a quiet run sends nothing.
    const fetch: Fetch = (...args) => (opts.fetch ?? globalThis.fetch)(...args);
    // A delivery started just before the deadline ends within the margin, leaving time for the state write.
    const webhookTimeoutMs = budget.webhookTimeoutMs;
    const notifiers = config.channels.map((c) => lazyNotifier(c, { fetch, now, timeoutMs: webhookTimeoutMs, render: config.notify }));
    logger.info('run started', {
      instances: config.instances.length,
      discover: config.discover.map((d) => `${d.glob} (${d.region})`),
      channels: config.channels.map((c) => `${c.name} (${c.type})`),
      store: store.location,
      credentials: credentials.source,
    });
    const report = await runWatch({
      config,
      source,
      directory: source,
      store,
      notifiers,
      logger,
      deliveryRetry: DELIVERY_RETRY,
      time,
    });
    logger[report.errors.length > 0 ? 'warn' : 'info']('run finished', { ...report });
    await ping({ ok: true });
    return JSON.parse(redactor.redact(JSON.stringify(report))) as RunReport;
  } catch (err) {
    const message = redactor.redact(describeError(err));
    // A reason that will repeat every run until someone acts: bad configuration, OBS denied or missing.
    const willRepeat = err instanceof ConfigError || (err instanceof StoreError && !err.retryable);
    const reason = oneLineReason(message);
    logger.error('run failed', { error: message, reason, will_repeat: willRepeat, type: err instanceof Error ? err.name : typeof err });
    await ping({ ok: false, reason });
    if (err instanceof ConfigError) throw err;
    // A fresh error: the original's cause chain may hold SDK objects with request headers.
    throw err instanceof StoreError ? new StoreError(message) : new WatchError(message);
  }
}

/** A whole, positive number of ms, else undefined. */
function positive(ms: unknown): number | undefined {
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** parseConfig, its ConfigError extended with the heartbeat's problems: every problem at once. */
function withHeartbeatProblems<T>(parse: () => T, problems: readonly string[]): T {
  let value: T;
  try {
    value = parse();
  } catch (err) {
    if (err instanceof ConfigError && problems.length > 0) throw new ConfigError([...err.problems, ...problems]);
    throw err;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return value;
}

function safeCall<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/**
 * A channel's notifier, its code (renderers, signers, response schemas) loaded by its first
 * delivery: a quiet run does not load it at all.
 */
function lazyNotifier(channel: ChannelConfig, deps: NotifierDeps): Notifier {
  let notifier: Promise<Notifier> | undefined;
  return {
    channel,
    async send(message) {
      notifier ??= import('./notify/factory').then((f) => f.createNotifier(channel, deps));
      return (await notifier).send(message);
    },
  };
}
