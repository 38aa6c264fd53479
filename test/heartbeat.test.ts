import { describe, expect, it } from 'vitest';
import { REASON_MAX_CHARS, failUrlOf, oneLineReason, parseHeartbeat, redactHeartbeat } from '../lib/alerting/heartbeat';
import { Redactor } from '../lib/secret';

describe('heartbeat configuration', () => {
  it.each([
    ['https://hc-ping.com/0f3c2b1a-aaaa-bbbb-cccc-1234567890ab', 'https://hc-ping.com/0f3c2b1a-aaaa-bbbb-cccc-1234567890ab/fail'],
    ['https://hc-ping.com/0f3c2b1a-aaaa-bbbb-cccc-1234567890ab/', 'https://hc-ping.com/0f3c2b1a-aaaa-bbbb-cccc-1234567890ab/fail'],
    ['https://hc-ping.com/pingkey1234567890abcd/smart-connect-watch?rid=7', 'https://hc-ping.com/pingkey1234567890abcd/smart-connect-watch/fail?rid=7'],
    ['https://kuma.example.com/api/push/Ab12Cd34Ef?status=up&msg=OK&ping=', 'https://kuma.example.com/api/push/Ab12Cd34Ef/fail?status=up&msg=OK&ping='],
    ['http://10.0.0.5:8000', 'http://10.0.0.5:8000/fail'],
  ])('the default fail URL of %s is %s (/fail appended to the path, the query kept)', (url, fail) => {
    expect(failUrlOf(url)).toBe(fail);
    expect(parseHeartbeat({ HEARTBEAT_URL: url }).heartbeat?.fail.reveal()).toBe(fail);
  });

  it.each([
    [{}, null],
    [{ HEARTBEAT_URL: '  ' }, null],
    [{ HEARTBEAT_URL: 'https://a.example/x', HEARTBEAT_FAIL_URL: 'https://a.example/x?status=down' }, { success: 'https://a.example/x', fail: 'https://a.example/x?status=down' }],
    [{ HEARTBEAT_FAIL_URL: 'https://a.example/only-failures' }, { success: null, fail: 'https://a.example/only-failures' }],
  ])('%j → %j', (env, expected) => {
    const { heartbeat, problems } = parseHeartbeat(env);
    expect(problems).toEqual([]);
    expect(heartbeat && { success: heartbeat.success?.reveal() ?? null, fail: heartbeat.fail.reveal() }).toEqual(expected);
  });

  it.each([
    [{ HEARTBEAT_URL: 'hc-ping.com/SECRET-TOKEN-123' }, ['HEARTBEAT_URL must be an http(s) URL, such as https://hc-ping.com/<uuid>']],
    [{ HEARTBEAT_URL: 'https://ok.example/', HEARTBEAT_FAIL_URL: 'ftp://SECRET-TOKEN-123' }, ['HEARTBEAT_FAIL_URL must be an http(s) URL, such as https://hc-ping.com/<uuid>']],
  ])('%j is refused, naming the variable and never quoting it', (env, problems) => {
    const parsed = parseHeartbeat(env);
    expect(parsed).toEqual({ heartbeat: null, problems });
    expect(JSON.stringify(parsed)).not.toContain('SECRET-TOKEN');
  });

  it('redacts both URLs and a short push token', () => {
    const redactor = new Redactor();
    redactHeartbeat(redactor, parseHeartbeat({ HEARTBEAT_URL: 'https://kuma.example.com/api/push/Ab12Cd34Ef?status=up' }).heartbeat);
    expect(redactor.redact('GET https://kuma.example.com/api/push/Ab12Cd34Ef/fail?status=up token Ab12Cd34Ef')).toBe('GET <secret> token <secret>');
  });

  it.each([
    ['OBS GET failed:\n  NoSuchBucket\tthe bucket', 'OBS GET failed: NoSuchBucket the bucket'],
    ['x'.repeat(REASON_MAX_CHARS + 5), `${'x'.repeat(REASON_MAX_CHARS - 1)}…`],
  ])('a reason is one line of at most %#', (text, line) => {
    expect(oneLineReason(text)).toBe(line);
  });
});
