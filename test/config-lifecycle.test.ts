import { describe, expect, it } from 'vitest';
import { type Env, parseConfig } from '../lib/config/config';
import { configProblems } from './support/config-problems';

// Issue #19 item 5: the alert lifecycle's variables (DESIGN.md §3, §10).

const BASE: Env = { WATCH_INSTANCES: 'prod=59f6d088-1c2b-4d3e-8f90-a1b2c3d4e5f6', WATCH_REGION: 'cn-north-4', WATCH_PROJECT_ID: 'p'.repeat(32), OBS_BUCKET: 'scw-audit' };
const lifecycle = (patch: Env) => {
  const c = parseConfig({ ...BASE, ...patch });
  return { remindEveryMs: c.remindEveryMs, notifyAfterMs: c.notifyAfterMs, flapThreshold: c.flapThreshold, flapWindowMs: c.flapWindowMs };
};
const DEFAULTS: { remindEveryMs: number | null; notifyAfterMs: number; flapThreshold: number; flapWindowMs: number } = { remindEveryMs: 4 * 3_600_000, notifyAfterMs: 0, flapThreshold: 4, flapWindowMs: 3_600_000 };

const REMIND = 'a duration such as 4h, 30m or 1d, or off';
const AFTER = 'a duration such as 0s, 5m or 1h';
const WINDOW = 'a duration such as 1h or 30m';
const THRESHOLD = 'FLAP_THRESHOLD must be 0 (off) or a decimal integer from 2 to 100, such as 4';
const tooShort = (t: number, minutes: number) =>
  `FLAP_WINDOW is shorter than FLAP_THRESHOLD=${t} status changes can fill: expected at least ${minutes}m ` +
  '(a run detects at most one status change per task, and a FunctionGraph timer runs at most once a minute), or FLAP_THRESHOLD=0 to turn flapping off';

describe('REMIND_EVERY, NOTIFY_AFTER, FLAP_THRESHOLD, FLAP_WINDOW: accepted values', () => {
  it.each<[string, Env, Partial<typeof DEFAULTS>]>([
    ['the defaults keep today’s behaviour for a healthy fleet', {}, {}],
    ['blank values are the defaults', { REMIND_EVERY: ' ', NOTIFY_AFTER: '', FLAP_THRESHOLD: ' ', FLAP_WINDOW: '' }, {}],
    ['REMIND_EVERY=off disables reminders', { REMIND_EVERY: 'off' }, { remindEveryMs: null }],
    ['REMIND_EVERY=OFF too', { REMIND_EVERY: ' OFF ' }, { remindEveryMs: null }],
    ['REMIND_EVERY=30m', { REMIND_EVERY: '30m' }, { remindEveryMs: 1_800_000 }],
    ['REMIND_EVERY=1d', { REMIND_EVERY: '1d' }, { remindEveryMs: 86_400_000 }],
    ['REMIND_EVERY=5s (short durations for tests and the demo)', { REMIND_EVERY: '5s' }, { remindEveryMs: 5_000 }],
    ['NOTIFY_AFTER=5m', { NOTIFY_AFTER: '5m' }, { notifyAfterMs: 300_000 }],
    ['NOTIFY_AFTER=0s', { NOTIFY_AFTER: '0s' }, { notifyAfterMs: 0 }],
    ['FLAP_THRESHOLD=0 disables flapping, whatever the window', { FLAP_THRESHOLD: '0', FLAP_WINDOW: '1s' }, { flapThreshold: 0, flapWindowMs: 1_000 }],
    ['FLAP_THRESHOLD=2 with a 1 minute window', { FLAP_THRESHOLD: '2', FLAP_WINDOW: '1m' }, { flapThreshold: 2, flapWindowMs: 60_000 }],
    ['FLAP_THRESHOLD=4 with exactly 3 minutes', { FLAP_THRESHOLD: '4', FLAP_WINDOW: '3m' }, { flapThreshold: 4, flapWindowMs: 180_000 }],
    ['FLAP_THRESHOLD=100 with 99 minutes', { FLAP_THRESHOLD: '100', FLAP_WINDOW: '99m' }, { flapThreshold: 100, flapWindowMs: 5_940_000 }],
    ['FLAP_WINDOW=2h', { FLAP_WINDOW: '2h' }, { flapWindowMs: 7_200_000 }],
  ])('%s', (_name, patch, expected) => {
    expect(lifecycle(patch)).toEqual({ ...DEFAULTS, ...expected });
  });
});

