import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseTimeArg } from '../lib/audit/time-range';
import { type Env, parseConfig } from '../lib/config/config';
import { ConfigError } from '../lib/errors';
import { configProblems } from './support/config-problems';

// Issue #14 item 4: configuration that failed late (an unknown region, hex integers) or unclearly
// (zod's own wording, one problem hiding another, bare numbers as durations).

const A = '59f6d088-1c2b-4d3e-8f90-a1b2c3d4e5f6';
const B = 'c7e2a914-5b6d-4e7f-8091-0a1b2c3d4e5f';
const SECRET = 's3cr3t-TOKEN-5f1e';
const URL_TOKEN = '7f3e9c1a2b4d4e6f8a0bc2d4e6f8a0b2';
const FEISHU_URL = `https://open.feishu.cn/open-apis/bot/v2/hook/${URL_TOKEN}`;
const BASE: Env = { WATCH_INSTANCES: `prod=${A}`, WATCH_REGION: 'cn-north-4', WATCH_PROJECT_ID: 'p'.repeat(32), OBS_BUCKET: 'scw-audit' };
const env = (patch: Env): Env => Object.fromEntries(Object.entries({ ...BASE, ...patch }).filter(([, v]) => v !== undefined));

const problems = configProblems;

const INSTANCES_FORM =
  'expected `id`, `name=id` or a name glob (`*`, `prod-*`), comma-separated, or a JSON array of {"instance_id","name"?,"region"?,"project_id"?} or {"discover","region"?,"project_id"?}';
const INSTANCE_FORM = 'expected {"instance_id","name"?,"region"?,"project_id"?} or {"discover","region"?,"project_id"?}';
const CHANNEL_FORM = 'expected {"type","url","secret"?,"name"?,"events"?,"min_severity"?,"mention"?,"digest"?}';
const REGION_FORM = /expected a region of the Kafka SDK's table \(ae-ad-1, af-north-1, .*cn-north-4, .*tr-west-1\), or set DMS_ENDPOINT$/;

describe('regions: only those the Kafka SDK knows, unless DMS_ENDPOINT is set', () => {
  it.each<{ name: string; env: Env; problems: (string | RegExp)[] }>([
    { name: 'WATCH_REGION=mars-1', env: env({ WATCH_REGION: 'mars-1' }), problems: [/^WATCH_REGION is not a region the Kafka SDK knows: /] },
    { name: 'WATCH_REGION in upper case', env: env({ WATCH_REGION: 'CN-NORTH-4' }), problems: [/^WATCH_REGION is not a region the Kafka SDK knows/] },
    { name: 'an instance region (JSON form)', env: env({ WATCH_INSTANCES: JSON.stringify([{ instance_id: A }, { instance_id: B, region: 'mars-1' }]) }), problems: [/^WATCH_INSTANCES\[1\]\.region is not a region the Kafka SDK knows/] },
    {
      name: 'both, every instance naming the unknown region',
      env: env({ WATCH_REGION: 'mars-2', WATCH_INSTANCES: JSON.stringify([{ instance_id: A, region: 'mars-1' }, { instance_id: B, region: 'mars-1' }]) }),
      problems: [/^WATCH_REGION is not a region/, /^WATCH_INSTANCES\[0\]\.region is not a region/, /^WATCH_INSTANCES\[1\]\.region is not a region/],
    },
  ])('$name is refused at once, naming where it came from', ({ env: e, problems: expected }) => {
    const got = problems(e);
    expect(got).toEqual(expected.map((p) => (typeof p === 'string' ? p : expect.stringMatching(p))));
    for (const p of got) expect(p).toMatch(REGION_FORM);
  });

  it.each<{ name: string; env: Env; regions: string[] }>([
    { name: 'mars-1 with DMS_ENDPOINT', env: env({ WATCH_REGION: 'mars-1', DMS_ENDPOINT: 'https://dms.example.internal' }), regions: ['mars-1'] },
    { name: 'an instance in mars-1 with DMS_ENDPOINT', env: env({ DMS_ENDPOINT: 'http://127.0.0.1:8443', WATCH_INSTANCES: JSON.stringify([{ instance_id: A, region: 'mars-1' }]) }), regions: ['mars-1'] },
    { name: 'eu-west-101 (the .eu endpoint)', env: env({ WATCH_REGION: 'eu-west-101' }), regions: ['eu-west-101'] },
    { name: 'my-kualalumpur-1 and cn-southwest-3', env: env({ WATCH_INSTANCES: JSON.stringify([{ instance_id: A, region: 'my-kualalumpur-1' }, { instance_id: B, region: 'cn-southwest-3' }]) }), regions: ['my-kualalumpur-1', 'cn-southwest-3'] },
  ])('$name is accepted', ({ env: e, regions }) => {
    expect(parseConfig(e).instances.map((i) => i.region)).toEqual(regions);
  });
});

