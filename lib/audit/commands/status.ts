import { parseDuration } from '../../config/duration';
import { describeError } from '../../errors';
import { showInvisible } from '../../visible-text';
import { parseArgs, usageLine } from '../args';
import { type FailingEntry, type PendingEntry, type StatusDetails, type StatusView, humanAge, statusView } from '../status-view';
import { type Style, alignRows, statusColour } from '../style';
import { formatTime } from '../time-range';
import { UsageError } from '../usage-error';
import type { AuditCommand } from './common';

const SPEC = { name: 'status', synopsis: '[--json] [--max-age <duration>]', flags: { json: 'boolean', 'max-age': 'string' }, positionals: { min: 0, max: 0 } } as const;
const DEFAULT_MAX_AGE = '15m';

export interface StatusOptions {
  json: boolean;
  maxAgeMs: number;
}

/**
 * `status` (DESIGN.md §12): the watcher's health from one GET of state.json, for people and for
 * monitoring scripts: exit 0 healthy, 1 unhealthy (the reasons printed), 2 usage.
 */
export const statusCommand: AuditCommand<StatusOptions> = {
  name: SPEC.name,
  synopsis: SPEC.synopsis,
  summary: `is the watcher running? last check, failing tasks, pending messages, from state.json; exit 1 when stale (default --max-age ${DEFAULT_MAX_AGE}) or a message waits longer`,
  parse(argv) {
    const { flags, help } = parseArgs(SPEC, argv);
    if (help) return 'help';
    const raw = flags['max-age'] ?? DEFAULT_MAX_AGE;
    const maxAgeMs = parseDuration(raw);
    if (maxAgeMs === undefined || maxAgeMs < 1_000) {
      const why = /^\s*\d+(\.\d+)?\s*$/.test(raw) ? 'has no unit (a bare number is never milliseconds)' : 'is not a duration of at least 1s';
      throw new UsageError(`--max-age ${raw} ${why}: expected e.g. 15m, 1h or 2d`, usageLine(SPEC));
    }
    return { json: flags.json === true, maxAgeMs };
  },
  async run(ctx, o) {
    // An OBS failure is a finding, printed like the others (a monitoring script reading --json gets its object).
    const read = await ctx.store.readState().catch((err: unknown) => ({ kind: 'failed' as const, reason: describeError(err) }));
    const { view, details } = statusView(read, ctx.now, o.maxAgeMs, ctx.store.location);
    ctx.io.out(o.json ? `${JSON.stringify(view)}\n` : `${formatStatus(view, details, ctx.style, ctx.now).join('\n')}\n`);
    return view.healthy ? 0 : 1;
  },
};

/** The text form: one heading per line, failing tasks and pending channels as aligned tables (names escaped). */
export function formatStatus(v: StatusView, d: StatusDetails | null, style: Style, now: Date): string[] {
  const lines: string[] = [];
  const head = (paint: (c: string) => string) => (c: string, r: number) => (r === 0 ? style.dim(c) : paint(c));
  const plain = (c: string) => c;
  if (v.checked_at !== null && d) {
    const run = d.last_run ? `, the run took ${(d.last_run.duration_ms / 1000).toFixed(1)} s` : '';
    lines.push(`last check  ${formatTime(v.checked_at)} UTC (${humanAge(v.age_s ?? 0)} ago${run})`, `snapshot    ${d.snapshot_id}`);
  }
  if (v.instances) {
    const failed = v.instances.failed > 0 ? style.red(`${v.instances.failed} unreachable`) : '0 unreachable';
    lines.push(`instances   ${v.instances.ok} ok, ${failed}`);
  }
  if (v.tasks_by_status) {
    const counts = Object.entries(v.tasks_by_status).map(([s, n]) => `${n} ${statusColour(style, s)(showInvisible(s))}`);
    lines.push(`tasks       ${counts.length > 0 ? counts.join(', ') : 'none'}`);
  }
  if (v.failing) {
    lines.push(`failing     ${v.failing.length === 0 ? style.green('none') : v.failing.length}`);
    const withError = v.failing.some((f) => f.error !== null);
    const rows = v.failing.map((f) => failingRow(f, now).slice(0, withError ? 5 : 4));
    const header = ['INSTANCE', 'TASK', 'STATUS', 'SINCE', ...(withError ? ['ERROR'] : [])];
    if (rows.length > 0) lines.push(...alignRows([header, ...rows], [head(plain), head(plain), head(style.red), head(plain), head(style.dim)]).map((l) => `  ${l}`));
  }
  if (v.pending) {
    const messages = v.pending.reduce((n, p) => n + p.messages, 0);
    const held = v.pending.reduce((n, p) => n + (p.quiet_hours?.changes ?? 0), 0);
    lines.push(`pending     ${messages === 0 && held === 0 ? 'none' : messages}${held > 0 ? `, and ${held === 1 ? '1 change' : `${held} changes`} held for quiet hours` : ''}`);
    const rows = v.pending.map((p) => [
      showInvisible(p.channel),
      String(p.messages),
      p.oldest_age_s === null ? '-' : humanAge(p.oldest_age_s),
      p.last_error === null ? '-' : showInvisible(p.last_error),
      ...(held > 0 ? [quietCell(p.quiet_hours, now)] : []),
    ]);
    const header = ['CHANNEL', 'MESSAGES', 'OLDEST', 'LAST ERROR', ...(held > 0 ? ['QUIET HOURS'] : [])];
    if (rows.length > 0) lines.push(...alignRows([header, ...rows], [head(plain), head(plain), head(plain), head(style.dim), head(plain)]).map((l) => `  ${l}`));
  }
  if (v.silences) lines.push(`silences    ${v.silences.length === 0 ? 'none' : v.silences.length}`);
  for (const p of v.problems) lines.push(style.red(`problem: ${showInvisible(p)}`));
  lines.push(v.healthy ? style.green('healthy') : style.red(style.bold(`NOT HEALTHY: ${v.problems.length} problem${v.problems.length === 1 ? '' : 's'}`)));
  return lines;
}

function failingRow(f: FailingEntry, now: Date): string[] {
  const instance = showInvisible(f.instance_name ? `${f.instance_name} (${f.instance_id})` : f.instance_id);
  const task = f.task_id === null ? '-' : showInvisible(f.task_name ? `${f.task_name} (${f.task_id})` : f.task_id);
  const status = f.status === null ? 'UNREACHABLE' : showInvisible(f.status);
  const since = f.since === null ? 'not recorded' : `${formatTime(f.since)} UTC (${humanAge(Math.max(0, Math.floor((now.getTime() - Date.parse(f.since)) / 1000)))})`;
  return [instance, task, status, since, f.error === null ? '' : showInvisible(f.error)];
}

/** `3 changes held since 14:02 UTC, sent at the first run after 2026-12-02 23:00 UTC (in 5h 10m)`. */
function quietCell(q: PendingEntry['quiet_hours'], now: Date): string {
  if (!q) return '-';
  const n = q.changes === 1 ? '1 change' : `${q.changes} changes`;
  const left = Math.floor((Date.parse(q.until) - now.getTime()) / 1000);
  const when = left > 0 ? `at the first run after ${formatTime(q.until)} UTC (in ${humanAge(left)})` : 'at the next run (the window is over)';
  return `${n} held since ${formatTime(q.since)} UTC, sent ${when}`;
}
