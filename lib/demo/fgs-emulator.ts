// Local emulator of the three FunctionGraph APIs `doctor` reads, for integration tests:
//   ShowFunctionConfig             GET /v2/{project_id}/fgs/functions/{function_urn}/config
//   ListFunctionTriggers           GET /v2/{project_id}/fgs/triggers/{function_urn}
//   ShowFunctionAsyncInvokeConfig  GET /v2/{project_id}/fgs/functions/{function_urn}/async-invoke-config
// (paths as @huaweicloud/huaweicloud-sdk-functiongraph 3.1.211 builds them). Every request must carry a
// valid SDK-HMAC-SHA256 signature (lib/demo/sdk-signature.ts), like the real API gateway.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APIGW, authenticate, decode, type ErrorBody, listenOnLoopback, sendJson, splitTarget } from './api-gateway';

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

const ERR = {
  project: { error_code: 'FSS.0403', error_msg: 'The project ID in the path does not match the credentials.' },
  noFunction: { error_code: 'FSS.1051', error_msg: 'Not found the function' },
  noAsync: { error_code: 'FSS.1051', error_msg: 'Not found the async invoke config' },
  // Answered when the emulator itself fails; not a documented code.
  internal: { error_code: 'FSS.0500', error_msg: 'Internal error' },
} satisfies Record<string, ErrorBody>;
const ROUTES = [
  { api: 'ShowFunctionConfig', re: /^\/v2\/([^/]+)\/fgs\/functions\/([^/]+)\/config$/ },
  { api: 'ListFunctionTriggers', re: /^\/v2\/([^/]+)\/fgs\/triggers\/([^/]+)$/ },
  { api: 'ShowFunctionAsyncInvokeConfig', re: /^\/v2\/([^/]+)\/fgs\/functions\/([^/]+)\/async-invoke-config$/ },
] as const;

/** urn:fss:region:project:function:package:name[:version] → without the version. */
const unversioned = (urn: string): string => urn.split(':').slice(0, 7).join(':');

export async function startFgsEmulator(opts: FgsEmulatorOptions): Promise<FgsEmulator> {
  const now = opts.now ?? (() => new Date());
  const functions = new Map<string, EmulatedFunction>();
  const requests: FgsRequestRecord[] = [];

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const { path } = splitTarget(req);
    const route = ROUTES.map((r) => ({ api: r.api, m: r.re.exec(path) })).find((r) => r.m);
    const urn = route?.m?.[2] !== undefined ? decode(route.m[2]) : null;
    const rec: FgsRequestRecord = { api: route?.api ?? null, urn, status: 0 };
    requests.push(rec);
    const send = (status: number, payload: unknown): void => {
      rec.status = status;
      sendJson(res, status, JSON.stringify(payload));
    };
    if (req.method !== 'GET' || !route?.m || urn === null) return send(404, APIGW.noApi);
    const denied = authenticate(req, body, { credentials: opts.credentials, now });
    if (denied) return send(401, denied);
    if (decode(route.m[1] ?? '') !== opts.projectId || urn.split(':')[3] !== opts.projectId) return send(403, ERR.project);
    const fn = functions.get(unversioned(urn));
    if (!fn) return send(404, ERR.noFunction);
    switch (route.api) {
      case 'ShowFunctionConfig': return send(200, fn.config);
      case 'ListFunctionTriggers': return send(200, fn.triggers);
      case 'ShowFunctionAsyncInvokeConfig': return fn.asyncConfig ? send(200, fn.asyncConfig) : send(404, ERR.noAsync);
    }
  }

  const http = await listenOnLoopback(handle, ERR.internal);
  return {
    url: http.url,
    setFunction(urn, fn) { functions.set(unversioned(urn), fn); },
    requests,
    close: () => http.close(),
  };
}