describe('integers are decimal only', () => {
  it.each(['0x10', '0X10', '1e1', '+8', '8.0', '0b11', '0o10', '16n', '1_6', '８', 'Infinity'])('CONCURRENCY=%s is refused', (value) => {
    expect(problems(env({ CONCURRENCY: value }))).toEqual(['CONCURRENCY must be a decimal integer from 1 to 64, such as 8']);
  });

  it.each<[string, number]>([['16', 16], [' 64 ', 64], ['016', 16], ['1', 1]])('CONCURRENCY=%j is %d', (value, n) => {
    expect(parseConfig(env({ CONCURRENCY: value })).concurrency).toBe(n);
  });
});

describe('durations: a bare number is an error, never milliseconds (DESIGN.md §3)', () => {
  it.each<[string, string, string]>([
    ['OUTBOX_MAX_AGE', '7', 'OUTBOX_MAX_AGE has no unit: expected a duration such as 7d, 12h or 30m (a bare number is never milliseconds)'],
    ['OUTBOX_MAX_AGE', '604800000', 'OUTBOX_MAX_AGE has no unit: expected a duration such as 7d, 12h or 30m (a bare number is never milliseconds)'],
    ['OUTBOX_MAX_AGE', '1.5', 'OUTBOX_MAX_AGE has no unit: expected a duration such as 7d, 12h or 30m (a bare number is never milliseconds)'],
    ['RUN_TIMEOUT', '120', 'RUN_TIMEOUT has no unit: expected a duration of at least 10s, such as 120s or 5m (a bare number is never milliseconds)'],
    ['RUN_TIMEOUT', '120000', 'RUN_TIMEOUT has no unit: expected a duration of at least 10s, such as 120s or 5m (a bare number is never milliseconds)'],
    ['OUTBOX_MAX_AGE', 'soon', 'OUTBOX_MAX_AGE must be a duration such as 7d, 12h or 30m'],
    ['RUN_TIMEOUT', '2s', 'RUN_TIMEOUT must be a duration of at least 10s, such as 120s or 5m'],
  ])('%s=%s', (name, value, problem) => {
    expect(problems(env({ [name]: value }))).toEqual([problem]);
  });

  it.each(['7', '30', '2026'])('--since/--until %s is not a time (no bare-number duration in the CLI either)', (value) => {
    expect(parseTimeArg(value, new Date('2026-11-21T00:00:00Z'))).toBeUndefined();
  });
});

