// What the emulated services share with Huawei Cloud's API Gateway in front of them: the gateway's
// own error answers, the SDK-HMAC-SHA256 check (lib/demo/sdk-signature.ts), JSON answers carrying an
// X-Request-Id, and a loopback server that reads each request body before handling it.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSdkAuthorization, verifySdkSignature } from './sdk-signature';

export type ErrorBody = { error_code: string; error_msg: string };

export const APIGW = {
  noApi: { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment' },
  badSig: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail' },
  badDate: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: X-Sdk-Date is more than 15 minutes off the server time' },
  badToken: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: security token missing, invalid or not signed' },
} satisfies Record<string, ErrorBody>;

export const decode = (s: string): string | null => { try { return decodeURIComponent(s); } catch { return null; } };

/** The raw request target split, not WHATWG-normalised: the signature covers the path exactly as sent. */
export function splitTarget(req: IncomingMessage): { path: string; rawQuery: string } {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  return { path: q < 0 ? target : target.slice(0, q), rawQuery: q < 0 ? '' : target.slice(q + 1) };
}

export interface GatewayAuth {
  credentials: { ak: string; sk: string };
  /** When set, every request must carry this X-Security-Token and sign it. */
  securityToken?: string;
  now: () => Date;
}

/** The gateway's 401 answer for a request, or null when its signature (and token) are good. */
export function authenticate(req: IncomingMessage, body: Buffer, auth: GatewayAuth): ErrorBody | null {
  const { path, rawQuery } = splitTarget(req);
  const verdict = verifySdkSignature({ method: req.method ?? 'GET', path, query: rawQuery, headers: req.headers, body }, auth.credentials, auth.now());
  if (!verdict.ok) return verdict.reason === 'date skew > 15 min' ? APIGW.badDate : APIGW.badSig;
  if (auth.securityToken === undefined) return null;
  const signed = parseSdkAuthorization(req.headers.authorization)?.signedHeaders ?? [];
  return req.headers['x-security-token'] === auth.securityToken && signed.includes('x-security-token') ? null : APIGW.badToken;
}

/** Answers with a JSON (or given) body and a fresh X-Request-Id, as the gateway does. */
export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json', ...headers,
    'content-length': String(Buffer.byteLength(body)), 'x-request-id': randomBytes(16).toString('hex'),
  });
  res.end(body);
}

export interface LoopbackServer {
  server: Server;
  url: string;
  /** Resolves once every connection is closed (a request still held is cut). */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1; `handle` gets each request with its whole body. A throw answers 500 `internal`. */
export async function listenOnLoopback(
  handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
  internal: ErrorBody,
  onError?: (message: string) => void,
): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks));
      } catch (e) {
        onError?.(e instanceof Error ? e.message : String(e));
        if (!res.headersSent) sendJson(res, 500, JSON.stringify(internal));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
