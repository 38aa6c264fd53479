// The command lines of `silence add|list|expire` (DESIGN.md §11): every bad input is a UsageError (exit 2)
// that names what is wrong, before any configuration or OBS request. Pure but for `--by`'s default.
import { userInfo } from 'node:os';
import { CHANGE_KINDS, type ChangeKind } from '../alerting/change';
import { SILENCE_ID } from '../alerting/silences';
import { parseDuration } from '../config/duration';
import { globProblem } from '../glob';
import { type CommandSpec, type FlagKind, parseArgs, usageLine } from './args';
import { parseTimeArg } from './time-range';
import { UsageError } from './usage-error';

export const MAX_SPAN_MS = 90 * 86_400_000;

export const ADD = {
  name: 'silence add',
  synopsis: '[--instance <glob>] [--task <glob>] [--kind <kind>] (--for <duration> | --until <time>) [--starts <time>] --comment <text> [--by <name>] [--force]',
  flags: { instance: 'string', task: 'string', kind: 'string', for: 'string', until: 'string', starts: 'string', comment: 'string', by: 'string', force: 'boolean' },
  positionals: { min: 0, max: 0 },
} as const satisfies CommandSpec<Record<string, FlagKind>>;
export const LIST = { name: 'silence list', synopsis: '[--all] [--json]', flags: { all: 'boolean', json: 'boolean' }, positionals: { min: 0, max: 0 } } as const;
export const EXPIRE = { name: 'silence expire', synopsis: '<id>', flags: {}, positionals: { min: 1, max: 1 } } as const;

/** A silence to add, checked; the id and the creation time are given when it is written. */
export interface AddOptions {
  sub: 'add';
  instance: string | null;
  task: string | null;
  kind: ChangeKind | null;
  starts: Date;
  ends: Date;
  comment: string;
  by: string;
}
export type ListOptions = { sub: 'list'; all: boolean; json: boolean };
export type ExpireOptions = { sub: 'expire'; id: string };
export type SilenceOptions = AddOptions | ListOptions | ExpireOptions;

const TIME_FORM = 'an ISO date or time such as 2026-12-02T09:00Z (UTC unless it names a zone), or a duration from now such as 2h, 30m, 1d';

/**
 * `--starts`/`--until`: like `--since`, an ISO date or time, or a duration; a silence looks ahead, so a
 * duration counts forward from now (`--starts 1h`: in an hour).
 */
export function parseFutureTime(flag: string, text: string, now: Date, usage: string): Date {
  const ahead = parseDuration(text);
  const t = ahead !== undefined ? new Date(now.getTime() + ahead) : parseTimeArg(text, now);
  if (!t || Number.isNaN(t.getTime())) throw new UsageError(`--${flag} ${text}: not a time (${TIME_FORM})`, usage);
  return t;
}

export function parseAdd(argv: readonly string[], now: Date): AddOptions | 'help' {
  const { flags, help } = parseArgs(ADD, argv);
  if (help) return 'help';
  const usage = usageLine(ADD);
  const fail = (message: string): never => {
    throw new UsageError(message, usage);
  };
  const glob = (flag: 'instance' | 'task') => {
    const g = flags[flag];
    if (g === undefined) return null;
    const problem = globProblem(g);
    if (problem) fail(`--${flag} ${JSON.stringify(g)} ${problem}`);
    return g;
  };
  const instance = glob('instance');
  const task = glob('task');
  const kind = flags.kind === undefined ? null : (CHANGE_KINDS as readonly string[]).includes(flags.kind) ? (flags.kind as ChangeKind) : fail(`--kind ${flags.kind}: not a change kind (one of ${CHANGE_KINDS.join(', ')})`);
  if (instance === null && task === null && kind === null) fail('a silence needs at least one matcher: --instance <glob>, --task <glob> or --kind <kind> (a silence of everything is not allowed)');
  const comment = flags.comment?.trim();
  if (!comment) fail('a silence needs --comment <text>: why it is quiet (a ticket, a change request)');
  if (flags.for !== undefined && flags.until !== undefined) fail('give --for <duration> or --until <time>, not both');
  if (flags.for === undefined && flags.until === undefined) fail('a silence needs an end: --for <duration> (e.g. 2h) or --until <time>');
  const starts = flags.starts === undefined ? now : parseFutureTime('starts', flags.starts, now, usage);
  let ends: Date;
  if (flags.for !== undefined) {
    const span = parseDuration(flags.for);
    if (span === undefined || span <= 0) fail(`--for ${flags.for}: not a duration (such as 30m, 2h, 7d, 2w; a bare number is not one)`);
    ends = new Date(starts.getTime() + span!);
  } else {
    ends = parseFutureTime('until', flags.until!, now, usage);
  }
  if (ends <= now) fail(`the silence would end (${ends.toISOString()}) in the past`);
  if (ends <= starts) fail(`the silence would end (${ends.toISOString()}) before it starts (${starts.toISOString()})`);
  if (ends.getTime() - starts.getTime() > MAX_SPAN_MS && flags.force !== true) fail(`the silence would last ${Math.ceil((ends.getTime() - starts.getTime()) / 86_400_000)} days, more than 90: give --force if that is meant`);
  return { sub: 'add', instance, task, kind, starts, ends, comment: comment!, by: flags.by?.trim() || osUser() };
}

export function parseList(argv: readonly string[]): ListOptions | 'help' {
  const { flags, help } = parseArgs(LIST, argv);
  return help ? 'help' : { sub: 'list', all: flags.all === true, json: flags.json === true };
}

export function parseExpire(argv: readonly string[]): ExpireOptions | 'help' {
  const { positionals, help } = parseArgs(EXPIRE, argv);
  if (help) return 'help';
  const id = positionals[0]!;
  if (!SILENCE_ID.test(id)) throw new UsageError(`${id}: not a silence id (sil_…, as silence add and silence list print it)`, usageLine(EXPIRE));
  return { sub: 'expire', id };
}

function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}
