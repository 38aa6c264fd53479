import { kindLabels } from '../alerting/change-kinds';
import type { NotifyLang } from '../config/config';

/** Every text a chat digest (DESIGN.md §12) shows, in English and Chinese. Values are given already escaped. */
export interface DigestTexts {
  /** `Smart Connect daily digest · 2026-12-02`. */
  title: (day: string) => string;
  /** `All 412 tasks running (3 instances)`: the contract's healthy line. */
  allRunning: (tasks: number, instances: number) => string;
  /** `409 of 412 tasks running (3 instances)`. */
  someRunning: (running: number, tasks: number, instances: number) => string;
  /** `2 failing`, `1 instance unreachable`: appended to the headline. */
  failing: (n: number) => string;
  unreachable: (n: number) => string;
  /** Section headings, with their exact counts. */
  failingHeading: (n: number) => string;
  instancesHeading: (n: number) => string;
  byStatus: (counts: string) => string;
  noTasks: string;
  /** `Last 24 hours: 3 status changed, 1 task added` or the quiet case. */
  changes: (list: string) => string;
  noChanges: string;
  kind: Record<string, string>;
  /** `no messages pending` / `3 pending since …`, and expired ones. */
  pending: (n: number, oldest: string) => string;
  nonePending: string;
  expired: (n: number) => string;
  /** `FAILED since 2026-12-01 07:15:00 UTC (18h 12m)`. */
  failingSince: (status: string, since: string, duration: string) => string;
  failingSinceUnknown: (status: string) => string;
  unreachableSince: (since: string, duration: string) => string;
  unreachableSinceUnknown: string;
  /** An instance whose listing failed: its last known counts. */
  instanceUnreachable: (lastKnown: string) => string;
  duration: (days: number, hours: number, minutes: number) => string;
  /** What the message could not show, with exact counts. */
  omitted: (failing: number, instances: number, tasks: string) => string;
  checked: (time: string) => string;
  comma: string;
  colon: string;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const en: DigestTexts = {
  title: (day) => `Smart Connect daily digest · ${day}`,
  allRunning: (tasks, instances) => `All ${tasks} tasks running (${plural(instances, 'instance', 'instances')})`,
  someRunning: (running, tasks, instances) => `${running} of ${plural(tasks, 'task', 'tasks')} running (${plural(instances, 'instance', 'instances')})`,
  failing: (n) => `${n} failing`,
  unreachable: (n) => `${plural(n, 'instance', 'instances')} unreachable`,
  failingHeading: (n) => `Failing (${n})`,
  instancesHeading: (n) => `Instances (${n})`,
  byStatus: (counts) => `Tasks by status: ${counts}`,
  noTasks: 'no tasks',
  changes: (list) => `Last 24 hours: ${list}`,
  noChanges: 'no changes',
  kind: kindLabels('en'),
  pending: (n, oldest) => `Messages: ${plural(n, 'delivery', 'deliveries')} pending since ${oldest}`,
  nonePending: 'Messages: none pending',
  expired: (n) => `${plural(n, 'message', 'messages')} expired undelivered in the last 24 hours`,
  failingSince: (status, since, duration) => `${status} since ${since} (${duration})`,
  failingSinceUnknown: (status) => `${status}, since an unknown time`,
  unreachableSince: (since, duration) => `unreachable since ${since} (${duration})`,
  unreachableSinceUnknown: 'unreachable, since an unknown time',
  instanceUnreachable: (lastKnown) => `unreachable; last known: ${lastKnown}`,
  duration: (d, h, m) => (d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m`),
  omitted: (failing, instances, tasks) =>
    `…not shown here: ${[failing > 0 ? `${failing} more failing` : '', instances > 0 ? `${plural(instances, 'more instance', 'more instances')} (tasks: ${tasks})` : ''].filter(Boolean).join(', ')}. ` +
    'Run `smart-connect-watch status` for everything.',
  checked: (time) => `Checked ${time}`,
  comma: ', ',
  colon: ': ',
};

const zh: DigestTexts = {
  title: (day) => `Smart Connect 每日摘要 · ${day}`,
  allRunning: (tasks, instances) => `全部 ${tasks} 个任务运行中（${instances} 个实例）`,
  someRunning: (running, tasks, instances) => `${tasks} 个任务中 ${running} 个运行中（${instances} 个实例）`,
  failing: (n) => `${n} 个故障`,
  unreachable: (n) => `${n} 个实例不可达`,
  failingHeading: (n) => `故障（${n}）`,
  instancesHeading: (n) => `实例（${n}）`,
  byStatus: (counts) => `按状态的任务：${counts}`,
  noTasks: '无任务',
  changes: (list) => `最近 24 小时：${list}`,
  noChanges: '无变更',
  kind: kindLabels('zh'),
  pending: (n, oldest) => `消息：${n} 条待发送，最早自 ${oldest}`,
  nonePending: '消息：无待发送',
  expired: (n) => `最近 24 小时 ${n} 条消息过期未送达`,
  failingSince: (status, since, duration) => `${status}，自 ${since} 起（${duration}）`,
  failingSinceUnknown: (status) => `${status}，起始时间未知`,
  unreachableSince: (since, duration) => `不可达，自 ${since} 起（${duration}）`,
  unreachableSinceUnknown: '不可达，起始时间未知',
  instanceUnreachable: (lastKnown) => `不可达；最近已知：${lastKnown}`,
  duration: (d, h, m) => (d > 0 ? `${d} 天 ${h} 小时` : h > 0 ? `${h} 小时 ${m} 分` : `${m} 分`),
  omitted: (failing, instances, tasks) =>
    `……未在此显示：${[failing > 0 ? `另有 ${failing} 个故障` : '', instances > 0 ? `另有 ${instances} 个实例（任务：${tasks}）` : ''].filter(Boolean).join('；')}。` +
    '运行 `smart-connect-watch status` 查看全部。',
  checked: (time) => `检查时间 ${time}`,
  comma: '，',
  colon: '：',
};

export const DIGEST_TEXTS = { en, zh } as const satisfies Record<NotifyLang, DigestTexts>;