describe('every problem at once', () => {
  it.each<{ name: string; env: Env; problems: string[] }>([
    {
      name: 'a duplicate instance and a misspelled key (JSON)',
      env: env({ WATCH_INSTANCES: JSON.stringify([{ instance_id: A, name: 'prod' }, { instance_id: A, nmae: 'dr' }]) }),
      problems: [`WATCH_INSTANCES[1] has an unknown key "nmae": ${INSTANCE_FORM}`, `WATCH_INSTANCES lists instance ${A} twice: expected each instance once`],
    },
    {
      name: 'a duplicate instance and an empty name (comma form)',
      env: env({ WATCH_INSTANCES: `prod=${A}, =${B}, again=${A}` }),
      problems: [`WATCH_INSTANCES entry 2 has an empty name before "=": ${INSTANCES_FORM}`, `WATCH_INSTANCES lists instance ${A} twice: expected each instance once`],
    },
    {
      name: 'a bad entry and no WATCH_REGION',
      env: env({ WATCH_REGION: undefined, WATCH_INSTANCES: JSON.stringify([{ instance_id: A }, { name: 'dr' }]) }),
      problems: [
        `WATCH_INSTANCES[1].instance_id is missing: expected a non-empty string (the instance id)`,
        'WATCH_REGION is required unless every instance in WATCH_INSTANCES names its region: expected a region such as cn-north-4',
      ],
    },
    {
      name: 'a bad entry and no project id anywhere',
      env: env({ WATCH_PROJECT_ID: undefined, WATCH_INSTANCES: JSON.stringify([{ instance_id: A, project_id: 'p1' }, { instance_id: B, zone: 'az1' }]) }),
      problems: [
        `WATCH_INSTANCES[1] has an unknown key "zone": ${INSTANCE_FORM}`,
        "WATCH_PROJECT_ID is required: the runtime gave no project id; expected the instances' project id",
      ],
    },
    {
      name: 'two channels with one key and a third channel broken',
      env: env({ WEBHOOKS: JSON.stringify([{ type: 'generic', name: 'ops', url: 'https://a.example/x' }, { type: 'generic', name: 'ops', url: 'https://b.example/x' }, { type: 'lark', url: 'https://c.example/x' }]) }),
      problems: [
        'WEBHOOKS[2].type is not a known value: expected one of generic, feishu, dingtalk, wecom, slack, teams',
        'WEBHOOKS: channel 2 is the same channel as channel 1 (same type and name, or same URL): give it another "name"',
      ],
    },
    {
      name: 'the issue’s five at once',
      env: env({ WATCH_REGION: 'mars-1', CONCURRENCY: '0x10', OUTBOX_MAX_AGE: '7', WATCH_INSTANCES: JSON.stringify([{ instance_id: A }, { instance_id: A, regoin: 'cn-north-4' }]) }),
      problems: [
        `WATCH_INSTANCES[1] has an unknown key "regoin": ${INSTANCE_FORM}`,
        `WATCH_INSTANCES lists instance ${A} twice: expected each instance once`,
        expect.stringMatching(/^WATCH_REGION is not a region the Kafka SDK knows/) as unknown as string,
        'OUTBOX_MAX_AGE has no unit: expected a duration such as 7d, 12h or 30m (a bare number is never milliseconds)',
        'CONCURRENCY must be a decimal integer from 1 to 64, such as 8',
      ],
    },
  ])('$name', ({ env: e, problems: expected }) => {
    expect(problems(e)).toEqual(expected);
  });
});

