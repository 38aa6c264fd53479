import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Change } from '../lib/alerting/change';
import type { NotifyLang } from '../lib/config/config';
import { MAX_PARTS } from '../lib/notify/chunk';
import { genericPayload } from '../lib/notify/generic';
import type { Message } from '../lib/notify/types';
import lifecycle from './fixtures/golden/lifecycle.json';
import reminders from './fixtures/golden/reminders.json';
import { CHAT_PLATFORMS, type ChatPlatform, shownText } from './support/chat-text';
import { expectGolden } from './support/golden';

/**
 * Issue #19 item 4: the messages of the alert lifecycle (DESIGN.md §10) on every platform, in both
 * languages: a run's burst of reminders (`still_failing`) as one message, and a message with each
 * lifecycle kind. Golden files (`npx vitest run test/notify-lifecycle-golden.test.ts -u` rewrites
 * them: review the diff), and what a reader sees, read back with markdown-it / Slack's rules.
 */
const DIR = join(__dirname, 'fixtures/golden');
const ZONE: Record<NotifyLang, string> = { en: 'UTC', zh: 'Asia/Shanghai' };
const MENTION: Record<ChatPlatform, string[] | undefined> = { feishu: ['all'], dingtalk: ['13800000000'], wecom: ['zhangsan'], slack: undefined, teams: undefined };
const FIXTURES = { lifecycle: lifecycle as Message, reminders: reminders as Message };
const LANGS = ['en', 'zh'] as const;

const cases = Object.entries(FIXTURES).flatMap(([fixture, message]) =>
  CHAT_PLATFORMS.flatMap(([platform, build]) => LANGS.map((lang) => [`${fixture}-${platform}.${lang}`, platform, build, message, lang] as const)),
);

describe('golden lifecycle payloads', () => {
  it.each(cases)('%s', async (name, platform, build, message, lang) => {
    const payloads = build(message, { lang, timezone: ZONE[lang], mention: MENTION[platform] });
    await expectGolden(`${JSON.stringify(payloads, null, 2)}\n`, join(DIR, `${name}.json`));
  });

  it.each(Object.entries(FIXTURES))('%s: the generic webhook carries the changes as recorded (since, flap_count, flap_window_ms)', async (name, message) => {
    const body = genericPayload(message);
    expect(JSON.parse(body).changes).toEqual(message.changes);
    await expectGolden(`${JSON.stringify(JSON.parse(body), null, 2)}\n`, join(DIR, `${name}-generic.json`));
  });
});

/** What a reader sees, per language: each line of the lifecycle message and the reminders' title. */
const SEEN: Record<NotifyLang, { lifecycle: string[]; reminders: string[] }> = {
  en: {
    lifecycle: [
      'smart-connect-121248117: FAILED for 6 h 12 min (since 09:14)',
      'orders-sync: status flapping: 4 status changes in 1 h, now FAILED',
      'orders-dump-1: stable again: RUNNING, no status change for 1 h',
      'analytics: unreachable for 17 h 21 min (since 2026-11-20 22:05)',
      'clicks-to-obs: stable again: ERROR, no status change for 1 h 30 min',
      'Smart Connect · prod, analytics: 3 critical, 1 warning, 1 resolved',
    ],
    reminders: ['Smart Connect · prod: 12 tasks still failing', 'orders-dump-1: FAILED for 6 h 12 min (since 09:14)', 'orders-dump-12: CREATE_FAILED for 15 h 46 min (since 2026-11-20 23:40)'],
  },
  zh: {
    lifecycle: [
      'smart-connect-121248117：FAILED，已持续 6 小时 12 分钟（自 17:14 起）',
      'orders-sync：状态频繁变化：1 小时内 4 次状态变更，当前 FAILED',
      'orders-dump-1：状态已稳定：RUNNING，1 小时内无状态变更',
      'analytics：不可达，已持续 17 小时 21 分钟（自 06:05 起）',
      'clicks-to-obs：状态已稳定：ERROR，1 小时 30 分钟内无状态变更',
      'Smart Connect · prod，analytics：严重 3，警告 1，已恢复 1',
    ],
    reminders: ['Smart Connect · prod：12 个任务持续故障', 'orders-dump-1：FAILED，已持续 6 小时 12 分钟（自 17:14 起）', 'orders-dump-12：CREATE_FAILED，已持续 15 小时 46 分钟（自 07:40 起）'],
  },
};

