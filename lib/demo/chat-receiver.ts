/**
 * Loopback chat webhooks for tests and the demo, one per platform, answering like the platform:
 * Feishu, DingTalk and WeCom with HTTP 200 and a result code in the body, Slack and Teams with the
 * HTTP status. Each checks the URL's token, the body's shape and size limit, and (Feishu, DingTalk,
 * given a secret) the signature, with its own implementation of the documented algorithm. Other
 * answers (rate limits, 429 with Retry-After, …) are scripted, first in, first out.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHAT_LIMITS, CHAT_PLATFORMS, type ChatPlatformName, tooLarge, wellFormed } from './chat-payload-rules';

export { CHAT_LIMITS, CHAT_PLATFORMS, type ChatPlatformName };

export type ChatAnswer = { status: number; body?: unknown; headers?: Record<string, string> };
export type ChatFailure = 'rate_limit' | 'bad_signature' | 'bad_request' | 'too_large';

export interface ChatReceived {
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
  json: unknown;
  /** Feishu and DingTalk with a secret: whether `timestamp`/`sign` verified; 'absent' when unsigned. */
  signature: 'valid' | 'invalid' | 'absent';
  /** Why the receiver itself refused the request (token, shape, size or signature), else null. */
  refused: string | null;
  status: number;
  /** Whether the platform would have shown the message: a success status and, where it has one, code 0. */
  accepted: boolean;
  /** When it arrived (epoch ms). */
  at: number;
}

export interface ChatReceiver {
  platform: ChatPlatformName;
  /** The webhook URL; it carries a random token, as the real ones do. */
  url: string;
  token: string;
  received: ChatReceived[];
  respondWith(...answers: ChatAnswer[]): void;
  reset(): void;
  close(): Promise<void>;
}

const SIGN_WINDOW_MS = 60 * 60 * 1000;
const OK: Record<ChatPlatformName, ChatAnswer> = {
  feishu: { status: 200, body: { code: 0, msg: 'success', data: {} } },
  dingtalk: { status: 200, body: { errcode: 0, errmsg: 'ok' } },
  wecom: { status: 200, body: { errcode: 0, errmsg: 'ok' } },
  slack: { status: 200, body: 'ok' },
  teams: { status: 202 },
};

/**
 * The platform's answer to a kind of failure. The codes in PLATFORM-NOTES.md are used where it has
 * them; DingTalk's and WeCom's size and shape codes are stand-ins (their values are not confirmed).
 */
export function chatFailure(platform: ChatPlatformName, failure: ChatFailure, retryAfterSeconds?: number): ChatAnswer {
  const headers = retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) };
  const coded = (field: string, code: number, msg: string): ChatAnswer => ({ status: 200, body: { [field]: code, [field === 'code' ? 'msg' : 'errmsg']: msg } });
  const table: Record<ChatPlatformName, Record<ChatFailure, ChatAnswer>> = {
    feishu: {
      rate_limit: coded('code', 11232, 'frequency limited'),
      bad_signature: coded('code', 19021, 'sign match fail or timestamp is not within one hour from current time'),
      bad_request: coded('code', 9499, 'Bad Request'),
      too_large: coded('code', 9499, 'Bad Request'),
    },
    dingtalk: {
      rate_limit: coded('errcode', 130101, 'send too fast, exceed 20 times per minute'),
      bad_signature: coded('errcode', 310000, 'sign not match'),
      bad_request: coded('errcode', 40035, 'invalid parameter'),
      too_large: coded('errcode', 460101, 'message too long, exceed 20000 bytes'),
    },
    wecom: {
      rate_limit: coded('errcode', 45009, 'api freq out of limit'),
      bad_signature: coded('errcode', 93000, 'invalid webhook url'),
      bad_request: coded('errcode', 40008, 'invalid message type'),
      too_large: coded('errcode', 40058, 'content exceed max length'),
    },
    slack: {
      rate_limit: { status: 429, body: 'rate_limited' },
      bad_signature: { status: 403, body: 'invalid_token' },
      bad_request: { status: 400, body: 'invalid_payload' },
      too_large: { status: 400, body: 'invalid_blocks' },
    },
    teams: {
      rate_limit: { status: 429, body: { error: { code: 'TooManyRequests' } } },
      bad_signature: { status: 401, body: { error: { code: 'DirectApiAuthorizationRequired' } } },
      bad_request: { status: 400, body: { error: { code: 'InvalidRequestContent' } } },
      too_large: { status: 413, body: { error: { code: 'RequestEntityTooLarge' } } },
    },
  };
  const answer = table[platform][failure];
  return headers ? { ...answer, headers } : answer;
}

