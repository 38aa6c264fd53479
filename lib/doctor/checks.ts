// The doctor's checks (pure): a deployed function, its triggers, its async invoke configuration and
// the last run against what smart-connect-watch needs to run on schedule, one at a time, never two.
// A problem names what is wrong and how to fix it; no message ever quotes a variable's value.
import { formatDuration, parseDuration } from '../config/duration';
import { type Schedule, maxGapS, parseSchedule, parseScheduleText, sameSchedule, shortestSpanS } from '../config/schedule';
import { showInvisible } from '../visible-text';
import type { Deployment, LastRun, Trigger } from './deployment';

export interface Problem {
  id: ProblemId;
  problem: string;
  fix: string;
}
export type ProblemId =
  | 'no_timer' | 'timer_disabled' | 'several_timers' | 'schedule_too_rare'
  | 'flap_window_short' | 'watch_schedule_invalid' | 'watch_schedule_differs'
  | 'max_instances' | 'requests_per_instance' | 'async_retries' | 'async_not_configured'
  | 'no_agency' | 'timeout_short' | 'timeout_fleet' | 'memory_low' | 'runtime'
  | 'missing_variable' | 'plain_secret' | 'last_run_old' | 'no_run_yet';

export interface Diagnosis {
  problems: Problem[];
  notes: string[];
}

/** Variables whose values carry tokens or keys (DESIGN.md §3, §12): encrypted variables only. */
export const SECRET_VARIABLES = ['WEBHOOKS', 'WEBHOOK_URL', 'WEBHOOK_SECRET', 'HEARTBEAT_URL', 'HEARTBEAT_FAIL_URL'] as const;
/** Keys the function does not need (its agency's temporary credentials come first) and that must never be plain. */
const CREDENTIAL_VARIABLES = ['CLOUD_SDK_AK', 'CLOUD_SDK_SK', 'CLOUD_SDK_SECURITY_TOKEN'] as const;
const MIN_TIMEOUT_S = 60;
const MIN_MEMORY_MB = 128;
const DEFAULT_REMIND_EVERY = '4h';
/** Timer runs start a little late; a run this much later than the schedule allows is not yet missed. */
const LATE_SLACK_S = 60;

/** `5m`, `4h`, `7d` when exact, else rounded to the unit that reads best (`~53m`). */
export function human(s: number): string {
  if (!Number.isFinite(s)) return 'more than 8 years';
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) if (s >= size && s % size === 0) return `${s / size}${unit}`;
  if (s < 120) return `${Math.round(s)}s`;
  return s < 7_200 ? `~${Math.round(s / 60)}m` : s < 172_800 ? `~${Math.round(s / 3_600)}h` : `~${Math.round(s / 86_400)}d`;
}

