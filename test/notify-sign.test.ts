import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dingTalkUrl, signDingTalk } from '../lib/notify/dingtalk';
import { type FeishuPayload, feishuBody, signFeishu } from '../lib/notify/feishu';

/**
 * The platforms' documented signing, implemented here a second time from the primitives (HMAC as
 * RFC 2104 over SHA-256, Java's URLEncoder rules) and compared on fixed inputs.
 */
function hmacSha256(key: Buffer, message: Buffer): Buffer {
  const block = 64;
  const k = key.length > block ? createHash('sha256').update(key).digest() : key;
  const padded = Buffer.concat([k, Buffer.alloc(block - k.length)]);
  const ipad = Buffer.from(padded.map((b) => b ^ 0x36));
  const opad = Buffer.from(padded.map((b) => b ^ 0x5c));
  const inner = createHash('sha256').update(Buffer.concat([ipad, message])).digest();
  return createHash('sha256').update(Buffer.concat([opad, inner])).digest();
}

/** Feishu: key = timestamp + "\n" + secret, message empty, base64. */
const feishuReference = (secret: string, ts: number) => hmacSha256(Buffer.from(`${ts}\n${secret}`), Buffer.alloc(0)).toString('base64');
/** DingTalk: key = secret, message = timestamp + "\n" + secret, base64, then URL-encoded (Java URLEncoder). */
const dingTalkReference = (secret: string, ts: number) => hmacSha256(Buffer.from(secret), Buffer.from(`${ts}\n${secret}`)).toString('base64');
const javaUrlEncode = (s: string) => s.replace(/\+/g, '%2B').replace(/\//g, '%2F').replace(/=/g, '%3D');

const SECRETS = [
  'SEC6cd99f5d8e817df66c5759c246897b51c6be82a4df8f2ce6b8b39a7adfa3b',
  'nIMtb7r3N9pkXyXdtAbx6e',
  '中文密钥-with-unicode',
  'x'.repeat(100), // longer than the HMAC block: hashed first
];
const TIMES_MS = [1_599_360_473_000, 1_795_331_700_123, 1_700_000_000_999];

describe('Feishu signature', () => {
  it.each(SECRETS.flatMap((s) => TIMES_MS.map((t) => [s, t] as const)))('secret %#: matches the reference at %d ms', (secret, ms) => {
    const ts = Math.floor(ms / 1000);
    expect(signFeishu(secret, ts)).toBe(feishuReference(secret, ts));
  });

  it('puts timestamp (seconds, a string) and sign in the body, beside the card', () => {
    const payload: FeishuPayload = { msg_type: 'interactive', card: { config: { wide_screen_mode: true }, header: { template: 'red', title: { tag: 'plain_text', content: 't' } }, elements: [] } };
    const body = JSON.parse(feishuBody(payload, SECRETS[1], 1_599_360_473_456));
    expect(body).toEqual({ timestamp: '1599360473', sign: feishuReference(SECRETS[1]!, 1_599_360_473), ...payload });
    expect(JSON.parse(feishuBody(payload, undefined, 1_599_360_473_456))).toEqual(payload);
  });

  it('changes with the time and the secret', () => {
    expect(signFeishu('a', 1)).not.toBe(signFeishu('a', 2));
    expect(signFeishu('a', 1)).not.toBe(signFeishu('b', 1));
  });
});

describe('DingTalk signature', () => {
  it.each(SECRETS.flatMap((s) => TIMES_MS.map((t) => [s, t] as const)))('secret %#: matches the reference at %d ms', (secret, ms) => {
    expect(signDingTalk(secret, ms)).toBe(dingTalkReference(secret, ms));
  });

  it.each(SECRETS.map((s) => [s] as const))('adds timestamp (ms) and the URL-encoded sign to the query, keeping the token: secret %#', (secret) => {
    const ms = 1_795_331_700_123;
    const url = dingTalkUrl('https://oapi.dingtalk.com/robot/send?access_token=abc123', secret, ms);
    const query = url.slice(url.indexOf('?') + 1).split('&');
    expect(query).toEqual(['access_token=abc123', `timestamp=${ms}`, `sign=${javaUrlEncode(dingTalkReference(secret, ms))}`]);
    expect(new URL(url).searchParams.get('sign')).toBe(dingTalkReference(secret, ms));
  });

  it('leaves the URL alone without a secret', () => {
    expect(dingTalkUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', undefined, 1)).toBe('https://oapi.dingtalk.com/robot/send?access_token=abc');
  });
});
