import type { ChangeKind, Severity } from '../alerting/change';
import type { NotifyLang } from '../config/config';

/** Every text a chat message shows, in English and Chinese. Values are plain text (no markup). */
export interface ChatTexts {
  product: string;
  severity: Record<Severity, string>;
  /** `1 critical, 2 warning` / `严重 1，警告 2`, most severe first. */
  counts: (entries: readonly (readonly [Severity, number])[]) => string;
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
  /** What a change did, after the task's name. */
  kind: {
    [K in ChangeKind]: (from: string, to: string, fields: string) => string;
  };
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
  total: (n) => `${n} ${n === 1 ? 'change' : 'changes'}`,
  title: (scope, counts) => `Smart Connect · ${scope}: ${counts}`,
  detected: (time) => `Detected ${time}`,
  part: (index, of) => `part ${index} of ${of}`,
  omitted: (n, counts, snapshotId) =>
    `…and ${n} more ${n === 1 ? 'change' : 'changes'} not shown here (${counts}). ` +
    `Every change is in the OBS history, snapshot ${snapshotId}.`,
  types: (source, sink) => `source ${source}, sink ${sink}`,
  kind: {
    status_changed: (from, to) => `${from} → ${to}`,
    task_added: (_from, to) => `new task (${to})`,
    task_removed: (from) => `task removed (was ${from})`,
    config_changed: (_from, _to, fields) => `configuration changed: ${fields}`,
    instance_unreachable: () => 'instance unreachable: its tasks could not be listed',
    instance_recovered: () => 'instance reachable again',
    state_reset: () => 'state.json was unreadable and was quarantined; continuing from the history',
    instance_added: () => 'instance now watched: its tasks are a baseline',
    instance_removed: (from) => `instance no longer watched (it had ${from} tasks)`,
  },
  everyone: 'everyone',
  comma: ', ',
  colon: ': ',
};

const zh: ChatTexts = {
  product: 'Smart Connect',
  severity: { critical: '严重', warning: '警告', resolved: '已恢复', info: '信息' },
  counts: (entries) => entries.map(([s, n]) => `${zh.severity[s]} ${n}`).join('，'),
  total: (n) => `${n} 项变更`,
  title: (scope, counts) => `Smart Connect · ${scope}：${counts}`,
  detected: (time) => `检测时间 ${time}`,
  part: (index, of) => `第 ${index}/${of} 条`,
  omitted: (n, counts, snapshotId) => `……另有 ${n} 项变更未在此显示（${counts}）。全部变更见 OBS 历史记录，快照 ${snapshotId}。`,
  types: (source, sink) => `源 ${source}，目标 ${sink}`,
  kind: {
    status_changed: (from, to) => `${from} → ${to}`,
    task_added: (_from, to) => `新任务（${to}）`,
    task_removed: (from) => `任务已删除（原为 ${from}）`,
    config_changed: (_from, _to, fields) => `配置已变更：${fields}`,
    instance_unreachable: () => '实例不可达：无法列出其任务',
    instance_recovered: () => '实例已恢复可达',
    state_reset: () => 'state.json 无法读取，已隔离；从历史记录继续',
    instance_added: () => '开始监控此实例：其任务作为基线',
    instance_removed: (from) => `不再监控此实例（原有 ${from} 个任务）`,
  },
  everyone: '所有人',
  comma: '，',
  colon: '：',
};

export const TEXTS = { en, zh } as const satisfies Record<NotifyLang, ChatTexts>;

export function texts(lang: NotifyLang): ChatTexts {
  return TEXTS[lang];
}
