import type { NotifyLang } from '../config/config';
import type { Change, Severity } from './change';
import { failingFor, spanText } from './failing-since';

/**
 * Every change kind (DESIGN.md §4) in one table: its severity, whether it is a failure, and its texts.
 * The diff, the change schema, the configuration's kind lists, the chat messages, the digest and the
 * audit all read it: a new kind is one row here (and its tests).
 */

/** What a kind's text gets besides `from`, `to` and the changed `fields` (given already escaped, `?` when null). */
export interface KindContext {
  /** Whether the change is about a task (else about an instance, or about the watcher itself). */
  task: boolean;
  detectedAt: string;
  /** When the failure began (`still_failing`); null when the change does not say. */
  since: string | null;
  /** The IANA zone the times are shown in. */
  timezone: string;
  /** `flapping`: the status changes seen in the window; null when the change does not say. */
  flapCount: number | null;
  /** `flapping`, `flapping_ended`: FLAP_WINDOW when the change was made (ms); null when the change does not say. */
  flapWindowMs: number | null;
}

/** What a change did, after the subject it is about: `RUNNING → FAILED`, `new task (CREATING)`, … */
export type KindText = (from: string, to: string, fields: string, at?: KindContext) => string;

interface KindRow {
  /**
   * Whether a run makes changes of this kind yet. Only those are offered where a user names kinds
   * (NOTIFY_ON, a channel's `events`, the audit's `--kind`); every kind is accepted in a change.
   */
  produced: boolean;
  /** DESIGN.md §4: a constant, or a rule over the change's `from` and `to`. */
  severity: Severity | ((from: string | null, to: string | null) => Severity);
  /** DESIGN.md §4 "Failing": whether the change leaves its task or instance failing. */
  failing: boolean | ((to: string | null) => boolean);
  /** The kind's name in the daily digest's counts. */
  label: Record<NotifyLang, string>;
  text: Record<NotifyLang, KindText>;
}

/** DESIGN.md §4 "Failing": a task whose status is neither RUNNING nor PAUSED (an operator's act). */
export function isFailingStatus(status: string | null): boolean {
  return status !== null && status !== 'RUNNING' && status !== 'PAUSED';
}

/** DESIGN.md §4: severity of a status change. */
export function statusSeverity(from: string | null, to: string | null): Severity {
  if (to === 'RUNNING') return 'resolved';
  if (from === 'RUNNING' && to === 'PAUSED') return 'warning';
  return 'critical';
}

/** `FAILED for 6 h 12 min (since 09:14)`; `still FAILED` when the start of the failure is unknown. */
function stillFailing(lang: NotifyLang, to: string, at: KindContext | undefined): string {
  const what = at?.task === false ? { en: 'unreachable', zh: '不可达' }[lang] : to;
  const f = at ? failingFor(lang, at.since, at.detectedAt, at.timezone) : null;
  if (lang === 'zh') return f ? `${what}，已持续 ${f.duration}（自 ${f.since} 起）` : `仍${at?.task === false ? '' : '为 '}${what}`;
  return f ? `${what} for ${f.duration} (since ${f.since})` : `still ${what}`;
}

/** `status flapping: 4 status changes in 1 h, now FAILED`; the count and window only when the change carries them. */
function flapping(lang: NotifyLang, to: string, at: KindContext | undefined): string {
  const n = at?.flapCount ?? null;
  const span = spanText(lang, at?.flapWindowMs ?? null);
  if (lang === 'zh') {
    const seen = n === null ? '' : span ? `${span}内 ${n} 次状态变更，` : `${n} 次状态变更，`;
    return `状态频繁变化：${seen}当前 ${to}`;
  }
  const seen = n === null ? '' : `${n} status ${n === 1 ? 'change' : 'changes'}${span ? ` in ${span}` : ''}, `;
  return `status flapping: ${seen}now ${to}`;
}

/** `stable again: RUNNING, no status change for 1 h`; the window only when the change carries it. */
function flappingEnded(lang: NotifyLang, to: string, at: KindContext | undefined): string {
  const span = spanText(lang, at?.flapWindowMs ?? null);
  if (lang === 'zh') return `状态已稳定：${to}${span ? `，${span}内无状态变更` : ''}`;
  return `stable again: ${to}${span ? `, no status change for ${span}` : ''}`;
}