/** A JSON object of environment variables (names → values), or null when the text is not one. */
function variables(text: string | null | undefined): Record<string, unknown> | null {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
const filled = (v: unknown): boolean => typeof v === 'string' ? v.trim() !== '' : v !== undefined && v !== null;

export function diagnose(d: Deployment, lastRun: LastRun, now: Date): Diagnosis {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const add = (id: ProblemId, problem: string, fix: string) => problems.push({ id, problem, fix });
  const c = d.config;

  // The environment: names only from the encrypted half.
  const plain = variables(c.user_data) ?? (notes.push('the plain environment variables are not a JSON object: not checked'), {});
  const encrypted = variables(c.encrypted_user_data) ?? (notes.push('the encrypted environment variables are not a JSON object: their names are not checked'), {});
  const has = (name: string) => filled(plain[name]) || filled(encrypted[name]);
  for (const name of ['WATCH_INSTANCES', 'OBS_BUCKET']) {
    if (!has(name)) add('missing_variable', `${name} is not set: every run fails with "invalid configuration"`, `set ${name} (serverless.yml environment.variables) and redeploy`);
  }
  if (!has('WATCH_REGION') && !everyInstanceNamesRegion(plain.WATCH_INSTANCES)) {
    add('missing_variable', 'WATCH_REGION is not set and not every WATCH_INSTANCES entry names a region', 'set WATCH_REGION to the instances\' region');
  }
  for (const name of [...SECRET_VARIABLES, ...CREDENTIAL_VARIABLES]) {
    if (filled(plain[name])) add('plain_secret', `${name} is a plain environment variable: anyone who can read the function's configuration sees it`, `move ${name} to the encrypted variables (serverless.yml encryptedUserData) and remove it from environment.variables`);
  }

  // Triggers: exactly one active TIMER, often enough for reminders.
  const timers = d.triggers.filter((t) => t.trigger_type_code.toUpperCase() === 'TIMER');
  const active = timers.filter((t) => t.trigger_status.toUpperCase() === 'ACTIVE');
  if (timers.length === 0) add('no_timer', 'the function has no TIMER trigger: it never runs', 'deploy with serverless-huawei-functions 0.0.10 (0.0.5 creates no trigger), or add a TIMER trigger in the console');
  for (const t of timers.filter((x) => !active.includes(x))) {
    add('timer_disabled', `TIMER trigger ${describe(t)} is ${t.trigger_status}: it does not run the function`, 'enable it in the console (Triggers › Enable), or set status: ACTIVE and redeploy');
  }
  if (active.length > 1) add('several_timers', `${active.length} active TIMER triggers (${active.map(describe).join(', ')}): runs overlap`, 'delete all but one in the console (a redeploy with a changed schedule adds a trigger and keeps the old one)');
  const remind = remindEveryS(plain.REMIND_EVERY, notes);
  const flap = flapSettings(plain, notes);
  let gapS: number | undefined;
  const schedules: { t: Trigger; schedule: Schedule }[] = [];
  for (const t of active) {
    const parsed = parseSchedule(t.event_data?.schedule_type ?? '', t.event_data?.schedule ?? '');
    if (!parsed.ok) {
      notes.push(`schedule of ${describe(t)} not checked: ${parsed.reason}`);
      continue;
    }
    schedules.push({ t, schedule: parsed.schedule });
    const maxGap = maxGapS(parsed.schedule);
    gapS = Math.min(gapS ?? Number.POSITIVE_INFINITY, maxGap);
    if (remind !== null && maxGap > remind) {
      add('schedule_too_rare', `TIMER trigger ${describe(t)} can wait ${human(maxGap)} between runs, longer than REMIND_EVERY (${human(remind)}): reminders come late`, `schedule a run at least every ${human(remind)} (e.g. Cron "0 */5 * * * *"), or raise REMIND_EVERY`);
    }
    // DESIGN.md §10: a run detects at most one status change per task, and a change counts while younger than FLAP_WINDOW.
    const spanS = flap === null ? 0 : shortestSpanS(parsed.schedule, flap.threshold);
    if (flap !== null && flap.windowMs <= spanS * 1000) {
      const span = Number.isFinite(spanS) ? formatDuration(spanS * 1000) : human(spanS);
      add('flap_window_short', `TIMER trigger ${describe(t)} takes at least ${span} for FLAP_THRESHOLD=${flap.threshold} runs, and FLAP_WINDOW is ${formatDuration(flap.windowMs)}: a task that changes status at every run is never reported as flapping`, `set FLAP_WINDOW longer than ${span}, schedule runs more often, or set FLAP_THRESHOLD=0 to turn flapping off`);
    }
  }
  watchSchedule(plain.WATCH_SCHEDULE, schedules, add);

  // One run at a time, not retried into the next.
  const maxInstances = c.strategy_config?.concurrency;
  if (maxInstances !== 1) add('max_instances', `max instances per function is ${maxInstances ?? 'not set (default 400)'}, not 1: two runs can overlap and fork the history`, 'set it to 1 (console: Configuration › Concurrency; serverless.yml: concurreny: 1, the plugin\'s spelling)');
  const perInstance = c.strategy_config?.concurrent_num;
  if (perInstance !== undefined && perInstance !== null && perInstance > 1) add('requests_per_instance', `${perInstance} requests per instance: two runs can overlap in one instance`, 'set it to 1 (serverless.yml: concurrentNum: 1)');
  const retries = d.asyncConfig?.max_async_retry_attempts;
  if (d.asyncConfig === null || retries === undefined || retries === null) {
    add('async_not_configured', 'no asynchronous invocation policy: the platform default retries a failed run (Huawei documents 1 or 3)', 'set max retries to 0 (console: Configuration › Async Notification, or UpdateFunctionAsyncInvokeConfig max_async_retry_attempts: 0)');
  } else if (retries > 1) {
    add('async_retries', `a failed run is retried ${retries} times: retries overlap the next scheduled run`, 'set max retries to 0 or 1 (0 recommended)');
  }

  if (!filled(c.xrole)) add('no_agency', 'the function has no agency: it gets no credentials for DMS and OBS', 'create the agency (README, Deploy step 4) and set agencyName in serverless.yml, or Configuration › Permissions');
  // The fleet needs half as much again as the last run took (the run stops listing 25 s before its timeout).
  const lastMs = lastRun.kind === 'ok' ? lastRun.durationMs : null;
  const fleetS = lastMs === null ? 0 : Math.ceil((lastMs * 1.5) / 1000);
  if (c.timeout < MIN_TIMEOUT_S) add('timeout_short', `timeout is ${c.timeout} s, under ${MIN_TIMEOUT_S} s`, `set timeout to at least ${Math.max(MIN_TIMEOUT_S, fleetS)} s (serverless.yml: 120)`);
  else if (lastMs !== null && c.timeout < fleetS) add('timeout_fleet', `the last run took ${Math.round(lastMs / 1000)} s of a ${c.timeout} s timeout: a slower run is cut short`, `raise the timeout to at least ${fleetS} s`);
  if (lastRun.kind === 'ok' && lastMs === null) notes.push('state.json does not record the last run\'s duration: the timeout is checked against 60 s only');
  if (c.memory_size < MIN_MEMORY_MB) add('memory_low', `memory is ${c.memory_size} MB, under ${MIN_MEMORY_MB} MB`, `set memorySize to at least ${MIN_MEMORY_MB} (serverless.yml: 256)`);
  if (!/^Node\.js20(\.|$)/.test(c.runtime)) add('runtime', `runtime is ${c.runtime}, not Node.js20.*`, 'set runtime: Node.js20.15 and redeploy');

  lastRunProblems(d, lastRun, gapS, now, add, notes);
  return { problems, notes };
}

/** A trigger as `"name" (Cron "<schedule>")`: quoted, control and invisible characters escaped. */
function describe(t: Trigger): string {
  const e = t.event_data;
  const quote = (v: string) => showInvisible(JSON.stringify(v));
  return `${quote(e?.name ?? t.trigger_id)} (${quote(e?.schedule_type ?? '?').slice(1, -1)} ${quote(e?.schedule ?? '?')})`;
}

function everyInstanceNamesRegion(v: unknown): boolean {
  if (typeof v !== 'string' || !v.trim().startsWith('[')) return false;
  try {
    const list: unknown = JSON.parse(v);
    return Array.isArray(list) && list.length > 0 && list.every((e) => typeof e === 'object' && e !== null && filled((e as { region?: unknown }).region));
  } catch {
    return false;
  }
}

function remindEveryS(v: unknown, notes: string[]): number | null {
  const text = filled(v) ? String(v).trim() : DEFAULT_REMIND_EVERY;
  if (text === 'off') return null;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    notes.push('REMIND_EVERY is not a duration: the schedule is not checked against it');
    return null;
  }
  return ms / 1000;
}

