/**
 * The report's hard cases in one generated history: task and instance names that are long (300
 * characters), right-to-left overrides, invisible characters, markdown and HTML, CJK and emoji; a range
 * under an hour; several instances, a few failing. Used by the browser test and the screenshot script.
 */
import { generateFleet } from '../fixtures/audit/fleet';
import { type GeneratedHistory, chainSnapshots } from '../fixtures/audit/history';

export const HOSTILE_TASK_NAMES = [
  `orders-${'very-long-connector-name-'.repeat(12)}end`.slice(0, 300),
  'invoice-\u202Egnp.exe',
  '*bold*[link](http://evil.example/phish)',
  '<img src=x onerror=alert(1)>',
  '订单同步任务-华北四-生产环境-到对象存储',
  '🔴🟠🟢 alerts-sink',
  'zero\u200Bwidth\u2060joiner\uFEFF',
  `${'x'.repeat(120)}`,
];

export const HOSTILE_INSTANCE_NAMES = [`kafka-${'a-rather-long-instance-name-'.repeat(6)}prod`, 'kafka-\u202Eodorp', '生产-kafka-集群'];

/** `instances` × 18 tasks, a snapshot every `everyMinutes` for `minutes`, ending at `end`. */
export function hostileHistory(end: Date, prefix: string, o: { instances: number; minutes: number; everyMinutes: number }): GeneratedHistory {
  const snapshots = generateFleet({
    instances: o.instances,
    tasks: 18,
    days: o.minutes / 1440,
    everyHours: o.everyMinutes / 60,
    end,
    names: HOSTILE_TASK_NAMES,
    instanceNames: HOSTILE_INSTANCE_NAMES,
  });
  return chainSnapshots(snapshots, prefix);
}
