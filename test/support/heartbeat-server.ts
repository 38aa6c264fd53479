import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the server answers the next ping: a status, or never (the request hangs until the client gives up). */
export type PingAnswer = { status: number } | 'hang';

export interface Ping {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Resolves when the request ends: `answered`, or `aborted` when the client closed it first. */
  ended: Promise<'answered' | 'aborted'>;
}

/** A local stand-in for Healthchecks.io / Uptime Kuma: records every ping, answers as scripted (default 200 OK). */
export interface HeartbeatServer {
  /** `http://127.0.0.1:port/ping/<token>`: the token is the secret. */
  url: string;
  token: string;
  pings: Ping[];
  answer(...answers: PingAnswer[]): void;
  /** Resolves at the n-th ping (1-based). */
  nthPing(n: number): Promise<Ping>;
  reset(): void;
  close(): Promise<void>;
}

export async function startHeartbeatServer(): Promise<HeartbeatServer> {
  const token = `hb${randomBytes(12).toString('hex')}`;
  const pings: Ping[] = [];
  let script: PingAnswer[] = [];
  let waiters: { n: number; resolve: (p: Ping) => void }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://heartbeat');
    let settle: (v: 'answered' | 'aborted') => void = () => undefined;
    const ended = new Promise<'answered' | 'aborted'>((r) => (settle = r));
    const ping: Ping = { method: req.method ?? '', path: u.pathname, query: Object.fromEntries(u.searchParams), ended };
    pings.push(ping);
    res.on('close', () => settle(res.writableFinished ? 'answered' : 'aborted'));
    const answer = script.shift() ?? { status: 200 };
    for (const w of waiters.filter((x) => x.n === pings.length)) w.resolve(ping);
    waiters = waiters.filter((x) => x.n !== pings.length);
    req.resume();
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.status < 300 ? 'OK' : 'error');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/ping/${token}`,
    token,
    pings,
    answer: (...answers) => void (script = answers),
    nthPing: (n) => (pings[n - 1] ? Promise.resolve(pings[n - 1]!) : new Promise((resolve) => waiters.push({ n, resolve }))),
    reset() {
      pings.length = 0;
      script = [];
      waiters = [];
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
