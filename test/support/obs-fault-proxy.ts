// A loopback reverse proxy in front of the local OBS (s3rver) that injects faults into chosen
// requests: an S3-style error answer, a delay, or no answer at all. Everything else passes through.
import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ObsFault {
  /** HTTP method to match (GET, HEAD, PUT, …); any when absent. */
  method?: string;
  /** Matched against the object key (the path after `/{bucket}/`, decoded); any when absent. */
  key?: RegExp;
  /** Answer with this status and S3 error code instead of forwarding. */
  status?: number;
  code?: string;
  /** Forward after this delay. */
  delayMs?: number;
  /** Never answer. */
  hang?: boolean;
  /**
   * Hold matching requests until this many have arrived, then forward them all: a barrier, so that
   * overlapping runs reach a point together (e.g. both have read state.json before either writes history).
   */
  gate?: number;
  /** How many matching requests the fault affects (default: until cleared). */
  times?: number;
  /** How many matching requests pass through untouched before the fault applies (default 0). */
  after?: number;
}

export interface ObsRequestRecord {
  method: string;
  key: string;
  /** The fault applied, if any. */
  fault: 'error' | 'delay' | 'hang' | 'gate' | null;
  /** When the request arrived (epoch ms, as the DMS emulator's request log). */
  at: number;
}

export interface ObsFaultProxy {
  url: string;
  readonly requests: ObsRequestRecord[];
  fault(f: ObsFault): void;
  clear(): void;
  close(): Promise<void>;
}

export async function startObsFaultProxy(target: string): Promise<ObsFaultProxy> {
  const upstream = new URL(target);
  const faults: (ObsFault & { left: number; skip: number; held: (() => void)[] })[] = [];
  const requests: ObsRequestRecord[] = [];
  const sockets = new Set<Socket>();

  const take = (method: string, key: string): (typeof faults)[number] | undefined => {
    const i = faults.findIndex((f) => (!f.method || f.method === method) && (!f.key || f.key.test(key)) && f.left > 0);
    if (i < 0) return undefined;
    const f = faults[i]!;
    if (f.skip > 0) {
      f.skip--;
      return undefined;
    }
    if (--f.left <= 0) faults.splice(i, 1);
    return f;
  };

  // OBS replaces an object atomically; s3rver writes it in place, so a GET that meets a PUT of the same
  // key can read a half-written file and wait for bytes that never come. Requests for one key are
  // forwarded one after another, as if each were atomic.
  const queues = new Map<string, Promise<void>>();
  const forward = (req: IncomingMessage, res: ServerResponse, key = '') => {
    const before = queues.get(key) ?? Promise.resolve();
    const done = new Promise<void>((resolve) => res.on('close', resolve));
    const mine = before.then(() => done);
    queues.set(key, mine);
    void mine.then(() => queues.get(key) === mine && queues.delete(key));
    void before.then(() => send(req, res));
  };
  const send = (req: IncomingMessage, res: ServerResponse) => {
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const key = path.split('/').slice(2).join('/');
    const f = take(method, key);
    requests.push({ method, key, fault: !f ? null : f.hang ? 'hang' : f.status ? 'error' : f.gate ? 'gate' : 'delay', at: Date.now() });
    if (!f) return forward(req, res, key);
    if (f.gate) {
      f.held.push(() => forward(req, res, key));
      if (f.held.length >= f.gate) for (const go of f.held.splice(0)) go();
      return;
    }
    if (f.hang) return req.resume();
    if (f.status) {
      req.resume();
      const body = method === 'HEAD' ? '' : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${f.code ?? 'InternalError'}</Code><Message>injected fault</Message><RequestId>0000</RequestId></Error>`;
      res.writeHead(f.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-obs-request-id': '0000' });
      return res.end(body);
    }
    const timer = setTimeout(() => forward(req, res, key), f.delayMs ?? 0);
    res.on('close', () => clearTimeout(timer));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fault(f) {
      faults.push({ ...f, left: f.times ?? f.gate ?? Number.POSITIVE_INFINITY, skip: f.after ?? 0, held: [] });
    },
    clear() {
      faults.length = 0;
      requests.length = 0;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
