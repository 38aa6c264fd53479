// Local emulator of the three FunctionGraph APIs `doctor` reads, for integration tests:
//   ShowFunctionConfig             GET /v2/{project_id}/fgs/functions/{function_urn}/config
//   ListFunctionTriggers           GET /v2/{project_id}/fgs/triggers/{function_urn}
//   ShowFunctionAsyncInvokeConfig  GET /v2/{project_id}/fgs/functions/{function_urn}/async-invoke-config
// (paths as @huaweicloud/huaweicloud-sdk-functiongraph 3.1.211 builds them). Every request must carry a
// valid SDK-HMAC-SHA256 signature (lib/demo/sdk-signature.ts), like the real API gateway.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySdkSignature } from './sdk-signature';

export interface FgsEmulatorOptions {
  credentials: { ak: string; sk: string };
  projectId: string;
  now?: () => Date;
}

/** A deployed function as the API answers: the config object, the trigger list, the async policy (null: never set). */
export interface EmulatedFunction {
  config: Record<string, unknown>;
  triggers: Record<string, unknown>[];
  asyncConfig: Record<string, unknown> | null;
}

export interface FgsRequestRecord {
  api: 'ShowFunctionConfig' | 'ListFunctionTriggers' | 'ShowFunctionAsyncInvokeConfig' | null;
  urn: string | null;
  status: number;
}

export interface FgsEmulator {
  url: string;
  /** `urn` without a version: the function answers for it and for every `<urn>:<version>`. */
  setFunction(urn: string, fn: EmulatedFunction): void;
  readonly requests: FgsRequestRecord[];
  close(): Promise<void>;
}

type ErrorBody = { error_code: string; error_msg: string };
const ERR = {
  noApi: { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment' },
  badSig: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail' },
  project: { error_code: 'FSS.0403', error_msg: 'The project ID in the path does not match the credentials.' },
  noFunction: { error_code: 'FSS.1051', error_msg: 'Not found the function' },
  noAsync: { error_code: 'FSS.1051', error_msg: 'Not found the async invoke config' },
} satisfies Record<string, ErrorBody>;
const ROUTES = [
  { api: 'ShowFunctionConfig', re: /^\/v2\/([^/]+)\/fgs\/functions\/([^/]+)\/config$/ },
  { api: 'ListFunctionTriggers', re: /^\/v2\/([^/]+)\/fgs\/triggers\/([^/]+)$/ },
  { api: 'ShowFunctionAsyncInvokeConfig', re: /^\/v2\/([^/]+)\/fgs\/functions\/([^/]+)\/async-invoke-config$/ },
] as const;

const decode = (s: string): string | null => { try { return decodeURIComponent(s); } catch { return null; } };
/** urn:fss:region:project:function:package:name[:version] → without the version. */
const unversioned = (urn: string): string => urn.split(':').slice(0, 7).join(':');

export async function startFgsEmulator(opts: FgsEmulatorOptions): Promise<FgsEmulator> {
  const now = opts.now ?? (() => new Date());
  const functions = new Map<string, EmulatedFunction>();
  const requests: FgsRequestRecord[] = [];

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const route = ROUTES.map((r) => ({ api: r.api, m: r.re.exec(path) })).find((r) => r.m);
    const urn = route?.m?.[2] !== undefined ? decode(route.m[2]) : null;
    const rec: FgsRequestRecord = { api: route?.api ?? null, urn, status: 0 };
    requests.push(rec);
    const send = (status: number, payload: unknown): void => {
      rec.status = status;
      const text = JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'x-request-id': randomBytes(16).toString('hex') });
      res.end(text);
    };
    if (req.method !== 'GET' || !route?.m || urn === null) return send(404, ERR.noApi);
    const verdict = verifySdkSignature({ method: req.method, path, query: q < 0 ? '' : target.slice(q + 1), headers: req.headers, body }, opts.credentials, now());
    if (!verdict.ok) return send(401, ERR.badSig);
    if (decode(route.m[1] ?? '') !== opts.projectId || urn.split(':')[3] !== opts.projectId) return send(403, ERR.project);
    const fn = functions.get(unversioned(urn));
    if (!fn) return send(404, ERR.noFunction);
    switch (route.api) {
      case 'ShowFunctionConfig': return send(200, fn.config);
      case 'ListFunctionTriggers': return send(200, fn.triggers);
      case 'ShowFunctionAsyncInvokeConfig': return fn.asyncConfig ? send(200, fn.asyncConfig) : send(404, ERR.noAsync);
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setFunction(urn, fn) { functions.set(unversioned(urn), fn); },
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
