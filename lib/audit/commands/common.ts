import { CHANGE_KINDS, type ChangeKind } from '../../alerting/change';
import type { Env } from '../../config/config';
import type { HistoryReader, ObjectWriter, StateStore } from '../../store/ports';
import { historyKey } from '../../store/snapshot';
import { usageLine } from '../args';
import { isSnapshotId } from '../../store/snapshot-id';
import { type HistoryEntry, parseHistoryObject } from '../history-object';
import type { Progress } from '../progress';
import type { Style } from '../style';
import { type TimeRange, parseTimeArg } from '../time-range';
import { UsageError } from '../usage-error';

/** The store calls the audit commands make (all reads). */
export type AuditStore = Pick<HistoryReader, 'listKeys' | 'readText' | 'readLatestHistory' | 'location' | 'prefix'> & Pick<StateStore, 'readState'> &
  /** The writes of `silence add|expire` (the OBS store has them; a read-only fake need not). */
  Partial<ObjectWriter> & {
  /** Destroys the store's sockets once the command is done (the OBS store has it; a test fake need not). */
  close?(): void;
};

/** The outside world of a command: output, clock, files. */
export interface AuditIo {
  out(text: string): void;
  err(text: string): void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  env: Env;
  now(): Date;
  writeFile(path: string, text: string): Promise<void>;
}

export interface AuditContext {
  store: AuditStore;
  io: AuditIo;
  style: Style;
  now: Date;
  /** A progress line on stderr (only on a terminal). */
  progress(label: string): Progress;
}

/** A failure the command reports itself (exit 1): an object not found, unreadable, a file not written. */
export class AuditFailure extends Error {
  override readonly name = 'AuditFailure';
}

export function rangeFromFlags(flags: { since?: string | undefined; until?: string | undefined }, now: Date, usage: string): TimeRange {
  const parse = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const t = parseTimeArg(v, now);
    if (!t) throw new UsageError(`--${flag} ${v}: not a time (an ISO date or time such as 2026-11-20 or 2026-11-20T08:00Z, or a duration back from now such as 7d, 12h, 30m)`, usage);
    return t;
  };
  const range = { since: parse('since', flags.since), until: parse('until', flags.until) };
  if (range.since && range.until && range.until <= range.since) throw new UsageError('--until must be later than --since', usage);
  return range;
}

export function kindFromFlag(kind: string | undefined, usage: string): ChangeKind | undefined {
  if (kind === undefined) return undefined;
  if ((CHANGE_KINDS as readonly string[]).includes(kind)) return kind as ChangeKind;
  throw new UsageError(`--kind ${kind}: not a change kind (${CHANGE_KINDS.join(', ')})`, usage);
}

/** `latest` or a snapshot id, checked before anything is read. */
export function snapshotRef(ref: string, usage: string): string {
  if (ref === 'latest' || isSnapshotId(ref)) return ref;
  throw new UsageError(`${ref}: not a snapshot id (YYYYMMDDTHHMMSSmmmZ, e.g. 20261121T071500123Z) or latest`, usage);
}

/** Reads one snapshot by id (or the newest for `latest`); AuditFailure when there is none or it is unusable. */
export async function loadSnapshot(store: AuditStore, ref: string): Promise<{ entry: Extract<HistoryEntry, { kind: 'ok' }>; text: string }> {
  const id = ref === 'latest' ? await latestId(store) : ref;
  const key = historyKey(id);
  const text = await store.readText(key);
  if (text === undefined) throw new AuditFailure(`no history object ${id} (looked for ${store.prefix}${key} in ${store.location})`);
  const entry = parseHistoryObject(key, text);
  if (entry.kind !== 'ok') throw new AuditFailure(`${store.prefix}${key} is unusable: ${entry.reason}`);
  return { entry, text };
}

async function latestId(store: AuditStore): Promise<string> {
  const state = await store.readState();
  if (state.kind === 'ok' && state.state.last_history) return state.state.last_history.id;
  const latest = await store.readLatestHistory();
  if (!latest) throw new AuditFailure(`no history yet in ${store.location}`);
  return latest.snapshot.id;
}

/** `a history object` / `3 history objects`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * What `<command> --help`, `-h` and `help <command>` print: the usage line (`usage: smart-connect-watch
 * <name> <synopsis>`), the one-line summary (also the command's line in the general help), then the
 * details when there are any.
 */
export interface HelpText {
  name: string;
  /** Everything after the command name, e.g. `[--json] <snapshot_id>`; '' for none. */
  synopsis: string;
  /** One line: what the command does. */
  summary: string;
  /** More lines (options, exit codes), printed under the summary. */
  details?: string;
}

export function formatHelp(c: HelpText, trailer = ''): string {
  const details = [c.details, trailer].filter(Boolean).join('\n\n');
  return `${usageLine(c)}\n\n  ${c.summary}\n${details ? `\n${details.replace(/^(?=.)/gm, '  ')}\n` : ''}`;
}

/** What `parse` returns for a subcommand's `--help` (`silence add --help`): the text to print, exit 0. */
export class HelpRequest {
  constructor(readonly text: string) {}
}

/**
 * One audit command: strict argument parsing first (exit 2 on a bad command line, before any configuration), then the run.
 * Its help is its HelpText; `parse` returns 'help' for --help/-h (parseArgs in ../args.ts reports it).
 */
export interface AuditCommand<O> extends HelpText {
  /** Throws UsageError; `help` for --help. */
  parse(argv: readonly string[], now: Date): O | 'help' | HelpRequest;
  run(ctx: AuditContext, options: O): Promise<number>;
}