describe('every message names the variable and the form it expects', () => {
  it.each<[string, Env, string]>([
    ['WATCH_INSTANCES==abc', { WATCH_INSTANCES: '=abc' }, `WATCH_INSTANCES entry 1 has an empty name before "=": ${INSTANCES_FORM}`],
    ['WATCH_INSTANCES=prod=', { WATCH_INSTANCES: 'prod=' }, `WATCH_INSTANCES entry 1 has an empty id after "=": ${INSTANCES_FORM}`],
    ['WATCH_INSTANCES=,', { WATCH_INSTANCES: ' , ,' }, `WATCH_INSTANCES lists no instance: ${INSTANCES_FORM}`],
    ['WATCH_INSTANCES=[]', { WATCH_INSTANCES: '[]' }, `WATCH_INSTANCES lists no instance: ${INSTANCES_FORM}`],
    ['WATCH_INSTANCES unset', { WATCH_INSTANCES: undefined }, `WATCH_INSTANCES is required: ${INSTANCES_FORM}`],
    ['WATCH_INSTANCES broken JSON', { WATCH_INSTANCES: `[{"instance_id":"${A}"` }, `WATCH_INSTANCES is not valid JSON: ${INSTANCES_FORM}`],
    ['WATCH_INSTANCES a JSON object', { WATCH_INSTANCES: `{"instance_id":"${A}"}` }, `WATCH_INSTANCES is an object: ${INSTANCES_FORM}`],
    ['an entry that is a string', { WATCH_INSTANCES: `["${A}"]` }, `WATCH_INSTANCES[0] is a string: ${INSTANCE_FORM}`],
    ['instance_id empty', { WATCH_INSTANCES: '[{"instance_id":"  "}]' }, 'WATCH_INSTANCES[0].instance_id is empty: expected a non-empty string (the instance id)'],
    ['instance_id a number', { WATCH_INSTANCES: '[{"instance_id":42}]' }, 'WATCH_INSTANCES[0].instance_id is a number: expected a non-empty string (the instance id)'],
    ['name empty', { WATCH_INSTANCES: `[{"instance_id":"${A}","name":""}]` }, 'WATCH_INSTANCES[0].name is empty: expected a non-empty string'],
    ['region null', { WATCH_INSTANCES: `[{"instance_id":"${A}","region":null}]` }, 'WATCH_INSTANCES[0].region is null: expected a region such as cn-north-4'],
    ['project_id empty', { WATCH_INSTANCES: `[{"instance_id":"${A}","project_id":""}]` }, 'WATCH_INSTANCES[0].project_id is empty: expected a project id'],
    ['WATCH_REGION unset', { WATCH_REGION: undefined }, 'WATCH_REGION is required unless every instance in WATCH_INSTANCES names its region: expected a region such as cn-north-4'],
    ['WATCH_PROJECT_ID unset', { WATCH_PROJECT_ID: undefined }, "WATCH_PROJECT_ID is required: the runtime gave no project id; expected the instances' project id"],
    ['OBS_BUCKET unset', { OBS_BUCKET: undefined }, 'OBS_BUCKET is required: expected the name of the bucket for state and history'],
    ['OBS_ENDPOINT ftp', { OBS_ENDPOINT: 'ftp://obs.example' }, 'OBS_ENDPOINT must be an http(s) URL, such as https://obs.cn-north-4.myhuaweicloud.com'],
    ['DMS_ENDPOINT no scheme', { DMS_ENDPOINT: 'dms.example' }, 'DMS_ENDPOINT must be an http(s) URL, such as https://dms.cn-north-4.myhuaweicloud.com'],
    ['WEBHOOKS broken JSON', { WEBHOOKS: '[{"type":"generic"' }, `WEBHOOKS is not valid JSON: expected a JSON array of ${CHANNEL_FORM.slice('expected '.length)}`],
    ['WEBHOOKS an object', { WEBHOOKS: '{"type":"generic","url":"https://a.example"}' }, `WEBHOOKS is an object: expected a JSON array of ${CHANNEL_FORM.slice('expected '.length)}`],
    ['a channel that is a string', { WEBHOOKS: '["https://a.example"]' }, `WEBHOOKS[0] is a string: ${CHANNEL_FORM}`],
    ['a channel without url', { WEBHOOKS: '[{"type":"generic"}]' }, 'WEBHOOKS[0].url is missing: expected an http(s) URL'],
    ['a channel url without scheme', { WEBHOOKS: '[{"type":"generic","url":"a.example/x"}]' }, 'WEBHOOKS[0].url is not an http(s) URL: expected an http(s) URL'],
    ['a channel without type', { WEBHOOKS: '[{"url":"https://a.example/x"}]' }, 'WEBHOOKS[0].type is missing: expected one of generic, feishu, dingtalk, wecom, slack, teams'],
    ['an empty channel secret', { WEBHOOKS: '[{"type":"generic","url":"https://a.example/x","secret":""}]' }, 'WEBHOOKS[0].secret is empty: expected a non-empty string'],
    ['events not an array', { WEBHOOKS: '[{"type":"generic","url":"https://a.example/x","events":"status_changed"}]' }, 'WEBHOOKS[0].events is a string: expected an array of change kinds (status_changed, task_added, task_removed, config_changed, instance_unreachable, instance_recovered, state_reset, instance_added, instance_removed, still_failing, flapping, flapping_ended)'],
    ['an unknown event', { WEBHOOKS: '[{"type":"generic","url":"https://a.example/x","events":["task_moved"]}]' }, 'WEBHOOKS[0].events[0] is not a known value: expected one of status_changed, task_added, task_removed, config_changed, instance_unreachable, instance_recovered, state_reset, instance_added, instance_removed, still_failing, flapping, flapping_ended'],
    ['an unknown min_severity', { WEBHOOKS: '[{"type":"generic","url":"https://a.example/x","min_severity":"fatal"}]' }, 'WEBHOOKS[0].min_severity is not a known value: expected one of info, resolved, warning, critical'],
    ['an empty mention', { WEBHOOKS: '[{"type":"feishu","url":"https://a.example/x","mention":[""]}]' }, 'WEBHOOKS[0].mention[0] is empty: expected a non-empty string'],
    ['an unknown channel key', { WEBHOOKS: '[{"type":"generic","url":"https://a.example/x","sign_secret":"x"}]' }, `WEBHOOKS[0] has an unknown key "sign_secret": ${CHANNEL_FORM}`],
    ['WEBHOOK_TYPE unknown', { WEBHOOK_URL: 'https://a.example/x', WEBHOOK_TYPE: 'lark' }, 'WEBHOOK_TYPE is not a known value: expected one of generic, feishu, dingtalk, wecom, slack, teams'],
    ['WEBHOOK_URL no scheme', { WEBHOOK_URL: 'a.example/x' }, 'WEBHOOK_URL is not an http(s) URL: expected an http(s) URL'],
    ['WEBHOOK_SECRET alone', { WEBHOOK_SECRET: SECRET }, "WEBHOOK_URL is required when WEBHOOK_TYPE or WEBHOOK_SECRET is set: expected the channel's http(s) URL"],
    ['NOTIFY_ON unknown', { NOTIFY_ON: 'status_changed,task_moved' }, 'NOTIFY_ON has unknown kinds (task_moved): expected comma-separated change kinds (status_changed, task_added, task_removed, config_changed, instance_unreachable, instance_recovered, state_reset, instance_added, instance_removed, still_failing, flapping, flapping_ended)'],
    ['NOTIFY_ON commas', { NOTIFY_ON: ' , ' }, 'NOTIFY_ON lists no kind: expected comma-separated change kinds (status_changed, task_added, task_removed, config_changed, instance_unreachable, instance_recovered, state_reset, instance_added, instance_removed, still_failing, flapping, flapping_ended)'],
    ['NOTIFY_FIRST_RUN=maybe', { NOTIFY_FIRST_RUN: 'maybe' }, 'NOTIFY_FIRST_RUN must be true or false'],
    ['NOTIFY_LANG=fr', { NOTIFY_LANG: 'fr' }, 'NOTIFY_LANG must be one of en, zh'],
    ['LOG_LEVEL=loud', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of debug, info, warn, error'],
  ])('%s', (_name, patch, problem) => {
    expect(problems(env(patch))).toEqual([problem]);
  });

  it('no message uses zod’s own wording', () => {
    const all = [
      { WATCH_INSTANCES: '[{"instance_id":[],"name":{},"region":1,"project_id":true,"x":1}, 7, null]' },
      { WEBHOOKS: '[{"type":1,"url":2,"secret":3,"name":4,"events":[1],"min_severity":5,"mention":"all"}, [], null, 1]' },
      { WEBHOOKS: '"just a string"' },
      { WATCH_INSTANCES: '["a", 1]' },
    ].flatMap((patch) => problems(env(patch)));
    expect(all.length).toBeGreaterThan(15);
    for (const p of all) {
      expect(p).toMatch(/^(WATCH_INSTANCES|WEBHOOKS)(\[\d+\])?(\.[a-z_]+)?(\[\d+\])? (is|has|lists) .*: expected /);
      expect(p).not.toMatch(/Invalid|Too small|Too big|Unrecognized|received|>=/);
    }
  });
});

describe('secret values are never echoed by the new checks', () => {
  const WORDY = 'whsec_MfKQ9r5v8Lk2b3Xz7wQpYt';
  const secretsIn = (text: string) => [SECRET, URL_TOKEN, WORDY].filter((s) => text.includes(s));
  it.each<[string, Env]>([
    ['a secret pasted as a key of a channel', { WEBHOOKS: JSON.stringify([{ type: 'feishu', url: FEISHU_URL, [SECRET]: true }]) }],
    ['a secret pasted as a channel entry', { WEBHOOKS: JSON.stringify([SECRET, FEISHU_URL]) }],
    ['a secret pasted into events and mention', { WEBHOOKS: JSON.stringify([{ type: 'feishu', url: FEISHU_URL, secret: SECRET, events: [SECRET], mention: [SECRET, ''] }]) }],
    ['a secret pasted as a digest time', { WEBHOOKS: JSON.stringify([{ type: 'slack', url: FEISHU_URL, digest: SECRET }, { type: 'generic', url: 'https://a.example/x', digest: FEISHU_URL }]) }],
    ['a token URL as WEBHOOK_TYPE', { WEBHOOK_URL: FEISHU_URL, WEBHOOK_TYPE: FEISHU_URL }],
    ['a secret as WATCH_REGION', { WATCH_REGION: SECRET }],
    ['a secret as CONCURRENCY and durations', { CONCURRENCY: SECRET, OUTBOX_MAX_AGE: SECRET, RUN_TIMEOUT: SECRET }],
    ['a secret as an instance entry', { WATCH_INSTANCES: `=${SECRET}, ${SECRET}=, ${A}, ${A}` }],
    ['a secret as an instance key', { WATCH_INSTANCES: JSON.stringify([{ instance_id: A, [SECRET]: 1 }]) }],
    ['a secret made of word characters as a key', { WEBHOOKS: JSON.stringify([{ type: 'generic', url: 'https://a.example/x', [WORDY]: 1, [URL_TOKEN]: 2 }]) }],
    ['a secret in NOTIFY_ON', { NOTIFY_ON: `status_changed,${WORDY},${URL_TOKEN}` }],
  ])('%s', (_name, patch) => {
    let error: unknown;
    try {
      parseConfig(env(patch));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    for (const text of [e.message, String(e), e.stack ?? '', JSON.stringify(e.problems), inspect(e, { depth: 10 })]) expect(secretsIn(text)).toEqual([]);
  });
});