describe('what a reader sees of them', () => {
  it.each(Object.keys(FIXTURES).flatMap((fixture) => CHAT_PLATFORMS.flatMap(([platform, build]) => LANGS.map((lang) => [fixture as keyof typeof FIXTURES, platform, lang, build] as const))))(
    '%s on %s (%s)',
    (fixture, platform, lang, build) => {
      const shown = shownText(platform, build(FIXTURES[fixture], { lang, timezone: ZONE[lang], mention: [] }));
      for (const line of SEEN[lang][fixture]) expect(shown).toContain(line);
    },
  );
});

describe('a burst of reminders is one message per channel and run', () => {
  const burst = (n: number, instances = 0, pad = ''): Message => {
    const base = (reminders as Message).changes[0]!;
    const tasks = Array.from({ length: n }, (_, i): Change => ({ ...base, id: `r${i}`, task_id: `t-${String(i).padStart(5, '0')}`, task_name: `${pad}orders-dump-${String(i).padStart(5, '0')}` }));
    const down = Array.from({ length: instances }, (_, i): Change => ({ ...base, id: `u${i}`, instance_id: `i${i}`, instance_name: `edge-${i}`, task_id: null, task_name: null, from: null, to: null }));
    return { id: 'm', snapshot_id: base.snapshot_id, taken_at: base.detected_at, changes: [...down, ...tasks], task_types: {} };
  };

  it.each(CHAT_PLATFORMS)('%s: 12 reminders are one payload listing every task', (platform, build) => {
    const payloads = build(burst(12), { lang: 'en', timezone: 'UTC', mention: [] });
    expect(payloads.length).toBe(1);
    const shown = shownText(platform, payloads);
    expect(shown).toContain('12 tasks still failing');
    for (let i = 0; i < 12; i++) expect(shown).toContain(`orders-dump-${String(i).padStart(5, '0')}: FAILED for 6 h 12 min (since 09:14)`);
  });

  it.each(CHAT_PLATFORMS)('%s: instances and tasks reminded together are counted apart', (platform, build) => {
    const shown = shownText(platform, build(burst(3, 2), { lang: 'en', timezone: 'UTC', mention: [] }));
    expect(shown).toContain('2 instances still unreachable, 3 tasks still failing');
  });

  it.each(CHAT_PLATFORMS)('%s: 3,000 reminders of long names stay within the platform limits and say exactly what is not shown', (platform, build) => {
    const n = 3000;
    const payloads = build(burst(n, 0, 'x'.repeat(100)), { lang: 'en', timezone: 'UTC', mention: [] });
    expect(payloads.length).toBeLessThanOrEqual(MAX_PARTS);
    const shown = shownText(platform, payloads);
    const listed = new Set(shown.match(/orders-dump-\d{5}: FAILED/g));
    const more = /…and (\d+) more changes not shown here \((\d+) tasks still failing\)/.exec(shown);
    expect(more).not.toBeNull();
    expect(Number(more![1])).toBe(n - listed.size);
    expect(Number(more![2])).toBe(n - listed.size);
  });

  it('a reminder among other changes: the title counts severities as for any message', () => {
    const m = burst(2);
    m.changes.push({ ...m.changes[0]!, id: 'x', kind: 'status_changed', severity: 'resolved', task_id: 't-x', task_name: 'x', from: 'FAILED', to: 'RUNNING' });
    const shown = shownText('slack', CHAT_PLATFORMS.find(([p]) => p === 'slack')![1](m, { lang: 'en', timezone: 'UTC', mention: [] }));
    expect(shown).toContain('Smart Connect · prod: 2 critical, 1 resolved');
  });
});
