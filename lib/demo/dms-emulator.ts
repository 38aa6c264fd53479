// Local emulator of the DMS for Kafka APIs `ListConnectorTasks`
// (GET /v2/{project_id}/instances/{instance_id}/connector/tasks) and `ListInstances`
// (GET /v2/{project_id}/instances?engine=kafka&offset=…&limit=…), for integration tests and the offline demo.
// It verifies the SDK-HMAC-SHA256 signature like the real API gateway (lib/demo/api-gateway.ts), and a
// test can inject faults and hold requests at gates (lib/demo/dms-faults.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APIGW, authenticate, decode, type ErrorBody, listenOnLoopback, sendJson, splitTarget } from './api-gateway';
import { createInstances, DMS_ERR, type Instance, type InstanceExtras, LIST_ROUTE, paging, TASKS_ROUTE, tasksPage } from './dms-api';
import { type Answer, answerWith, createFaults, createGates, type DmsFault, type DmsPageFault, type Gate } from './dms-faults';

export type { DmsFault, DmsPageFault } from './dms-faults';
export type { InstanceInfo } from './dms-api';

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
  /** HTTP status answered; null while unanswered (e.g. a 'hang' fault, or held at a gate). */
  status: number | null;
  at: Date;
}

export type DmsGate = Gate<DmsRequestRecord>;

export interface DmsEmulator {
  url: string;
  setInstance(instanceId: string, tasks: Record<string, unknown>[], extras?: InstanceExtras): void;
  removeInstance(instanceId: string): void;
  setFault(instanceId: string, fault: DmsFault | null): void;
  /** A fault of ListInstances in one project, optionally on the page at one offset only. */
  setListFault(projectId: string, fault: DmsPageFault | null): void;
  /**
   * A barrier the test opens: the first `count` (default 1) requests matching `predicate` that pass the
   * signature and parameter checks are held unanswered. `reached` resolves with their records once
   * `count` are held; `release()` answers them (a fault set meanwhile applies) and lets later ones through.
   * Matching requests beyond `count` are not held.
   */
  gate(predicate: (r: DmsRequestRecord) => boolean, count?: number): DmsGate;
  /** Every request received, oldest first. Cleared in place by `reset()`. */
  readonly requests: DmsRequestRecord[];
  reset(): void;
  close(): Promise<void>;
}

const asInt = (v: string | null): number | null => (v !== null && /^-?\d+$/.test(v) ? Number(v) : null);

export async function startDmsEmulator(opts: DmsEmulatorOptions): Promise<DmsEmulator> {
  const now = opts.now ?? (() => new Date());
  const instances = createInstances(opts.projectId);
  const faults = createFaults();
  const gates = createGates<DmsRequestRecord>();
  const projects = new Set([opts.projectId, ...(opts.otherProjects ?? [])]);
  const requests: DmsRequestRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const secrets = [opts.credentials.sk, opts.securityToken].filter((s): s is string => !!s);
  // Response bodies are constants or configured data, never echoed request input. Log lines do include the
  // instance id from the path, so they are scrubbed of the SK and token (a client could send either there).
  const scrub = (s: string): string => secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), s);

  function send(res: ServerResponse, rec: DmsRequestRecord, status: number, body: string, headers: Record<string, string> = {}): void {
    rec.status = status;
    sendJson(res, status, body, headers);
    opts.log?.(scrub(`dms-emulator ${status} GET ${rec.listProject !== undefined ? 'instances' : `instance=${rec.instanceId ?? '-'}`} offset=${rec.offset ?? '-'} limit=${rec.limit ?? '-'}`));
  }
  const fail = (res: ServerResponse, rec: DmsRequestRecord, status: number, err: ErrorBody): void => send(res, rec, status, JSON.stringify(err));

  /** Answers with `page(from, extraTotal)` once any gate lets the request through, unless a fault (under `faultKey`) says otherwise. */
  function respond(req: IncomingMessage, res: ServerResponse, rec: DmsRequestRecord, faultKey: string, offset: number, page: (from: number, extraTotal?: number) => string): void {
    const answer: Answer = {
      ok: (from, extraTotal) => send(res, rec, 200, page(from, extraTotal)),
      send: (status, body, headers) => send(res, rec, status, body, headers),
      drop: () => void req.socket.destroy(),
      later(ms, then) {
        const timer = setTimeout(() => { timers.delete(timer); then(); }, ms);
        timers.add(timer);
      },
    };
    gates.pass(rec, () => answerWith(faults.take(faultKey, offset), offset, answer));
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const { path, rawQuery } = splitTarget(req);
    const params = new URLSearchParams(rawQuery);
    const route = TASKS_ROUTE.exec(path);
    const list = LIST_ROUTE.exec(path);
    const instanceId = route?.[2] !== undefined ? decode(route[2]) : null;
    const rec: DmsRequestRecord = {
      instanceId, offset: asInt(params.get('offset')), limit: asInt(params.get('limit')), query: rawQuery, status: null, at: now(),
      ...(list ? { listProject: decode(list[1] ?? '') ?? '' } : {}),
    };
    requests.push(rec);
    if (req.method !== 'GET' || ((!route || instanceId === null) && !list)) return fail(res, rec, 404, APIGW.noApi);
    const denied = authenticate(req, body, { credentials: opts.credentials, securityToken: opts.securityToken, now });
    if (denied) return fail(res, rec, 401, denied);

    const project = list ? (rec.listProject ?? '') : decode(route?.[1] ?? '');
    if (project === null || !projects.has(project)) return fail(res, rec, 403, DMS_ERR.project);
    let instance: Instance | undefined;
    if (!list) {
      instance = instances.get(instanceId ?? '');
      if (!instance || instance.project_id !== project) return fail(res, rec, 404, DMS_ERR.noInstance);
      if (!instance.connector_enable) return fail(res, rec, 400, DMS_ERR.connectorOff);
    }
    const paged = paging(params, rec.offset, rec.limit);
    if (!paged || (list && params.get('engine') !== 'kafka')) return fail(res, rec, 400, DMS_ERR.badParam);
    const { offset, limit } = paged;
    if (instance) return respond(req, res, rec, instanceId ?? '', offset, (from, extra) => tasksPage(instance, from, limit, extra));
    return respond(req, res, rec, `list ${project}`, offset, (from) => instances.listPage(project, from, limit));
  }

  const http = await listenOnLoopback(handle, DMS_ERR.internal, (message) => opts.log?.(scrub(`dms-emulator internal error: ${message}`)));

  return {
    url: http.url,
    setInstance: (instanceId, tasks, extras) => instances.set(instanceId, tasks, extras),
    removeInstance: (instanceId) => instances.remove(instanceId),
    setFault: (instanceId, fault) => faults.set(instanceId, fault),
    setListFault: (projectId, fault) => faults.set(`list ${projectId}`, fault),
    gate: (predicate, count = 1) => gates.add(predicate, count),
    requests,
    reset() { requests.length = 0; },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      gates.clear();
      return http.close();
    },
  };
}
