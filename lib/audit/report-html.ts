import type { Change } from '../alerting/change';
import type { Silence } from '../alerting/silences';
import { type TaskTimeline, axisTicks } from './bands';
import { type InstanceSection, anchor, attr, changeTable, esc, instanceSections, name } from './report-instance';
import { silenceShades } from './silence-marks';
import { formatTime } from './time-range';

export { esc } from './report-instance';

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
  /** Ids of first snapshots (no previous) in the range: their new tasks are a baseline, one row per instance. */
  baselineSnapshots?: readonly string[];
  /** The availability summary (an HTML fragment, availability-html.ts) that opens the page. */
  summary?: string;
  /** silences.json: each one is shaded over the task rows it matches, for the time it was in force. */
  silences?: readonly Silence[];
}

const LABEL_PX = 240;
/** More instances than this: only the unhealthy ones start open. */
const OPEN_ALL_UP_TO = 3;

/**
 * One self-contained HTML page (inline CSS, no script, no external asset): per instance (the unhealthy
 * first, in sections that collapse), status bands per task and the changes. Untrusted names are escaped,
 * shown with their invisible characters and isolated (`<bdi>`); long ones wrap. Pure.
 */
export function renderReport(r: ReportInput): string {
  const { sections, other } = instanceSections(r.timelines, r.changes, r.start, r.end, new Set(r.baselineSnapshots ?? []));
  const range = `${formatTime(new Date(r.start))} → ${formatTime(new Date(r.end))} UTC`;
  const unhealthy = sections.filter((s) => s.rank < 2).length;
  const fleet = sections.length === 0 ? '' : `<p class="fleet">${plural(sections.length, 'instance')}: ${unhealthy === 0 ? 'all healthy throughout' : `${unhealthy} with failing tasks or unreachable in this range (listed first)`}.</p>`;
  const legend = ['RUNNING', 'PAUSED', 'FAILED', 'CREATING', 'OTHER']
    .map((s) => `<span><i class="band ${statusClass(s)}"></i>${s === 'OTHER' ? 'other status' : s}</span>`)
    .concat('<span><i class="band running unreachable"></i>instance unreachable (last known status)</span>')
    .concat(r.silences?.length ? '<span><i class="silenced"></i>silenced (a silence in force over the task)</span>' : '')
    .join('');
  const open = (s: InstanceSection) => s.rank === 0 || sections.length <= OPEN_ALL_UP_TO;
  // The axis is the same in every section: its positions are classes, defined once.
  const span = Math.max(1, r.end - r.start);
  const ticks = axisTicks(r.start, r.end).map((t, i) => ({ ...t, cls: `t${i}`, left: `calc(${LABEL_PX}px + (100% - ${LABEL_PX}px) * ${(((t.at - r.start) / span) * 100).toFixed(3)} / 100)` }));
  const tickCss = ticks.map((t) => `.${t.cls}{left:${t.left}}`).join('');
  const axis = `<div class="axis">${ticks.map((t) => `<span class="${t.cls}">${esc(t.label)}</span>`).join('')}</div>${ticks.map((t) => `<i class="tick ${t.cls}"></i>`).join('')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Smart Connect history: ${esc(r.location)}</title>
<style>${CSS}${tickCss}</style></head>
<body>
<header><h1>Smart Connect task history</h1>
<p class="meta">${esc(r.location)} · ${esc(range)} · ${plural(r.snapshots, 'snapshot')} · ${plural(r.timelines.length, 'task')} · ${plural(r.changes.length, 'change')} · generated ${esc(formatTime(r.generatedAt))} UTC</p>
${r.skipped.length ? `<p class="warn">Skipped ${r.skipped.length} unusable object(s): ${r.skipped.map(esc).join(', ')}. Run <code>smart-connect-watch verify</code>.</p>` : ''}
</header>
${r.summary ?? ''}
<div class="legend">${legend}</div>
${fleet}
${sections.length === 0 ? '<p>No tasks in this range.</p><p>No changes in this range.</p>' : sections.map((s) => section(s, r, axis, open(s))).join('\n')}
${other.length ? `<section><h2>Changes of the watcher itself</h2>${changeTable(other.map((change) => ({ kind: 'change', change })))}</section>` : ''}
</body></html>
`;
}

