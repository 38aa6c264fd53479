import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NotifyLang } from '../lib/config/config';
import { buildDingTalkPayloads } from '../lib/notify/dingtalk';
import { buildFeishuPayloads } from '../lib/notify/feishu';
import { buildSlackPayloads } from '../lib/notify/slack';
import type { ChatBuildOptions } from '../lib/notify/summary';
import { buildTeamsPayloads } from '../lib/notify/teams';
import type { Message } from '../lib/notify/types';
import { buildWeComPayloads } from '../lib/notify/wecom';
import message from './fixtures/golden/message.json';
import { expectGolden } from './support/golden';

/**
 * The exact payloads of a fixed message with every severity and several change kinds, per platform
 * and language. `npx vitest run test/notify-golden.test.ts -u` rewrites the fixtures: review the
 * diff before committing it.
 */
const DIR = join(__dirname, 'fixtures/golden');
const OPTIONS: Record<NotifyLang, Omit<ChatBuildOptions, 'mention'>> = {
  en: { lang: 'en', timezone: 'UTC' },
  zh: { lang: 'zh', timezone: 'Asia/Shanghai' },
};
const PLATFORMS: [string, (m: Message, o: ChatBuildOptions) => unknown[], string[] | undefined][] = [
  ['feishu', buildFeishuPayloads, ['all']],
  ['dingtalk', buildDingTalkPayloads, ['13800000000']],
  ['wecom', buildWeComPayloads, ['zhangsan', 'all']],
  ['slack', buildSlackPayloads, undefined],
  ['teams', buildTeamsPayloads, undefined],
];
const cases = PLATFORMS.flatMap(([name, build, mention]) => (['en', 'zh'] as const).map((lang) => [`${name}.${lang}`, build, mention, lang] as const));

describe('golden chat payloads', () => {
  it.each(cases)('%s', async (name, build, mention, lang) => {
    const payloads = build(message as Message, { ...OPTIONS[lang], mention });
    const actual = `${JSON.stringify(payloads, null, 2)}\n`;
    const file = join(DIR, `${name}.json`);
    await expectGolden(actual, file);
  });

  it('the fixed message covers every severity, several kinds, two instances and a task without types', () => {
    const m = message as Message;
    expect(new Set(m.changes.map((c) => c.severity))).toEqual(new Set(['critical', 'warning', 'resolved', 'info']));
    expect(new Set(m.changes.map((c) => c.kind)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(m.changes.map((c) => c.instance_id)).size).toBe(2);
    expect(m.changes.some((c) => c.task_id && !m.task_types?.[c.task_id])).toBe(true);
  });
});
