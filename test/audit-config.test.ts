import { describe, expect, it } from 'vitest';
import { parseAuditConfig } from '../lib/audit/config';
import { ConfigError } from '../lib/errors';

const KEYS = { CLOUD_SDK_AK: 'AK-visible-in-no-message', CLOUD_SDK_SK: 'SK-never-printed-0123456789' };

function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseAuditConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('parseAuditConfig', () => {
  it.each([
    [{ OBS_BUCKET: 'b', OBS_ENDPOINT: 'http://127.0.0.1:9000' }, { bucket: 'b', prefix: 'smart-connect-watch/', endpoint: 'http://127.0.0.1:9000' }],
    [{ OBS_BUCKET: 'b', WATCH_REGION: 'cn-north-4' }, { bucket: 'b', prefix: 'smart-connect-watch/', endpoint: 'https://obs.cn-north-4.myhuaweicloud.com' }],
    [{ OBS_BUCKET: ' b ', WATCH_REGION: 'cn-north-4', OBS_PREFIX: '' }, { bucket: 'b', prefix: '', endpoint: 'https://obs.cn-north-4.myhuaweicloud.com' }],
    [{ OBS_BUCKET: 'b', WATCH_REGION: 'r', OBS_PREFIX: '/audit/watch' }, { bucket: 'b', prefix: 'audit/watch/', endpoint: 'https://obs.r.myhuaweicloud.com' }],
    [{ OBS_BUCKET: 'b', WATCH_REGION: 'r', OBS_ENDPOINT: 'https://obs.example' }, { bucket: 'b', prefix: 'smart-connect-watch/', endpoint: 'https://obs.example' }],
  ])('%j', (env, obs) => {
    const config = parseAuditConfig({ ...KEYS, ...env });
    // Someone waits at a terminal: 15 s per request, two attempts (DESIGN.md §7: gives up within 45 s).
    expect(config.obs).toEqual({ ...obs, timeoutSeconds: 15, retry: { attempts: 2, baseDelayMs: 200, maxDelayMs: 2_000 } });
    expect(config.credentials.sk.reveal()).toBe(KEYS.CLOUD_SDK_SK);
    expect(config.credentials.securityToken).toBeUndefined();
  });

  it('keeps a security token', () => {
    expect(parseAuditConfig({ ...KEYS, OBS_BUCKET: 'b', WATCH_REGION: 'r', CLOUD_SDK_SECURITY_TOKEN: 'tok' }).credentials.securityToken?.reveal()).toBe('tok');
  });

  it('does not need WATCH_INSTANCES nor webhooks', () => {
    expect(problems({ ...KEYS, OBS_BUCKET: 'b', WATCH_REGION: 'r', WATCH_INSTANCES: undefined })).toEqual([]);
  });

  it.each([
    [{}, ['OBS_BUCKET', 'CLOUD_SDK_AK', 'CLOUD_SDK_SK', 'OBS_ENDPOINT is required unless WATCH_REGION']],
    [{ ...KEYS, OBS_BUCKET: '  ', WATCH_REGION: 'r' }, ['OBS_BUCKET is required']],
    [{ ...KEYS, OBS_BUCKET: 'b' }, ['OBS_ENDPOINT is required unless WATCH_REGION']],
    [{ ...KEYS, OBS_BUCKET: 'b', OBS_ENDPOINT: `ftp://${KEYS.CLOUD_SDK_SK}@host` }, ['OBS_ENDPOINT must be an http(s) URL']],
    [{ CLOUD_SDK_AK: 'a', OBS_BUCKET: 'b', WATCH_REGION: 'r' }, ['CLOUD_SDK_SK is required']],
  ])('%j lists every problem by variable', (env, expected) => {
    const found = problems(env);
    expect(found).toHaveLength(expected.length);
    expected.forEach((start, i) => expect(found[i]).toContain(start));
    for (const p of found) expect(p).not.toContain(KEYS.CLOUD_SDK_SK);
  });
});
