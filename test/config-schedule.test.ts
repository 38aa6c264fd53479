import { describe, expect, it } from 'vitest';
import { type Env, parseConfig } from '../lib/config/config';
import { ConfigError } from '../lib/errors';
import { configProblems } from './support/config-problems';

// WATCH_SCHEDULE (an added optional variable, README "Design notes"): the TIMER trigger's schedule, against
// which FLAP_WINDOW must be able to hold FLAP_THRESHOLD status changes (issue #19 item 5, DESIGN.md §10).

const BASE: Env = { WATCH_INSTANCES: 'prod=59f6d088-1c2b-4d3e-8f90-a1b2c3d4e5f6', WATCH_REGION: 'cn-north-4', WATCH_PROJECT_ID: 'p'.repeat(32), OBS_BUCKET: 'scw-audit' };
const FORM = "WATCH_SCHEDULE must be the TIMER trigger's schedule, a Cron with 6 fields such as 0 */5 * * * * (optionally after CRON_TZ=<zone>) or a Rate such as Rate 5m";
const short = (threshold: number, span: string, window: string) =>
  `FLAP_WINDOW is too short for FLAP_THRESHOLD=${threshold} at WATCH_SCHEDULE: ${threshold} consecutive runs span at least ${span} and a run detects at most one status change per task, ` +
  `so a window of ${window} never holds ${threshold} changes; expected FLAP_WINDOW longer than ${span}, or FLAP_THRESHOLD=0 to turn flapping off`;

describe('WATCH_SCHEDULE with FLAP_THRESHOLD and FLAP_WINDOW: accepted', () => {
  it.each<[string, Env]>([
    ['the serverless.yml default with the default 4 in 1h', { WATCH_SCHEDULE: '0 */5 * * * *' }],
    ['with CRON_TZ', { WATCH_SCHEDULE: 'CRON_TZ=Asia/Shanghai 0 */5 * * * *' }],
    ['Cron written out', { WATCH_SCHEDULE: 'Cron 0 */5 * * * *' }],
    ['Rate 5m', { WATCH_SCHEDULE: 'Rate 5m' }],
    ['a bare rate', { WATCH_SCHEDULE: '5m' }],
    ['4 runs 5 minutes apart span 15m: a 16m window holds them', { WATCH_SCHEDULE: '0 */5 * * * *', FLAP_WINDOW: '16m' }],
    ['every 10 seconds, 4 in 31s', { WATCH_SCHEDULE: '*/10 * * * * *', FLAP_WINDOW: '31s' }],
    ['hourly, 2 in 61m', { WATCH_SCHEDULE: 'Rate 1h', FLAP_THRESHOLD: '2', FLAP_WINDOW: '61m' }],
    ['office hours on weekdays: 4 runs span 3h on one day', { WATCH_SCHEDULE: '0 0 9-17 * * MON-FRI', FLAP_WINDOW: '4h' }],
    ['flapping off: any window at any schedule', { WATCH_SCHEDULE: '0 0 0 * * *', FLAP_THRESHOLD: '0', FLAP_WINDOW: '1s' }],
    ['a blank WATCH_SCHEDULE is unset', { WATCH_SCHEDULE: '  ', FLAP_WINDOW: '1s' }],
  ])('%s', (_name, patch) => {
    expect(configProblems({ ...BASE, ...patch })).toEqual([]);
    expect(parseConfig({ ...BASE, ...patch })).not.toHaveProperty('WATCH_SCHEDULE');
  });
});

