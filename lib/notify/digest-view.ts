import type { Severity } from '../alerting/change';
import type { DigestBody } from '../alerting/digest';
import { packParts } from './chunk';
import { DIGEST_TEXTS, type DigestTexts } from './digest-texts';
import type { Escape } from './markup';
import { SEVERITY_MARK } from './render';
import { type RenderOptions, formatTime } from './summary';
import { showInvisible } from '../visible-text';
import type { Message } from './types';

/** One line of a digest's lists: a failing task or instance, or an instance's counts. Values escaped. */
export interface DigestItem {
  section: 'failing' | 'instances';
  marker: string;
  /** Escaped for the platform; the platform makes it bold. */
  subject: string;
  text: string;
  /** Tasks by status of an instance line (for the omitted summary). */
  tasks: Record<string, number>;
}

/** What a chat digest says (pure); every untrusted value (names, statuses) escaped with the platform's `escape`. */
export interface DigestView {
  texts: DigestTexts;
  /** Plain text: no untrusted value in it. */
  title: string;
  marker: string;
  worst: Severity;
  /** The headline and the summary lines (tasks by status, last 24 h, messages), in order. */
  summary: string[];
  items: DigestItem[];
  failingTotal: number;
  instancesTotal: number;
  footer: string;
}

const MAX_NAME = 120;
const MAX_STATUS = 60;

export function digestView(message: Message & { digest: DigestBody }, opts: RenderOptions, escape: Escape): DigestView {
  const d = message.digest;
  const t = DIGEST_TEXTS[opts.lang];
  const value = (s: string, max: number) => escape(visible(s, max));
  const counts = (r: Record<string, number>) => Object.entries(r).map(([s, n]) => `${value(s, MAX_STATUS)} ${n}`).join(t.comma) || t.noTasks;
  const at = Date.parse(message.taken_at);
  const since = (iso: string) => `${formatTime(iso, opts.timezone)}`;
  const duration = (iso: string) => {
    const minutes = Math.max(0, Math.floor((at - Date.parse(iso)) / 60_000));
    return t.duration(Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60);
  };
  const running = d.tasks_by_status.RUNNING ?? 0;
  const unreachable = d.instances.filter((i) => !i.ok).length;
  const failingTasks = d.failing_total - unreachable;
  const healthy = d.failing_total === 0 && running === d.tasks;
  const worst: Severity = d.failing_total > 0 ? 'critical' : healthy ? 'resolved' : 'warning';
  const headline = healthy
    ? t.allRunning(d.tasks, d.instances.length)
    : [t.someRunning(running, d.tasks, d.instances.length), ...(failingTasks > 0 ? [t.failing(failingTasks)] : []), ...(unreachable > 0 ? [t.unreachable(unreachable)] : [])].join(t.comma);
  const kinds = Object.entries(d.changes_24h).filter(([, n]) => n > 0);
  const summary = [
    `${SEVERITY_MARK[worst]} ${headline}`,
    t.byStatus(counts(d.tasks_by_status)),
    t.changes(kinds.length > 0 ? kinds.map(([k, n]) => `${t.kind[k] ?? value(k, MAX_STATUS)} ${n}`).join(t.comma) : t.noChanges),
    d.messages.pending > 0 && d.messages.oldest_pending_at ? t.pending(d.messages.pending, since(d.messages.oldest_pending_at)) : t.nonePending,
    ...(d.messages.expired_24h > 0 ? [t.expired(d.messages.expired_24h)] : []),
  ];
  const names = new Map(d.instances.map((i) => [i.instance_id, i.name ?? i.instance_id]));
  const items: DigestItem[] = d.failing.map((f) => {
    const instance = value(f.instance_name ?? names.get(f.instance_id) ?? f.instance_id, MAX_NAME);
    const task = f.task_name ?? f.task_id;
    const status = value(f.status ?? '?', MAX_STATUS);
    const text = task === null
      ? (f.since ? t.unreachableSince(since(f.since), duration(f.since)) : t.unreachableSinceUnknown)
      : f.since ? t.failingSince(status, since(f.since), duration(f.since)) : t.failingSinceUnknown(status);
    return { section: 'failing', marker: SEVERITY_MARK.critical, subject: task === null ? instance : `${instance} / ${value(task, MAX_NAME)}`, text, tasks: {} };
  });
  // Instances with a problem first (unreachable, then any task not running), then the healthy ones.
  const rank = (i: DigestBody['instances'][number]) => (!i.ok ? 0 : Object.keys(i.tasks_by_status).some((s) => s !== 'RUNNING') ? 1 : 2);
  const instances = d.instances.map((i, n) => ({ i, n })).sort((a, b) => rank(a.i) - rank(b.i) || a.n - b.n);
  for (const { i } of instances) {
    const r = rank(i);
    items.push({
      section: 'instances',
      marker: r === 0 ? SEVERITY_MARK.critical : r === 1 ? SEVERITY_MARK.warning : SEVERITY_MARK.resolved,
      subject: value(i.name ?? i.instance_id, MAX_NAME),
      text: i.ok ? counts(i.tasks_by_status) : t.instanceUnreachable(counts(i.tasks_by_status)),
      tasks: i.tasks_by_status,
    });
  }
  return {
    texts: t,
    title: t.title(d.day),
    marker: '📋',
    worst,
    summary,
    items,
    failingTotal: d.failing_total,
    instancesTotal: d.instances.length,
    footer: t.checked(formatTime(message.taken_at, opts.timezone)),
  };
}

/** The last part's exact account of what it could not show (failing entries beyond the listed ones count too). */
export function digestOmitted(v: DigestView, shown: readonly DigestItem[], escape: Escape): string | null {
  const failingShown = shown.filter((i) => i.section === 'failing').length;
  const instanceItems = v.items.filter((i) => i.section === 'instances');
  const omittedInstances = instanceItems.slice(shown.length - failingShown);
  const failing = v.failingTotal - failingShown;
  if (failing === 0 && omittedInstances.length === 0) return null;
  const tasks: Record<string, number> = {};
  for (const i of omittedInstances) for (const [s, n] of Object.entries(i.tasks)) tasks[s] = (tasks[s] ?? 0) + n;
  const list = Object.entries(tasks).sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, n]) => `${escape(visible(s, MAX_STATUS))} ${n}`).join(v.texts.comma) || v.texts.noTasks;
  return v.texts.omitted(failing, omittedInstances.length, list);
}

/**
 * The items that fit in one message (a digest is one message), in order: `fits` checks one rendered
 * payload against the platform's limits, given the items shown and the omitted note.
 */
export function fitDigest<P>(v: DigestView, escape: Escape, render: (shown: readonly DigestItem[], omitted: string | null) => P, fits: (p: P) => boolean): P {
  const [part] = packParts(v.items, (shown) => fits(render(shown, digestOmitted(v, shown, escape))), 1);
  const shown = part?.items ?? [];
  return render(shown, digestOmitted(v, shown, escape));
}

/** Groups the shown items under their section headings, with the sections' full counts. */
export function sections(v: DigestView, shown: readonly DigestItem[]): { heading: string; items: DigestItem[] }[] {
  const out: { heading: string; items: DigestItem[] }[] = [];
  for (const section of ['failing', 'instances'] as const) {
    const items = shown.filter((i) => i.section === section);
    if (items.length > 0) out.push({ heading: section === 'failing' ? v.texts.failingHeading(v.failingTotal) : v.texts.instancesHeading(v.instancesTotal), items });
  }
  return out;
}

function visible(text: string, max: number): string {
  const flat = showInvisible(text).replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}