export async function startChatReceiver(
  platform: ChatPlatformName,
  opts: { secret?: string; token?: string; now?: () => number } = {},
): Promise<ChatReceiver> {
  const now = opts.now ?? Date.now;
  const token = opts.token ?? randomBytes(16).toString('hex');
  const received: ChatReceived[] = [];
  const script: ChatAnswer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      const json = parseJson(body);
      const query = Object.fromEntries(url.searchParams);
      const signature = checkSignature(platform, opts.secret, json, query, now());
      const refused =
        tokenOf(platform, url) !== token ? 'bad_signature'
        : json === undefined ? 'bad_request'
        : tooLarge(platform, body, json) ? 'too_large'
        : !wellFormed(platform, json) ? 'bad_request'
        : signature === 'invalid' || (opts.secret !== undefined && signature === 'absent') ? 'bad_signature'
        : null;
      const answer = refused ? chatFailure(platform, refused) : (script.shift() ?? OK[platform]);
      const code = codeOf(answer.body);
      received.push({
        method: req.method ?? 'POST', path: url.pathname, query, body, json, signature, refused,
        status: answer.status, accepted: answer.status >= 200 && answer.status < 300 && (code === undefined || code === 0), at: now(),
      });
      const payload = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      const type = typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
      res.writeHead(answer.status, { ...(payload ? { 'content-type': type } : {}), ...answer.headers });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    platform,
    url: urlFor(platform, base, token),
    token,
    received,
    respondWith: (...answers) => void script.push(...answers),
    reset: () => {
      received.length = 0;
      script.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function urlFor(platform: ChatPlatformName, base: string, token: string): string {
  switch (platform) {
    case 'feishu': return `${base}/open-apis/bot/v2/hook/${token}`;
    case 'dingtalk': return `${base}/robot/send?access_token=${token}`;
    case 'wecom': return `${base}/cgi-bin/webhook/send?key=${token}`;
    case 'slack': return `${base}/services/T0LOCAL00/B0LOCAL00/${token}`;
    case 'teams': return `${base}/workflows/0a1b2c3d/triggers/manual/paths/invoke?api-version=1&sig=${token}`;
  }
}

function tokenOf(platform: ChatPlatformName, url: URL): string | null {
  switch (platform) {
    case 'feishu': return url.pathname.match(/^\/open-apis\/bot\/v2\/hook\/([^/]+)$/)?.[1] ?? null;
    case 'dingtalk': return url.pathname === '/robot/send' ? url.searchParams.get('access_token') : null;
    case 'wecom': return url.pathname === '/cgi-bin/webhook/send' ? url.searchParams.get('key') : null;
    case 'slack': return url.pathname.match(/^\/services\/T0LOCAL00\/B0LOCAL00\/([^/]+)$/)?.[1] ?? null;
    case 'teams': return url.pathname.startsWith('/workflows/') ? url.searchParams.get('sig') : null;
  }
}

/** Feishu: body `timestamp` (s) and `sign` = base64(HMAC-SHA256(key = timestamp + "\n" + secret, "")).
 *  DingTalk: query `timestamp` (ms) and `sign` = base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)). */
function checkSignature(platform: ChatPlatformName, secret: string | undefined, json: unknown, query: Record<string, string>, nowMs: number): ChatReceived['signature'] {
  let timestamp: string | undefined;
  let sign: string | undefined;
  let expected: (s: string) => string;
  let toMs: (t: number) => number;
  if (platform === 'feishu') {
    const b = (json ?? {}) as { timestamp?: unknown; sign?: unknown };
    timestamp = typeof b.timestamp === 'string' || typeof b.timestamp === 'number' ? String(b.timestamp) : undefined;
    sign = typeof b.sign === 'string' ? b.sign : undefined;
    expected = (s) => createHmac('sha256', Buffer.from(`${timestamp}\n${s}`, 'utf8')).update(Buffer.alloc(0)).digest('base64');
    toMs = (t) => t * 1000;
  } else if (platform === 'dingtalk') {
    timestamp = query.timestamp;
    sign = query.sign;
    expected = (s) => createHmac('sha256', Buffer.from(s, 'utf8')).update(`${timestamp}\n${s}`, 'utf8').digest('base64');
    toMs = (t) => t;
  } else {
    return 'absent';
  }
  if (timestamp === undefined && sign === undefined) return 'absent';
  if (secret === undefined || !timestamp || !sign || !/^\d+$/.test(timestamp)) return 'invalid';
  if (Math.abs(nowMs - toMs(Number(timestamp))) > SIGN_WINDOW_MS) return 'invalid';
  const a = Buffer.from(expected(secret));
  const b = Buffer.from(sign);
  return a.length === b.length && timingSafeEqual(a, b) ? 'valid' : 'invalid';
}

function codeOf(body: unknown): number | undefined {
  const b = body as { code?: unknown; errcode?: unknown } | undefined;
  const code = typeof b === 'object' && b !== null ? (b.code ?? b.errcode) : undefined;
  return typeof code === 'number' ? code : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // not JSON: answered as the platform's bad request
  }
}
