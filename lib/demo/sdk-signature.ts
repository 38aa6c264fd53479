// Independent verifier of the Huawei Cloud SDK-HMAC-SHA256 request signature (as produced by
// @huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner). Used by the local DMS emulator only.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SignedRequest {
  method: string;
  /** Path exactly as received on the wire (still percent-encoded), without the query. */
  path: string;
  query: URLSearchParams | string;
  headers: IncomingHttpHeaders;
  body: string | Buffer;
}
export type VerifyResult = { ok: true } | { ok: false; reason: string };

const MAX_SKEW_MS = 15 * 60 * 1000;
const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
/** RFC 3986: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded (upper-case hex), like the SDK. */
const enc = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const header = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
};

export function parseSdkAuthorization(value: string | undefined): { access: string; signedHeaders: string[]; signature: string } | undefined {
  const m = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$/.exec(value?.trim() ?? '');
  return m?.[1] && m[2] && m[3] ? { access: m[1], signedHeaders: m[2].toLowerCase().split(';'), signature: m[3].toLowerCase() } : undefined;
}

export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? date : undefined;
}

export function verifySdkSignature(req: SignedRequest, credentials: { ak: string; sk: string }, now: Date): VerifyResult {
  const sdkDate = header(req.headers, 'x-sdk-date');
  if (!sdkDate) return { ok: false, reason: 'missing X-Sdk-Date' };
  const date = parseSdkDate(sdkDate);
  if (!date) return { ok: false, reason: 'malformed X-Sdk-Date' };
  const auth = parseSdkAuthorization(header(req.headers, 'authorization'));
  if (!auth) return { ok: false, reason: 'missing or malformed SDK-HMAC-SHA256 Authorization header' };
  if (auth.access !== credentials.ak) return { ok: false, reason: 'unknown access key' };
  const missing = auth.signedHeaders.find((n) => header(req.headers, n) === undefined);
  if (missing !== undefined) return { ok: false, reason: `signed header missing: ${missing}` };

  const canonicalUri = req.path.split('/').map(enc).join('/').replace(/([^/])$/, '$1/');
  const params = typeof req.query === 'string' ? new URLSearchParams(req.query) : req.query;
  const canonicalQuery = [...new Set(params.keys())].sort()
    .flatMap((k) => params.getAll(k).sort().map((v) => `${enc(k)}=${enc(v)}`)).join('&');
  const canonicalHeaders = auth.signedHeaders.map((n) => `${n}:${(header(req.headers, n) ?? '').trim()}\n`).join('');
  // The SDK sends `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` for non-JSON bodies and then signs that literal.
  const payloadHash = header(req.headers, 'x-sdk-content-sha256') === 'UNSIGNED-PAYLOAD' ? 'UNSIGNED-PAYLOAD' : sha256(req.body);
  const canonicalRequest = [req.method.toUpperCase(), canonicalUri, canonicalQuery, canonicalHeaders, auth.signedHeaders.join(';'), payloadHash].join('\n');
  const stringToSign = `SDK-HMAC-SHA256\n${sdkDate}\n${sha256(canonicalRequest)}`;
  const expected = Buffer.from(createHmac('sha256', credentials.sk).update(stringToSign).digest('hex'));
  const given = Buffer.from(auth.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature mismatch' };
  if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS) return { ok: false, reason: 'date skew > 15 min' };
  return { ok: true };
}
