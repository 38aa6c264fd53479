// How the CLI words silences: the one-line summary `silence add` prints, the `silence list` table, and
// the check that a new silence matches something in the latest snapshot. Pure.
import { type Silence, type Silenceable, activeAt, ended, future, matches } from '../alerting/silences';
import type { Snapshot } from '../store/snapshot';
import { showInvisible } from '../visible-text';
import { type Style, alignRows, truncateTo } from './style';

/** `2026-12-02 09:00 UTC` (seconds only when they are not zero). */
export function silenceTime(iso: string): string {
  const t = new Date(iso).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, t.slice(17, 19) === '00' ? 16 : 19)} UTC`;
}

/** `2 h`, `45 min`, `3 d 4 h`, `90 s`: the two largest units. */
export function spanText(ms: number): string {
  const units: [number, string][] = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'min'], [1_000, 's']];
  let rest = Math.max(0, Math.round(ms / 1000) * 1000);
  const counts = units.map(([size, unit]) => {
    const n = Math.floor(rest / size);
    rest -= n * size;
    return { n, unit };
  });
  const first = counts.findIndex((c) => c.n > 0);
  if (first < 0) return '0 s';
  return counts.slice(first, first + 2).filter((c) => c.n > 0).map((c) => `${c.n} ${c.unit}`).join(' ');
}

/** What a silence covers: `task orders-* on every instance`, `everything on instance prod`, `every status_changed change`. */
export function scopeText(s: Pick<Silence, 'instance' | 'task' | 'kind'>): string {
  const g = (x: string) => showInvisible(x);
  if (s.instance === null && s.task === null) return `every ${s.kind} change`;
  const what = s.task !== null ? `task ${g(s.task)}` : 'everything';
  const where = s.instance !== null ? ` on instance ${g(s.instance)}` : ' on every instance';
  return `${s.kind !== null ? `${s.kind} changes of ` : ''}${what}${where}`;
}

/** `silences task orders-* on every instance until 2026-12-02 09:00 UTC (2 h)`; a window names its start. */
export function summaryLine(s: Silence, now: Date): string {
  const span = spanText(Date.parse(s.ends_at) - Date.parse(s.starts_at));
  const when = future(s, now) ? `from ${silenceTime(s.starts_at)} until ${silenceTime(s.ends_at)} (${span}, a maintenance window)` : `until ${silenceTime(s.ends_at)} (${span})`;
  return `silences ${scopeText(s)} ${when}`;
}

export type SilenceState = 'active' | 'future' | 'ended';
export function stateAt(s: Silence, now: Date): SilenceState {
  return activeAt(s, now) ? 'active' : future(s, now) ? 'future' : ended(s, now) ? 'ended' : 'active';
}

const COMMENT_MAX = 48;

/** The `silence list` table, in the order given. */
export function silenceTable(silences: readonly Silence[], now: Date, style: Style): string[] {
  const rows = [
    ['ID', 'STATE', 'STARTS (UTC)', 'ENDS (UTC)', 'INSTANCE', 'TASK', 'KIND', 'BY', 'COMMENT'],
    ...silences.map((s) => [
      s.id,
      stateAt(s, now),
      silenceTime(s.starts_at).replace(' UTC', ''),
      silenceTime(s.ends_at).replace(' UTC', ''),
      s.instance === null ? '*' : showInvisible(s.instance),
      s.task === null ? '*' : showInvisible(s.task),
      s.kind ?? '*',
      truncateTo(showInvisible(s.created_by), 16),
      truncateTo(showInvisible(s.comment.replace(/\s+/g, ' ')), COMMENT_MAX),
    ]),
  ];
  const head = (cell: string, row: number) => (row === 0 ? style.dim(cell) : cell);
  return alignRows(rows, [head, (cell, row) => (row === 0 ? style.dim(cell) : cell === 'ended' ? style.dim(cell) : cell), head, head, head, head, head, head, head]);
}

/** Whether the silence matches an instance or a task of the snapshot (its kind aside: a kind matches any change). */
export function matchesSnapshot(s: Silence, snapshot: Snapshot): boolean {
  const anyKind = { ...s, kind: null };
  if (anyKind.instance === null && anyKind.task === null) return true;
  return snapshot.instances.some((i) => {
    const base: Silenceable = { kind: '', instance_id: i.instance_id, instance_name: i.name, task_id: null, task_name: null };
    return matches(anyKind, base) || i.tasks.some((t) => matches(anyKind, { ...base, task_id: t.id, task_name: t.task_name ?? null }));
  });
}

/** `show`'s lines for the silences active at the snapshot's time; none when there are none. */
export function activeSilenceLines(silences: readonly Silence[], at: Date, style: Style): string[] {
  const active = silences.filter((s) => activeAt(s, at));
  if (active.length === 0) return [];
  const rows = active.map((s) => [s.id, `${scopeText(s)} until ${silenceTime(s.ends_at)}`, `by ${showInvisible(s.created_by)}: ${truncateTo(showInvisible(s.comment.replace(/\s+/g, ' ')), COMMENT_MAX)}`]);
  return ['', style.bold(`silences active at ${silenceTime(at.toISOString())}`), ...alignRows(rows).map((l) => `  ${l}`)];
}