/** FLAP_THRESHOLD and FLAP_WINDOW as the function reads them (defaults 4 and 1h); null when flapping is off or they are not valid. */
function flapSettings(plain: Record<string, unknown>, notes: string[]): { threshold: number; windowMs: number } | null {
  const threshold = filled(plain.FLAP_THRESHOLD) ? String(plain.FLAP_THRESHOLD).trim() : '4';
  if (threshold === '0') return null;
  const windowMs = parseDuration(filled(plain.FLAP_WINDOW) ? String(plain.FLAP_WINDOW).trim() : '1h');
  if (!/^\d{1,3}$/.test(threshold) || Number(threshold) < 2 || Number(threshold) > 100 || windowMs === undefined || windowMs <= 0) {
    notes.push('FLAP_THRESHOLD or FLAP_WINDOW is not valid: the schedule is not checked against them');
    return null;
  }
  return { threshold: Number(threshold), windowMs };
}

/** WATCH_SCHEDULE (optional) must be the schedule of an active trigger: the function checks FLAP_WINDOW against it. */
function watchSchedule(v: unknown, schedules: { t: Trigger; schedule: Schedule }[], add: (id: ProblemId, p: string, f: string) => void): void {
  if (!filled(v)) return;
  const hint = 'serverless.yml sets it and the trigger from one parameter, --param="schedule=…"';
  const parsed = parseScheduleText(String(v));
  if (!parsed.ok) return add('watch_schedule_invalid', `WATCH_SCHEDULE is not a TIMER schedule (${parsed.reason}): every run fails with "invalid configuration"`, `set WATCH_SCHEDULE to the TIMER trigger's schedule (${hint})`);
  if (schedules.length > 0 && !schedules.some((s) => sameSchedule(s.schedule, parsed.schedule))) {
    add('watch_schedule_differs', `WATCH_SCHEDULE is not the schedule of TIMER trigger ${schedules.map((s) => describe(s.t)).join(', ')}: FLAP_WINDOW is checked against a schedule that does not run the function`, `set WATCH_SCHEDULE to the trigger's schedule and redeploy (${hint})`);
  }
}

