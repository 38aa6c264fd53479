import { describe, expect, it } from 'vitest';
import { diagnose, human } from '../lib/doctor/checks';
import { AsyncConfig, type Deployment, FunctionConfig, Triggers, parseLastRun } from '../lib/doctor/deployment';
import { scheduleMaxGap } from '../lib/config/schedule';
import { MISCONFIGURATIONS, type RawDeployment, SECRET_VALUES, healthyDeployment } from './fixtures/doctor/deployments';

const NOW = new Date('2026-11-21T08:30:07.123Z');

function check(raw: RawDeployment, now = NOW) {
  const d: Deployment = { config: FunctionConfig.parse(raw.config), triggers: Triggers.parse(raw.triggers), asyncConfig: raw.asyncConfig && AsyncConfig.parse(raw.asyncConfig) };
  return diagnose(d, parseLastRun(raw.state), now);
}

describe('diagnose', () => {
  it('finds nothing wrong with a correct deployment', () => {
    expect(check(healthyDeployment('fn', NOW))).toEqual({ problems: [], notes: [] });
  });

  it.each(MISCONFIGURATIONS)('names $id alone: $what', ({ id, apply }) => {
    const raw = healthyDeployment('fn', NOW);
    apply(raw, NOW);
    const { problems } = check(raw);
    expect(problems.map((p) => p.id)).toEqual([id]);
    expect(problems[0]!.fix.length).toBeGreaterThan(10);
    const text = JSON.stringify(problems);
    for (const secret of Object.values(SECRET_VALUES)) expect(text).not.toContain(secret);
  });

  it.each([
    ['REMIND_EVERY off: any schedule is often enough', { REMIND_EVERY: 'off' }, []],
    ['REMIND_EVERY 12h: every 6 hours is often enough', { REMIND_EVERY: '12h' }, []],
    ['REMIND_EVERY 1h: every 6 hours is too rare', { REMIND_EVERY: '1h' }, ['schedule_too_rare']],
  ])('%s', (_, vars, ids) => {
    const raw = healthyDeployment('fn', NOW);
    raw.triggers = [{ ...raw.triggers[0]!, event_data: { name: 't', schedule: '0 0 */6 * * *', schedule_type: 'Cron' } }];
    raw.state = JSON.stringify({ checked_at: new Date(NOW.getTime() - 60_000).toISOString() });
    raw.config.user_data = JSON.stringify({ ...JSON.parse(raw.config.user_data as string), ...vars });
    expect(check(raw).problems.map((p) => p.id)).toEqual(ids);
  });

  it('accepts a region named by every WATCH_INSTANCES entry instead of WATCH_REGION, and secrets only by name', () => {
    const raw = healthyDeployment('fn', NOW);
    raw.config.user_data = JSON.stringify({ WATCH_INSTANCES: '[{"instance_id":"a","region":"cn-east-3"}]', OBS_BUCKET: 'b' });
    raw.config.encrypted_user_data = JSON.stringify({ WEBHOOK_URL: 'https://x.example/secret-token-1234' });
    expect(check(raw).problems).toEqual([]);
  });

  it('a function changed after its last run is given one schedule interval before the run counts as missed', () => {
    const raw = healthyDeployment('fn', NOW);
    raw.state = JSON.stringify({ checked_at: new Date(NOW.getTime() - 86_400_000).toISOString() });
    raw.config.last_modified = new Date(NOW.getTime() - 60_000).toISOString();
    const r = check(raw);
    expect(r.problems).toEqual([]);
    expect(r.notes.join('\n')).toContain('the function changed since');
  });

  it('an unreadable state.json is a note, not a guess', () => {
    const raw = healthyDeployment('fn', NOW);
    raw.state = '{"schema": "smart-connect-watch/state/v1", "chec';
    expect(check(raw)).toEqual({ problems: [], notes: ['last run not checked: state.json is not JSON'] });
  });
});

describe('scheduleMaxGap', () => {
  it.each([
    ['Rate', '5m', 300],
    ['Rate', '1h', 3_600],
    ['Rate', '2d', 172_800],
    ['Cron', '0 */5 * * * *', 300],
    ['Cron', 'CRON_TZ=Asia/Shanghai 0 */5 * * * *', 300],
    ['Cron', '*/30 * * * * ?', 30],
    ['Cron', '0 0,50 * * * *', 3_000],
    ['Cron', '0 0 9-17 * * MON-FRI', 64 * 3_600],
    ['Cron', '0 0 0 * * 0', 7 * 86_400],
    ['Cron', '0 0 0 * * 7', 7 * 86_400],
    ['Cron', '0 0 0 31 * ?', 61 * 86_400],
    ['Cron', '0 0 0 1 JAN,JUL ?', 184 * 86_400],
  ])('%s %j waits at most %i s', (type, schedule, gap) => {
    expect(scheduleMaxGap(type, schedule)).toEqual({ ok: true, maxGapS: gap });
  });

  it.each([
    ['Rate', '0m'],
    ['Rate', '5 minutes'],
    ['Cron', '*/5 * * * *'],
    ['Cron', '0 0 12 L * ?'],
    ['Cron', '0 70 * * * *'],
    ['Event', '5m'],
  ])('%s %j is not understood', (type, schedule) => {
    expect(scheduleMaxGap(type, schedule).ok).toBe(false);
  });

  it('a schedule that fires once every 4 years waits longer than the horizon', () => {
    expect(scheduleMaxGap('Cron', '0 0 0 29 2 ?')).toEqual({ ok: true, maxGapS: 4 * 365 * 86_400 + 86_400 });
    expect(human(Number.POSITIVE_INFINITY)).toBe('more than 8 years');
  });
});

describe('trigger names in messages', () => {
  it('are quoted with bidi and control characters made visible', () => {
    const raw = healthyDeployment('fn', NOW);
    raw.triggers.push({ ...raw.triggers[0]!, trigger_id: 't2', event_data: { name: 'timer-\u202Egnp.exe\n', schedule: '0 */7 * * * *', schedule_type: 'Cron' } });
    const [problem] = check(raw).problems;
    expect(problem!.problem).toContain('"timer-\\u202Egnp.exe\\n" (Cron "0 */7 * * * *")');
    expect(problem!.problem).not.toMatch(/[\u202E\n]/);
  });
});
