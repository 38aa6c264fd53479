import { describe, expect, it } from 'vitest';
import { SourceError } from '../lib/errors';
import { codeVerdict } from '../lib/notify/chat';
import { DINGTALK_CODES, classifyDingTalk } from '../lib/notify/dingtalk';
import { FEISHU_CODES, classifyFeishu } from '../lib/notify/feishu';
import { classifyHttpStatus, httpVerdict, postJson } from '../lib/notify/http';
import { classifySlack } from '../lib/notify/slack';
import { classifyTeams } from '../lib/notify/teams';
import type { HttpAnswer, Outcome } from '../lib/notify/types';
import { WECOM_CODES, classifyWeCom } from '../lib/notify/wecom';
import { type Category, type Verdict, classifyNoAnswer, classifyStatus } from '../lib/retry/classify';
import { answerBody, noAnswerError } from '../lib/source/dms-answer';
import { parseTaskPage } from '../lib/source/task-pager';

// One classification (issue #17 item 2): every source of answers, every category, one table each.
const T0 = Date.parse('2026-11-21T07:15:00.000Z');
type Expect = 'ok' | [Verdict['status'], Category, number?];
const verdictOf = (e: Expect): Verdict =>
  e === 'ok' ? { status: 'ok' } : e[0] === 'retryable' ? { status: 'retryable', category: e[1], ...(e[2] === undefined ? {} : { retryAfterMs: e[2] }) } : { status: 'permanent', category: e[1] };

describe('HTTP statuses (OBS calls classifyStatus on CommonMsg.Status; DMS and webhooks through it)', () => {
  it.each<[number, number | undefined, Expect]>([
    [200, undefined, 'ok'],
    [204, undefined, 'ok'],
    [429, 3_000, ['retryable', 'throttled', 3_000]],
    [429, undefined, ['retryable', 'throttled']],
    [408, undefined, ['retryable', 'timeout']],
    [500, undefined, ['retryable', 'server']],
    [503, 1_000, ['retryable', 'server', 1_000]],
    [599, undefined, ['retryable', 'server']],
    [401, undefined, ['permanent', 'auth']],
    [403, 5_000, ['permanent', 'auth']],
    [400, undefined, ['permanent', 'client']],
    [404, undefined, ['permanent', 'client']],
    [413, undefined, ['permanent', 'client']],
    [302, undefined, ['permanent', 'client']],
    [101, undefined, ['permanent', 'client']],
  ])('%i (Retry-After %s ms) → %j', (status, retryAfterMs, expected) => {
    expect(classifyStatus(status, retryAfterMs)).toEqual(verdictOf(expected));
  });
});

describe('requests that got no answer: a timeout or a network error, both retried', () => {
  const undiciRefused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  it.each<[string, unknown, Category]>([
    ['webhook: AbortSignal.timeout fired', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'timeout'],
    ['webhook: connection refused (undici)', undiciRefused, 'network'],
    ['webhook: headers timeout (undici)', Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_HEADERS_TIMEOUT' } }), 'timeout'],
    ['DMS: axios timeout, as the SDK keeps it', { name: 'ServiceResponseException', errorMsg: 'timeout of 1000ms exceeded' }, 'timeout'],
    ['DMS: connection reset, as the SDK keeps it', { name: 'ServiceResponseException', errorMsg: 'read ECONNRESET' }, 'network'],
    ['OBS: the client timed out', Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), 'timeout'],
    ['OBS: socket hang up', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'network'],
    ['not even an Error', 'boom', 'network'],
  ])('%s → %s', (_name, err, category) => {
    expect(classifyNoAnswer(err)).toEqual({ status: 'retryable', category });
  });
});

