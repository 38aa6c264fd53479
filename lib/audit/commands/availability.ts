import { parseArgs, usageLine } from '../args';
import { type AvailabilityResult, type HistoryItem, createAvailability } from '../availability';
import { findKeyBefore, keyOfId, listForAvailability, readInOrder, toItem } from '../availability-reader';
import { fleetFigures, taskFigures, worstFirst } from '../availability-summary';
import { formatAvailabilityTable } from '../availability-table';
import { idTime } from '../../store/snapshot-id';
import { parseHistoryObject } from '../history-object';
import { formatTime } from '../time-range';
import { UsageError } from '../usage-error';
import { AuditFailure, type AuditCommand, type AuditContext, rangeFromFlags } from './common';
import { warnSkipped } from './history';

export interface AvailabilityOptions {
  since: Date;
  until: Date;
  instance: string | undefined;
  task: string | undefined;
  json: boolean;
}

const DEFAULT_DAYS = 30;

const SPEC = {
  name: 'availability',
  synopsis: '[--since <time>] [--until <time>] [--instance <name|id>] [--task <name|id>] [--json]',
  flags: { since: 'string', until: 'string', instance: 'string', task: 'string', json: 'boolean' },
  positionals: { min: 0, max: 0 },
} as const;

/** `availability` (DESIGN.md §13): per task over a range (default the last 30 days), worst first, with a fleet line. */
export const availabilityCommand: AuditCommand<AvailabilityOptions> = {
  name: SPEC.name,
  synopsis: SPEC.synopsis,
  summary: 'per task: time running, failing, paused, unknown; availability, incidents, MTTR; worst first (default: the last 30 days)',
  parse(argv, now) {
    const { flags, help } = parseArgs(SPEC, argv);
    if (help) return 'help';
    const usage = usageLine(SPEC);
    const range = rangeFromFlags(flags, now, usage);
    const since = range.since ?? new Date(now.getTime() - DEFAULT_DAYS * 86_400_000);
    const until = range.until ?? now;
    if (since >= now) throw new UsageError(`empty range: --since ${flags.since} (${formatTime(since)} UTC) is not in the past`, usage);
    if (until <= since) throw new UsageError(`empty range: --until ${flags.until} (${formatTime(until)} UTC) is not later than the start, ${formatTime(since)} UTC (${flags.since ? '--since' : `the default, ${DEFAULT_DAYS} days ago`})`, usage);
    return { since, until, instance: flags.instance, task: flags.task, json: flags.json === true };
  },
  async run(ctx, o) {
    const { store, io } = ctx;
    const result = await measure(ctx, o);
    const matches = (id: string, name: string | null, want: string | undefined) => want === undefined || id === want || name === want;
    const tasks = result.tasks.filter((t) => matches(t.instance_id, t.instance_name, o.instance) && matches(t.task_id, t.task_name, o.task)).sort(worstFirst);
    const span = `between ${formatTime(new Date(result.since))} and ${formatTime(new Date(result.end))} UTC`;
    if (tasks.length === 0 && (o.instance !== undefined || o.task !== undefined)) {
      const what = [o.instance !== undefined ? `instance ${JSON.stringify(o.instance)}` : '', o.task !== undefined ? `task ${JSON.stringify(o.task)}` : ''].filter(Boolean).join(' and ');
      throw new AuditFailure(`no task matches ${what} in ${store.location} ${span} (${result.tasks.length} tasks there; names and ids are matched exactly)`);
    }
    const fleet = fleetFigures(result, tasks);
    if (o.json) {
      for (const t of tasks) io.out(`${JSON.stringify(taskFigures(t))}\n`);
      io.out(`${JSON.stringify(fleet)}\n`);
      return 0;
    }
    if (tasks.length === 0) {
      io.out(`no tasks in ${store.location} ${span}\n`);
      return 0;
    }
    const scope = [o.instance !== undefined ? `instance ${o.instance}` : '', o.task !== undefined ? `task ${o.task}` : ''].filter(Boolean).join(', ');
    io.out(`${formatAvailabilityTable({ location: store.location, tasks: tasks.map(taskFigures), fleet, scope: scope || undefined }, ctx.style).join('\n')}\n`);
    return 0;
  },
};