function section(s: InstanceSection, r: ReportInput, axis: string, open: boolean): string {
  const span = Math.max(1, r.end - r.start);
  const pct = (t: number) => (((t - r.start) / span) * 100).toFixed(3);
  const tasks = s.rows.length + s.steady.length;
  const health =
    s.rank === 0 ? `<span class="health bad">${s.failingNow} failing now</span>` : s.rank === 1 ? '<span class="health warn">recovered</span>' : '<span class="health ok">healthy</span>';
  const id = s.name === s.instance_id ? '' : ` <small>${esc(s.instance_id)}</small>`;
  const rows = s.rows.map((line) => {
    const bands = line.bands
      .map((b) => {
        // The row names the task: the title says what and when (times without the year, seconds when they matter).
        const title = `${b.status}${b.reachable ? '' : ' (instance unreachable)'} ${shortTime(b.start)} → ${shortTime(b.end)}`;
        const width = (((b.end - b.start) / span) * 100).toFixed(3);
        return `<i class="band ${statusClass(b.status)}${b.reachable ? '' : ' unreachable'}" style="left:${pct(b.start)}%;width:${width}%" title="${attr(title)}"></i>`;
      })
      .join('');
    const shades = silenceShades(line, r.silences ?? [], r.start, r.end)
      .map((x) => `<i class="silenced" data-silence="${attr(x.id)}" style="left:${pct(x.start)}%;width:${(((x.end - x.start) / span) * 100).toFixed(3)}%" title="${attr(x.title)}"></i>`)
      .join('');
    return `<div class="row" id="${esc(anchor(line.instance_id, line.task_id))}"><div class="label" title="${attr(`${line.task} (${line.task_id})`)}">${name(line.task)}</div><div class="track">${bands}${shades}</div></div>`;
  });
  // Tasks RUNNING throughout need no bands: one line names them all.
  let steady = '';
  if (s.steady.length > 0) {
    // Only a task some change row links to needs an anchor (a configuration change leaves it steady).
    const linked = new Set(s.changes.flatMap((c) => (c.kind === 'change' && c.change.task_id ? [c.change.task_id] : [])));
    const names = s.steady.map((t) => (linked.has(t.task_id) ? `<span id="${esc(anchor(t.instance_id, t.task_id))}">${name(t.task)}</span>` : name(t.task))).join(', ');
    steady = `<p class="steady"><i class="band running"></i>${s.rows.length === 0 ? 'all ' : ''}${plural(s.steady.length, 'task')} RUNNING throughout: ${names}</p>`;
  }
  const timeline = tasks === 0 ? '<p class="none">No tasks in this range.</p>' : `${s.rows.length > 0 ? `<div class="timeline">${axis}\n${rows.join('\n')}</div>` : ''}${steady}`;
  const changes = s.changes.length;
  return `<details class="instance" id="${esc(anchor(s.instance_id, ''))}"${open ? ' open' : ''}><summary>${health} <span class="iname" title="${attr(s.name)}">${name(s.name)}</span>${id} · ${plural(tasks, 'task')} · ${plural(changes, 'change row')}</summary>
${timeline}
${changeTable(s.changes)}
</details>`;
}

export function statusClass(status: string): string {
  if (status === 'RUNNING') return 'running';
  if (status === 'PAUSED') return 'paused';
  if (status === 'FAILED' || status === 'ERROR') return 'failed';
  if (status === 'CREATING' || status === 'WAITING') return 'pending';
  return 'other';
}

function shortTime(t: number): string {
  const iso = new Date(t).toISOString();
  return `${iso.slice(5, 10)} ${iso.slice(11, iso.slice(17, 19) === '00' ? 16 : 19)}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

const CSS = `
:root{--running:#2f9e44;--paused:#f08c00;--failed:#e03131;--pending:#4dabf7;--other:#868e96;--line:#dee2e6}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:24px;color:#212529;background:#fff;overflow-wrap:break-word}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}small{color:#868e96;font-weight:400}
.meta{color:#495057;margin:0;overflow-wrap:anywhere}.warn{background:#fff3bf;padding:6px 10px;border-radius:4px;overflow-wrap:anywhere}code{font-family:ui-monospace,Menlo,Consolas,monospace}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin:16px 0 10px;color:#495057}.legend i{position:static;display:inline-block;width:22px;height:12px;margin-right:5px;vertical-align:-1px;border-radius:2px}
.fleet{color:#495057}
details.instance{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:0 12px}
details.instance[open]{padding-bottom:12px}
summary{cursor:pointer;padding:8px 0;font-weight:600;overflow-wrap:anywhere}summary small{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.health{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px;font-weight:400}.health.bad{background:var(--failed)}.health.warn{background:var(--paused)}.health.ok{background:var(--running)}
.timeline{position:relative;padding-top:22px;margin-top:4px}
.axis{position:absolute;top:0;left:0;right:0;height:20px;font-size:11px;color:#868e96}.axis span{position:absolute;transform:translateX(-50%);white-space:nowrap}
.tick{position:absolute;top:18px;bottom:0;width:1px;background:var(--line)}.track,.label{position:relative}
.row{display:grid;grid-template-columns:${LABEL_PX}px minmax(0,1fr);align-items:center;min-height:24px}
.label{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden;overflow-wrap:anywhere;padding-right:10px;line-height:1.25}
.track{position:relative;height:16px;background:#f8f9fa;border-radius:2px}
.band{position:absolute;top:0;bottom:0}.running{background:var(--running)}.paused{background:var(--paused)}.failed{background:var(--failed)}
.pending{background:var(--pending)}.other{background:var(--other)}
.silenced{position:absolute;top:-2px;bottom:-2px;background:repeating-linear-gradient(45deg,rgba(73,80,87,.45) 0 2px,rgba(73,80,87,.12) 2px 6px);border:1px solid #495057;border-radius:2px}
.unreachable{background-image:repeating-linear-gradient(135deg,rgba(255,255,255,.65) 0 3px,transparent 3px 7px)}
.steady{margin:6px 0 0;color:#495057;font-size:12px;overflow-wrap:anywhere}.steady i{position:static;display:inline-block;width:22px;height:10px;margin-right:6px;border-radius:2px}
.none{color:#868e96}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin-top:10px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
col.c-time{width:12em}col.c-sev{width:6.5em}col.c-task{width:30%}col.c-id{width:14em}
th{font-weight:600;color:#495057}td.id{font-family:ui-monospace,Menlo,Consolas,monospace;color:#868e96;font-size:12px}
.sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
.critical .sev{background:var(--failed)}.warning .sev{background:var(--paused)}.resolved .sev{background:var(--running)}.info .sev{background:var(--pending)}
a{color:inherit}
`;
