// Local emulator of the DMS for Kafka APIs `ListConnectorTasks`
// (GET /v2/{project_id}/instances/{instance_id}/connector/tasks) and `ListInstances`
// (GET /v2/{project_id}/instances?engine=kafka&offset=…&limit=…), for integration tests and the offline demo.
// It verifies the SDK-HMAC-SHA256 signature like the real API gateway and can inject faults.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSdkAuthorization, verifySdkSignature } from './sdk-signature';

export interface DmsEmulatorOptions {
  credentials: { ak: string; sk: string };
  projectId: string;
  /** Further projects the credentials may use (an instance belongs to one, `projectId` by default). */
  otherProjects?: string[];
  /** When set, every request must carry this X-Security-Token and sign it. */
  securityToken?: string;
  now?: () => Date;
  log?: (line: string) => void;
}

/** `times`: how many requests the fault affects before it clears itself (default: until cleared). */
export type DmsFault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string>; times?: number }
  | { kind: 'not-json'; times?: number }
  | { kind: 'latency'; ms: number; times?: number }
  | { kind: 'hang'; times?: number }
  /** The connection is dropped without an answer (a network error). */
  | { kind: 'reset'; times?: number }
  /** `total_number` grows by `by` on each answer (tasks created while a client pages). */
  | { kind: 'moving-total'; by: number; times?: number }
  /** Every answer is the first page, whatever the offset (a pager that ignores `offset`). */
  | { kind: 'ignore-offset'; times?: number }
  /** `ListConnectorTasks` answers that Smart Connect is not enabled (ListInstances may still say it is). */
  | { kind: 'connector-off'; times?: number };

/** A fault limited to the requests at one `offset` (e.g. one page of ListInstances). */
export type DmsPageFault = DmsFault & { atOffset?: number };

/** What ListInstances tells of an instance (`setInstance` extras). */
export interface InstanceInfo {
  name?: string;
  /** Default true. */
  connector_enable?: boolean;
  /** Default the emulator's `projectId`. */
  project_id?: string;
}

export interface DmsRequestRecord {
  /** Decoded instance id from the path, null when the path did not match the API (or was ListInstances). */
  instanceId: string | null;
  /** The project of a ListInstances request; absent for the tasks API. */
  listProject?: string;
  /** `offset` / `limit` as sent when they were integers, else null (absent or malformed: see `query`). */
  offset: number | null;
  limit: number | null;
  /** Raw query string as received (without `?`). */
  query: string;
  /** HTTP status answered; null while unanswered (e.g. a 'hang' fault). */
  status: number | null;
  at: Date;
}

export interface DmsEmulator {
  url: string;
  /** `total_number` overrides the reported total (a listing that runs dry early, or a total below the tasks); `max_tasks: null` leaves it out. */
  setInstance(instanceId: string, tasks: Record<string, unknown>[], extras?: { max_tasks?: number | null; quota_tasks?: number; total_number?: number } & InstanceInfo): void;
  removeInstance(instanceId: string): void;
  setFault(instanceId: string, fault: DmsFault | null): void;
  /** A fault of ListInstances in one project, optionally on the page at one offset only. */
  setListFault(projectId: string, fault: DmsPageFault | null): void;
  /** Every request received, oldest first. Cleared in place by `reset()`. */
  readonly requests: DmsRequestRecord[];
  reset(): void;
  close(): Promise<void>;
}

interface Instance {
  tasks: Record<string, unknown>[]; max_tasks: number | null; quota_tasks: number; total_number: number | undefined;
  name: string; connector_enable: boolean; project_id: string; created: number;
}
type ErrorBody = { error_code: string; error_msg: string };