/**
 * Reads what the range needs and folds it: state.json (the last check ends the range), the object in force at
 * `since` (the one the first object in the range links to, or the newest before it), the objects in the range in
 * order, and the first one after it (its link tells whether the last one in the range is missing).
 */
export async function measure(ctx: Pick<AuditContext, 'store' | 'io' | 'progress' | 'now'>, o: Pick<AvailabilityOptions, 'since' | 'until'>): Promise<AvailabilityResult> {
  const { store, io } = ctx;
  const state = await store.readState();
  if (state.kind === 'missing') throw new AuditFailure(`no state.json in ${store.location}: the function has not run there yet, so there is nothing to measure`);
  let lastCheck = ctx.now;
  if (state.kind === 'corrupt') io.err(`warning: ${store.prefix}state.json is unreadable (${state.reason}): the range ends now, not at the last check\n`);
  else lastCheck = new Date(state.state.checked_at);
  const since = o.since.getTime();
  const end = Math.min(o.until.getTime(), lastCheck.getTime());
  if (Number.isNaN(end)) throw new AuditFailure(`state.json's checked_at is not a time: ${JSON.stringify(state.kind === 'ok' ? state.state.checked_at : '')}`);
  if (end <= since) throw new AuditFailure(`nothing to measure: the last check was at ${formatTime(lastCheck)} UTC, not after the start of the range, ${formatTime(o.since)} UTC`);

  const listing = await listForAvailability(store, since, end);
  const keys = [...listing.inRange];
  // The newest object, named by state.json, is part of the history even when it cannot be found.
  const newest = state.kind === 'ok' ? state.state.last_history : null;
  const newestAt = newest ? idTime(newest.id)?.getTime() : undefined;
  const newestKey = newest ? keyOfId(newest.id) : undefined;
  if (newestKey && newestAt !== undefined && newestAt >= since && newestAt < end && !keys.includes(newestKey)) keys.push(newestKey);
  keys.sort();

  const acc = createAvailability(since, end);
  const skipped: string[] = [...listing.foreign];
  const feed = (item: HistoryItem | undefined) => item && acc.add(item);
  const read = async (key: string) => parseHistoryObject(key, await store.readText(key));

  // The object in force at `since`.
  const first = keys[0] ? await read(keys[0]) : undefined;
  if (first?.kind === 'ok') {
    const link = first.snapshot.previous;
    const key = link ? keyOfId(link.id) : undefined;
    if (key) feed(toItem(await read(key)));
  } else if (!first && newest && newestAt !== undefined && newestAt < since && state.kind === 'ok' && state.state.snapshot.id === newest.id) {
    // Nothing changed since before the range: state.json holds the object in force.
    feed({ kind: 'snapshot', at: newestAt, snapshot: state.state.snapshot });
  } else {
    const key = listing.before ?? (await findKeyBefore(store, since));
    if (key) feed(toItem(await read(key)));
  }
  if (first) feed(toItem(first));
  const keep = (entry: ReturnType<typeof parseHistoryObject>) => ({ key: entry.key, ok: entry.kind === 'ok', item: toItem(entry) });
  const onEntry = (kept: ReturnType<typeof keep>) => {
    if (!kept.ok) skipped.push(kept.key);
    feed(kept.item);
  };
  await readInOrder(store, keys.slice(1), keep, onEntry, { progress: ctx.progress('reading history') });
  if (first && first.kind !== 'ok') skipped.unshift(first.key);
  if (listing.after) feed(toItem(await read(listing.after)));
  if (skipped.length > 0) warnSkipped({ io, store } as AuditContext, skipped);
  return acc.finish();
}
