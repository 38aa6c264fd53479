// One measured invocation of the built function, in a fresh Node process started by scripts/bench.ts,
// so that the peak RSS below is the function's own and not the benchmark's or the emulators'.
//
// argv: <absolute path of dist/index.js> <project id>. Configuration comes from the environment.
// The function's JSON log lines go to stdout; the result goes to fd 3 (a pipe the parent opened),
// so the two never mix and the parent need not parse the logs to find it.
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export interface ChildResult {
  report?: unknown;
  error?: string;
  /** process.resourceUsage().maxRSS: peak resident set of this process, KiB. */
  maxRssKiB: number;
  /** Time for the handler call alone. */
  wallMs: number;
  /** Time for require(dist/index.js) in this process (module load, no work). */
  requireMs: number;
  /** Epoch ms when the handler was called and when it returned (for BENCH_TIMELINE). */
  startedAt?: number;
  endedAt?: number;
}

const TIMER_EVENT = {
  version: 'v1.0',
  time: '2026-11-21T08:30:00+08:00',
  trigger_type: 'TIMER',
  trigger_name: 'bench',
  user_event: '',
};

const RESULT_FD = 3;

async function main(): Promise<void> {
  const [indexPath, projectId] = process.argv.slice(2);
  if (!indexPath || !projectId) throw new Error('usage: bench-child <dist/index.js> <project id>');
  const context = {
    getRequestID: () => `bench-${process.pid}`,
    getRemainingTimeInMilliSeconds: () => 119_987,
    getProjectID: () => projectId,
  };
  const loadStart = performance.now();
  // A runtime path, so esbuild leaves this require alone and the bundle under test is loaded as is.
  const { handler } = require(indexPath) as { handler: Handler };
  const requireMs = performance.now() - loadStart;
  const start = performance.now();
  const startedAt = Date.now();
  let result: ChildResult;
  try {
    const report = await handler(TIMER_EVENT, context);
    result = { report, maxRssKiB: 0, wallMs: performance.now() - start, requireMs };
  } catch (err) {
    result = { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), maxRssKiB: 0, wallMs: performance.now() - start, requireMs };
  }
  result.maxRssKiB = process.resourceUsage().maxRSS;
  result.startedAt = startedAt;
  result.endedAt = Date.now();
  writeSync(RESULT_FD, `${JSON.stringify(result)}\n`);
}

main().then(
  // Exit at once: keep-alive sockets or timers left by the SDKs must not hold the process.
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench-child: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
