import { Change, type ChangeKind } from '../../alerting/change';
import { parseArgs, usageLine } from '../args';
import { matchesChange } from '../filter';
import { listHistory, readHistory } from '../history-reader';
import { marksOf } from '../silence-marks';
import { silenceComments } from './silences-read';
import { formatTimeline } from '../timeline';
import { type TimeRange, formatTime } from '../time-range';
import { type AuditCommand, type AuditContext, kindFromFlag, plural, rangeFromFlags } from './common';

export interface HistoryOptions {
  range: TimeRange;
  instance: string | undefined;
  task: string | undefined;
  kind: ChangeKind | undefined;
  json: boolean;
}

const SPEC = {
  name: 'history',
  synopsis: '[--since <time>] [--until <time>] [--instance <name|id>] [--task <name|id>] [--kind <kind>] [--json]',
  flags: { since: 'string', until: 'string', instance: 'string', task: 'string', kind: 'string', json: 'boolean' },
  positionals: { min: 0, max: 0 },
} as const;

/** `history`: the changes recorded in the history objects, oldest first. */
export const historyCommand: AuditCommand<HistoryOptions> = {
  name: SPEC.name,
  synopsis: SPEC.synopsis,
  summary: 'the recorded changes, oldest first (--json: one change per line)',
  parse(argv, now) {
    const { flags, help } = parseArgs(SPEC, argv);
    if (help) return 'help';
    const usage = usageLine(SPEC);
    return {
      range: rangeFromFlags(flags, now, usage),
      instance: flags.instance,
      task: flags.task,
      kind: kindFromFlag(flags.kind, usage),
      json: flags.json === true,
    };
  },
  async run(ctx, o) {
    const { io, style } = ctx;
    const listing = await listHistory(ctx.store, o.range, ctx.now);
    const entries = await readHistory(ctx.store, listing.keys, { progress: ctx.progress('reading history') });
    const read = entries.filter((e) => e.kind === 'ok').length;
    const changes = entries.flatMap((e) => (e.kind === 'ok' ? e.snapshot.changes : [])).filter((c) => matchesChange(c, { ...o.range, instance: o.instance, task: o.task, kind: o.kind }));
    warnSkipped(ctx, [...listing.foreign, ...entries.flatMap((e) => (e.kind === 'ok' ? [] : [e.key]))]);
    if (o.json) {
      // Change.parse gives the fields in the DESIGN.md §4 order (stored objects have sorted keys); `held` and `silenced_by` are kept.
      for (const c of changes) io.out(`${JSON.stringify({ ...Change.parse(c), ...marksOf(c) })}\n`);
      return 0;
    }
    const scope = describeScope(o, ctx.store.location);
    if (changes.length === 0) {
      io.out(`no changes ${scope} (${plural(read, 'history object')} read)\n`);
      return 0;
    }
    io.out(`${formatTimeline(changes, style, await silenceComments(ctx, changes)).join('\n')}\n`);
    io.out(`${style.dim(`${plural(changes.length, 'change')} ${scope}, from ${plural(read, 'history object')} read`)}\n`);
    return 0;
  },
};

function describeScope(o: HistoryOptions, location: string): string {
  const parts = [`in ${location}`];
  if (o.range.since) parts.push(`since ${formatTime(o.range.since)} UTC`);
  if (o.range.until) parts.push(`until ${formatTime(o.range.until)} UTC`);
  if (o.instance) parts.push(`instance ${o.instance}`);
  if (o.task) parts.push(`task ${o.task}`);
  if (o.kind) parts.push(`kind ${o.kind}`);
  return parts.join(', ');
}

/** Unusable objects never stop a read; they are named on stderr. */
export function warnSkipped(ctx: AuditContext, keys: readonly string[]): void {
  if (keys.length === 0) return;
  const shown = keys.slice(0, 5).map((k) => ctx.store.prefix + k);
  const more = keys.length > shown.length ? `, and ${keys.length - shown.length} more` : '';
  ctx.io.err(`warning: skipped ${plural(keys.length, 'unusable object')} under history/ (${shown.join(', ')}${more}); run \`smart-connect-watch verify\`\n`);
}
