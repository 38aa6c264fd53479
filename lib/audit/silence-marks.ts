// How the audit shows silences (DESIGN.md §10, §11): a recorded change that was not sent carries
// `held` (and `silenced_by` when silenced) in its history object; the report shades the time a silence
// covered a task. Read leniently: a stored change without the fields, or with fields of a newer
// version, is shown as it is. Pure.
import * as z from 'zod';
import { type Silence, matches } from '../alerting/silences';
import { showInvisible } from '../visible-text';
import type { TaskTimeline } from './bands';
import { silenceTime } from './silence-text';

export const HELD_REASONS = ['pending', 'flapping', 'silenced'] as const;

const Marks = z.object({
  held: z.enum(HELD_REASONS).optional().catch(undefined),
  silenced_by: z.array(z.string()).optional().catch(undefined),
});
export type Marks = z.infer<typeof Marks>;

/** The `held` and `silenced_by` fields of a stored change, when it has them (others are dropped). */
export function marksOf(change: unknown): Marks {
  const parsed = Marks.safeParse(change);
  if (!parsed.success) return {};
  const { held, silenced_by } = parsed.data;
  return { ...(held !== undefined ? { held } : {}), ...(silenced_by !== undefined ? { silenced_by } : {}) };
}

/**
 * The note after a held change in the timeline: `[silenced by sil_ab12 "upgrade CHG-1042"]`,
 * `[held: pending]`; '' for a change that was sent. `comments` names the silences still in silences.json.
 */
export function heldNote(change: unknown, comments: ReadonlyMap<string, string> = new Map()): string {
  const { held, silenced_by } = marksOf(change);
  if (held === undefined && silenced_by === undefined) return '';
  if (held === 'silenced' || (held === undefined && silenced_by?.length)) {
    const names = (silenced_by ?? []).map((id) => (comments.has(id) ? `${showInvisible(id)} "${showInvisible(comments.get(id)!)}"` : showInvisible(id)));
    return `[silenced${names.length ? ` by ${names.join(', ')}` : ''}]`;
  }
  return `[held: ${held}]`;
}

/** One shaded stretch of a task's row in the report: a silence in force over `[start, end)` (epoch ms). */
export interface SilenceShade {
  start: number;
  end: number;
  id: string;
  title: string;
}

/** The silences that cover the task of `line`, clipped to `[start, end)`, in the order given. */
export function silenceShades(line: TaskTimeline, silences: readonly Silence[], start: number, end: number): SilenceShade[] {
  const task = { instance_id: line.instance_id, instance_name: line.instance, task_id: line.task_id, task_name: line.task };
  return silences.flatMap((s) => {
    if (!matches({ ...s, kind: null }, { ...task, kind: '' })) return [];
    const from = Math.max(Date.parse(s.starts_at), start);
    const to = Math.min(Date.parse(s.ends_at), end);
    if (!(to > from)) return [];
    const kind = s.kind === null ? '' : ` (${s.kind} only)`;
    return [{ start: from, end: to, id: s.id, title: `silenced${kind} by ${s.id} ${silenceTime(s.starts_at)} → ${silenceTime(s.ends_at)}: ${s.comment}` }];
  });
}
