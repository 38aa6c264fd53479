import { describe, expect, it } from 'vitest';
import type { Change } from '../lib/alerting/change';
import { DIGEST_TEXTS } from '../lib/notify/digest-texts';
import { genericPayload } from '../lib/notify/generic';
import { changeLine } from '../lib/notify/render';
import { buildSlackPayloads } from '../lib/notify/slack';
import type { Message } from '../lib/notify/types';
import { CHAT_PLATFORMS, shownText } from './support/chat-text';

// Issue #17 item 1: the kinds DESIGN.md §4 adds (still_failing, flapping, flapping_ended), nothing
// produces yet, render on every platform from their row of the table; read back with independent parsers.

const DETECTED = '2026-11-21T15:26:00.123Z';
const change = (kind: Change['kind'], severity: Change['severity'], task: string | null, to: string | null, since?: string): Change => ({
  id: `${kind}-${task}`, kind, severity, instance_id: 'id-prod', instance_name: 'prod', task_id: task && `id-${task}`, task_name: task,
  from: to, to, fields: null, snapshot_id: 'S1', detected_at: DETECTED, ...(since ? { since } : {}),
});
const CASES: [string, Change, { en: string; zh: string }][] = [
  ['still_failing, a task', change('still_failing', 'critical', 'sc-1', 'FAILED', '2026-11-21T09:14:00.000Z'), { en: 'sc-1: FAILED for 6 h 12 min (since 09:14)', zh: 'sc-1：FAILED，已持续 6 小时 12 分钟（自 09:14 起）' }],
  ['still_failing, an instance', change('still_failing', 'critical', null, null, '2026-11-19T09:14:00.000Z'), { en: 'prod: unreachable for 2 d 6 h (since 2026-11-19 09:14)', zh: 'prod：不可达，已持续 2 天 6 小时（自 2026-11-19 09:14 起）' }],
  ['still_failing, since unknown', change('still_failing', 'critical', 'sc-2', 'FAILED'), { en: 'sc-2: still FAILED', zh: 'sc-2：仍为 FAILED' }],
  ['flapping', change('flapping', 'warning', 'sc-3', 'FAILED'), { en: 'sc-3: status flapping: now FAILED', zh: 'sc-3：状态频繁变化：当前 FAILED' }],
  ['flapping_ended', change('flapping_ended', 'resolved', 'sc-4', 'RUNNING'), { en: 'sc-4: stable again: RUNNING', zh: 'sc-4：状态已稳定：RUNNING' }],
];
const message = (c: Change): Message => ({ id: 'm1', snapshot_id: 'S1', taken_at: DETECTED, task_types: {}, changes: [c] });

describe('the new kinds in chat messages', () => {
  it.each(
    CHAT_PLATFORMS.flatMap(([platform, build]) => CASES.flatMap(([name, c, text]) => (['en', 'zh'] as const).map((lang) => [platform, name, lang, build, c, text[lang]] as const))),
  )('%s: %s (%s)', (platform, _name, lang, build, c, line) => {
    const payloads = build(message(c), { lang, timezone: 'UTC', mention: [] });
    expect(shownText(platform, payloads)).toContain(line);
  });

  it('the reminder shows its times in NOTIFY_TIMEZONE', () => {
    const [payload] = buildSlackPayloads(message(CASES[0]![1]), { lang: 'en', timezone: 'Asia/Shanghai', mention: [] });
    expect(JSON.stringify(payload)).toContain('FAILED for 6 h 12 min (since 17:14)');
  });
});

describe('the new kinds elsewhere', () => {
  it.each([
    [CASES[0]![1], '🔴 critical prod / sc-1: FAILED for 6 h 12 min (since 09:14)'],
    [CASES[1]![1], '🔴 critical prod: unreachable for 2 d 6 h (since 2026-11-19 09:14)'],
    [CASES[2]![1], '🔴 critical prod / sc-2: still FAILED'],
    [CASES[3]![1], '🟠 warning  prod / sc-3: status flapping: now FAILED'],
    [CASES[4]![1], '🟢 resolved prod / sc-4: stable again: RUNNING'],
  ])('the audit line: %#', (c, line) => {
    expect(changeLine(c)).toBe(line);
  });

  it('the generic webhook carries since as it is', () => {
    expect(JSON.parse(genericPayload(message(CASES[0]![1]))).changes[0]).toMatchObject({ kind: 'still_failing', since: '2026-11-21T09:14:00.000Z' });
  });

  it.each([['en', 'still failing'], ['zh', '持续故障']] as const)('the digest counts them by name (%s)', (lang, label) => {
    expect(DIGEST_TEXTS[lang].kind.still_failing).toBe(label);
  });
});
