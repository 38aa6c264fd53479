import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type Env, parseConfig } from '../lib/config/config';
import { loadDotEnv } from '../lib/config/dotenv';
import { ConfigError } from '../lib/errors';
import { configProblems } from './support/config-problems';

// Issue #20 item 3 (configuration only): a channel's "quiet_hours" (DESIGN.md §3, §11).

const BASE: Env = { WATCH_INSTANCES: 'prod=59f6d088-1c2b-4d3e-8f90-a1b2c3d4e5f6', WATCH_REGION: 'cn-north-4', WATCH_PROJECT_ID: 'p'.repeat(32), OBS_BUCKET: 'scw-audit' };
const URL_TOKEN = '7f3e9c1a2b4d4e6f8a0bc2d4e6f8a0b2';
const SECRET = 's3cr3t-QUIET-9d1c';
const FEISHU_URL = `https://open.feishu.cn/open-apis/bot/v2/hook/${URL_TOKEN}`;
const hooks = (...quiet: unknown[]) => JSON.stringify(quiet.map((q, i) => ({ type: 'feishu', name: `ops-${i}`, url: FEISHU_URL, secret: SECRET, quiet_hours: q })));

describe('quiet_hours: accepted', () => {
  it.each<[string, Env, unknown]>([
    ['across midnight, NOTIFY_TIMEZONE unset: UTC, except critical', { WEBHOOKS: hooks({ from: '22:00', to: '07:00' }) }, { from: 1320, to: 420, timeZone: 'UTC', except: 'critical' }],
    ['the time zone defaults to NOTIFY_TIMEZONE', { NOTIFY_TIMEZONE: 'Asia/Shanghai', WEBHOOKS: hooks({ from: '22:00', to: '07:30' }) }, { from: 1320, to: 450, timeZone: 'Asia/Shanghai', except: 'critical' }],
    ['its own time zone wins', { NOTIFY_TIMEZONE: 'Asia/Shanghai', WEBHOOKS: hooks({ from: '00:00', to: '23:59', time_zone: 'Europe/Berlin' }) }, { from: 0, to: 1439, timeZone: 'Europe/Berlin', except: 'critical' }],
    ['except none', { WEBHOOKS: hooks({ from: '12:00', to: '13:00', except: 'none' }) }, { from: 720, to: 780, timeZone: 'UTC', except: 'none' }],
    ['except critical, written', { WEBHOOKS: hooks({ from: '23:59', to: '00:00', except: 'critical' }) }, { from: 1439, to: 0, timeZone: 'UTC', except: 'critical' }],
  ])('%s', (_name, patch, quietHours) => {
    expect(parseConfig({ ...BASE, ...patch }).channels.map((c) => c.quietHours)).toEqual([quietHours]);
  });

  it('a channel without quiet hours has null, the shorthand channel too', () => {
    const config = parseConfig({ ...BASE, WEBHOOKS: JSON.stringify([{ type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/X' }]), WEBHOOK_URL: 'https://a.example/x' });
    expect(config.channels.map((c) => c.quietHours)).toEqual([null, null]);
  });
});

const FORM = 'expected {"from":"HH:MM","to":"HH:MM","time_zone"?,"except"?}, "from" ≠ "to" ("from" after "to" crosses midnight; "to" is exclusive)';
const FROM = 'expected a local time "HH:MM" from 00:00 to 23:59, such as "22:00"';
const TO = 'expected a local time "HH:MM" from 00:00 to 23:59, such as "08:00"';
const ZONE = 'expected an IANA time zone such as Asia/Shanghai (default NOTIFY_TIMEZONE)';
const EXCEPT = 'expected one of critical, none (default critical: critical changes go out at once)';

describe('quiet_hours: refused, naming the channel and the field', () => {
  it.each<[string, unknown[], string[]]>([
    ['not an object', ['22:00-07:00'], [`WEBHOOKS[0].quiet_hours is a string: ${FORM}`]],
    ['from missing', [{ to: '07:00' }], [`WEBHOOKS[0].quiet_hours.from is missing: ${FROM}`]],
    ['24:00', [{ from: '24:00', to: '07:00' }], [`WEBHOOKS[0].quiet_hours.from is not a time from 00:00 to 23:59: ${FROM}`]],
    ['7:00 (one digit)', [{ from: '22:00', to: '7:00' }], [`WEBHOOKS[0].quiet_hours.to is not a time from 00:00 to 23:59: ${TO}`]],
    ['12:60', [{ from: '12:60', to: '13:00' }], [`WEBHOOKS[0].quiet_hours.from is not a time from 00:00 to 23:59: ${FROM}`]],
    ['a number', [{ from: 2200, to: '07:00' }], [`WEBHOOKS[0].quiet_hours.from is a number: ${FROM}`]],
    ['from equal to to', [{ from: '22:00', to: '22:00' }], [`WEBHOOKS[0].quiet_hours has "from" equal to "to" (an empty window): ${FORM}`]],
    ['an unknown zone', [{ from: '22:00', to: '07:00', time_zone: 'Mars/Olympus' }], [`WEBHOOKS[0].quiet_hours.time_zone is not an IANA time zone Intl knows: ${ZONE}`]],
    ['an offset is not a zone', [{ from: '22:00', to: '07:00', time_zone: 'UTC+8' }], [`WEBHOOKS[0].quiet_hours.time_zone is not an IANA time zone Intl knows: ${ZONE}`]],
    ['an unknown except', [{ from: '22:00', to: '07:00', except: 'warning' }], [`WEBHOOKS[0].quiet_hours.except is not a known value: ${EXCEPT}`]],
    ['an unknown key, named', [{ from: '22:00', to: '07:00', until: '08:00' }], [`WEBHOOKS[0].quiet_hours has an unknown key "until": ${FORM}`]],
    [
      'two channels, each problem with its channel',
      [{ from: '22:00', to: '07:00' }, { from: '25:00', to: '07:00', timezone: 'Asia/Shanghai' }],
      [`WEBHOOKS[1].quiet_hours.from is not a time from 00:00 to 23:59: ${FROM}`, `WEBHOOKS[1].quiet_hours has an unknown key "timezone": ${FORM}`],
    ],
  ])('%s', (_name, quiet, problems) => {
    expect(configProblems({ ...BASE, WEBHOOKS: hooks(...quiet) })).toEqual(problems);
  });
});

describe('quiet_hours problems never print the channel’s URL or secret', () => {
  it.each<[string, unknown]>([
    ['a bad time', { from: '22:00', to: '31:00' }],
    ['the URL pasted as the time zone', { from: '22:00', to: '07:00', time_zone: FEISHU_URL }],
    ['the secret pasted as except and as a key', { from: '22:00', to: '07:00', except: SECRET, [SECRET]: 1 }],
    ['the secret as from', { from: SECRET, to: SECRET }],
  ])('%s', (_name, quiet) => {
    let error: unknown;
    try {
      parseConfig({ ...BASE, WEBHOOKS: hooks({ from: '01:00', to: '02:00' }, quiet) });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.problems.every((p) => p.startsWith('WEBHOOKS[1].quiet_hours'))).toBe(true);
    for (const text of [e.message, String(e), e.stack ?? '', JSON.stringify(e.problems), inspect(e, { depth: 10 })]) {
      expect(text).not.toContain(URL_TOKEN);
      expect(text).not.toContain(SECRET);
    }
  });
});

describe("the README's quiet hours example, as a .env file", () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([^`]*"quiet_hours"[^`]*)\n```/g)].map((m) => m[1]!);

  it('parses into what the README says', () => {
    expect(blocks).toHaveLength(1);
    const dir = mkdtempSync(join(tmpdir(), 'scw-quiet-'));
    try {
      writeFileSync(join(dir, '.env'), blocks[0]!);
      const env: NodeJS.ProcessEnv = { ...BASE };
      expect(loadDotEnv(join(dir, '.env'), env)).toBe(4);
      const config = parseConfig(env);
      expect(config.channels.map((c) => [c.name, c.quietHours])).toEqual([
        ['oncall', null],
        ['team', { from: 22 * 60, to: 8 * 60, timeZone: 'Asia/Shanghai', except: 'critical' }],
        ['eu', { from: 19 * 60, to: 9 * 60, timeZone: 'Europe/Berlin', except: 'none' }],
      ]);
      expect([config.notifyAfterMs, config.remindEveryMs]).toEqual([5 * 60_000, 2 * 3_600_000]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
