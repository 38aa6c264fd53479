import { describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../lib/demo/webhook-receiver';
import { genericPayload, standardWebhookHeaders } from '../lib/notify/generic';
import type { Message } from '../lib/notify/types';
import { RUN_1, isoOf, runChanges } from './support/builders';

describe('genericPayload and Standard Webhooks headers', () => {
  const { changes } = runChanges(RUN_1);
  const message: Message = { id: 'msg_0123456789abcdef0123456789', snapshot_id: RUN_1, taken_at: isoOf(RUN_1), changes };
  const TS = 1_795_331_700;
  const WHSEC = `whsec_${Buffer.from('a 32-byte key for standard hooks').toString('base64')}`;

  it('the body is the DESIGN.md §5 payload', () => {
    expect(JSON.parse(genericPayload(message))).toEqual({ type: 'smart_connect.task_changes', id: message.id, snapshot_id: RUN_1, taken_at: isoOf(RUN_1), changes });
  });

  it.each([
    ['a whsec_ secret', WHSEC],
    ['the spec example secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['a plain secret', 's3cr3t-TOKEN'],
    ['a plain non-ASCII secret', 'plain-secret-签名'],
  ])('%s: verified by the independent receiver', (_name, secret) => {
    const body = genericPayload(message);
    const headers = standardWebhookHeaders(message.id, TS, body, secret);
    expect(headers['webhook-id']).toBe(message.id);
    expect(headers['webhook-timestamp']).toBe(String(TS));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyStandardWebhook(headers, body, secret, new Date(TS * 1000))).toEqual({ ok: true });
    expect(verifyStandardWebhook(headers, `${body} `, secret, new Date(TS * 1000))).toMatchObject({ ok: false });
    const wrong = secret.startsWith('whsec_') ? `whsec_${Buffer.from('another key entirely').toString('base64')}` : `${secret}x`;
    expect(verifyStandardWebhook(headers, body, wrong, new Date(TS * 1000))).toMatchObject({ ok: false });
    expect(verifyStandardWebhook({ ...headers, 'webhook-timestamp': String(TS + 1) }, body, secret, new Date(TS * 1000))).toMatchObject({ ok: false });
  });

  it.each([
    // The reference vector of the Standard Webhooks spec, and a plain-secret vector computed with openssl.
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}', 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='],
    ['plain-secret-签名', 'msg_2Kq8v1TWJ3xLm0', 1763712000, '{"type":"smart_connect.task_changes","id":"msg_2Kq8v1TWJ3xLm0"}', 'v1,/63rtxu4pad3EQrfurTyfAqfh8cbgStUsvyyIE3U/e4='],
  ])('known vector for %s', (secret, id, ts, body, signature) => {
    expect(standardWebhookHeaders(id, ts, body, secret)['webhook-signature']).toBe(signature);
  });

  it.each([
    ['the whsec_ key used as UTF-8', WHSEC, WHSEC.slice(6)],
    ['a plain secret taken as whsec_', 's3cr3t-TOKEN', 'whsec_s3cr3t-TOKEN'],
  ])('%s does not verify', (_name, signWith, verifyWith) => {
    const body = genericPayload(message);
    const headers = standardWebhookHeaders(message.id, TS, body, signWith);
    expect(verifyStandardWebhook(headers, body, verifyWith, new Date(TS * 1000))).toMatchObject({ ok: false });
  });
});
