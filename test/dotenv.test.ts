import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../lib/config/config';
import { loadDotEnv } from '../lib/config/dotenv';
import { ConfigError } from '../lib/errors';

// Issue #14 item 4: the README's multi-line WEBHOOKS example pasted into .env failed with
// "WEBHOOKS is not valid JSON". Quoted values may span lines, as with dotenv.

const dir = mkdtempSync(join(tmpdir(), 'scw-dotenv-ml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (text: string) => {
  const path = join(dir, `env-${n++}`);
  writeFileSync(path, text);
  return path;
};

const JSON_3 = '[\n  {"type":"generic","url":"https://a.example/x"},\n  {"type":"slack","url":"https://hooks.slack.com/services/T0/B0/X"}\n]';

describe('loadDotEnv: quoted values spanning lines', () => {
  it.each<{ name: string; file: string; before?: Record<string, string>; after: Record<string, string | undefined>; loaded: number }>([
    { name: 'single quotes over three lines', file: `WEBHOOKS='${JSON_3}'\nLOG_LEVEL=debug\n`, after: { WEBHOOKS: JSON_3, LOG_LEVEL: 'debug' }, loaded: 2 },
    { name: 'double quotes over lines', file: `A="one\ntwo"\nB=3\n`, after: { A: 'one\ntwo', B: '3' }, loaded: 2 },
    { name: 'backticks over lines', file: 'A=`one\ntwo`\n', after: { A: 'one\ntwo' }, loaded: 1 },
    { name: 'CRLF inside the value becomes LF', file: `A='x\r\ny'\r\nB=2\r\n`, after: { A: 'x\ny', B: '2' }, loaded: 2 },
    { name: 'a comment after the closing quote', file: `A='[\n1\n]' # list\nB=2`, after: { A: '[\n1\n]', B: '2' }, loaded: 2 },
    { name: 'lines inside the value that look like KEY=value are value', file: `A='x\nB=2\n#C=3\n'\nD=4`, after: { A: 'x\nB=2\n#C=3\n', B: undefined, C: undefined, D: '4' }, loaded: 2 },
    { name: 'the other quote inside is literal', file: `A='say "hi"\nthere'\n`, after: { A: 'say "hi"\nthere' }, loaded: 1 },
    { name: 'an existing variable still wins, and its lines are skipped', file: `A='x\nB=2\n'\nC=3`, before: { A: 'from-env' }, after: { A: 'from-env', B: undefined, C: '3' }, loaded: 1 },
    { name: 'text after the closing quote of a one-line value keeps the old reading', file: `A='x'y\n`, after: { A: "'x'y" }, loaded: 1 },
  ])('$name', ({ file, before = {}, after, loaded }) => {
    const env: NodeJS.ProcessEnv = { ...before };
    expect(loadDotEnv(write(file), env)).toBe(loaded);
    for (const [k, v] of Object.entries(after)) expect([k, env[k]]).toEqual([k, v]);
  });

  it.each<[string, string, RegExp]>([
    ['an unclosed single quote', `LOG_LEVEL=info\nWEBHOOKS='[\n  {"type":"generic","url":"https://a.example/x","secret":"s3cr3t-in-dotenv"}\n]\nOBS_BUCKET=b\n`, /^\.env line 2: WEBHOOKS opens a ' quote that is never closed: expected the value to end with '$/],
    ['text after a closing quote on a later line', `WEBHOOKS='[\n{"secret":"s3cr3t-in-dotenv"}\n]' junk\n`, /^\.env line 3: WEBHOOKS has text after its closing ': expected nothing or a # comment$/],
    ['an unclosed double quote', `WEBHOOK_SECRET="s3cr3t-in-dotenv\n`, /^\.env line 1: WEBHOOK_SECRET opens a " quote that is never closed: expected the value to end with "$/],
  ])('%s is an error naming the line and variable, never the value', (_name, file, problem) => {
    let error: unknown;
    try {
      loadDotEnv(write(file), {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(problem)]);
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain('s3cr3t-in-dotenv');
  });
});

describe("the README's WEBHOOKS example, pasted into .env as written", () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n(WEBHOOKS='\[\n[\s\S]*?\n\]')\n```/g)].map((m) => m[1]!);

  it('is found in the README (one block, several channels)', () => {
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.split('\n').length).toBeGreaterThan(3);
  });

  it('loads from .env and parses into every channel it shows', () => {
    const block = blocks[0]!;
    const env: NodeJS.ProcessEnv = {};
    const file = write(`# pasted from the README\nWATCH_INSTANCES=prod=59f6d088-1c2b-4d3e-8f90-a1b2c3d4e5f6\nWATCH_REGION=cn-north-4\n${block}\nWATCH_PROJECT_ID=0b5c8f2e9d7a4c6b8e1f3a5d7c9e0b2a\nOBS_BUCKET=scw-audit\n`);
    expect(loadDotEnv(file, env)).toBe(5);
    const shown = [...block.matchAll(/"type":"([a-z]+)"/g)].map((m) => m[1]);
    const config = parseConfig(env);
    expect(config.channels.map((c) => c.type)).toEqual(shown);
    expect(shown).toEqual(['feishu', 'dingtalk', 'wecom', 'slack', 'teams']);
  });
});

