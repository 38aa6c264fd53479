import type { TaskAvailability } from './availability';
import { type FleetFigures, incidentList } from './availability-summary';
import { formatAvailability, formatSpan } from './availability-table';
import { formatTime } from './time-range';

export interface AvailabilitySummaryInput {
  /** Every task of the range, worst first (worstFirst). */
  tasks: readonly TaskAvailability[];
  fleet: FleetFigures;
  /** How many of the worst tasks get a row (default 10). */
  worst?: number;
  /** How many incidents are listed, newest first (default 100); the rest are counted. */
  maxIncidents?: number;
}

/**
 * The availability summary for `report --html` (DESIGN.md §13): fleet availability, the worst tasks with a band of
 * their status over the range, and the incidents (task, start, end, duration, from → to). An HTML fragment: one
 * `<section>` with its own scoped `<style>`; every untrusted text is escaped, and names are in `<bdi>` so that a
 * right-to-left or bidi-control name cannot reorder the text around it. Pure.
 */
export function renderAvailabilitySummary(input: AvailabilitySummaryInput): string {
  const { fleet } = input;
  const since = Date.parse(fleet.since);
  const end = Date.parse(fleet.until);
  const span = Math.max(1, end - since);
  const pct = (t: number) => (((t - since) / span) * 100).toFixed(3);
  const worst = input.tasks.filter((t) => t.failing_ms > 0 || t.incidents.length > 0).slice(0, input.worst ?? 10);
  const name = (instance: string | null, instanceId: string, task: string | null, taskId: string) =>
    `<bdi>${esc(instance ?? instanceId)}</bdi> / <bdi title="${esc(taskId)}">${esc(task ?? taskId)}</bdi>`;

  const rows = worst.map((t) => {
    const bands = t.stretches
      .map((s) => `<i class="av-${s.cls}" style="left:${pct(s.start)}%;width:${(((s.end - s.start) / span) * 100).toFixed(3)}%" title="${esc(`${s.cls} ${formatTime(new Date(s.start))} → ${formatTime(new Date(s.end))} UTC`)}"></i>`)
      .join('');
    const availability = t.running_ms + t.failing_ms === 0 ? null : t.running_ms / (t.running_ms + t.failing_ms);
    const ended = t.incidents.filter((i) => i.end !== null);
    const mttr = ended.length === 0 ? null : ended.reduce((n, i) => n + i.duration_ms, 0) / ended.length / 1000;
    return (
      `<tr><td class="av-name">${name(t.instance_name, t.instance_id, t.task_name, t.task_id)}</td>` +
      `<td class="av-num">${formatAvailability(availability)}</td><td class="av-num">${formatSpan(t.failing_ms / 1000)}</td>` +
      `<td class="av-num">${t.incidents.length}</td><td class="av-num">${formatSpan(mttr)}</td>` +
      `<td class="av-band"><div class="av-track">${bands}</div></td></tr>`
    );
  });

  const all = incidentList(input.tasks);
  const shown = all.slice(0, input.maxIncidents ?? 100);
  const incidents = shown.map((i) => {
    const from = i.from === null ? (i.before_range ? 'before the range' : 'unknown') : i.from;
    return (
      `<tr><td class="av-name">${name(i.instance_name, i.instance_id, i.task_name, i.task_id)}</td>` +
      `<td>${esc(formatTime(new Date(i.start)))}${i.before_range ? ' <small>(or earlier)</small>' : ''}</td>` +
      `<td>${i.end === null ? '<em>not recovered</em>' : esc(formatTime(new Date(i.end)))}</td>` +
      `<td class="av-num">${formatSpan(i.duration_ms / 1000)}</td><td><bdi>${esc(from)}</bdi> → <bdi>${esc(i.to)}</bdi></td></tr>`
    );
  });

  const mttr = fleet.mttr_s === null ? '' : ` · MTTR ${formatSpan(fleet.mttr_s)}`;
  const gaps = fleet.gaps.map(
    (g) => `<li>${esc(formatTime(g.from))} → ${esc(formatTime(g.to))} UTC: history object ${g.missing.map((m) => `<code>${esc(m)}</code>`).join(', ')} missing or unreadable</li>`,
  );
  return `<section class="av"><style>${CSS}</style>
<h2>Availability</h2>
<p class="av-fleet"><strong>${formatAvailability(fleet.availability)}</strong> available · ${fleet.tasks} tasks, ${fleet.tasks_never_failing} never failing · ${fleet.incidents} incidents${mttr} · ${esc(formatTime(fleet.since))} → ${esc(formatTime(fleet.until))} UTC</p>
${gaps.length ? `<div class="av-warn">Counted as unknown (a gap in the history; run <code>smart-connect-watch verify</code>):<ul>${gaps.join('')}</ul></div>` : ''}
<h3>Worst tasks</h3>
${rows.length === 0 ? '<p>No task failed in this range.</p>' : `<table class="av-worst"><thead><tr><th>Instance / task</th><th>Available</th><th>Failing</th><th>Incidents</th><th>MTTR</th><th>Status over the range</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`}
<h3>Incidents</h3>
${incidents.length === 0 ? '<p>No incidents in this range.</p>' : `<table class="av-incidents"><thead><tr><th>Instance / task</th><th>Start (UTC)</th><th>End (UTC)</th><th>Duration</th><th>From → to</th></tr></thead><tbody>\n${incidents.join('\n')}\n</tbody></table>`}
${all.length > shown.length ? `<p>and ${all.length - shown.length} earlier incidents.</p>` : ''}
</section>
`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const CSS = `
.av table{border-collapse:collapse;width:100%}.av th,.av td{text-align:left;padding:4px 8px;border-bottom:1px solid #dee2e6;vertical-align:middle}
.av .av-num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.av .av-name{max-width:320px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.av-fleet strong{font-size:20px}.av-warn{background:#fff3bf;padding:6px 10px;border-radius:4px}
.av-band{width:40%}.av-track{position:relative;height:14px;background:#f1f3f5;border-radius:2px}
.av-track i{position:absolute;top:0;bottom:0}.av-running{background:#2f9e44}.av-failing{background:#e03131}.av-paused{background:#f08c00}
`;
