import type { ChangeKind, Severity } from '../alerting/change';
import { type KindText, kindTexts } from '../alerting/change-kinds';
import type { NotifyLang } from '../config/config';

/** Every text a chat message shows, in English and Chinese. Values are plain text (no markup). */
export interface ChatTexts {
  product: string;
  severity: Record<Severity, string>;
  /** `1 critical, 2 warning` / `严重 1，警告 2`, most severe first. */
  counts: (entries: readonly (readonly [Severity, number])[]) => string;
  /** A message of reminders only: `2 instances still unreachable, 12 tasks still failing` / `2 个实例持续不可达，12 个任务持续故障`. */
  reminders: (tasks: number, instances: number) => string;
  /** `4 changes` / `4 项变更`. */
  total: (n: number) => string;
  /** `Smart Connect · prod: 1 critical, 2 warning`. */
  title: (scope: string, counts: string) => string;
  /** `Detected 2026-11-21 07:15:00 UTC`. */
  detected: (time: string) => string;
  /** `part 2 of 3` shown when a message is split. */
  part: (index: number, of: number) => string;
  /** The last part's note on the changes it could not show, with exact counts. */
  omitted: (n: number, counts: string, snapshotId: string) => string;
  /** `source KAFKA_REPLICATOR_SOURCE, sink NONE`. */
  types: (source: string, sink: string) => string;
  /** What a change did, after the task's name (the table of kinds, change-kinds.ts). */
  kind: Record<ChangeKind, KindText>;
  /** Who a critical change calls: `all` rendered for the platform. */
  everyone: string;
  /** The separator between list items: `, ` / `，`. */
  comma: string;
  /** Between a change's subject and what happened: `: ` / `：`. */
  colon: string;
}

const en: ChatTexts = {
  product: 'Smart Connect',
  severity: { critical: 'critical', warning: 'warning', resolved: 'resolved', info: 'info' },
  counts: (entries) => entries.map(([s, n]) => `${n} ${en.severity[s]}`).join(', '),
  reminders: (tasks, instances) =>
    [
      instances > 0 ? `${instances} ${instances === 1 ? 'instance' : 'instances'} still unreachable` : '',
      tasks > 0 ? `${tasks} ${tasks === 1 ? 'task' : 'tasks'} still failing` : '',
    ]
      .filter(Boolean)
      .join(', '),
  total: (n) => `${n} ${n === 1 ? 'change' : 'changes'}`,
  title: (scope, counts) => `Smart Connect · ${scope}: ${counts}`,
  detected: (time) => `Detected ${time}`,
  part: (index, of) => `part ${index} of ${of}`,
  omitted: (n, counts, snapshotId) =>
    `…and ${n} more ${n === 1 ? 'change' : 'changes'} not shown here (${counts}). ` +
    `Every change is in the OBS history, snapshot ${snapshotId}.`,
  types: (source, sink) => `source ${source}, sink ${sink}`,
  kind: kindTexts('en'),
  everyone: 'everyone',
  comma: ', ',
  colon: ': ',
};

const zh: ChatTexts = {
  product: 'Smart Connect',
  severity: { critical: '严重', warning: '警告', resolved: '已恢复', info: '信息' },
  counts: (entries) => entries.map(([s, n]) => `${zh.severity[s]} ${n}`).join('，'),
  reminders: (tasks, instances) => [instances > 0 ? `${instances} 个实例持续不可达` : '', tasks > 0 ? `${tasks} 个任务持续故障` : ''].filter(Boolean).join('，'),
  total: (n) => `${n} 项变更`,
  title: (scope, counts) => `Smart Connect · ${scope}：${counts}`,
  detected: (time) => `检测时间 ${time}`,
  part: (index, of) => `第 ${index}/${of} 条`,
  omitted: (n, counts, snapshotId) => `……另有 ${n} 项变更未在此显示（${counts}）。全部变更见 OBS 历史记录，快照 ${snapshotId}。`,
  types: (source, sink) => `源 ${source}，目标 ${sink}`,
  kind: kindTexts('zh'),
  everyone: '所有人',
  comma: '，',
  colon: '：',
};

export const TEXTS = { en, zh } as const satisfies Record<NotifyLang, ChatTexts>;

export function texts(lang: NotifyLang): ChatTexts {
  return TEXTS[lang];
}
