import { resolve } from 'node:path';
import { historyKey } from '../../store/snapshot';
import { parseArgs, usageLine } from '../args';
import { type HistoryItem, computeAvailability } from '../availability';
import { renderAvailabilitySummary } from '../availability-html';
import { toItem } from '../availability-reader';
import { fleetFigures, worstFirst } from '../availability-summary';
import { buildTimelines } from '../bands';
import { matchesChange } from '../filter';
import { idTime } from '../../store/snapshot-id';
import { type HistoryEntry, parseHistoryObject } from '../history-object';
import { listHistory, readHistory } from '../history-reader';
import { renderReport } from '../report-html';
import type { TimeRange } from '../time-range';
import { UsageError } from '../usage-error';
import { AuditFailure, type AuditCommand, type AuditStore, plural, rangeFromFlags } from './common';
import { auditSilences } from './silences-read';

export interface ReportOptions {
  file: string;
  range: TimeRange;
  instance: string | undefined;
  task: string | undefined;
}

const SPEC = {
  name: 'report',
  synopsis: '--html <file> [--since <time>] [--until <time>] [--instance <name|id>] [--task <name|id>]',
  flags: { html: 'string', since: 'string', until: 'string', instance: 'string', task: 'string' },
  positionals: { min: 0, max: 0 },
} as const;

/** `report --html`: one self-contained HTML file with status bands per task and the list of changes. */
export const reportCommand: AuditCommand<ReportOptions> = {
  name: SPEC.name,
  synopsis: SPEC.synopsis,
  summary: 'write one self-contained HTML file: per instance (the unhealthy first), status bands per task over time, and its changes',
  parse(argv, now) {
    const { flags, help } = parseArgs(SPEC, argv);
    if (help) return 'help';
    const usage = usageLine(SPEC);
    if (!flags.html) throw new UsageError('report needs --html <file>', usage);
    return { file: flags.html, range: rangeFromFlags(flags, now, usage), instance: flags.instance, task: flags.task };
  },
  async run(ctx, o) {
    const listing = await listHistory(ctx.store, o.range, ctx.now);
    const entries = await readHistory(ctx.store, listing.keys, { progress: ctx.progress('reading history') });
    const snapshots = entries.flatMap((e) => (e.kind === 'ok' ? [e.snapshot] : []));
    // The status at --since comes from the object before the first one in the range.
    const baselineEntry = o.range.since && snapshots[0]?.previous ? await readBaseline(ctx.store, snapshots[0].previous.id) : undefined;
    const baseline = baselineEntry?.snapshot;
    const start = (o.range.since ?? (snapshots[0] && idTime(snapshots[0].id)) ?? ctx.now).getTime();
    // Up to --until, but never past now: the bands show what is known.
    const end = Math.max(Math.min((o.range.until ?? ctx.now).getTime(), ctx.now.getTime()), start + 1);
    const filter = { instance: o.instance, task: o.task };
    const timelines = buildTimelines(baseline ? [baseline, ...snapshots] : snapshots, start, end).filter(
      (t) =>
        (!filter.instance || t.instance === filter.instance || t.instance_id === filter.instance) &&
        (!filter.task || t.task === filter.task || t.task_id === filter.task),
    );
    const changes = snapshots.flatMap((s) => s.changes).filter((c) => matchesChange(c, { ...o.range, ...filter }));
    const skipped = [...listing.foreign, ...entries.flatMap((e) => (e.kind === 'ok' ? [] : [e.key]))].map((k) => ctx.store.prefix + k);
    const baselineSnapshots = snapshots.filter((s) => s.previous === null).map((s) => s.id);
    // The same summary as `availability` (DESIGN.md §13), over the objects already read.
    const items = [...(baselineEntry ? [toItem(baselineEntry)] : []), ...entries.map(toItem)].filter((i): i is HistoryItem => i !== undefined);
    const measured = computeAvailability(items, start, end);
    const tasks = measured.tasks.filter((t) => (!filter.instance || t.instance_name === filter.instance || t.instance_id === filter.instance) && (!filter.task || t.task_name === filter.task || t.task_id === filter.task)).sort(worstFirst);
    const summary = renderAvailabilitySummary({ tasks, fleet: fleetFigures(measured, tasks) });
    const silences = await auditSilences(ctx);
    const html = renderReport({ location: ctx.store.location, start, end, generatedAt: ctx.now, snapshots: snapshots.length, timelines, changes, skipped, baselineSnapshots, summary, silences });
    const path = resolve(o.file);
    try {
      await ctx.io.writeFile(path, html);
    } catch (err) {
      throw new AuditFailure(`cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    ctx.io.out(`wrote ${path}: ${plural(timelines.length, 'task')}, ${plural(changes.length, 'change')}, ${plural(snapshots.length, 'snapshot')}\n`);
    return 0;
  },
};

/** The object in force at the start of the range; none when it cannot be read (the bands then start later). */
async function readBaseline(store: AuditStore, id: string): Promise<Extract<HistoryEntry, { kind: 'ok' }> | undefined> {
  let key: string;
  try {
    key = historyKey(id);
  } catch {
    return undefined;
  }
  const entry = parseHistoryObject(key, await store.readText(key));
  return entry.kind === 'ok' ? entry : undefined;
}