describe('DMS answers: the SourceError carries the verdict and a 429 Retry-After (no side map)', () => {
  const answer = (status: number, body: unknown, retryAfter?: string) => ({ status, body, retryAfter });
  it.each<[string, ReturnType<typeof answer>, Expect, RegExp]>([
    ['200 with a page', answer(200, { tasks: [], total_number: 0 }), 'ok', /^$/],
    ['429 APIG.0308 with Retry-After: 7', answer(429, { error_code: 'APIG.0308', error_msg: 'throttled' }, '7'), ['retryable', 'throttled', 7_000], /^HTTP 429 APIG\.0308: throttled$/],
    ['429 with an HTTP-date Retry-After', answer(429, '', new Date(T0 + 4_000).toUTCString()), ['retryable', 'throttled', 4_000], /^HTTP 429 Request failed with status code 429$/],
    ['503 with Retry-After: only a 429 is waited for (as before)', answer(503, { error: { code: 'APIGW.0101', message: 'busy' } }, '9'), ['retryable', 'server'], /^HTTP 503 APIGW\.0101: busy$/],
    ['408', answer(408, ''), ['retryable', 'timeout'], /^HTTP 408/],
    ['401', answer(401, { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information' }), ['permanent', 'auth'], /^HTTP 401 APIGW\.0301/],
    ['403', answer(403, { error_code: 'DMS.00403000', error_msg: 'forbidden' }), ['permanent', 'auth'], /^HTTP 403 DMS\.00403000: forbidden$/],
    ['404 no such instance', answer(404, { error_code: 'DMS.00404022', error_msg: 'The instance does not exist.' }), ['permanent', 'client'], /^HTTP 404 DMS\.00404022/],
    ['400', answer(400, '<html>bad</html>'), ['permanent', 'client'], /^HTTP 400 Request failed with status code 400$/],
  ])('%s', (_name, a, expected, message) => {
    const thrown = (() => {
      try {
        return answerBody(a, T0);
      } catch (err) {
        return err;
      }
    })();
    if (expected === 'ok') return expect(thrown).toBe(a.body);
    expect(thrown).toBeInstanceOf(SourceError);
    const e = thrown as SourceError;
    expect(e.message).toMatch(message);
    expect({ retryable: e.retryable, category: e.category, retryAfterMs: e.retryAfterMs }).toEqual({ retryable: expected[0] === 'retryable', category: expected[1], retryAfterMs: expected[2] });
  });

  it.each<[string, unknown, Category]>([
    ['the SDK timed out', { errorMsg: 'timeout of 1000ms exceeded' }, 'timeout'],
    ['the connection dropped', { errorMsg: 'socket hang up' }, 'network'],
  ])('no answer: %s → a retryable SourceError (%s)', (_name, err, category) => {
    const e = noAnswerError(err);
    expect([e.retryable, e.category, e.message]).toEqual([true, category, `network error: ${(err as { errorMsg: string }).errorMsg}`]);
  });

  it('a 200 that is not the documented JSON is a retryable failed page, never "no tasks"', () => {
    expect(() => parseTaskPage('<html>maintenance</html>')).toThrow(expect.objectContaining({ retryable: true, message: expect.stringMatching(/no tasks array/) }));
  });
});

const http = (status: number, body: unknown = '', headers: Record<string, string> = {}): HttpAnswer => ({
  status,
  headers: new Headers(headers),
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('webhooks: every channel type, every category an answer can have', () => {
  type Platform = [string, (a: HttpAnswer) => Outcome, (a: HttpAnswer) => Verdict];
  const generic: Platform = ['generic', classifyHttpStatus, httpVerdict];
  const slack: Platform = ['slack', classifySlack, httpVerdict];
  const teams: Platform = ['teams', classifyTeams, httpVerdict];
  const feishu: Platform = ['feishu', classifyFeishu, (a) => codeVerdict(a, FEISHU_CODES)];
  const dingtalk: Platform = ['dingtalk', classifyDingTalk, (a) => codeVerdict(a, DINGTALK_CODES)];
  const wecom: Platform = ['wecom', classifyWeCom, (a) => codeVerdict(a, WECOM_CODES)];
  const rows: [Platform, HttpAnswer, Expect][] = [
    [generic, http(200), 'ok'],
    [generic, http(429, '', { 'retry-after': '2' }), ['retryable', 'throttled', 2_000]],
    [generic, http(408), ['retryable', 'timeout']],
    [generic, http(502), ['retryable', 'server']],
    [generic, http(401), ['permanent', 'auth']],
    [generic, http(422), ['permanent', 'client']],
    [slack, http(200, 'ok'), 'ok'],
    [slack, http(429, 'rate_limited', { 'retry-after': '1' }), ['retryable', 'throttled', 1_000]],
    [slack, http(408), ['retryable', 'timeout']],
    [slack, http(500, 'rollup_error'), ['retryable', 'server']],
    [slack, http(403, 'invalid_token'), ['permanent', 'auth']],
    [slack, http(400, 'invalid_payload'), ['permanent', 'client']],
    [teams, http(202), 'ok'],
    [teams, http(429, '', { 'retry-after': '2' }), ['retryable', 'throttled', 2_000]],
    [teams, http(408), ['retryable', 'timeout']],
    [teams, http(503), ['retryable', 'server']],
    [teams, http(401, { error: { code: 'DirectApiAuthorizationRequired' } }), ['permanent', 'auth']],
    [teams, http(413), ['permanent', 'client']],
    [feishu, http(200, { code: 0 }), 'ok'],
    [feishu, http(200, { code: 11232, msg: 'frequency limited' }), ['retryable', 'throttled']],
    [feishu, http(429, '', { 'retry-after': '3' }), ['retryable', 'throttled', 3_000]],
    [feishu, http(408), ['retryable', 'timeout']],
    [feishu, http(503), ['retryable', 'server']],
    [feishu, http(200, { code: 19021, msg: 'sign match fail' }), ['permanent', 'auth']],
    [feishu, http(400, { code: 9499 }), ['permanent', 'client']],
    [feishu, http(200, { code: 9499, msg: 'Bad Request' }), ['permanent', 'rejected']],
    [feishu, http(200, 'ok'), ['permanent', 'rejected']],
    [dingtalk, http(200, { errcode: 0 }), 'ok'],
    [dingtalk, http(200, { errcode: 130101 }, { 'retry-after': '60' }), ['retryable', 'throttled', 60_000]],
    [dingtalk, http(200, { errcode: -1, errmsg: '系统繁忙' }), ['retryable', 'server']],
    [dingtalk, http(408), ['retryable', 'timeout']],
    [dingtalk, http(200, { errcode: 310000 }), ['permanent', 'auth']],
    [dingtalk, http(404), ['permanent', 'client']],
    [dingtalk, http(200, { errcode: 300001, errmsg: 'token is not exist' }), ['permanent', 'rejected']],
    [wecom, http(200, { errcode: 0 }), 'ok'],
    [wecom, http(200, { errcode: 45009 }), ['retryable', 'throttled']],
    [wecom, http(200, { errcode: -1 }), ['retryable', 'server']],
    [wecom, http(408), ['retryable', 'timeout']],
    [wecom, http(200, { errcode: 93000, errmsg: 'invalid webhook url' }), ['permanent', 'auth']],
    [wecom, http(405), ['permanent', 'client']],
    [wecom, http(200, { errcode: 40058 }), ['permanent', 'rejected']],
  ];
  it.each(rows.map(([p, a, e]) => [p[0], a.status, a.body, e, p[1], p[2], a] as const))('%s: HTTP %i %s → %j', (_n, _s, _b, expected, classify, verdict, a) => {
    const v = verdict(a);
    expect(v).toEqual(verdictOf(expected));
    // The outcome the notifier returns agrees with the classification.
    const outcome = classify(a);
    expect(outcome.status).toBe(v.status);
    if (outcome.status === 'retryable' && v.status === 'retryable') expect(outcome.retryAfterMs).toBe(v.retryAfterMs);
  });

  it.each<[string, Error, Category, string]>([
    ['timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'timeout', 'network error: timed out'],
    ['connection refused', Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), 'network', 'network error: ECONNREFUSED'],
  ])('no answer (%s): retried on every channel type', async (_name, err, category, reason) => {
    for (const classify of [classifyHttpStatus, classifyFeishu, classifyDingTalk, classifyWeCom, classifySlack, classifyTeams]) {
      const outcome = await postJson({ fetch: async () => Promise.reject(err), timeoutMs: 1_000 }, 'https://hooks.example/x', '{}', {}, classify);
      expect(outcome).toMatchObject({ status: 'retryable', reason });
    }
    expect(classifyNoAnswer(err)).toEqual({ status: 'retryable', category });
  });
});
