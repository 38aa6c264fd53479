import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CHANGE_KINDS } from '../lib/alerting/change';
import { type Config, type Env, parseConfig } from '../lib/config/config';
import { ConfigError } from '../lib/errors';

const PROD_ID = '59f6d088-1c2b-4d3e-8f90-a1b2c3d4e5f6';
const DR_ID = 'c7e2a914-5b6d-4e7f-8091-0a1b2c3d4e5f';
const STAGING_ID = '0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';
const PROJECT = '0b5c8f2e9d7a4c6b8e1f3a5d7c9e0b2a';

const SECRET = 's3cr3t-TOKEN';
const URL_TOKEN = '7f3e9c1a-2b4d-4e6f-8a0b-c2d4e6f8a0b2';
const FEISHU_URL = `https://open.feishu.cn/open-apis/bot/v2/hook/${URL_TOKEN}`;
const DINGTALK_TOKEN = '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
const DINGTALK_URL = `https://oapi.dingtalk.com/robot/send?access_token=${DINGTALK_TOKEN}`;
const GENERIC_URL = 'https://hooks.example.com/smart-connect/ingest';

/** The smallest valid environment: one instance, region, project, bucket. */
const BASE: Env = {
  WATCH_INSTANCES: `prod=${PROD_ID}`,
  WATCH_REGION: 'cn-north-4',
  WATCH_PROJECT_ID: PROJECT,
  OBS_BUCKET: 'scw-audit',
};

