// Silences (DESIGN.md §11): the schema of `{OBS_PREFIX}silences.json`, which silences are in force, and
// which of them a change matches. Pure: no I/O, the time is passed in.
import * as z from 'zod';
import { globMatcher, globProblem } from '../glob';
import { showInvisible } from '../visible-text';
import { CHANGE_KINDS } from './change';

export const SILENCES_SCHEMA = 'smart-connect-watch/silences/v1';
export const SILENCES_KEY = 'silences.json';
/** Ended silences older than this are dropped when the file is written. */
export const KEEP_ENDED_MS = 30 * 86_400_000;
export const SILENCE_ID = /^sil_[0-9A-Za-z_-]{1,64}$/;

const isoTime = z.iso.datetime({ offset: true });
const glob = z
  .string()
  .nullable()
  .superRefine((g, ctx) => {
    const problem = g === null ? undefined : globProblem(g);
    if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(g)} ${problem}` });
  });

/** One silence as stored. Every matcher null, or an end not after the start, is invalid. */
export const Silence = z
  .object({
    id: z.string().regex(SILENCE_ID, 'expected sil_ followed by letters, digits, _ or -'),
    instance: glob,
    task: glob,
    kind: z.enum(CHANGE_KINDS).nullable(),
    starts_at: isoTime,
    ends_at: isoTime,
    created_at: isoTime,
    created_by: z.string(),
    comment: z.string().trim().min(1, 'a silence needs a comment'),
  })
  .superRefine((s, ctx) => {
    if (s.instance === null && s.task === null && s.kind === null) ctx.addIssue({ code: 'custom', message: 'a silence needs at least one of instance, task, kind (every matcher is null)' });
    if (Date.parse(s.ends_at) <= Date.parse(s.starts_at)) ctx.addIssue({ code: 'custom', path: ['ends_at'], message: `ends_at ${s.ends_at} is not after starts_at ${s.starts_at}` });
  });
export type Silence = z.infer<typeof Silence>;

export const SilencesFile = z.object({ schema: z.literal(SILENCES_SCHEMA), silences: z.array(Silence) }).superRefine((f, ctx) => {
  const seen = new Set<string>();
  f.silences.forEach((s, i) => {
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['silences', i, 'id'], message: `${s.id} appears twice` });
    seen.add(s.id);
  });
});
export type SilencesFile = z.infer<typeof SilencesFile>;

/** What a run or a command makes of the file: its silences, or none and why (a broken silence never hides an alert). */
export type SilencesRead = { silences: Silence[]; error?: string };

/** The fields of a change a silence looks at (DESIGN.md §4). `kind` is a string: any kind, known or not. */
export interface Silenceable {
  kind: string;
  instance_id: string | null;
  instance_name: string | null;
  task_id: string | null;
  task_name: string | null;
}

const time = (iso: string) => Date.parse(iso);

/** In force: `starts_at <= now < ends_at`. */
export function activeAt(s: Silence, now: Date): boolean {
  return time(s.starts_at) <= now.getTime() && now.getTime() < time(s.ends_at);
}
/** Not yet started: a maintenance window. */
export function future(s: Silence, now: Date): boolean {
  return now.getTime() < time(s.starts_at);
}
export function ended(s: Silence, now: Date): boolean {
  return time(s.ends_at) <= now.getTime();
}

const either = (glob: string, a: string | null, b: string | null) => {
  const match = globMatcher(glob);
  return (a !== null && match(a)) || (b !== null && match(b));
};

/**
 * Whether `s` matches `c`, whatever the time. Every non-null matcher must match. A glob matches a name or an
 * id: `instance` against instance_name or instance_id, `task` against task_name or task_id. A task matcher
 * never matches a change without a task (task_id null: instance_unreachable, instance_added, state_reset…):
 * `--task orders-*` silences those tasks, not the instance they run on. `kind` is exact.
 */
export function matches(s: Silence, c: Silenceable): boolean {
  if (s.kind !== null && s.kind !== c.kind) return false;
  if (s.instance !== null && !either(s.instance, c.instance_name, c.instance_id)) return false;
  if (s.task !== null && (c.task_id === null || !either(s.task, c.task_name, c.task_id))) return false;
  return true;
}

/** The ids of the silences active at `now` that match `c`, in the file's order: a change's `silenced_by`. */
export function silencesFor(c: Silenceable, silences: readonly Silence[], now: Date): string[] {
  return silences.filter((s) => activeAt(s, now) && matches(s, c)).map((s) => s.id);
}

/** The silences to keep when the file is written: those that ended more than 30 days before `now` are dropped. */
export function prune(silences: readonly Silence[], now: Date): Silence[] {
  return silences.filter((s) => !prunable(s, now));
}
export function prunable(s: Silence, now: Date): boolean {
  return time(s.ends_at) < now.getTime() - KEEP_ENDED_MS;
}

/** The first problem of a zod error as `<path>: <what is wrong>`. */
export function firstIssue(error: z.ZodError, root: string): string {
  const issue = error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : '(root)';
  return `${root} ${path}: ${issue?.message ?? 'invalid'}`;
}

/**
 * The file's text (undefined: missing) as silences. Missing: none. Not JSON or not the schema: none, with
 * `error` naming the key and what is wrong.
 */
export function parseSilences(text: string | undefined, key: string): SilencesRead {
  if (text === undefined) return { silences: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // The parser's message quotes the file's text: its bidi controls are shown as escapes.
    return { silences: [], error: `${key}: not valid JSON (${showInvisible(err instanceof Error ? err.message : String(err))})` };
  }
  const parsed = SilencesFile.safeParse(json);
  if (!parsed.success) return { silences: [], error: `${key}: ${firstIssue(parsed.error, 'does not match the schema at').replace(/^ /, '')}` };
  return { silences: parsed.data.silences };
}

/** The file's content for `silences`: pruned, in start order (then id), so that equal sets give equal files. */
export function silencesFile(silences: readonly Silence[], now: Date): SilencesFile {
  const kept = prune(silences, now).sort((a, b) => time(a.starts_at) - time(b.starts_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { schema: SILENCES_SCHEMA, silences: kept };
}
