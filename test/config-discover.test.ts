import { describe, expect, it } from 'vitest';
import { type Env, parseConfig } from '../lib/config/config';
import { globMatcher, globProblem } from '../lib/glob';
import { configProblems } from './support/config-problems';

// Issue #18 item 1: WATCH_INSTANCES discover entries (DESIGN.md §3, §9).

const DR = '7c2e11aa-5b6d-4e7f-8091-0a1b2c3d4e5f';
const P = 'p'.repeat(32);
const Q = 'q'.repeat(32);
const BASE: Env = { WATCH_REGION: 'cn-north-4', WATCH_PROJECT_ID: P, OBS_BUCKET: 'scw-audit' };

const problems = configProblems;

describe('discover entries are parsed with their region and project', () => {
  it.each<{ name: string; value: string; instances: unknown[]; discover: unknown[] }>([
    { name: '*', value: '*', instances: [], discover: [{ glob: '*', region: 'cn-north-4', project_id: P }] },
    { name: 'a prefix glob', value: 'prod-*', instances: [], discover: [{ glob: 'prod-*', region: 'cn-north-4', project_id: P }] },
    { name: 'a ? glob', value: 'kafka-?', instances: [], discover: [{ glob: 'kafka-?', region: 'cn-north-4', project_id: P }] },
    {
      name: 'mixed with ids',
      value: `*, dr=${DR}`,
      instances: [{ instance_id: DR, name: 'dr', region: 'cn-north-4', project_id: P }],
      discover: [{ glob: '*', region: 'cn-north-4', project_id: P }],
    },
    {
      name: 'the JSON form, another region and project',
      value: JSON.stringify([{ discover: 'prod-*' }, { discover: '*', region: 'cn-east-3', project_id: Q }, { instance_id: DR, name: 'dr' }]),
      instances: [{ instance_id: DR, name: 'dr', region: 'cn-north-4', project_id: P }],
      discover: [{ glob: 'prod-*', region: 'cn-north-4', project_id: P }, { glob: '*', region: 'cn-east-3', project_id: Q }],
    },
  ])('$name', ({ value, instances, discover }) => {
    const config = parseConfig({ ...BASE, WATCH_INSTANCES: value });
    expect(config.instances).toEqual(instances);
    expect(config.discover).toEqual(discover);
  });

  it('WATCH_REGION is not needed when every discover entry names its region (and OBS follows it)', () => {
    const config = parseConfig({ WATCH_PROJECT_ID: P, OBS_BUCKET: 'b', WATCH_INSTANCES: JSON.stringify([{ discover: '*', region: 'cn-east-3' }]) });
    expect(config.obs.endpoint).toBe('https://obs.cn-east-3.myhuaweicloud.com');
  });
});

describe('bad discover entries: every problem at once, naming the variable, the entry and the form', () => {
  it.each<{ name: string; env: Env; expected: (string | RegExp)[] }>([
    { name: 'a bracket glob (comma form)', env: { WATCH_INSTANCES: `prod-[ab]*,${DR}` }, expected: [/^WATCH_INSTANCES entry 1 is not a valid name glob \(only \* and \? are wildcards.*\): expected a name glob of letters/] },
    { name: 'a glob in the id after "="', env: { WATCH_INSTANCES: 'prod=prod-*' }, expected: ['WATCH_INSTANCES entry 1 has a wildcard in its id: a name glob stands alone (`prod-*`), not after "="'] },
    { name: 'a glob too long', env: { WATCH_INSTANCES: `${'a'.repeat(64)}*` }, expected: [/^WATCH_INSTANCES entry 1 is a glob longer than 64 characters: expected a name glob/] },
    { name: 'a JSON glob with a space', env: { WATCH_INSTANCES: '[{"discover":"prod *"}]' }, expected: [/^WATCH_INSTANCES\[0\]\.discover is not a valid name glob .*: expected a name glob: expected a name glob of letters/] },
    { name: 'a JSON glob empty', env: { WATCH_INSTANCES: '[{"discover":""}]' }, expected: [/^WATCH_INSTANCES\[0\]\.discover is an empty glob: expected a name glob/] },
    { name: 'a JSON glob not a string', env: { WATCH_INSTANCES: '[{"discover":3}]' }, expected: [/^WATCH_INSTANCES\[0\]\.discover is a number: expected a name glob/] },
    { name: 'an unknown key beside discover', env: { WATCH_INSTANCES: '[{"discover":"*","name":"x"}]' }, expected: ['WATCH_INSTANCES[0] has an unknown key "name": expected {"instance_id","name"?,"region"?,"project_id"?} or {"discover","region"?,"project_id"?}'] },
    {
      name: 'a region the SDK does not know, with a bad glob elsewhere',
      env: { WATCH_INSTANCES: '[{"discover":"*","region":"mars-1"},{"discover":"a{b}"}]' },
      expected: [/^WATCH_INSTANCES\[1\]\.discover is not a valid name glob/, /^WATCH_INSTANCES\[0\]\.region is not a region the Kafka SDK knows: expected a region of the Kafka SDK's table \(.*\), or set DMS_ENDPOINT$/],
    },
    { name: 'the same discover entry twice', env: { WATCH_INSTANCES: '*,*' }, expected: ['WATCH_INSTANCES lists the same discover entry (glob, region and project) more than once: expected each once'] },
    {
      name: 'no project for a discover entry',
      env: { WATCH_INSTANCES: '*', WATCH_PROJECT_ID: undefined },
      expected: ["WATCH_PROJECT_ID is required: the runtime gave no project id; expected the instances' project id"],
    },
  ])('$name', ({ env, expected }) => {
    const e = Object.fromEntries(Object.entries({ ...BASE, ...env }).filter(([, v]) => v !== undefined));
    expect(problems(e)).toEqual(expected.map((p) => (typeof p === 'string' ? p : expect.stringMatching(p))));
  });

  it('a region the SDK does not know is accepted with DMS_ENDPOINT', () => {
    const config = parseConfig({ ...BASE, DMS_ENDPOINT: 'http://127.0.0.1:9', WATCH_INSTANCES: '[{"discover":"*","region":"mars-1"}]' });
    expect(config.discover).toEqual([{ glob: '*', region: 'mars-1', project_id: P }]);
  });
});

describe('globs: the whole name, case-sensitive, * any run, ? one character', () => {
  it.each<[string, string, boolean]>([
    ['*', 'anything-at-all', true],
    ['*', '', true],
    ['prod-*', 'prod-', true],
    ['prod-*', 'prod-eu-1', true],
    ['prod-*', 'Prod-eu-1', false],
    ['prod-*', 'xprod-eu', false],
    ['*-dr', 'kafka-dr', true],
    ['*-dr', 'kafka-dr-2', false],
    ['kafka-?', 'kafka-1', true],
    ['kafka-?', 'kafka-12', false],
    ['kafka-?', 'kafka-', false],
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false],
    ['k*a?b', 'k--a-b', true],
    ['生产-*', '生产-一', true],
    ['?', '产', true],
  ])('%s matches %s: %s', (glob, name, matches) => {
    expect(globProblem(glob)).toBeUndefined();
    expect(globMatcher(glob)(name)).toBe(matches);
  });

  it.each(['', 'a b', 'a[bc]', 'a{b,c}', 'a\\*', 'a/b', 'a,b', `${'x'.repeat(65)}`])('%j is refused', (glob) => {
    expect(globProblem(glob)).toBeDefined();
  });
});
