import type { Change } from '../change';
import { changeSummary } from '../notify/render';
import { type TaskTimeline, axisTicks } from './bands';
import { formatTime } from './time-range';

export interface ReportInput {
  location: string;
  start: number;
  end: number;
  generatedAt: Date;
  snapshots: number;
  timelines: readonly TaskTimeline[];
  changes: readonly Change[];
  /** Objects that could not be used (e.g. unreadable), named in the report. */
  skipped: readonly string[];
}

const LABEL_PX = 240;

/** One self-contained HTML page (inline CSS, no script, no external asset): status bands per task and the list of changes. Pure. */
export function renderReport(r: ReportInput): string {
  const span = Math.max(1, r.end - r.start);
  const pct = (t: number) => (((t - r.start) / span) * 100).toFixed(3);
  const range = `${formatTime(new Date(r.start))} → ${formatTime(new Date(r.end))} UTC`;
  const ticks = axisTicks(r.start, r.end);
  const at = (t: number) => `left:calc(${LABEL_PX}px + (100% - ${LABEL_PX}px) * ${pct(t)} / 100)`;
  const rows: string[] = [];
  let instance = '';
  for (const line of r.timelines) {
    if (line.instance_id !== instance) {
      instance = line.instance_id;
      const id = line.instance === line.instance_id ? '' : ` <small>${esc(line.instance_id)}</small>`;
      rows.push(`<h3>${esc(line.instance)}${id}</h3>`);
    }
    const bands = line.bands
      .map((b) => {
        const title = `${line.task}: ${b.status}${b.reachable ? '' : ' (instance unreachable)'}, ${formatTime(new Date(b.start))} → ${formatTime(new Date(b.end))} UTC`;
        const cls = `band ${statusClass(b.status)}${b.reachable ? '' : ' unreachable'}`;
        const width = (((b.end - b.start) / span) * 100).toFixed(3);
        return `<div class="${cls}" style="left:${pct(b.start)}%;width:${width}%" title="${esc(title)}"></div>`;
      })
      .join('');
    rows.push(
      `<div class="row" id="${esc(anchor(line.instance_id, line.task_id))}"><div class="label" title="${esc(line.task_id)}">${esc(line.task)}</div>` +
        `<div class="track">${bands}</div></div>`,
    );
  }
  const changes = r.changes.map((c) => {
    const task = c.task_id ? `<a href="#${esc(anchor(c.instance_id ?? '', c.task_id))}">${esc(c.task_name ?? c.task_id)}</a>` : '';
    return (
      `<tr class="${c.severity}"><td>${esc(formatTime(c.detected_at))}</td><td><span class="sev">${c.severity}</span></td>` +
      `<td>${esc(c.instance_name ?? c.instance_id ?? '')}${task ? ` / ${task}` : ''}</td><td>${esc(c.kind)}</td>` +
      `<td>${esc(changeSummary(c))}</td><td class="id">${esc(c.snapshot_id)}</td></tr>`
    );
  });
  const legend = ['RUNNING', 'PAUSED', 'FAILED', 'CREATING', 'OTHER']
    .map((s) => `<span><i class="band ${statusClass(s)}"></i>${s === 'OTHER' ? 'other status' : s}</span>`)
    .concat('<span><i class="band running unreachable"></i>instance unreachable (last known status)</span>')
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Smart Connect history: ${esc(r.location)}</title>
<style>${CSS}</style></head>
<body>
<header><h1>Smart Connect task history</h1>
<p class="meta">${esc(r.location)} · ${esc(range)} · ${r.snapshots} snapshots · ${r.timelines.length} tasks · ${r.changes.length} changes · generated ${esc(formatTime(r.generatedAt))} UTC</p>
${r.skipped.length ? `<p class="warn">Skipped ${r.skipped.length} unusable object(s): ${r.skipped.map(esc).join(', ')}. Run <code>smart-connect-watch verify</code>.</p>` : ''}
</header>
<section><h2>Status over time</h2><div class="legend">${legend}</div>
${r.timelines.length === 0 ? '<p>No tasks in this range.</p>' : `<div class="timeline"><div class="axis">${ticks.map((t) => `<span style="${at(t.at)}">${esc(t.label)}</span>`).join('')}</div>
${ticks.map((t) => `<div class="tick" style="${at(t.at)}"></div>`).join('')}
${rows.join('\n')}</div>`}
</section>
<section><h2>Changes</h2>
${changes.length === 0 ? '<p>No changes in this range.</p>' : `<table><thead><tr><th>Time (UTC)</th><th>Severity</th><th>Instance / task</th><th>Kind</th><th>Change</th><th>Snapshot</th></tr></thead><tbody>
${changes.join('\n')}
</tbody></table>`}
</section>
</body></html>
`;
}

export function statusClass(status: string): string {
  if (status === 'RUNNING') return 'running';
  if (status === 'PAUSED') return 'paused';
  if (status === 'FAILED' || status === 'ERROR') return 'failed';
  if (status === 'CREATING' || status === 'WAITING') return 'pending';
  return 'other';
}

function anchor(instanceId: string, taskId: string): string {
  return `task-${instanceId}-${taskId}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const CSS = `
:root{--running:#2f9e44;--paused:#f08c00;--failed:#e03131;--pending:#4dabf7;--other:#868e96;--line:#dee2e6}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:24px;color:#212529;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:14px;margin:14px 0 4px}h3 small{color:#868e96;font-weight:400}
.meta{color:#495057;margin:0}.warn{background:#fff3bf;padding:6px 10px;border-radius:4px}code{font-family:ui-monospace,Menlo,Consolas,monospace}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin-bottom:10px;color:#495057}.legend i{position:static;display:inline-block;width:22px;height:12px;margin-right:5px;vertical-align:-1px;border-radius:2px}
.timeline{position:relative;padding-top:22px}
.axis{position:absolute;top:0;left:0;right:0;height:20px;font-size:11px;color:#868e96}.axis span{position:absolute;transform:translateX(-50%);white-space:nowrap}
.tick{position:absolute;top:18px;bottom:0;width:1px;background:var(--line)}
.row{display:grid;grid-template-columns:${LABEL_PX}px 1fr;align-items:center;height:24px}
.label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding-right:10px}
.track{position:relative;height:16px;background:#f8f9fa;border-radius:2px}
.band{position:absolute;top:0;bottom:0}.running{background:var(--running)}.paused{background:var(--paused)}.failed{background:var(--failed)}
.pending{background:var(--pending)}.other{background:var(--other)}
.unreachable{background-image:repeating-linear-gradient(135deg,rgba(255,255,255,.65) 0 3px,transparent 3px 7px)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:#495057}td.id{font-family:ui-monospace,Menlo,Consolas,monospace;color:#868e96;font-size:12px}
.sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
.critical .sev{background:var(--failed)}.warning .sev{background:var(--paused)}.resolved .sev{background:var(--running)}.info .sev{background:var(--pending)}
a{color:inherit}
`;
