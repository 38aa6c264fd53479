import { join } from 'node:path';
import { describe, it } from 'vitest';
import type { NotifyLang } from '../lib/config/config';
import { buildDingTalkDigest, buildFeishuDigest, buildSlackDigest, buildTeamsDigest, buildWeComDigest, type DigestMessage } from '../lib/notify/digest-chat';
import { digestPayload } from '../lib/notify/digest-generic';
import type { RenderOptions } from '../lib/notify/summary';
import fixture from './fixtures/golden/digest.json';
import { expectGolden } from './support/golden';

/**
 * The exact digest payloads of a fixed digest (failing tasks, an unreachable instance, a paused
 * task, a hostile instance name, pending and expired messages), per platform and language.
 * `npx vitest run test/digest-golden.test.ts -u` rewrites them: review the diff.
 */
const DIR = join(__dirname, 'fixtures/golden');
const OPTIONS: Record<NotifyLang, RenderOptions> = { en: { lang: 'en', timezone: 'UTC' }, zh: { lang: 'zh', timezone: 'Asia/Shanghai' } };
const PLATFORMS: [string, (m: DigestMessage, o: RenderOptions) => unknown[]][] = [
  ['feishu', buildFeishuDigest],
  ['dingtalk', buildDingTalkDigest],
  ['wecom', buildWeComDigest],
  ['slack', buildSlackDigest],
  ['teams', buildTeamsDigest],
  ['generic', (m) => [JSON.parse(digestPayload(m))]],
];
const cases = PLATFORMS.flatMap(([name, build]) => (['en', 'zh'] as const).map((lang) => [`digest-${name}.${lang}`, build, lang] as const));
const message = fixture as DigestMessage;

describe('golden digest payloads', () => {
  it.each(cases)('%s', async (name, build, lang) => {
    const actual = `${JSON.stringify(build(message, OPTIONS[lang]), null, 2)}\n`;
    const file = join(DIR, `${name}.json`);
    await expectGolden(actual, file);
  });
});