describe('loadDotEnv', () => {
  it.each<{ name: string; file: string; before: Record<string, string>; after: Record<string, string | undefined>; loaded: number }>([
    { name: 'plain pairs', file: 'OBS_BUCKET=scw-audit\nWATCH_REGION=cn-north-4\n', before: {}, after: { OBS_BUCKET: 'scw-audit', WATCH_REGION: 'cn-north-4' }, loaded: 2 },
    { name: 'double quotes keep spaces and #', file: 'WEBHOOK_SECRET="s3cr3t # not a comment "\n', before: {}, after: { WEBHOOK_SECRET: 's3cr3t # not a comment ' }, loaded: 1 },
    { name: 'single quotes', file: "WATCH_INSTANCES='prod=59f6d088, dr=c7e2a914'\n", before: {}, after: { WATCH_INSTANCES: 'prod=59f6d088, dr=c7e2a914' }, loaded: 1 },
    { name: 'JSON in single quotes', file: `WEBHOOKS='[{"type":"generic","url":"https://hooks.example.com/x"}]'`, before: {}, after: { WEBHOOKS: '[{"type":"generic","url":"https://hooks.example.com/x"}]' }, loaded: 1 },
    { name: 'comment lines and blank lines skipped', file: '# the bucket\n\n   # indented comment\nOBS_BUCKET=b\n#LOG_LEVEL=debug\n', before: {}, after: { OBS_BUCKET: 'b', LOG_LEVEL: undefined }, loaded: 1 },
    { name: 'a comment after a quoted value', file: 'WEBHOOK_SECRET="s3cr3t-TOKEN" # prod channel\n', before: {}, after: { WEBHOOK_SECRET: 's3cr3t-TOKEN' }, loaded: 1 },
    { name: 'an inline comment after an unquoted value', file: 'LOG_LEVEL=debug # while testing\n', before: {}, after: { LOG_LEVEL: 'debug' }, loaded: 1 },
    { name: 'a # without a space before it is part of the value', file: 'OBS_PREFIX=watch#1/\n', before: {}, after: { OBS_PREFIX: 'watch#1/' }, loaded: 1 },
    { name: 'export prefix and spaces around =', file: 'export CONCURRENCY = 4\n  NOTIFY_ON =  status_changed \n', before: {}, after: { CONCURRENCY: '4', NOTIFY_ON: 'status_changed' }, loaded: 2 },
    { name: 'CRLF line endings', file: 'OBS_BUCKET=b\r\nWATCH_REGION=cn-east-3\r\n', before: {}, after: { OBS_BUCKET: 'b', WATCH_REGION: 'cn-east-3' }, loaded: 2 },
    { name: 'a value holding =', file: 'WEBHOOK_URL=https://oapi.dingtalk.com/robot/send?access_token=abc=\n', before: {}, after: { WEBHOOK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=abc=' }, loaded: 1 },
    { name: 'an empty value', file: 'OBS_PREFIX=\n', before: {}, after: { OBS_PREFIX: '' }, loaded: 1 },
    { name: 'existing variables win', file: 'OBS_BUCKET=from-file\nWATCH_REGION=cn-north-4\n', before: { OBS_BUCKET: 'from-env' }, after: { OBS_BUCKET: 'from-env', WATCH_REGION: 'cn-north-4' }, loaded: 1 },
    { name: 'an existing empty variable wins', file: 'OBS_PREFIX=from-file/\n', before: { OBS_PREFIX: '' }, after: { OBS_PREFIX: '' }, loaded: 0 },
    { name: 'the first of two lines wins', file: 'LOG_LEVEL=warn\nLOG_LEVEL=debug\n', before: {}, after: { LOG_LEVEL: 'warn' }, loaded: 1 },
    { name: 'malformed lines ignored', file: 'just words\n1BAD=x\n=nokey\nGOOD=yes\n', before: {}, after: { GOOD: 'yes', '1BAD': undefined }, loaded: 1 },
  ])('$name', ({ file, before, after, loaded }) => {
    const env: NodeJS.ProcessEnv = { ...before };
    expect(loadDotEnv(write(file), env)).toBe(loaded);
    for (const [k, v] of Object.entries(after)) expect([k, env[k]]).toEqual([k, v]);
  });

  it('a missing file loads nothing and changes nothing', () => {
    const env: NodeJS.ProcessEnv = { OBS_BUCKET: 'b' };
    expect(loadDotEnv(join(dir, 'no-such-file'), env)).toBe(0);
    expect(env).toEqual({ OBS_BUCKET: 'b' });
  });
});