describe('bad values: a ConfigError naming the variable', () => {
  it.each<[string, Env, string[]]>([
    ['REMIND_EVERY a bare number', { REMIND_EVERY: '4' }, [`REMIND_EVERY has no unit: expected ${REMIND} (a bare number is never milliseconds)`]],
    ['REMIND_EVERY in milliseconds', { REMIND_EVERY: '14400000' }, [`REMIND_EVERY has no unit: expected ${REMIND} (a bare number is never milliseconds)`]],
    ['REMIND_EVERY negative', { REMIND_EVERY: '-4h' }, [`REMIND_EVERY is negative: expected ${REMIND}`]],
    ['REMIND_EVERY=0s (off says so)', { REMIND_EVERY: '0s' }, [`REMIND_EVERY must be ${REMIND}`]],
    ['REMIND_EVERY=never', { REMIND_EVERY: 'never' }, [`REMIND_EVERY must be ${REMIND}`]],
    ['NOTIFY_AFTER a bare number', { NOTIFY_AFTER: '0' }, [`NOTIFY_AFTER has no unit: expected ${AFTER} (a bare number is never milliseconds)`]],
    ['NOTIFY_AFTER negative', { NOTIFY_AFTER: '-5m' }, [`NOTIFY_AFTER is negative: expected ${AFTER}`]],
    ['NOTIFY_AFTER=off (only REMIND_EVERY turns off)', { NOTIFY_AFTER: 'off' }, [`NOTIFY_AFTER must be ${AFTER}`]],
    ['FLAP_WINDOW a bare number', { FLAP_WINDOW: '60' }, [`FLAP_WINDOW has no unit: expected ${WINDOW} (a bare number is never milliseconds)`]],
    ['FLAP_WINDOW negative', { FLAP_WINDOW: '-1h' }, [`FLAP_WINDOW is negative: expected ${WINDOW}`]],
    ['FLAP_WINDOW=0s', { FLAP_WINDOW: '0s' }, [`FLAP_WINDOW must be ${WINDOW}`]],
    ['FLAP_THRESHOLD=1 (every change would be flapping)', { FLAP_THRESHOLD: '1' }, [THRESHOLD]],
    ['FLAP_THRESHOLD=101', { FLAP_THRESHOLD: '101' }, [THRESHOLD]],
    ['FLAP_THRESHOLD=-1', { FLAP_THRESHOLD: '-1' }, [THRESHOLD]],
    ['FLAP_THRESHOLD=4.0', { FLAP_THRESHOLD: '4.0' }, [THRESHOLD]],
    ['FLAP_THRESHOLD=four', { FLAP_THRESHOLD: 'four' }, [THRESHOLD]],
    ['a window the default threshold cannot fill', { FLAP_WINDOW: '179s' }, [tooShort(4, 3)]],
    ['a window in seconds with threshold 3', { FLAP_THRESHOLD: '3', FLAP_WINDOW: '119s' }, [tooShort(3, 2)]], // schedule helper replaces this (was 59s with threshold 2)
    ['threshold 10 in a 5 minute window', { FLAP_THRESHOLD: '10', FLAP_WINDOW: '5m' }, [tooShort(10, 9)]],
    [
      'all four at once, with another variable, in order',
      { CONCURRENCY: '0', REMIND_EVERY: '4', NOTIFY_AFTER: '-1s', FLAP_THRESHOLD: '1', FLAP_WINDOW: '7' },
      [
        'CONCURRENCY must be a decimal integer from 1 to 64, such as 8',
        `REMIND_EVERY has no unit: expected ${REMIND} (a bare number is never milliseconds)`,
        `NOTIFY_AFTER is negative: expected ${AFTER}`,
        THRESHOLD,
        `FLAP_WINDOW has no unit: expected ${WINDOW} (a bare number is never milliseconds)`,
      ],
    ],
  ])('%s', (_name, patch, problems) => {
    expect(configProblems({ ...BASE, ...patch })).toEqual(problems);
  });

  it('a window too short is listed after the problems of earlier variables', () => {
    expect(configProblems({ ...BASE, OBS_BUCKET: undefined, FLAP_WINDOW: '1m', LOG_LEVEL: 'loud' })).toEqual([
      'OBS_BUCKET is required: expected the name of the bucket for state and history',
      'LOG_LEVEL must be one of debug, info, warn, error',
      tooShort(4, 3),
    ]);
  });
});