/** `BASE` with `patch` applied; a value of `undefined` removes the variable. */
function env(patch: Env): Env {
  const out: Env = { ...BASE };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** The config with each channel's secrets revealed, to compare with a table row. */
function plain(config: Config) {
  return {
    ...config,
    channels: config.channels.map((c) => ({ ...c, url: c.url.reveal(), secret: c.secret?.reveal() })),
  };
}

function configError(e: Env, fallback: { projectId?: string } = {}): ConfigError {
  try {
    parseConfig(e, fallback);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('parseConfig accepted an invalid environment');
}

const DEFAULTS = {
  dmsEndpoint: undefined,
  obs: { bucket: 'scw-audit', prefix: 'smart-connect-watch/', endpoint: 'https://obs.cn-north-4.myhuaweicloud.com' },
  channels: [],
  notifyOn: [...CHANGE_KINDS],
  notifyFirstRun: false,
  notify: { lang: 'en', timezone: 'UTC' },
  outboxMaxAgeMs: 7 * 24 * 3_600_000,
  runTimeoutMs: 120_000,
  concurrency: 8,
  logLevel: 'info',
};

const prod = { instance_id: PROD_ID, name: 'prod', region: 'cn-north-4', project_id: PROJECT };

describe('parseConfig: valid environments', () => {
  it.each<{ name: string; env: Env; fallback?: { projectId?: string }; expected: Record<string, unknown> }>([
    {
      name: 'the minimum: every default',
      env: BASE,
      expected: { instances: [prod], ...DEFAULTS },
    },
    {
      name: 'WATCH_INSTANCES as a bare id',
      env: env({ WATCH_INSTANCES: PROD_ID }),
      expected: { instances: [{ ...prod, name: null }] },
    },
    {
      name: 'WATCH_INSTANCES as name=id',
      env: env({ WATCH_INSTANCES: `dr=${DR_ID}` }),
      expected: { instances: [{ ...prod, instance_id: DR_ID, name: 'dr' }] },
    },
    {
      name: 'WATCH_INSTANCES as a comma list with spaces and empty parts',
      env: env({ WATCH_INSTANCES: ` prod = ${PROD_ID} ,  ${DR_ID} ,, staging=${STAGING_ID} ` }),
      expected: {
        instances: [prod, { ...prod, instance_id: DR_ID, name: null }, { ...prod, instance_id: STAGING_ID, name: 'staging' }],
      },
    },
    {
      name: 'WATCH_INSTANCES as a JSON array with per-instance region and project_id',
      env: env({
        WATCH_INSTANCES: JSON.stringify([
          { instance_id: PROD_ID, name: 'prod' },
          { instance_id: DR_ID, name: 'dr', region: 'cn-east-3', project_id: 'f1e2d3c4b5a697887766554433221100' },
        ]),
      }),
      expected: {
        instances: [prod, { instance_id: DR_ID, name: 'dr', region: 'cn-east-3', project_id: 'f1e2d3c4b5a697887766554433221100' }],
        obs: { bucket: 'scw-audit', prefix: 'smart-connect-watch/', endpoint: 'https://obs.cn-north-4.myhuaweicloud.com' },
      },
    },
    {
      name: 'no WATCH_REGION when every instance names one (OBS endpoint from the first)',
      env: env({
        WATCH_REGION: undefined,
        WATCH_INSTANCES: JSON.stringify([
          { instance_id: PROD_ID, region: 'ap-southeast-1' },
          { instance_id: DR_ID, region: 'ap-southeast-3' },
        ]),
      }),
      expected: {
        instances: [
          { instance_id: PROD_ID, name: null, region: 'ap-southeast-1', project_id: PROJECT },
          { instance_id: DR_ID, name: null, region: 'ap-southeast-3', project_id: PROJECT },
        ],
        obs: { bucket: 'scw-audit', prefix: 'smart-connect-watch/', endpoint: 'https://obs.ap-southeast-1.myhuaweicloud.com' },
      },
    },
    {
      name: 'no project id anywhere when every instance names one',
      env: env({
        WATCH_PROJECT_ID: undefined,
        WATCH_INSTANCES: JSON.stringify([{ instance_id: PROD_ID, project_id: 'aaaabbbbccccddddeeeeffff00001111' }]),
      }),
      expected: { instances: [{ instance_id: PROD_ID, name: null, region: 'cn-north-4', project_id: 'aaaabbbbccccddddeeeeffff00001111' }] },
    },
    {
      name: 'WATCH_PROJECT_ID wins over the fallback and RUNTIME_PROJECT_ID',
      env: env({ RUNTIME_PROJECT_ID: 'runtime-project' }),
      fallback: { projectId: 'context-project' },
      expected: { instances: [prod] },
    },
    {
      name: 'the fallback (context.getProjectID()) comes before RUNTIME_PROJECT_ID',
      env: env({ WATCH_PROJECT_ID: undefined, RUNTIME_PROJECT_ID: 'runtime-project' }),
      fallback: { projectId: 'context-project' },
      expected: { instances: [{ ...prod, project_id: 'context-project' }] },
    },
    {
      name: 'RUNTIME_PROJECT_ID last',
      env: env({ WATCH_PROJECT_ID: undefined, RUNTIME_PROJECT_ID: 'runtime-project' }),
      expected: { instances: [{ ...prod, project_id: 'runtime-project' }] },
    },
    {
      name: 'an empty WATCH_PROJECT_ID counts as unset',
      env: env({ WATCH_PROJECT_ID: '  ', RUNTIME_PROJECT_ID: 'runtime-project' }),
      expected: { instances: [{ ...prod, project_id: 'runtime-project' }] },
    },
    {
      name: 'OBS_PREFIX empty is allowed',
      env: env({ OBS_PREFIX: '' }),
      expected: { obs: { ...DEFAULTS.obs, prefix: '' } },
    },
    {
      name: 'OBS_PREFIX without a trailing slash gets one',
      env: env({ OBS_PREFIX: 'audit/kafka' }),
      expected: { obs: { ...DEFAULTS.obs, prefix: 'audit/kafka/' } },
    },
    {
      name: 'OBS_PREFIX with a trailing slash is kept',
      env: env({ OBS_PREFIX: 'watch/' }),
      expected: { obs: { ...DEFAULTS.obs, prefix: 'watch/' } },
    },
    {
      name: 'OBS_ENDPOINT and DMS_ENDPOINT overrides',
      env: env({ OBS_ENDPOINT: 'http://127.0.0.1:9000', DMS_ENDPOINT: 'http://localhost:8443' }),
      expected: { obs: { ...DEFAULTS.obs, endpoint: 'http://127.0.0.1:9000' }, dmsEndpoint: 'http://localhost:8443' },
    },
    {
      name: 'OBS endpoint from another WATCH_REGION',
      env: env({ WATCH_REGION: 'cn-south-1' }),
      expected: { obs: { ...DEFAULTS.obs, endpoint: 'https://obs.cn-south-1.myhuaweicloud.com' } },
    },
    {
      name: 'WEBHOOKS as a JSON array',
      env: env({
        WEBHOOKS: JSON.stringify([
          { type: 'feishu', url: FEISHU_URL, secret: SECRET, name: 'ops-feishu', min_severity: 'warning' },
          { type: 'generic', url: GENERIC_URL, events: ['status_changed', 'instance_unreachable'] },
          { type: 'dingtalk', url: DINGTALK_URL, mention: ['13800000000'] },
        ]),
      }),
      expected: {
        channels: [
          { type: 'feishu', name: 'ops-feishu', url: FEISHU_URL, secret: SECRET, events: undefined, min_severity: 'warning', key: 'feishu:ops-feishu' },
          { type: 'generic', name: 'generic#2', url: GENERIC_URL, secret: undefined, events: ['status_changed', 'instance_unreachable'], min_severity: undefined, key: expect.stringMatching(/^generic-[0-9a-f]{12}$/) },
          { type: 'dingtalk', name: 'dingtalk#3', url: DINGTALK_URL, secret: undefined, mention: ['13800000000'], key: expect.stringMatching(/^dingtalk-[0-9a-f]{12}$/) },
        ],
      },
    },
    {
      name: 'WEBHOOK_URL alone: type generic, no secret',
      env: env({ WEBHOOK_URL: GENERIC_URL }),
      expected: { channels: [{ type: 'generic', name: 'generic#1', url: GENERIC_URL, secret: undefined, events: undefined, min_severity: undefined }] },
    },
    {
      name: 'WEBHOOK_URL, WEBHOOK_TYPE, WEBHOOK_SECRET',
      env: env({ WEBHOOK_URL: FEISHU_URL, WEBHOOK_TYPE: 'feishu', WEBHOOK_SECRET: SECRET }),
      expected: { channels: [{ type: 'feishu', name: 'feishu#1', url: FEISHU_URL, secret: SECRET }] },
    },
    {
      name: 'WEBHOOKS and the shorthand together',
      env: env({ WEBHOOKS: JSON.stringify([{ type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/XXXXXXXXXXXXXXXXXXXXXXXX' }]), WEBHOOK_URL: GENERIC_URL }),
      expected: { channels: [{ type: 'slack', name: 'slack#1' }, { type: 'generic', name: 'generic#2', url: GENERIC_URL }] },
    },
    {
      name: 'an empty WEBHOOKS array and blank shorthand: no channel',
      env: env({ WEBHOOKS: '[]', WEBHOOK_URL: '', WEBHOOK_TYPE: ' ' }),
      expected: { channels: [] },
    },
    {
      name: 'NOTIFY_ON with spaces',
      env: env({ NOTIFY_ON: 'status_changed, instance_unreachable ,task_removed' }),
      expected: { notifyOn: ['status_changed', 'instance_unreachable', 'task_removed'] },
    },
    { name: 'NOTIFY_FIRST_RUN=true', env: env({ NOTIFY_FIRST_RUN: 'true' }), expected: { notifyFirstRun: true } },
    { name: 'NOTIFY_FIRST_RUN=yes', env: env({ NOTIFY_FIRST_RUN: 'YES' }), expected: { notifyFirstRun: true } },
    { name: 'NOTIFY_FIRST_RUN=0', env: env({ NOTIFY_FIRST_RUN: '0' }), expected: { notifyFirstRun: false } },
    { name: 'NOTIFY_LANG and NOTIFY_TIMEZONE', env: env({ NOTIFY_LANG: 'ZH', NOTIFY_TIMEZONE: 'Asia/Shanghai' }), expected: { notify: { lang: 'zh', timezone: 'Asia/Shanghai' } } },
    { name: 'OUTBOX_MAX_AGE=12h', env: env({ OUTBOX_MAX_AGE: '12h' }), expected: { outboxMaxAgeMs: 43_200_000 } },
    { name: 'OUTBOX_MAX_AGE=30m', env: env({ OUTBOX_MAX_AGE: '30m' }), expected: { outboxMaxAgeMs: 1_800_000 } },
    { name: 'OUTBOX_MAX_AGE=2w', env: env({ OUTBOX_MAX_AGE: '2w' }), expected: { outboxMaxAgeMs: 1_209_600_000 } },
    { name: 'RUN_TIMEOUT=5m', env: env({ RUN_TIMEOUT: '5m' }), expected: { runTimeoutMs: 300_000 } },
    { name: 'CONCURRENCY=1', env: env({ CONCURRENCY: '1' }), expected: { concurrency: 1 } },
    { name: 'CONCURRENCY=64', env: env({ CONCURRENCY: ' 64 ' }), expected: { concurrency: 64 } },
    { name: 'LOG_LEVEL=debug', env: env({ LOG_LEVEL: 'debug' }), expected: { logLevel: 'debug' } },
    { name: 'LOG_LEVEL=WARN', env: env({ LOG_LEVEL: 'WARN' }), expected: { logLevel: 'warn' } },
  ])('$name', ({ env: e, fallback, expected }) => {
    expect(plain(parseConfig(e, fallback))).toMatchObject(expected);
  });

  it.each([
    ['unnamed, the same type and URL: the same key', { type: 'generic', url: GENERIC_URL }, { type: 'generic', url: GENERIC_URL, secret: SECRET }, true],
    ['unnamed, another URL: another key', { type: 'generic', url: GENERIC_URL }, { type: 'generic', url: `${GENERIC_URL}/v2` }, false],
    ['unnamed, another type: another key', { type: 'generic', url: FEISHU_URL }, { type: 'feishu', url: FEISHU_URL }, false],
    ['named, the URL rotated: the same key', { type: 'feishu', name: 'ops', url: FEISHU_URL }, { type: 'feishu', name: 'ops', url: `${FEISHU_URL}0` }, true],
    ['named, another name: another key', { type: 'feishu', name: 'ops', url: FEISHU_URL }, { type: 'feishu', name: 'dev', url: FEISHU_URL }, false],
    ['a name given later: another key', { type: 'feishu', url: FEISHU_URL }, { type: 'feishu', name: 'ops', url: FEISHU_URL }, false],
  ])('channel key: %s; never the URL token', (_name, a, b, same) => {
    const [ka, kb] = [a, b].map((ch) => parseConfig(env({ WEBHOOKS: JSON.stringify([ch]) })).channels[0]?.key ?? '');
    for (const k of [ka, kb]) expect(k).toMatch(/^(generic|feishu)(-[0-9a-f]{12}|:[a-z]+)$/);
    expect(ka === kb).toBe(same);
    expect(`${ka} ${kb}`).not.toContain(URL_TOKEN);
  });
});

describe('parseConfig: invalid environments', () => {
  it.each<{ name: string; env: Env; fallback?: { projectId?: string }; problem: string }>([
    { name: 'WATCH_INSTANCES missing', env: env({ WATCH_INSTANCES: undefined }), problem: 'WATCH_INSTANCES is required' },
    { name: 'WATCH_INSTANCES empty', env: env({ WATCH_INSTANCES: '   ' }), problem: 'WATCH_INSTANCES is required' },
    { name: 'WATCH_INSTANCES only commas', env: env({ WATCH_INSTANCES: ' , ,' }), problem: 'WATCH_INSTANCES' },
    { name: 'WATCH_INSTANCES an empty JSON array', env: env({ WATCH_INSTANCES: '[]' }), problem: 'WATCH_INSTANCES' },
    { name: 'WATCH_INSTANCES broken JSON', env: env({ WATCH_INSTANCES: `[{"instance_id":"${PROD_ID}"` }), problem: 'WATCH_INSTANCES is not valid JSON' },
    { name: 'WATCH_INSTANCES entry without instance_id', env: env({ WATCH_INSTANCES: '[{"name":"prod"}]' }), problem: 'WATCH_INSTANCES[0].instance_id' },
    { name: 'WATCH_INSTANCES entry with an unknown key', env: env({ WATCH_INSTANCES: `[{"instance_id":"${PROD_ID}","zone":"az1"}]` }), problem: 'WATCH_INSTANCES[0]' },
    { name: 'WATCH_INSTANCES name= with no name', env: env({ WATCH_INSTANCES: `=${PROD_ID}` }), problem: 'WATCH_INSTANCES entry 1 has an empty name' },
    { name: 'a duplicate instance', env: env({ WATCH_INSTANCES: `prod=${PROD_ID}, again=${PROD_ID}` }), problem: `WATCH_INSTANCES lists instance ${PROD_ID} twice` },
    { name: 'WATCH_REGION missing', env: env({ WATCH_REGION: undefined }), problem: 'WATCH_REGION' },
    {
      name: 'WATCH_REGION missing and only one instance names a region',
      env: env({ WATCH_REGION: undefined, WATCH_INSTANCES: JSON.stringify([{ instance_id: PROD_ID, region: 'cn-north-4' }, { instance_id: DR_ID }]) }),
      problem: 'WATCH_REGION',
    },
    { name: 'no project id anywhere', env: env({ WATCH_PROJECT_ID: undefined }), problem: 'WATCH_PROJECT_ID' },
    { name: 'OBS_BUCKET missing', env: env({ OBS_BUCKET: undefined }), problem: 'OBS_BUCKET is required' },
    { name: 'OBS_BUCKET blank', env: env({ OBS_BUCKET: '  ' }), problem: 'OBS_BUCKET is required' },
    { name: 'OBS_ENDPOINT not http(s)', env: env({ OBS_ENDPOINT: 'ftp://obs.example.com' }), problem: 'OBS_ENDPOINT' },
    { name: 'DMS_ENDPOINT not a URL', env: env({ DMS_ENDPOINT: 'dms endpoint' }), problem: 'DMS_ENDPOINT' },
    { name: 'an unknown channel type in WEBHOOKS', env: env({ WEBHOOKS: JSON.stringify([{ type: 'pagerduty', url: GENERIC_URL }]) }), problem: 'WEBHOOKS[0].type' },
    { name: 'WEBHOOKS not JSON', env: env({ WEBHOOKS: 'feishu,https://open.feishu.cn/x' }), problem: 'WEBHOOKS is not valid JSON' },
    { name: 'WEBHOOKS an object, not an array', env: env({ WEBHOOKS: JSON.stringify({ type: 'generic', url: GENERIC_URL }) }), problem: 'WEBHOOKS' },
    { name: 'a WEBHOOKS URL without a scheme', env: env({ WEBHOOKS: JSON.stringify([{ type: 'generic', url: 'hooks.example.com/ingest' }]) }), problem: 'WEBHOOKS[0].url' },
    { name: 'a WEBHOOKS URL that is not http(s)', env: env({ WEBHOOKS: JSON.stringify([{ type: 'generic', url: 'ftp://hooks.example.com/x' }]) }), problem: 'WEBHOOKS[0].url' },
    { name: 'a WEBHOOKS entry without url', env: env({ WEBHOOKS: JSON.stringify([{ type: 'generic' }]) }), problem: 'WEBHOOKS[0].url' },
    {
      name: 'the second WEBHOOKS entry is bad',
      env: env({ WEBHOOKS: JSON.stringify([{ type: 'generic', url: GENERIC_URL }, { type: 'feishu', url: 'not a url' }]) }),
      problem: 'WEBHOOKS[1].url',
    },
    { name: 'an unknown kind in WEBHOOKS events', env: env({ WEBHOOKS: JSON.stringify([{ type: 'generic', url: GENERIC_URL, events: ['task_moved'] }]) }), problem: 'WEBHOOKS[0].events[0]' },
    { name: 'an unknown WEBHOOKS min_severity', env: env({ WEBHOOKS: JSON.stringify([{ type: 'generic', url: GENERIC_URL, min_severity: 'fatal' }]) }), problem: 'WEBHOOKS[0].min_severity' },
    { name: 'an empty WEBHOOKS secret', env: env({ WEBHOOKS: JSON.stringify([{ type: 'generic', url: GENERIC_URL, secret: '' }]) }), problem: 'WEBHOOKS[0].secret' },
    { name: 'WEBHOOK_URL not a URL', env: env({ WEBHOOK_URL: 'hooks.example.com/ingest' }), problem: 'WEBHOOK_URL' },
    { name: 'WEBHOOK_TYPE unknown', env: env({ WEBHOOK_URL: GENERIC_URL, WEBHOOK_TYPE: 'pagerduty' }), problem: 'WEBHOOK_TYPE' },
    { name: 'WEBHOOK_SECRET without WEBHOOK_URL', env: env({ WEBHOOK_SECRET: SECRET }), problem: 'WEBHOOK_URL is required' },
    { name: 'WEBHOOK_TYPE without WEBHOOK_URL', env: env({ WEBHOOK_TYPE: 'feishu' }), problem: 'WEBHOOK_URL is required' },
    { name: 'an unknown NOTIFY_ON kind', env: env({ NOTIFY_ON: 'status_changed,task_moved' }), problem: 'NOTIFY_ON has unknown kinds (task_moved)' },
    { name: 'NOTIFY_ON only commas', env: env({ NOTIFY_ON: ' , ' }), problem: 'NOTIFY_ON' },
    { name: 'NOTIFY_FIRST_RUN=maybe', env: env({ NOTIFY_FIRST_RUN: 'maybe' }), problem: 'NOTIFY_FIRST_RUN' },
    { name: 'NOTIFY_LANG=fr', env: env({ NOTIFY_LANG: 'fr' }), problem: 'NOTIFY_LANG' },
    { name: 'NOTIFY_TIMEZONE=Mars/Olympus', env: env({ NOTIFY_TIMEZONE: 'Mars/Olympus' }), problem: 'NOTIFY_TIMEZONE' },
    { name: 'OUTBOX_MAX_AGE=soon', env: env({ OUTBOX_MAX_AGE: 'soon' }), problem: 'OUTBOX_MAX_AGE' },
    { name: 'OUTBOX_MAX_AGE=0d', env: env({ OUTBOX_MAX_AGE: '0d' }), problem: 'OUTBOX_MAX_AGE' },
    { name: 'OUTBOX_MAX_AGE without a unit', env: env({ OUTBOX_MAX_AGE: '7' }), problem: 'OUTBOX_MAX_AGE' },
    { name: 'RUN_TIMEOUT=2s (too short for a run)', env: env({ RUN_TIMEOUT: '2s' }), problem: 'RUN_TIMEOUT' },
    { name: 'RUN_TIMEOUT=never', env: env({ RUN_TIMEOUT: 'never' }), problem: 'RUN_TIMEOUT' },
    { name: 'CONCURRENCY=0', env: env({ CONCURRENCY: '0' }), problem: 'CONCURRENCY' },
    { name: 'CONCURRENCY=65', env: env({ CONCURRENCY: '65' }), problem: 'CONCURRENCY' },
    { name: 'CONCURRENCY=2.5', env: env({ CONCURRENCY: '2.5' }), problem: 'CONCURRENCY' },
    { name: 'CONCURRENCY=eight', env: env({ CONCURRENCY: 'eight' }), problem: 'CONCURRENCY' },
    { name: 'LOG_LEVEL=loud', env: env({ LOG_LEVEL: 'loud' }), problem: 'LOG_LEVEL' },
  ])('$name → one problem naming it', ({ env: e, fallback, problem }) => {
    const err = configError(e, fallback);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toContain(problem);
    expect(err.message).toContain(err.problems[0]);
    expect(err.name).toBe('ConfigError');
  });

  it.each([
    {
      name: 'five independent problems',
      env: env({ WATCH_INSTANCES: '', OBS_BUCKET: undefined, WEBHOOKS: '[{"type":"pagerduty"', CONCURRENCY: '0', LOG_LEVEL: 'loud' }),
      variables: ['WATCH_INSTANCES', 'OBS_BUCKET', 'WEBHOOKS', 'CONCURRENCY', 'LOG_LEVEL'],
    },
    {
      name: 'region, project and two channel fields',
      env: env({
        WATCH_REGION: undefined,
        WATCH_PROJECT_ID: undefined,
        WEBHOOKS: JSON.stringify([{ type: 'pagerduty', url: 'hooks.example.com' }]),
        OUTBOX_MAX_AGE: 'soon',
        NOTIFY_ON: 'nope',
      }),
      variables: ['WATCH_REGION', 'WATCH_PROJECT_ID', 'WEBHOOKS[0].type', 'WEBHOOKS[0].url', 'OUTBOX_MAX_AGE', 'NOTIFY_ON'],
    },
  ])('$name are listed together in one error', ({ env: e, variables }) => {
    const err = configError(e);
    expect(err.problems).toHaveLength(variables.length);
    for (const v of variables) {
      expect(err.problems.some((p) => p.startsWith(v))).toBe(true);
      expect(err.message).toContain(v);
    }
  });
});

describe('parseConfig: secrets never appear in errors', () => {
  const secretsIn = (text: string) => [SECRET, URL_TOKEN, DINGTALK_TOKEN].filter((s) => text.includes(s));

  it.each<[string, Env]>([
    ['WEBHOOKS broken JSON after the secret', { WEBHOOKS: `[{"type":"feishu","url":"${FEISHU_URL}","secret":"${SECRET}"` }],
    ['WEBHOOKS broken JSON right at the secret', { WEBHOOKS: `[{"type":"feishu","url":"${FEISHU_URL}","secret":"${SECRET}" "name":"ops"}]` }],
    ['WEBHOOKS broken JSON inside the URL', { WEBHOOKS: `[{"type":"dingtalk","url":"${DINGTALK_URL}\\q","secret":"${SECRET}"}]` }],
    ['WEBHOOKS with single quotes', { WEBHOOKS: `[{'type':'feishu','url':'${FEISHU_URL}','secret':'${SECRET}'}]` }],
    ['an unknown type next to a secret', { WEBHOOKS: JSON.stringify([{ type: 'lark', url: FEISHU_URL, secret: SECRET }]) }],
    ['the secret pasted into type', { WEBHOOKS: JSON.stringify([{ type: SECRET, url: FEISHU_URL }]) }],
    ['the secret pasted into min_severity and events', { WEBHOOKS: JSON.stringify([{ type: 'feishu', url: FEISHU_URL, min_severity: SECRET, events: [SECRET] }]) }],
    ['a secret given as a number next to a token URL', { WEBHOOKS: JSON.stringify([{ type: 'dingtalk', url: DINGTALK_URL, secret: 12345678 }]) }],
    ['a URL token in a URL without scheme', { WEBHOOKS: JSON.stringify([{ type: 'feishu', url: `open.feishu.cn/open-apis/bot/v2/hook/${URL_TOKEN}`, secret: SECRET }]) }],
    ['a token URL with an unknown key', { WEBHOOKS: JSON.stringify([{ type: 'dingtalk', url: DINGTALK_URL, sign_secret: SECRET }]) }],
    ['WEBHOOKS an object holding the secret', { WEBHOOKS: JSON.stringify({ type: 'feishu', url: FEISHU_URL, secret: SECRET }) }],
    ['WEBHOOK_URL without scheme, with WEBHOOK_SECRET', { WEBHOOK_URL: `open.feishu.cn/open-apis/bot/v2/hook/${URL_TOKEN}`, WEBHOOK_SECRET: SECRET, WEBHOOK_TYPE: 'feishu' }],
    ['WEBHOOK_TYPE unknown with a token URL and a secret', { WEBHOOK_URL: DINGTALK_URL, WEBHOOK_SECRET: SECRET, WEBHOOK_TYPE: 'ding' }],
    ['WEBHOOK_SECRET without WEBHOOK_URL', { WEBHOOK_SECRET: SECRET }],
    ['the secret as WEBHOOK_TYPE', { WEBHOOK_URL: FEISHU_URL, WEBHOOK_TYPE: SECRET }],
  ])('%s', (_name, patch) => {
    const err = configError(env(patch));
    expect(err.problems.length).toBeGreaterThan(0);
    for (const text of [err.message, String(err), err.stack ?? '', JSON.stringify(err.problems), inspect(err, { depth: 10 })]) {
      expect(secretsIn(text)).toEqual([]);
    }
  });

  const config = parseConfig(
    env({
      WEBHOOKS: JSON.stringify([
        { type: 'feishu', url: FEISHU_URL, secret: SECRET, name: 'ops-feishu' },
        { type: 'dingtalk', url: DINGTALK_URL, secret: `${SECRET}-ding` },
      ]),
      WEBHOOK_URL: `https://hooks.example.com/${URL_TOKEN}/ingest`,
      WEBHOOK_SECRET: `whsec_${Buffer.from(SECRET).toString('base64')}`,
    }),
  );

  it.each<[string, (c: Config['channels'][number]) => unknown]>([
    ['url', (c) => c.url],
    ['secret', (c) => c.secret],
  ])('each channel %s prints as <secret> and reveals the real value only on request', (_name, pick) => {
    expect(config.channels).toHaveLength(3);
    for (const c of config.channels) {
      const s = pick(c);
      expect(JSON.stringify(s)).toBe('"<secret>"');
      expect(String(s)).toBe('<secret>');
      expect(`${s}`).toBe('<secret>');
      expect(inspect(s)).toBe('<secret>');
      expect(inspect({ s }, { showHidden: true })).not.toMatch(/s3cr3t|hook|dingtalk/);
    }
    expect(config.channels.map((c) => c.secret?.reveal())).toEqual([SECRET, `${SECRET}-ding`, `whsec_${Buffer.from(SECRET).toString('base64')}`]);
  });

  it.each<[string, (c: Config) => string]>([
    ['JSON.stringify', (c) => JSON.stringify(c)],
    ['String() of each channel field', (c) => c.channels.flatMap((ch) => Object.values(ch).map((v) => String(v))).join(' ')],
    ['util.inspect', (c) => inspect(c, { depth: 10 })],
    ['util.inspect with hidden fields', (c) => inspect(c, { depth: 10, showHidden: true })],
    ['a template literal', (c) => c.channels.map((ch) => `${ch.name} ${ch.key} ${ch.url} ${ch.secret}`).join('\n')],
  ])('the whole config through %s holds no secret and no URL token', (_name, print) => {
    const text = print(config);
    expect(secretsIn(text)).toEqual([]);
    expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(text).toContain('<secret>');
  });
});

describe('parseConfig: ambiguous input is refused', () => {
  it.each([
    ['same type and URL, unnamed', [{ type: 'generic', url: 'https://hooks.example.com/a', events: ['status_changed'] }, { type: 'generic', url: 'https://hooks.example.com/a' }]],
    ['same type and name, different URLs', [{ type: 'generic', name: 'ops', url: 'https://hooks.example.com/a' }, { type: 'generic', name: 'ops', url: 'https://hooks.example.com/b' }]],
  ])('two channels never share an outbox key: %s', (_name, hooks) => {
    const run = () => parseConfig({ ...BASE, WEBHOOKS: JSON.stringify(hooks) });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/WEBHOOKS: channel 2 is the same channel as channel 1/);
    expect(run).not.toThrow(/hooks\.example\.com/);
  });

  it('a single JSON object in WATCH_INSTANCES is an error, not an instance id', () => {
    expect(() => parseConfig({ ...BASE, WATCH_INSTANCES: '{"instance_id":"59f6d088-1c2b-4d3e-8f90-a1b2c3d4e5f6","name":"prod"}' })).toThrow(/WATCH_INSTANCES/);
  });
});
