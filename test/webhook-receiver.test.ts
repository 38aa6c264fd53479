import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../lib/demo/webhook-receiver';
import { standardWebhookHeaders } from '../lib/notify/generic';

// The reference vector of the Standard Webhooks spec (standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts, "sign function works"); re-checked with openssl.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
// A plain (non-whsec_) secret is used as its UTF-8 bytes. Expected value from
// `printf '%s' "$id.$ts.$body" | openssl dgst -sha256 -hmac 'plain-secret-签名' -binary | base64`.
const PLAIN = {
  secret: 'plain-secret-签名',
  id: 'msg_2Kq8v1TWJ3xLm0',
  timestamp: 1763712000,
  body: '{"type":"smart_connect.task_changes","id":"msg_2Kq8v1TWJ3xLm0"}',
  signature: 'v1,/63rtxu4pad3EQrfurTyfAqfh8cbgStUsvyyIE3U/e4=',
};
const BOGUS = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';

type Vector = typeof SPEC;
const headersOf = (v: Vector, signature = v.signature): Record<string, string> => ({
  'webhook-id': v.id,
  'webhook-timestamp': String(v.timestamp),
  'webhook-signature': signature,
});
const at = (seconds: number): Date => new Date(seconds * 1000);

describe('verifyStandardWebhook', () => {
  it.each([
    ['the spec vector', SPEC, headersOf(SPEC), SPEC.body, SPEC.secret, 0, null],
    ['a plain secret (UTF-8 bytes)', PLAIN, headersOf(PLAIN), PLAIN.body, PLAIN.secret, 0, null],
    ['the spec key without whsec_ (taken as UTF-8, unlike the spec library)', SPEC, headersOf(SPEC), SPEC.body, SPEC.secret.slice(6), 0, 'no matching v1 signature'],
    ['a plain secret given as whsec_', PLAIN, headersOf(PLAIN), PLAIN.body, `whsec_${PLAIN.secret}`, 0, 'no matching v1 signature'],
    ['a tampered body', SPEC, headersOf(SPEC), '{"test": 2432232315}', SPEC.secret, 0, 'no matching v1 signature'],
    ['a body with extra whitespace', SPEC, headersOf(SPEC), `${SPEC.body}\n`, SPEC.secret, 0, 'no matching v1 signature'],
    ['another message id', SPEC, { ...headersOf(SPEC), 'webhook-id': 'msg_other' }, SPEC.body, SPEC.secret, 0, 'no matching v1 signature'],
    ['a timestamp 300 s old', SPEC, headersOf(SPEC), SPEC.body, SPEC.secret, 300, null],
    ['a timestamp 301 s old', SPEC, headersOf(SPEC), SPEC.body, SPEC.secret, 301, 'webhook-timestamp too old'],
    ['a timestamp 300 s ahead', SPEC, headersOf(SPEC), SPEC.body, SPEC.secret, -300, null],
    ['a timestamp 301 s ahead', SPEC, headersOf(SPEC), SPEC.body, SPEC.secret, -301, 'webhook-timestamp too new'],
    ['several signatures, one valid', SPEC, headersOf(SPEC, `${BOGUS} v2,${SPEC.signature.slice(3)} ${SPEC.signature} ${BOGUS}`), SPEC.body, SPEC.secret, 0, null],
    ['several signatures, none valid', SPEC, headersOf(SPEC, `${BOGUS} ${BOGUS}`), SPEC.body, SPEC.secret, 0, 'no matching v1 signature'],
    ['the right signature under another version', SPEC, headersOf(SPEC, `v2,${SPEC.signature.slice(3)}`), SPEC.body, SPEC.secret, 0, 'no matching v1 signature'],
    ['a truncated signature', SPEC, headersOf(SPEC, SPEC.signature.slice(0, 8)), SPEC.body, SPEC.secret, 0, 'no matching v1 signature'],
    ['an empty v1 signature', SPEC, headersOf(SPEC, 'v1,'), SPEC.body, SPEC.secret, 0, 'no matching v1 signature'],
    ['a signature without version', SPEC, headersOf(SPEC, SPEC.signature.slice(3)), SPEC.body, SPEC.secret, 0, 'no matching v1 signature'],
    ['capitalised header names', SPEC, { 'Webhook-Id': SPEC.id, 'Webhook-Timestamp': String(SPEC.timestamp), 'Webhook-Signature': SPEC.signature }, SPEC.body, SPEC.secret, 0, null],
    ['no webhook-id', SPEC, { ...headersOf(SPEC), 'webhook-id': undefined }, SPEC.body, SPEC.secret, 0, 'missing webhook-id'],
    ['no webhook-timestamp', SPEC, { ...headersOf(SPEC), 'webhook-timestamp': undefined }, SPEC.body, SPEC.secret, 0, 'missing webhook-timestamp'],
    ['no webhook-signature', SPEC, { ...headersOf(SPEC), 'webhook-signature': undefined }, SPEC.body, SPEC.secret, 0, 'missing webhook-signature'],
    ['a non-numeric timestamp', SPEC, { ...headersOf(SPEC), 'webhook-timestamp': 'hello' }, SPEC.body, SPEC.secret, 0, 'invalid webhook-timestamp'],
    ['a timestamp in milliseconds', SPEC, { ...headersOf(SPEC), 'webhook-timestamp': `${SPEC.timestamp}000` }, SPEC.body, SPEC.secret, 0, 'invalid webhook-timestamp'],
    ['an empty whsec_ secret', SPEC, headersOf(SPEC), SPEC.body, 'whsec_', 0, 'empty secret'],
  ] as const)('%s', (_name, vector, headers, body, secret, age, reason) => {
    const result = verifyStandardWebhook(headers, body, secret, at(vector.timestamp + age));
    expect(result).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});

describe('verifyStandardWebhook judges by the official standardwebhooks package', () => {
  // A key with bytes 0xfb 0xff: base64 "+/", base64url "-_". Node's base64 decoder reads both alphabets.
  const KEY = Buffer.from([0xfb, 0xff, ...Buffer.from('a key for standard webhooks')]);
  const BODY = '{"type":"smart_connect.task_changes"}';

  it('accepts what the package signs, for a whsec_ and a plain non-ASCII secret', () => {
    for (const [secret, official] of [[`whsec_${KEY.toString('base64')}`, new Webhook(`whsec_${KEY.toString('base64')}`)], ['plain-secret-签名', new Webhook(Buffer.from('plain-secret-签名'), { format: 'raw' })]] as const) {
      const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(SPEC.timestamp), 'webhook-signature': official.sign('msg_1', at(SPEC.timestamp), BODY) };
      expect(verifyStandardWebhook(headers, BODY, secret, at(SPEC.timestamp))).toEqual({ ok: true });
    }
  });

  it("a whsec_ secret in base64url verifies nothing, not even the project's own signature: the package cannot read the key", () => {
    const secret = `whsec_${KEY.toString('base64url')}`;
    expect(secret).toMatch(/[-_]/);
    expect(() => new Webhook(secret)).toThrow(/Base64/);
    const headers = standardWebhookHeaders('msg_1', SPEC.timestamp, BODY, secret);
    expect(verifyStandardWebhook(headers, BODY, secret, at(SPEC.timestamp))).toEqual({ ok: false, reason: 'no matching v1 signature' });
  });
});

describe('startWebhookReceiver over loopback', () => {
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  const post = (url: string, body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  it('answers from the script (500, then 200), then 204, and records every request', async () => {
    receiver = await startWebhookReceiver({ secret: SPEC.secret, now: () => at(SPEC.timestamp + 10) });
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hook\/[0-9a-f]{24}$/);
    receiver.respondWith({ status: 500, body: { error: 'boom' } }, { status: 200, body: 'ok', headers: { 'x-extra': '1' } });
    const waiting = receiver.waitFor(2);

    const first = await post(`${receiver.url}?attempt=1`, SPEC.body, headersOf(SPEC));
    expect([first.status, await first.json()]).toEqual([500, { error: 'boom' }]);
    const second = await post(receiver.url, SPEC.body, headersOf(SPEC));
    expect([second.status, await second.text(), second.headers.get('x-extra')]).toEqual([200, 'ok', '1']);

    const got = await waiting;
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({
      method: 'POST',
      path: new URL(receiver.url).pathname,
      query: { attempt: '1' },
      body: SPEC.body,
      json: { test: 2432232314 },
      signature: 'valid',
    });
    expect(got[0]?.headers['webhook-id']).toBe(SPEC.id);
    expect(got[0]?.signatureError).toBeUndefined();

    expect((await post(receiver.url, SPEC.body, headersOf(SPEC))).status).toBe(204);
    expect(receiver.received).toHaveLength(3);
    await expect(receiver.waitFor(3)).resolves.toHaveLength(3); // already there: resolves at once
  });

  it('answers 401 to a bad or missing signature, records it and keeps the script', async () => {
    receiver = await startWebhookReceiver({ secret: SPEC.secret, now: () => at(SPEC.timestamp) });
    receiver.respondWith({ status: 202 });
    expect((await post(receiver.url, '{"test": 1}', headersOf(SPEC))).status).toBe(401);
    expect((await post(receiver.url, SPEC.body)).status).toBe(401);
    expect((await post(receiver.url, SPEC.body, headersOf(SPEC))).status).toBe(202);
    expect(receiver.received.map((r) => [r.signature, r.signatureError])).toEqual([
      ['invalid', 'no matching v1 signature'],
      ['absent', 'missing webhook-id'],
      ['valid', undefined],
    ]);
  });

  it('rejects a stale request against the real clock', async () => {
    receiver = await startWebhookReceiver({ secret: SPEC.secret });
    const response = await post(receiver.url, SPEC.body, headersOf(SPEC));
    expect([response.status, await response.json()]).toEqual([401, { error: 'webhook-timestamp too old' }]);
  });

  it('without a secret enforces nothing; setDefault, reset, unknown paths and bodies that are not JSON', async () => {
    receiver = await startWebhookReceiver();
    receiver.setDefault({ status: 429, headers: { 'retry-after': '3' } });
    const limited = await post(receiver.url, 'not json');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    expect(receiver.received[0]).toMatchObject({ signature: 'absent', body: 'not json', json: undefined });

    expect((await post(receiver.url, SPEC.body, headersOf(SPEC))).status).toBe(429);
    expect(receiver.received[1]).toMatchObject({ signature: 'invalid', signatureError: 'receiver has no secret' });

    const origin = new URL(receiver.url).origin;
    expect((await fetch(`${origin}/hook/wrong-token`)).status).toBe(404);
    expect(receiver.received[2]).toMatchObject({ method: 'GET', path: '/hook/wrong-token', body: '' });

    receiver.reset();
    expect(receiver.received).toEqual([]);
    expect((await post(receiver.url, '{}')).status).toBe(204);
  });

  it('waitFor rejects after its timeout, and on close', async () => {
    receiver = await startWebhookReceiver();
    await expect(receiver.waitFor(1, 20)).rejects.toThrow('waited 20 ms for 1 requests, got 0');
    const pending = receiver.waitFor(5);
    await receiver.close();
    await expect(pending).rejects.toThrow('webhook receiver closed');
    receiver = undefined;
  });
});
