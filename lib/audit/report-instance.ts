import type { Change } from '../alerting/change';
import { isFailingStatus } from '../alerting/change-kinds';
import { changeSummary } from '../notify/render';
import { showInvisible } from '../visible-text';
import type { TaskTimeline } from './bands';
import { formatTime } from './time-range';

/** One instance of the report: its task timelines and its changes, ranked by health. */
export interface InstanceSection {
  instance_id: string;
  name: string;
  /** 0: failing or unreachable at the end; 1: was during the range; 2: healthy throughout. */
  rank: 0 | 1 | 2;
  /** Tasks that changed, or were not RUNNING at some point: a row of bands each. */
  rows: TaskTimeline[];
  /** Tasks RUNNING, reachable, for the whole range: one line for all of them. */
  steady: TaskTimeline[];
  changes: ChangeRow[];
  failingNow: number;
}

export type ChangeRow = { kind: 'change'; change: Change } | { kind: 'baseline'; at: string; snapshot_id: string; tasks: number };

/**
 * Groups the report by instance, the unhealthy first, then by name. A baseline (the task_added
 * changes of a first snapshot, or of an instance newly watched) is one row: "baseline: 520 tasks recorded".
 */
export function instanceSections(timelines: readonly TaskTimeline[], changes: readonly Change[], start: number, end: number, baselineSnapshots: ReadonlySet<string>): { sections: InstanceSection[]; other: Change[] } {
  const byId = new Map<string, InstanceSection>();
  const section = (id: string, name: string) => {
    let s = byId.get(id);
    if (!s) byId.set(id, (s = { instance_id: id, name, rank: 2, rows: [], steady: [], changes: [], failingNow: 0 }));
    return s;
  };
  for (const t of timelines) {
    const s = section(t.instance_id, t.instance);
    const [only] = t.bands;
    const steady = t.bands.length === 1 && only !== undefined && only.status === 'RUNNING' && only.reachable && only.start <= start && only.end >= end;
    (steady ? s.steady : s.rows).push(t);
    const last = t.bands.at(-1);
    const troubled = t.bands.some((b) => isFailingStatus(b.status) || !b.reachable);
    const now = last !== undefined && last.end >= end && (isFailingStatus(last.status) || !last.reachable);
    if (now) s.failingNow++;
    s.rank = Math.min(s.rank, now ? 0 : troubled ? 1 : 2) as InstanceSection['rank'];
  }
  // An instance newly watched (DESIGN.md §9: `instance_added`).
  const added = new Set(changes.filter((c) => c.kind === 'instance_added').map((c) => `${c.snapshot_id}\n${c.instance_id}`));
  const other: Change[] = [];
  const baselines = new Map<string, ChangeRow & { kind: 'baseline' }>();
  for (const c of changes) {
    if (!c.instance_id) {
      other.push(c);
      continue;
    }
    const s = section(c.instance_id, c.instance_name ?? c.instance_id);
    const key = `${c.snapshot_id}\n${c.instance_id}`;
    if (c.kind === 'task_added' && (baselineSnapshots.has(c.snapshot_id) || added.has(key))) {
      const row = baselines.get(key);
      if (row) row.tasks++;
      else {
        const first = { kind: 'baseline' as const, at: c.detected_at, snapshot_id: c.snapshot_id, tasks: 1 };
        baselines.set(key, first);
        s.changes.push(first);
      }
      continue;
    }
    s.changes.push({ kind: 'change', change: c });
    if (c.kind === 'instance_unreachable' && s.rank === 2) s.rank = 1;
  }
  const sections = [...byId.values()].sort((a, b) => a.rank - b.rank || b.failingNow - a.failingNow || compare(a.name, b.name) || compare(a.instance_id, b.instance_id));
  return { sections, other };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** An untrusted name as HTML: escaped, bidi and invisible characters shown as `\uXXXX`, isolated in `<bdi>`. */
export function name(text: string): string {
  return `<bdi>${esc(showInvisible(text))}</bdi>`;
}

/** An untrusted text for an attribute (a title): escaped, invisible characters shown. */
export function attr(text: string): string {
  return esc(showInvisible(text));
}

export function anchor(instanceId: string, taskId: string): string {
  return `task-${instanceId}-${taskId}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** The changes table of one instance (or of the watcher itself). */
export function changeTable(rows: readonly ChangeRow[]): string {
  if (rows.length === 0) return '<p class="none">No changes in this range.</p>';
  const body = rows.map((r) => {
    if (r.kind === 'baseline') {
      return `<tr class="info"><td>${esc(formatTime(r.at))}</td><td><span class="sev">info</span></td><td></td><td>baseline: ${r.tasks} task${r.tasks === 1 ? '' : 's'} recorded</td><td class="id">${esc(r.snapshot_id)}</td></tr>`;
    }
    const c = r.change;
    const task = c.task_id ? `<a href="#${esc(anchor(c.instance_id ?? '', c.task_id))}">${name(c.task_name ?? c.task_id)}</a>` : '';
    return (
      `<tr class="${c.severity}"><td>${esc(formatTime(c.detected_at))}</td><td><span class="sev">${c.severity}</span></td>` +
      `<td>${task}</td><td>${esc(showInvisible(changeSummary(c)))}</td><td class="id">${esc(c.snapshot_id)}</td></tr>`
    );
  });
  return `<table><colgroup><col class="c-time"><col class="c-sev"><col class="c-task"><col><col class="c-id"></colgroup><thead><tr><th>Time (UTC)</th><th>Severity</th><th>Task</th><th>Change</th><th>Snapshot</th></tr></thead><tbody>
${body.join('\n')}
</tbody></table>`;
}