describe('refused: a ConfigError naming the variables, with the numbers', () => {
  it.each<[string, Env, string[]]>([
    ['a window equal to the span (a change counts while younger than FLAP_WINDOW)', { WATCH_SCHEDULE: '0 */5 * * * *', FLAP_WINDOW: '15m' }, [short(4, '15m', '15m')]],
    ['10m at the default schedule', { WATCH_SCHEDULE: '0 */5 * * * *', FLAP_WINDOW: '10m' }, [short(4, '15m', '10m')]],
    ['1h set explicitly at Rate 1h', { WATCH_SCHEDULE: 'Rate 1h', FLAP_WINDOW: '1h' }, [short(4, '3h', '1h')]],
    ['FLAP_THRESHOLD=13 at 5 minutes in 1h', { WATCH_SCHEDULE: '5m', FLAP_THRESHOLD: '13' }, [short(13, '1h', '1h')]],
    ['two runs a minute apart each hour: 4 runs span 61m, not 3m', { WATCH_SCHEDULE: '0 0,1 * * * *', FLAP_WINDOW: '1h' }, [short(4, '61m', '1h')]],
    ['seconds, with a window in milliseconds', { WATCH_SCHEDULE: '*/10 * * * * *', FLAP_THRESHOLD: '2', FLAP_WINDOW: '9500ms' }, [short(2, '10s', '9500ms')]],
    ['office hours, 9 runs a day: 12 runs span at least 15:00 to 17:00 the next day', { WATCH_SCHEDULE: '0 0 9-17 * * MON-FRI', FLAP_THRESHOLD: '12', FLAP_WINDOW: '1d' }, [short(12, '26h', '1d')]],
    [
      'a schedule that runs 4 times in no 8 years',
      { WATCH_SCHEDULE: '0 0 0 29 2 ?', FLAP_THRESHOLD: '4' },
      ['FLAP_WINDOW can never hold FLAP_THRESHOLD=4 status changes at WATCH_SCHEDULE: it runs fewer than 4 times in 8 years; expected a schedule that runs more often, or FLAP_THRESHOLD=0 to turn flapping off'],
    ],
  ])('%s', (_name, patch, problems) => {
    expect(configProblems({ ...BASE, ...patch })).toEqual(problems);
  });

  it.each<[string, string]>([
    ['*/5 * * * *', 'a Cron schedule has 6 fields (sec min hour dom month dow), not 5'],
    ['every 5 minutes', 'a Cron schedule has 6 fields (sec min hour dom month dow), not 3'],
    ['Rate 0m', 'a Rate schedule is <n>m, <n>h or <n>d, n at least 1'],
    ['Rate 30s', 'a Rate schedule is <n>m, <n>h or <n>d, n at least 1'],
    ['0 70 * * * *', 'the minute field is out of range 0-59'],
    ['0 0 12 L * ?', 'the day of month field is not understood (L, W and # are not supported)'],
    ['0 0 0 * * MON#2', 'the day of week field is not understood (L, W and # are not supported)'],
  ])('WATCH_SCHEDULE=%j is not a schedule', (schedule, reason) => {
    expect(configProblems({ ...BASE, WATCH_SCHEDULE: schedule })).toEqual([`${FORM}: ${reason}`]);
  });

  it.each<[string, Env, string[]]>([
    ['an invalid WATCH_SCHEDULE, without a window check', { WATCH_SCHEDULE: '*/5 * * * *', FLAP_WINDOW: '1s' }, [`${FORM}: a Cron schedule has 6 fields (sec min hour dom month dow), not 5`]],
    ['an invalid FLAP_WINDOW, not checked again with its default', { WATCH_SCHEDULE: 'Rate 1h', FLAP_WINDOW: '60' }, ['FLAP_WINDOW has no unit: expected a duration such as 1h or 30m (a bare number is never milliseconds)']],
    ['an invalid FLAP_THRESHOLD, not checked again with its default', { WATCH_SCHEDULE: 'Rate 1h', FLAP_THRESHOLD: '1' }, ['FLAP_THRESHOLD must be 0 (off) or a decimal integer from 2 to 100, such as 4']],
    [
      'listed after the problems of earlier variables',
      { OBS_BUCKET: undefined, LOG_LEVEL: 'loud', WATCH_SCHEDULE: '0 */5 * * * *', FLAP_WINDOW: '1m' },
      ['OBS_BUCKET is required: expected the name of the bucket for state and history', 'LOG_LEVEL must be one of debug, info, warn, error', short(4, '15m', '1m')],
    ],
  ])('one problem each: %s', (_name, patch, problems) => {
    expect(configProblems({ ...BASE, ...patch })).toEqual(problems);
  });
});

describe('the defaults are never refused: flapping goes undetected at a rare schedule (doctor names it), the runs go on', () => {
  it.each(['Rate 1h', '0 0 * * * *', '0 0 0 29 2 ?'])('FLAP_THRESHOLD and FLAP_WINDOW unset at %s', (schedule) => {
    expect(configProblems({ ...BASE, WATCH_SCHEDULE: schedule })).toEqual([]);
  });
});

describe('no secret in a message about WATCH_SCHEDULE', () => {
  it.each([
    ['https://open.feishu.cn/open-apis/bot/v2/hook/3f9a1c7e-secret-token-5b2d', '3f9a1c7e-secret-token-5b2d'],
    ['whsec_c2VjcmV0IHNpZ25pbmcga2V5 0 0 * * *', 'c2VjcmV0IHNpZ25pbmcga2V5'],
    ['0 */5 * * * SEC-R3T-TOKEN', 'R3T-TOKEN'],
    ['Rate hb-token-4411m', 'hb-token-4411'],
    ['CRON_TZ=Z3VhcmQtdG9rZW4 0 */5 * * *', 'Z3VhcmQtdG9rZW4'],
  ])('%j', (value, secret) => {
    let error: unknown;
    try {
      parseConfig({ ...BASE, WATCH_SCHEDULE: value, FLAP_WINDOW: '1s' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = `${String(error)} ${(error as ConfigError).problems.join('\n')}`;
    expect(text).toContain('WATCH_SCHEDULE must be');
    expect(text).not.toContain(secret);
  });
});
