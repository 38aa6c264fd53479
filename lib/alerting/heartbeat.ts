import * as z from 'zod';
import { type Env, isHttpUrl } from '../config/config';
import { describeError } from '../errors';
import type { Logger } from '../log';
import type { Fetch } from '../notify/types';
import { HEARTBEAT_TIMEOUT_MS } from '../retry/policies';
import { type Redactor, Secret } from '../secret';

/**
 * DESIGN.md §12: the dead-man's switch. After a run that returned a report, `GET HEARTBEAT_URL`;
 * after one that threw, `GET HEARTBEAT_FAIL_URL` (default: `/fail` appended to HEARTBEAT_URL's path,
 * its query kept: Healthchecks.io's convention). The fail ping carries the one-line reason as the
 * query parameter `msg` (what an Uptime Kuma push monitor shows; Healthchecks.io ignores the query
 * and records the failure). Parsed on its own, so that a run whose other configuration is invalid
 * still pings the fail URL.
 */
export interface Heartbeat {
  /** Null when only HEARTBEAT_FAIL_URL is set. */
  success: Secret | null;
  fail: Secret;
}

/** The fail ping's `msg`: one line, at most this many characters. */
export const REASON_MAX_CHARS = 200;

const httpUrl = (name: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
    z.string().refine(isHttpUrl, { error: `${name} must be an http(s) URL, such as https://hc-ping.com/<uuid>` }).optional(),
  );

/** The two heartbeat variables; messages name the variable and never quote the value (it is a secret). */
const HeartbeatEnv = z.object({ HEARTBEAT_URL: httpUrl('HEARTBEAT_URL'), HEARTBEAT_FAIL_URL: httpUrl('HEARTBEAT_FAIL_URL') });

export type HeartbeatConfig = { heartbeat: Heartbeat | null; problems: string[] };

export function parseHeartbeat(env: Env): HeartbeatConfig {
  const parsed = HeartbeatEnv.safeParse(env);
  if (!parsed.success) return { heartbeat: null, problems: parsed.error.issues.map((i) => i.message) };
  const { HEARTBEAT_URL: url, HEARTBEAT_FAIL_URL: failUrl } = parsed.data;
  if (!url && !failUrl) return { heartbeat: null, problems: [] };
  return { heartbeat: { success: url ? new Secret(url) : null, fail: new Secret(failUrl ?? failUrlOf(url!)) }, problems: [] };
}

/** `https://hc-ping.com/abc?x=1` → `https://hc-ping.com/abc/fail?x=1`. */
export function failUrlOf(url: string): string {
  const u = new URL(url);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/fail`;
  return u.toString();
}

/** Registers both URLs, their query values and their token-like path segments (an Uptime Kuma push token may be short). */
export function redactHeartbeat(redactor: Redactor, heartbeat: Heartbeat | null): void {
  for (const s of [heartbeat?.success, heartbeat?.fail]) {
    if (!s) continue;
    const url = s.reveal();
    redactor.addUrl(url);
    try {
      for (const seg of new URL(url).pathname.split('/')) if (seg.length >= 8) redactor.add(seg);
    } catch {
      // parseHeartbeat accepted only URLs
    }
  }
}

/** One line, secret-free (the caller redacts), at most REASON_MAX_CHARS characters. */
export function oneLineReason(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > REASON_MAX_CHARS ? `${line.slice(0, REASON_MAX_CHARS - 1)}…` : line;
}

export interface PingDeps {
  fetch: Fetch;
  logger: Logger;
  /** Time the platform leaves the function, ms, when known: the ping ends a second before it. */
  remainingMs?: number | undefined;
}

/**
 * Sends one heartbeat: the success ping, or the fail ping with `reason`. Never throws. Both attempts
 * (one retry after a network error or a non-2xx answer) end within HEARTBEAT_TIMEOUT_MS.
 */
export async function sendHeartbeat(heartbeat: Heartbeat | null, outcome: { ok: true } | { ok: false; reason: string }, deps: PingDeps): Promise<void> {
  const target = outcome.ok ? heartbeat?.success : heartbeat?.fail;
  if (!target) return;
  const kind = outcome.ok ? 'success' : 'fail';
  const url = new URL(target.reveal());
  if (!outcome.ok) url.searchParams.set('msg', outcome.reason);
  const left = deps.remainingMs === undefined ? HEARTBEAT_TIMEOUT_MS : Math.floor(deps.remainingMs) - 1_000;
  const timeoutMs = Math.max(0, Math.min(HEARTBEAT_TIMEOUT_MS, left));
  if (timeoutMs < 100) {
    deps.logger.warn('heartbeat not sent', { heartbeat: kind, reason: 'no time left in the run' });
    return;
  }
  const signal = AbortSignal.timeout(timeoutMs);
  let error = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const res = await deps.fetch(url, { method: 'GET', signal, redirect: 'follow' });
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) {
        deps.logger.info('heartbeat sent', { heartbeat: kind, status: res.status, attempts: attempt });
        return;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      error = signal.aborted ? `no answer within ${timeoutMs} ms` : withCause(err);
      if (signal.aborted) break;
    }
  }
  deps.logger.warn('heartbeat failed', { heartbeat: kind, error, timeout_ms: timeoutMs });
}

/** `fetch failed (ECONNREFUSED)`: undici's message says little, its cause says what happened. */
function withCause(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return `${describeError(err)}${detail ? ` (${detail})` : ''}`;
}