export const CHANGE_KIND_TABLE = {
  status_changed: {
    produced: true,
    severity: statusSeverity,
    failing: isFailingStatus,
    label: { en: 'status changed', zh: '状态变更' },
    text: { en: (from, to) => `${from} → ${to}`, zh: (from, to) => `${from} → ${to}` },
  },
  task_added: {
    produced: true,
    severity: 'info',
    failing: isFailingStatus,
    label: { en: 'task added', zh: '新增任务' },
    text: { en: (_from, to) => `new task (${to})`, zh: (_from, to) => `新任务（${to}）` },
  },
  task_removed: {
    produced: true,
    severity: 'warning',
    failing: false,
    label: { en: 'task removed', zh: '删除任务' },
    text: { en: (from) => `task removed (was ${from})`, zh: (from) => `任务已删除（原为 ${from}）` },
  },
  config_changed: {
    produced: true,
    severity: 'info',
    failing: false,
    label: { en: 'configuration changed', zh: '配置变更' },
    text: { en: (_from, _to, fields) => `configuration changed: ${fields}`, zh: (_from, _to, fields) => `配置已变更：${fields}` },
  },
  instance_unreachable: {
    produced: true,
    severity: 'critical',
    failing: true,
    label: { en: 'instance unreachable', zh: '实例不可达' },
    text: { en: () => 'instance unreachable: its tasks could not be listed', zh: () => '实例不可达：无法列出其任务' },
  },
  instance_recovered: {
    produced: true,
    severity: 'resolved',
    failing: false,
    label: { en: 'instance recovered', zh: '实例恢复' },
    text: { en: () => 'instance reachable again', zh: () => '实例已恢复可达' },
  },
  state_reset: {
    produced: true,
    severity: 'warning',
    failing: false,
    label: { en: 'state reset', zh: '状态重置' },
    text: {
      en: () => 'state.json was unreadable and was quarantined; continuing from the history',
      zh: () => 'state.json 无法读取，已隔离；从历史记录继续',
    },
  },
  instance_added: {
    produced: true,
    severity: 'info',
    failing: false,
    label: { en: 'instance added', zh: '新增实例' },
    text: { en: () => 'instance now watched: its tasks are a baseline', zh: () => '开始监控此实例：其任务作为基线' },
  },
  instance_removed: {
    produced: true,
    severity: 'warning',
    failing: false,
    label: { en: 'instance removed', zh: '移除实例' },
    text: { en: (from) => `instance no longer watched (it had ${from} tasks)`, zh: (from) => `不再监控此实例（原有 ${from} 个任务）` },
  },
  still_failing: {
    produced: true,
    severity: 'critical',
    failing: true,
    label: { en: 'still failing', zh: '持续故障' },
    text: { en: (_from, to, _fields, at) => stillFailing('en', to, at), zh: (_from, to, _fields, at) => stillFailing('zh', to, at) },
  },
  flapping: {
    produced: true,
    severity: 'warning',
    failing: isFailingStatus,
    label: { en: 'flapping', zh: '状态频繁变化' },
    text: { en: (_from, to, _fields, at) => flapping('en', to, at), zh: (_from, to, _fields, at) => flapping('zh', to, at) },
  },
  flapping_ended: {
    produced: true,
    severity: (_from, to) => (to === 'RUNNING' ? 'resolved' : 'critical'),
    failing: isFailingStatus,
    label: { en: 'flapping ended', zh: '状态已稳定' },
    text: { en: (_from, to, _fields, at) => flappingEnded('en', to, at), zh: (_from, to, _fields, at) => flappingEnded('zh', to, at) },
  },
} as const satisfies Record<string, KindRow>;

export type ChangeKindName = keyof typeof CHANGE_KIND_TABLE;
const ROWS: Record<ChangeKindName, KindRow> = CHANGE_KIND_TABLE;

/** Every kind, in the table's order. */
export const KIND_NAMES = Object.keys(CHANGE_KIND_TABLE) as [ChangeKindName, ...ChangeKindName[]];
/** The kinds a run makes, in the table's order (the order configuration messages list them in). */
export const PRODUCED_KINDS = KIND_NAMES.filter((k) => ROWS[k].produced) as [ChangeKindName, ...ChangeKindName[]];

/** The severity DESIGN.md §4 gives a change of `kind` from `from` to `to`. */
export function severityOf(kind: ChangeKindName, from: string | null = null, to: string | null = null): Severity {
  const rule = ROWS[kind].severity;
  return typeof rule === 'function' ? rule(from, to) : rule;
}

/** DESIGN.md §4 "Failing": whether the change leaves its task or instance failing. */
export function isFailure(c: Pick<Change, 'kind' | 'to'>): boolean {
  const rule = ROWS[c.kind].failing;
  return typeof rule === 'function' ? rule(c.to) : rule;
}

/** Each kind's text in `lang`. */
export function kindTexts(lang: NotifyLang): Record<ChangeKindName, KindText> {
  return Object.fromEntries(KIND_NAMES.map((k) => [k, ROWS[k].text[lang]])) as Record<ChangeKindName, KindText>;
}

/** Each kind's name for the digest's counts in `lang`. */
export function kindLabels(lang: NotifyLang): Record<ChangeKindName, string> {
  return Object.fromEntries(KIND_NAMES.map((k) => [k, ROWS[k].label[lang]])) as Record<ChangeKindName, string>;
}

/** What a change's text needs besides its values: the times of a reminder, the flapping figures, and whether it is about a task. */
export function kindContext(c: Pick<Change, 'task_id' | 'detected_at' | 'since' | 'flap_count' | 'flap_window_ms'>, timezone: string): KindContext {
  return { task: c.task_id !== null, detectedAt: c.detected_at, since: c.since ?? null, timezone, flapCount: c.flap_count ?? null, flapWindowMs: c.flap_window_ms ?? null };
}
