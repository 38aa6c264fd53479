import { describe, expect, it } from 'vitest';
import type { Change } from '../lib/alerting/change';
import { changeLine } from '../lib/notify/render';
import type { Message } from '../lib/notify/types';
import { CHAT_PLATFORMS, shownText } from './support/chat-text';

// Issue #18: instance_added / instance_removed on every chat platform and in the audit line, read
// back with independent parsers (markdown-it; Slack's mrkdwn rules).

const change = (kind: Change['kind'], severity: Change['severity'], instance_name: string, from: string | null): Change => ({
  id: `${kind}-${instance_name}`, kind, severity, instance_id: `id-${instance_name}`, instance_name, task_id: null, task_name: null,
  from, to: null, fields: null, snapshot_id: 'S1', detected_at: '2026-11-21T07:15:00.123Z',
});
const MESSAGE: Message = {
  id: 'm1', snapshot_id: 'S1', taken_at: '2026-11-21T07:15:00.123Z', task_types: {},
  changes: [change('instance_added', 'info', 'staging', null), change('instance_removed', 'warning', 'analytics', '18')],
};

const EXPECTED = {
  en: ['staging: instance now watched: its tasks are a baseline', 'analytics: instance no longer watched (it had 18 tasks)'],
  zh: ['staging：开始监控此实例：其任务作为基线', 'analytics：不再监控此实例（原有 18 个任务）'],
};

describe('instance_added and instance_removed in chat messages', () => {
  it.each(CHAT_PLATFORMS.flatMap(([platform, build]) => (['en', 'zh'] as const).map((lang) => [platform, lang, build] as const)))('%s, %s', (platform, lang, build) => {
    const payloads = build(MESSAGE, { lang, timezone: 'UTC', mention: [] });
    const shown = shownText(platform, payloads);
    for (const line of EXPECTED[lang]) expect(shown).toContain(line);
  });
});

describe('the audit line (history, show, diff)', () => {
  it.each([
    [MESSAGE.changes[0]!, '🔵 info     staging: instance now watched: its tasks are a baseline'],
    [MESSAGE.changes[1]!, '🟠 warning  analytics: instance no longer watched (it had 18 tasks)'],
  ])('%#', (c, line) => {
    expect(changeLine(c)).toBe(line);
  });
});
