/**
 * A scripted webhook endpoint on loopback for tests and the demo. It records every request,
 * answers from a FIFO script (then a default, 204) and checks Standard Webhooks signatures.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type SignatureStatus = 'valid' | 'invalid' | 'absent';
export type VerifyResult = { ok: true } | { ok: false; reason: string };
export type ScriptedResponse = { status: number; body?: unknown; headers?: Record<string, string> };

export type Received = {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, `undefined` when it is not JSON. */
  json: unknown;
  /**
   * With a secret: 'valid' or 'invalid' (answered 401), 'absent' without `webhook-signature`
   * (also 401). Without a secret nothing is enforced: 'absent', or 'invalid' if the request is signed.
   */
  signature: SignatureStatus;
  signatureError?: string;
  /** The HTTP status the receiver answered. */
  answered: number;
  /** When the request arrived (wall clock). */
  at: Date;
};

export type WebhookReceiver = {
  /** `http://127.0.0.1:PORT/hook/<random token>`; other paths are recorded and answered 404. */
  url: string;
  received: Received[];
  respondWith(...responses: ScriptedResponse[]): void;
  setDefault(response: ScriptedResponse): void;
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  reset(): void;
  close(): Promise<void>;
};

const TOLERANCE_SECONDS = 5 * 60;
const DEFAULT_RESPONSE: ScriptedResponse = { status: 204 };

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Standard Webhooks: `webhook-signature` holds `v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>` entries.
 * The signature is computed by the official `standardwebhooks` package, never by the project's signer
 * (lib/notify/generic.ts): its `Webhook.sign` decodes the key and signs, and a v1 entry must equal that.
 * Its `verify` is not called because it reads the wall clock; the receiver checks the timestamp against
 * `now` itself, with the package's tolerance (5 minutes), so that tests can replay fixed vectors.
 */
export function verifyStandardWebhook(
  headers: Record<string, string | string[] | undefined>,
  body: string,
  secret: string,
  now: Date,
): VerifyResult {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id) return { ok: false, reason: 'missing webhook-id' };
  if (!timestamp) return { ok: false, reason: 'missing webhook-timestamp' };
  if (!signatures) return { ok: false, reason: 'missing webhook-signature' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'invalid webhook-timestamp' };
  const skew = Math.floor(now.getTime() / 1000) - Number(timestamp);
  if (skew > TOLERANCE_SECONDS) return { ok: false, reason: 'webhook-timestamp too old' };
  if (skew < -TOLERANCE_SECONDS) return { ok: false, reason: 'webhook-timestamp too new' };

  const webhook = officialWebhook(secret);
  if (webhook === 'empty') return { ok: false, reason: 'empty secret' };
  // A whsec_ secret the official library cannot decode (not base64) verifies nothing.
  if (webhook === 'undecodable') return { ok: false, reason: 'no matching v1 signature' };
  const expected = Buffer.from(webhook.sign(id, new Date(Number(timestamp) * 1000), body));
  const matches = signatures.split(' ').some((entry) => {
    const given = Buffer.from(entry);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true } : { ok: false, reason: 'no matching v1 signature' };
}

/**
 * The official library's key for `secret`: the base64 remainder of a `whsec_` secret (its own reading),
 * else the secret's UTF-8 bytes (DESIGN.md §5; the package's `raw` format takes bytes, not a string,
 * which it would read one UTF-16 unit per byte).
 */
function officialWebhook(secret: string): Webhook | 'empty' | 'undecodable' {
  try {
    return secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(Buffer.from(secret, 'utf8'), { format: 'raw' });
  } catch (err) {
    return /empty/i.test((err as Error).message) ? 'empty' : 'undecodable';
  }
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // not JSON: recorded as `json: undefined`, the raw text stays in `body`
  }
}

export async function startWebhookReceiver(
  opts: { secret?: string; now?: () => Date } = {},
): Promise<WebhookReceiver> {
  const now = opts.now ?? (() => new Date());
  const hookPath = `/hook/${randomBytes(12).toString('hex')}`;
  const received: Received[] = [];
  const script: ScriptedResponse[] = [];
  let fallback = DEFAULT_RESPONSE;
  const waiters = new Set<{ n: number; resolve(r: Received[]): void; reject(e: Error): void; timer: NodeJS.Timeout }>();

  const notify = (): void => {
    for (const w of waiters) {
      if (received.length < w.n) continue;
      waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve(received.slice(0, w.n));
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      const signed = header(req.headers, 'webhook-signature') !== undefined;
      const check: VerifyResult = opts.secret !== undefined
        ? verifyStandardWebhook(req.headers, body, opts.secret, now())
        : signed ? { ok: false, reason: 'receiver has no secret' } : { ok: true };
      const signature: SignatureStatus = !signed ? 'absent' : check.ok ? 'valid' : 'invalid';
      const record: Received = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: flatten(req.headers),
        body,
        json: parseJson(body),
        signature,
        ...(check.ok ? {} : { signatureError: check.reason }),
        answered: 0,
        at: new Date(),
      };

      let answer: ScriptedResponse;
      if (url.pathname !== hookPath) answer = { status: 404, body: { error: 'unknown path' } };
      else if (opts.secret !== undefined && !check.ok) answer = { status: 401, body: { error: check.reason } };
      else answer = script.shift() ?? fallback;
      record.answered = answer.status;
      received.push(record);
      const payload = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      const type = typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
      res.writeHead(answer.status, { ...(payload ? { 'content-type': type } : {}), ...answer.headers });
      res.end(payload);
      notify();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${hookPath}`,
    received,
    respondWith: (...responses) => void script.push(...responses),
    setDefault: (response) => void (fallback = response),
    waitFor: (n, timeoutMs = 5000) =>
      new Promise<Received[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`webhook receiver: waited ${timeoutMs} ms for ${n} requests, got ${received.length}`));
        }, timeoutMs);
        const waiter = { n, resolve, reject, timer };
        waiters.add(waiter);
        notify();
      }),
    reset: () => {
      received.length = 0;
      script.length = 0;
      fallback = DEFAULT_RESPONSE;
    },
    close: async () => {
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error('webhook receiver closed'));
      }
      waiters.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