/** The last check must be no older than the schedule's longest gap plus the run's timeout. */
function lastRunProblems(d: Deployment, lastRun: LastRun, gapS: number | undefined, now: Date, add: (id: ProblemId, p: string, f: string) => void, notes: string[]) {
  if (lastRun.kind === 'unreadable') return void notes.push(`last run not checked: ${lastRun.reason}`);
  if (gapS === undefined || !Number.isFinite(gapS)) return;
  const allowedS = gapS + d.config.timeout + LATE_SLACK_S;
  const modified = d.config.last_modified ? Date.parse(d.config.last_modified) : Number.NaN;
  if (lastRun.kind === 'missing') {
    const since = Number.isNaN(modified) ? undefined : (now.getTime() - modified) / 1000;
    if (since !== undefined && since > allowedS) add('no_run_yet', `no state.json: no run has finished since the function was last changed ${human(Math.round(since))} ago, though the schedule runs it every ${human(gapS)}`, 'check the function\'s logs and failed invocations (Monitoring › Logs)');
    else notes.push(`no run recorded yet (no state.json): expect the first within ${human(allowedS)} of the deploy`);
    return;
  }
  const ageS = Math.round((now.getTime() - lastRun.checkedAt.getTime()) / 1000);
  if (ageS <= allowedS) return;
  if (!Number.isNaN(modified) && (now.getTime() - modified) / 1000 <= allowedS) {
    return void notes.push(`the last run checked ${human(ageS)} ago, but the function changed since: expect a run within ${human(allowedS)} of that change`);
  }
  add('last_run_old', `the last run checked ${human(ageS)} ago; the schedule runs it at least every ${human(gapS)}`, 'check the TIMER trigger and the function\'s failed invocations and logs');
}
