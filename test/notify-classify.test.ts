import { describe, expect, it } from 'vitest';
import { bodyText } from '../lib/notify/chat';
import { classifyDingTalk } from '../lib/notify/dingtalk';
import { classifyFeishu } from '../lib/notify/feishu';
import { classifyHttpStatus, postJson } from '../lib/notify/http';
import { classifySlack } from '../lib/notify/slack';
import { classifyTeams } from '../lib/notify/teams';
import type { HttpAnswer, Outcome } from '../lib/notify/types';
import { classifyWeCom } from '../lib/notify/wecom';

const answer = (status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer => ({
  status,
  headers: new Headers(headers),
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
type Row = [string, (a: HttpAnswer) => Outcome, HttpAnswer, Outcome['status'], string, number | undefined];

const ROWS: Row[] = [
  // Feishu: HTTP 200 is not success; read `code`.
  ['feishu: code 0', classifyFeishu, answer(200, { code: 0, msg: 'success', data: {} }), 'ok', '', undefined],
  ['feishu: legacy StatusCode 0', classifyFeishu, answer(200, { Extra: null, StatusCode: 0, StatusMessage: 'success' }), 'ok', '', undefined],
  ['feishu: rate limited (11232)', classifyFeishu, answer(200, { code: 11232, msg: 'frequency limited' }), 'retryable', 'code 11232', undefined],
  ['feishu: bad signature (19021)', classifyFeishu, answer(200, { code: 19021, msg: 'sign match fail' }), 'permanent', 'code 19021 (sign match fail)', undefined],
  ['feishu: bad request (9499)', classifyFeishu, answer(200, { code: 9499, msg: 'Bad Request' }), 'permanent', 'code 9499', undefined],
  ['feishu: keyword missing (19024)', classifyFeishu, answer(200, { code: 19024, msg: 'Key Words Not Found' }), 'permanent', 'code 19024', undefined],
  ['feishu: 400 with a code', classifyFeishu, answer(400, { code: 9499, msg: 'Bad Request' }), 'permanent', 'HTTP 400: code 9499', undefined],
  ['feishu: 429 Retry-After', classifyFeishu, answer(429, '', { 'retry-after': '3' }), 'retryable', 'HTTP 429', 3000],
  ['feishu: 503', classifyFeishu, answer(503, '<html>busy</html>'), 'retryable', 'HTTP 503', undefined],
  ['feishu: 200 not JSON', classifyFeishu, answer(200, 'ok'), 'permanent', 'without a result code', undefined],
  // DingTalk: `errcode`.
  ['dingtalk: errcode 0', classifyDingTalk, answer(200, { errcode: 0, errmsg: 'ok' }), 'ok', '', undefined],
  ['dingtalk: too fast (130101)', classifyDingTalk, answer(200, { errcode: 130101, errmsg: 'send too fast' }), 'retryable', 'code 130101', undefined],
  ['dingtalk: busy (-1)', classifyDingTalk, answer(200, { errcode: -1, errmsg: '系统繁忙' }), 'retryable', 'code -1', undefined],
  ['dingtalk: sign/keyword/IP (310000)', classifyDingTalk, answer(200, { errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.example/x?t=1]' }), 'permanent', 'code 310000 (sign not match, more: [<url>', undefined],
  ['dingtalk: token gone (300001)', classifyDingTalk, answer(200, { errcode: 300001, errmsg: 'token is not exist' }), 'permanent', 'code 300001', undefined],
  ['dingtalk: 429 with a code', classifyDingTalk, answer(429, { errcode: 130101 }, { 'retry-after': '60' }), 'retryable', 'HTTP 429: code 130101', 60_000],
  ['dingtalk: 200 without errcode', classifyDingTalk, answer(200, { ok: true }), 'permanent', 'without a result errcode', undefined],
  // WeCom: `errcode`.
  ['wecom: errcode 0', classifyWeCom, answer(200, { errcode: 0, errmsg: 'ok' }), 'ok', '', undefined],
  ['wecom: rate (45009)', classifyWeCom, answer(200, { errcode: 45009, errmsg: 'api freq out of limit' }), 'retryable', 'code 45009', undefined],
  ['wecom: invalid webhook (93000)', classifyWeCom, answer(200, { errcode: 93000, errmsg: 'invalid webhook url' }), 'permanent', 'code 93000', undefined],
  ['wecom: too long (40058)', classifyWeCom, answer(200, { errcode: 40058, errmsg: 'content exceed max length' }), 'permanent', 'code 40058', undefined],
  ['wecom: 502', classifyWeCom, answer(502, ''), 'retryable', 'HTTP 502', undefined],
  // Slack: the status, with a text code.
  ['slack: 200 ok', classifySlack, answer(200, 'ok'), 'ok', '', undefined],
  ['slack: 429 Retry-After', classifySlack, answer(429, 'rate_limited', { 'retry-after': '1' }), 'retryable', 'HTTP 429: rate_limited', 1000],
  ['slack: invalid_payload', classifySlack, answer(400, 'invalid_payload'), 'permanent', 'HTTP 400: invalid_payload', undefined],
  ['slack: invalid_blocks', classifySlack, answer(400, 'invalid_blocks'), 'permanent', 'invalid_blocks', undefined],
  ['slack: action_prohibited', classifySlack, answer(403, 'action_prohibited'), 'permanent', 'HTTP 403', undefined],
  ['slack: channel_not_found', classifySlack, answer(404, 'channel_not_found'), 'permanent', 'HTTP 404', undefined],
  ['slack: channel_is_archived', classifySlack, answer(410, 'channel_is_archived'), 'permanent', 'HTTP 410', undefined],
  ['slack: rollup_error', classifySlack, answer(500, 'rollup_error'), 'retryable', 'HTTP 500: rollup_error', undefined],
  // Teams (Workflows): 200/202 accepted.
  ['teams: 202', classifyTeams, answer(202, ''), 'ok', '', undefined],
  ['teams: 200', classifyTeams, answer(200, ''), 'ok', '', undefined],
  ['teams: 413 too large', classifyTeams, answer(413, { error: { code: 'RequestEntityTooLarge' } }), 'permanent', 'HTTP 413', undefined],
  ['teams: 429', classifyTeams, answer(429, '', { 'retry-after': '2' }), 'retryable', 'HTTP 429', 2000],
  ['teams: 401', classifyTeams, answer(401, { error: { code: 'DirectApiAuthorizationRequired' } }), 'permanent', 'HTTP 401', undefined],
  // 408 is a timeout, retried on every channel type (generic webhooks used to treat it as permanent, issue #17).
  ['generic: 408', classifyHttpStatus, answer(408, '', { 'retry-after': '2' }), 'retryable', 'HTTP 408', 2000],
  ['slack: 408', classifySlack, answer(408, ''), 'retryable', 'HTTP 408', undefined],
  ['feishu: 408', classifyFeishu, answer(408, ''), 'retryable', 'HTTP 408', undefined],
];

describe('webhook response classifiers', () => {
  it.each(ROWS)('%s', (_name, classify, a, status, reason, retryAfter) => {
    const outcome = classify(a);
    expect(outcome.status).toBe(status);
    if (outcome.status !== 'ok') {
      expect(outcome.reason).toContain(reason);
      if (outcome.status === 'retryable') expect(outcome.retryAfterMs).toBe(retryAfter);
    }
  });

  it('never quotes a URL from a body, nor more than one short line of it', () => {
    const text = bodyText(`<html>\n  error at https://hooks.example/services/T/B/SECRETTOKEN?x=1\n${'y'.repeat(1000)}</html>`);
    expect(text).not.toContain('SECRETTOKEN');
    expect(text).not.toContain('\n');
    expect(text.length).toBeLessThanOrEqual(160);
  });
});

describe('an answer that echoes the webhook URL', () => {
  it.each([
    ['Express 404', 'https://hooks.example.com/hooks/tok_9f8e7d6c5b4a', '<pre>Cannot POST /hooks/tok_9f8e7d6c5b4a</pre>'],
    ['a query token', 'https://oapi.example.com/robot/send?access_token=abc123def456', '{"errmsg":"bad access_token=abc123def456"}'],
    ['percent-encoded', 'https://x.example.com/p/t%C3%B6ken-123456', 'not found: /p/t%C3%B6ken-123456'],
  ])('%s: the reason kept in last_error has no token', async (_name, url, body) => {
    const fetch = async () => new Response(body, { status: 404 });
    const outcome = await postJson({ fetch, timeoutMs: 1_000 }, url, '{}', {}, classifyHttpStatus);
    expect(outcome.status).toBe('permanent');
    const reason = (outcome as { reason: string }).reason;
    for (const part of [...new URL(url).pathname.split('/'), ...new URL(url).searchParams.values()].filter((p) => p.length >= 6)) {
      expect(reason).not.toContain(part);
      expect(reason).not.toContain(decodeURIComponent(part));
    }
    expect(reason).toContain('<redacted>');
  });
});
