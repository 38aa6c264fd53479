import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { LOCAL_OBS_ACCESS_KEY } from '../../lib/demo/local-obs';
import type { RunReport } from '../../lib/report';
import { DEFAULT_BUDGET_MS, type Harness, type Invocation, TIMER_EVENT, shrinkingBudget } from './harness';

const requireBundle = createRequire(__filename);

/**
 * Starts `n` runs of the built handler at once, as overlapping timer invocations or a `run` from a
 * laptop next to the deployed function: one environment, stdout captured once and split into each
 * run's lines by request id. (`Harness.invoke` swaps process.stdout per call: it cannot overlap itself.)
 * s3rver writes an object in place: a GET that meets the other run's PUT of state.json can wait for
 * bytes that never come (OBS replaces objects atomically). A smaller `budgetMs` makes that request time
 * out and be retried sooner (OBS timeout: a quarter of the budget).
 */
export async function invokeTogether(h: Harness, n: number, extraEnv: Record<string, string> = {}, budgetMs = DEFAULT_BUDGET_MS): Promise<Invocation[]> {
  const { handler } = requireBundle(join(__dirname, '../../dist/index.js')) as { handler: (event: unknown, ctx: unknown) => Promise<RunReport> };
  const saved = { ...process.env };
  const out: string[] = [];
  const err: string[] = [];
  const { write: stdoutWrite } = process.stdout;
  const { write: stderrWrite } = process.stderr;
  const capture = (sink: string[]) =>
    ((chunk: string | Uint8Array) => {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
  for (const key of Object.keys(process.env)) if (/^(WATCH_|OBS_|DMS_|WEBHOOK|NOTIFY_|CLOUD_SDK_|LOG_LEVEL|OUTBOX_|CONCURRENCY)/.test(key)) delete process.env[key];
  for (const [k, v] of Object.entries({ ...h.env, ...extraEnv })) process.env[k] = v;
  const ids = Array.from({ length: n }, (_, i) => `req-overlap-${i}-${randomBytes(3).toString('hex')}`);
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  let settled: PromiseSettledResult<RunReport>[];
  try {
    settled = await Promise.allSettled(
      ids.map((id) =>
        handler(TIMER_EVENT, {
          getRequestID: () => id,
          getSecurityAccessKey: () => LOCAL_OBS_ACCESS_KEY,
          getSecuritySecretKey: () => h.secrets.sk,
          getSecurityToken: () => h.secrets.token,
          getProjectID: () => h.projectId,
          getRemainingTimeInMilliSeconds: shrinkingBudget(budgetMs),
        }),
      ),
    );
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  const lines = out.join('').split('\n').filter(Boolean);
  return settled.map((s, i) => {
    const own = lines.filter((l) => (JSON.parse(l) as { request_id?: string }).request_id === ids[i]);
    return {
      report: s.status === 'fulfilled' ? s.value : undefined,
      error: s.status === 'rejected' ? (s.reason as Error) : undefined,
      stdout: own.map((l) => `${l}\n`).join(''),
      stderr: err.join(''),
      logs: own.map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  });
}
