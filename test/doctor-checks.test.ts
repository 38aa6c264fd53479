import { describe, expect, it } from 'vitest';
import { diagnose, human } from '../lib/doctor/checks';
import { AsyncConfig, type Deployment, FunctionConfig, Triggers, parseLastRun } from '../lib/doctor/deployment';
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
    // WATCH_SCHEDULE and FLAP_WINDOW to match the 6-hour schedule: only REMIND_EVERY is in question here.
    raw.config.user_data = JSON.stringify({ ...JSON.parse(raw.config.user_data as string), WATCH_SCHEDULE: '0 0 */6 * * *', FLAP_WINDOW: '1d', ...vars });
    expect(check(raw).problems.map((p) => p.id)).toEqual(ids);
  });

  const withTrigger = (type: string, schedule: string, vars: Record<string, string>) => {
    const raw = healthyDeployment('fn', NOW);
    raw.triggers = [{ ...raw.triggers[0]!, event_data: { name: 't', schedule, schedule_type: type } }];
    raw.config.user_data = JSON.stringify({ ...JSON.parse(raw.config.user_data as string), ...vars });
    return check(raw);
  };

  it.each<[string, string, string, Record<string, string>, string[]]>([
    ['the defaults (4 in 1h) every 5 minutes', 'Cron', '0 */5 * * * *', {}, []],
    ['4 in 1h every 20 minutes: 4 runs take exactly 1h', 'Cron', '0 */20 * * * *', { WATCH_SCHEDULE: '0 */20 * * * *' }, ['flap_window_short']],
    ['4 in 61m every 20 minutes', 'Cron', '0 */20 * * * *', { WATCH_SCHEDULE: '0 */20 * * * *', FLAP_WINDOW: '61m' }, []],
    ['FLAP_THRESHOLD=0: any window', 'Rate', '1h', { WATCH_SCHEDULE: 'Rate 1h', FLAP_THRESHOLD: '0', FLAP_WINDOW: '1m' }, []],
    ['2 in 2h at Rate 1h', 'Rate', '1h', { WATCH_SCHEDULE: '1h', FLAP_THRESHOLD: '2', FLAP_WINDOW: '2h' }, []],
    ['3 in 2h at Rate 1h', 'Rate', '1h', { WATCH_SCHEDULE: '1h', FLAP_THRESHOLD: '3', FLAP_WINDOW: '2h' }, ['flap_window_short']],
    ['two runs a minute apart each hour, 4 in 1h', 'Cron', '0 0,1 * * * *', { WATCH_SCHEDULE: '0 0,1 * * * *' }, ['flap_window_short']],
    ['without WATCH_SCHEDULE the trigger is still checked', 'Cron', '0 */30 * * * *', { WATCH_SCHEDULE: '' }, ['flap_window_short']],
    ['WATCH_SCHEDULE written differently, the same runs', 'Cron', '0 */5 * * * *', { WATCH_SCHEDULE: 'Cron 0 0/5 * * * ?' }, []],
    ['WATCH_SCHEDULE with the time zone the trigger has not', 'Cron', '0 */5 * * * *', { WATCH_SCHEDULE: 'CRON_TZ=Asia/Shanghai 0 */5 * * * *' }, ['watch_schedule_differs']],
    ['WATCH_SCHEDULE Rate 5m, the trigger Rate 5m', 'Rate', '5m', { WATCH_SCHEDULE: 'Rate 5m' }, []],
    ['WATCH_SCHEDULE every 10 minutes, the trigger every 5', 'Rate', '5m', { WATCH_SCHEDULE: 'Rate 10m' }, ['watch_schedule_differs']],
    ['WATCH_SCHEDULE Cron L', 'Cron', '0 */5 * * * *', { WATCH_SCHEDULE: '0 0 12 L * ?' }, ['watch_schedule_invalid']],
    ['an invalid FLAP_WINDOW: a note, not a guess', 'Cron', '0 */30 * * * *', { WATCH_SCHEDULE: '0 */30 * * * *', FLAP_WINDOW: '60' }, []],
  ])('FLAP_WINDOW and WATCH_SCHEDULE against the trigger: %s', (_, type, schedule, vars, ids) => {
    expect(withTrigger(type, schedule, vars).problems.map((p) => p.id)).toEqual(ids);
  });

  it('names the numbers and the fix, and quotes no variable', () => {
    const [short] = withTrigger('Cron', '0 */20 * * * *', { WATCH_SCHEDULE: '0 */20 * * * *', FLAP_WINDOW: '45m' }).problems;
    expect(short).toEqual({
      id: 'flap_window_short',
      problem: 'TIMER trigger "t" (Cron "0 */20 * * * *") takes at least 1h for FLAP_THRESHOLD=4 runs, and FLAP_WINDOW is 45m: a task that changes status at every run is never reported as flapping',
      fix: 'set FLAP_WINDOW longer than 1h, schedule runs more often, or set FLAP_THRESHOLD=0 to turn flapping off',
    });
    const [differs] = withTrigger('Cron', '0 */5 * * * *', { WATCH_SCHEDULE: '0 */7 * * * *' }).problems;
    expect(differs).toEqual({
      id: 'watch_schedule_differs',
      problem: 'WATCH_SCHEDULE is not the schedule of TIMER trigger "t" (Cron "0 */5 * * * *"): FLAP_WINDOW is checked against a schedule that does not run the function',
      fix: 'set WATCH_SCHEDULE to the trigger\'s schedule and redeploy (serverless.yml sets it and the trigger from one parameter, --param="schedule=…")',
    });
    const secret = 'https://hooks.example/T0KEN-in-schedule-77aa 0 * * * *';
    const [invalid] = withTrigger('Cron', '0 */5 * * * *', { WATCH_SCHEDULE: secret }).problems;
    expect(invalid!.problem).toBe('WATCH_SCHEDULE is not a TIMER schedule (the second field is not understood (L, W and # are not supported)): every run fails with "invalid configuration"');
    expect(JSON.stringify(invalid)).not.toContain('T0KEN');
    expect(withTrigger('Cron', '0 */30 * * * *', { WATCH_SCHEDULE: '0 */30 * * * *', FLAP_WINDOW: '60' }).notes).toEqual(['FLAP_THRESHOLD or FLAP_WINDOW is not valid: the schedule is not checked against them']);
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

it('an endless gap reads as such', () => {
  expect(human(Number.POSITIVE_INFINITY)).toBe('more than 8 years');
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
