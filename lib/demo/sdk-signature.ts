// Independent verifier of the Huawei Cloud SDK-HMAC-SHA256 request signature, used by the local
// emulators. It builds the canonical request itself, as API Gateway does, from Huawei's "API Request
// Signing Guide", API Signature Authentication Mechanism, step 1 "Constructing a Standard Request"
// (https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-002.html):
// - CanonicalQueryString: each name and value URI-encoded (RFC 3986), parameters sorted by name in
//   ascending character-code order;
// - SignedHeaders: the names of the signed headers, lowercase, sorted by character code, joined by ';';
// - CanonicalHeaders: `lowercase-name:value\n` for each signed header, in that same order.
// The order is never taken from the client: a SignedHeaders list that is not in that form is refused,
// even when the signature matches it. The SDK's own signer (huaweicloud-sdk-core 3.1.211,
// auth/AKSKSigner.js) sorts SignedHeaders with lodash's sortBy of the lowercased names (code-unit
// order) and CanonicalHeaders with localeCompare, which scripts/build.mjs replaces in the function
// bundle with code-unit order: this verifier is what tells whether the two still agree.
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

/** SignedHeaders as API Gateway defines it: the names lowercased, each once, in character-code order. */
export const canonicalSignedHeaders = (names: readonly string[]): string[] =>
  [...new Set(names.map((n) => n.toLowerCase()))].sort();

/** The parts of an `Authorization: SDK-HMAC-SHA256 …` header; `signedHeaders` exactly as sent. */
export function parseSdkAuthorization(value: string | undefined): { access: string; signedHeaders: string[]; signature: string } | undefined {
  const m = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$/.exec(value?.trim() ?? '');
  return m?.[1] && m[2] && m[3] ? { access: m[1], signedHeaders: m[2].split(';'), signature: m[3].toLowerCase() } : undefined;
}

export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? date : undefined;
}

/** The canonical request API Gateway signs, from the request and the names of its signed headers. */
function canonicalRequest(req: SignedRequest, signed: readonly string[]): string {
  const canonicalUri = req.path.split('/').map(enc).join('/').replace(/([^/])$/, '$1/');
  const params = typeof req.query === 'string' ? new URLSearchParams(req.query) : req.query;
  const canonicalQuery = [...new Set(params.keys())].sort()
    .flatMap((k) => params.getAll(k).sort().map((v) => `${enc(k)}=${enc(v)}`)).join('&');
  const names = canonicalSignedHeaders(signed);
  const canonicalHeaders = names.map((n) => `${n}:${(header(req.headers, n) ?? '').trim()}\n`).join('');
  // The SDK sends `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` for non-JSON bodies and then signs that literal.
  const payloadHash = header(req.headers, 'x-sdk-content-sha256') === 'UNSIGNED-PAYLOAD' ? 'UNSIGNED-PAYLOAD' : sha256(req.body);
  return [req.method.toUpperCase(), canonicalUri, canonicalQuery, canonicalHeaders, names.join(';'), payloadHash].join('\n');
}

export function verifySdkSignature(req: SignedRequest, credentials: { ak: string; sk: string }, now: Date): VerifyResult {
  const sdkDate = header(req.headers, 'x-sdk-date');
  if (!sdkDate) return { ok: false, reason: 'missing X-Sdk-Date' };
  const date = parseSdkDate(sdkDate);
  if (!date) return { ok: false, reason: 'malformed X-Sdk-Date' };
  const auth = parseSdkAuthorization(header(req.headers, 'authorization'));
  if (!auth) return { ok: false, reason: 'missing or malformed SDK-HMAC-SHA256 Authorization header' };
  if (auth.access !== credentials.ak) return { ok: false, reason: 'unknown access key' };
  if (auth.signedHeaders.join(';') !== canonicalSignedHeaders(auth.signedHeaders).join(';')) {
    return { ok: false, reason: 'SignedHeaders is not lowercase names in character-code order, each once' };
  }
  const missing = auth.signedHeaders.find((n) => header(req.headers, n) === undefined);
  if (missing !== undefined) return { ok: false, reason: `signed header missing: ${missing}` };

  const stringToSign = `SDK-HMAC-SHA256\n${sdkDate}\n${sha256(canonicalRequest(req, auth.signedHeaders))}`;
  const expected = Buffer.from(createHmac('sha256', credentials.sk).update(stringToSign).digest('hex'));
  const given = Buffer.from(auth.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature mismatch' };
  if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS) return { ok: false, reason: 'date skew > 15 min' };
  return { ok: true };
}