const ROUTE = /^\/v2\/([^/]+)\/instances\/([^/]+)\/connector\/tasks\/?$/;
const LIST_ROUTE = /^\/v2\/([^/]+)\/instances\/?$/;
const MAX_SKEW_MSG = 'Incorrect IAM authentication information: X-Sdk-Date is more than 15 minutes off the server time';
const ERR = {
  noApi: { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment' },
  badSig: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail' },
  badDate: { error_code: 'APIGW.0301', error_msg: MAX_SKEW_MSG },
  badToken: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: security token missing, invalid or not signed' },
  project: { error_code: 'DMS.00403000', error_msg: 'The project ID in the path does not match the credentials.' },
  noInstance: { error_code: 'DMS.00404022', error_msg: 'The instance does not exist.' },
  // The real code is not documented; the emulator's message is what isConnectorOff (dms-source.ts) reads.
  connectorOff: { error_code: 'DMS.00400999', error_msg: 'Smart Connect is not enabled on this instance.' },
  badParam: { error_code: 'DMS.00400002', error_msg: 'Invalid parameter' },
  internal: { error_code: 'DMS.00500000', error_msg: 'Internal error' },
} satisfies Record<string, ErrorBody>;

const decode = (s: string): string | null => { try { return decodeURIComponent(s); } catch { return null; } };
const asInt = (v: string | null): number | null => (v !== null && /^-?\d+$/.test(v) ? Number(v) : null);

export async function startDmsEmulator(opts: DmsEmulatorOptions): Promise<DmsEmulator> {
  const now = opts.now ?? (() => new Date());
  const instances = new Map<string, Instance>();
  const faults = new Map<string, DmsPageFault & { left?: number; used: number }>();
  const projects = new Set([opts.projectId, ...(opts.otherProjects ?? [])]);
  let created = 0;
  const requests: DmsRequestRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const secrets = [opts.credentials.sk, opts.securityToken].filter((s): s is string => !!s);
  // Response bodies are constants or configured data, never echoed request input. Log lines do include the
  // instance id from the path, so they are scrubbed of the SK and token (a client could send either there).
  const scrub = (s: string): string => secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), s);

  function send(res: ServerResponse, rec: DmsRequestRecord, status: number, body: string, headers: Record<string, string> = {}): void {
    rec.status = status;
    res.writeHead(status, {
      'content-type': 'application/json', ...headers,
      'content-length': String(Buffer.byteLength(body)), 'x-request-id': randomBytes(16).toString('hex'),
    });
    res.end(body);
    opts.log?.(scrub(`dms-emulator ${status} GET ${rec.listProject !== undefined ? 'instances' : `instance=${rec.instanceId ?? '-'}`} offset=${rec.offset ?? '-'} limit=${rec.limit ?? '-'}`));
  }
  const fail = (res: ServerResponse, rec: DmsRequestRecord, status: number, err: ErrorBody): void => send(res, rec, status, JSON.stringify(err));

  /** Returns the active fault for the instance (or `list <project>`) and counts one use of it. */
  function takeFault(instanceId: string, offset: number | null = null): (DmsFault & { used: number }) | undefined {
    const fault = faults.get(instanceId);
    if (fault?.atOffset !== undefined && fault.atOffset !== offset) return undefined;
    if (fault) fault.used++;
    if (fault?.left !== undefined && --fault.left <= 0) faults.delete(instanceId);
    return fault;
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    // The raw request target, not WHATWG-normalised: the signature covers the path exactly as sent.
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const rawQuery = q < 0 ? '' : target.slice(q + 1);
    const params = new URLSearchParams(rawQuery);
    const route = ROUTE.exec(path);
    const list = LIST_ROUTE.exec(path);
    const instanceId = route?.[2] !== undefined ? decode(route[2]) : null;
    const rec: DmsRequestRecord = {
      instanceId, offset: asInt(params.get('offset')), limit: asInt(params.get('limit')), query: rawQuery, status: null, at: now(),
      ...(list ? { listProject: decode(list[1] ?? '') ?? '' } : {}),
    };
    requests.push(rec);
    if (req.method !== 'GET' || ((!route || instanceId === null) && !list)) return fail(res, rec, 404, ERR.noApi);

    const verdict = verifySdkSignature(
      { method: req.method, path, query: params, headers: req.headers, body },
      opts.credentials, now(),
    );
    if (!verdict.ok) return fail(res, rec, 401, verdict.reason === 'date skew > 15 min' ? ERR.badDate : ERR.badSig);
    if (opts.securityToken !== undefined) {
      const signed = parseSdkAuthorization(req.headers.authorization)?.signedHeaders ?? [];
      if (req.headers['x-security-token'] !== opts.securityToken || !signed.includes('x-security-token')) return fail(res, rec, 401, ERR.badToken);
    }
    if (list) return listInstances(req, res, rec, params);
    const project = decode(route?.[1] ?? '');
    if (project === null || !projects.has(project)) return fail(res, rec, 403, ERR.project);
    const instance = instances.get(instanceId ?? '');
    if (!instance || instance.project_id !== project) return fail(res, rec, 404, ERR.noInstance);
    if (!instance.connector_enable) return fail(res, rec, 400, ERR.connectorOff);

    const limit = params.has('limit') ? rec.limit : 10;
    const offset = params.has('offset') ? rec.offset : 0;
    if (limit === null || limit < 1 || limit > 50 || offset === null || offset < 0) return fail(res, rec, 400, ERR.badParam);

    const ok = (from = offset, extraTotal = 0): void => send(res, rec, 200, JSON.stringify({
      tasks: instance.tasks.slice(from, from + limit), total_number: (instance.total_number ?? instance.tasks.length) + extraTotal,
      ...(instance.max_tasks === null ? {} : { max_tasks: instance.max_tasks }), quota_tasks: instance.quota_tasks,
    }));
    return answer(takeFault(instanceId ?? ''), req, res, rec, offset, ok);
  }

  /** Answers with `ok` unless a fault says otherwise (shared by both APIs). */
  function answer(fault: (DmsFault & { used: number }) | undefined, req: IncomingMessage, res: ServerResponse, rec: DmsRequestRecord, offset: number, ok: (from?: number, extraTotal?: number) => void): void {
    switch (fault?.kind) {
      case undefined: return ok();
      case 'reset': return void req.socket.destroy();
      case 'moving-total': return ok(offset, fault.by * fault.used);
      case 'ignore-offset': return ok(0);
      case 'connector-off': return fail(res, rec, 400, ERR.connectorOff);
      case 'status': return send(res, rec, fault.status, JSON.stringify(fault.body ?? ERR.internal), fault.headers);
      case 'not-json': return send(res, rec, 200, '<html><body><h1>Service temporarily unavailable</h1></body></html>', { 'content-type': 'text/html;charset=UTF-8' });
      case 'hang': return; // never answered; close() destroys the socket
      case 'latency': {
        const timer = setTimeout(() => { timers.delete(timer); ok(); }, fault.ms);
        timers.add(timer);
        return;
      }
    }
  }

  /** ListInstances: the project's instances, newest first (as the console lists them), paged by `offset`/`limit`. */
  function listInstances(req: IncomingMessage, res: ServerResponse, rec: DmsRequestRecord, params: URLSearchParams): void {
    const project = rec.listProject ?? '';
    if (!projects.has(project)) return fail(res, rec, 403, ERR.project);
    const limit = params.has('limit') ? rec.limit : 10;
    const offset = params.has('offset') ? rec.offset : 0;
    if (params.get('engine') !== 'kafka' || limit === null || limit < 1 || limit > 50 || offset === null || offset < 0) return fail(res, rec, 400, ERR.badParam);
    const all = [...instances.entries()].filter(([, i]) => i.project_id === project).sort(([, a], [, b]) => b.created - a.created);
    const page = (from: number) => all.slice(from, from + limit).map(([id, i]) => ({
      name: i.name, engine: 'kafka', engine_version: '3.x', specification: 'kafka.2u4g.cluster', status: 'RUNNING', instance_id: id,
      connector_enable: i.connector_enable, ...(i.connector_enable ? { connector_id: `connector-${id.slice(0, 8)}` } : {}),
      enterprise_project_id: '0', type: 'cluster',
    }));
    const ok = (from = offset): void => send(res, rec, 200, JSON.stringify({ instances: page(from), instance_num: all.length }));
    return answer(takeFault(`list ${project}`, offset), req, res, rec, offset, ok);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks));
      } catch (e) {
        opts.log?.(scrub(`dms-emulator internal error: ${e instanceof Error ? e.message : String(e)}`));
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(ERR.internal));
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
    url: `http://127.0.0.1:${port}`,
    setInstance(instanceId, tasks, extras = {}) {
      const before = instances.get(instanceId);
      instances.set(instanceId, {
        tasks: [...tasks], max_tasks: extras.max_tasks === undefined ? 18 : extras.max_tasks, quota_tasks: extras.quota_tasks ?? 18, total_number: extras.total_number,
        name: extras.name ?? before?.name ?? `kafka-${instanceId.slice(0, 8)}`, connector_enable: extras.connector_enable ?? before?.connector_enable ?? true,
        project_id: extras.project_id ?? before?.project_id ?? opts.projectId, created: before?.created ?? ++created,
      });
    },
    removeInstance(instanceId) { instances.delete(instanceId); },
    setFault(instanceId, fault) {
      if (fault === null || (fault.times !== undefined && fault.times <= 0)) faults.delete(instanceId);
      else faults.set(instanceId, { ...fault, left: fault.times, used: 0 });
    },
    setListFault(projectId, fault) {
      const key = `list ${projectId}`;
      if (fault === null || (fault.times !== undefined && fault.times <= 0)) faults.delete(key);
      else faults.set(key, { ...fault, left: fault.times, used: 0 });
    },
    requests,
    reset() { requests.length = 0; },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
