import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger';
// Deep imports: the package's index loads all ~1,500 model classes (≈40 MB, ≈300 ms); these load the client alone.
import { KafkaClient } from '@huaweicloud/huaweicloud-sdk-kafka/v2/KafkaClient';
import { ListConnectorTasksRequest } from '@huaweicloud/huaweicloud-sdk-kafka/v2/model/ListConnectorTasksRequest';
import { ListInstancesRequest } from '@huaweicloud/huaweicloud-sdk-kafka/v2/model/ListInstancesRequest';
import * as z from 'zod';
import { sortedCopy } from '../store/canonical-json';
import type { InstanceTarget } from '../config/config';
import type { Credentials } from './credentials';
import { dmsEndpoint } from './dms-region';
import { SourceError } from '../errors';
import { INSTANCE_PAGE_LIMIT, type InstanceList, listInstancePages, parseInstancePage } from './instance-pages';
import { type RetryDeps, type RetryPolicy, parseRetryAfter, withRetry } from '../retry';
import { type Task, TasksInPlace } from '../store/snapshot';

// The SDK core logs every failed request's full config, Authorization and X-Security-Token
// included, to stdout through log4js. Nothing of it may ever be printed.
for (const method of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'mark', 'log'] as const) {
  (Logger4jInstance as unknown as Record<string, unknown>)[method] = () => undefined;
}
Logger4jInstance.level = 'off';

export const PAGE_LIMIT = 50;
/** No listing runs longer than this many pages, whatever the API says. */
const MAX_PAGES = 1_000;
/** Full pages past `total_number` are followed up to `max_tasks` tasks, or this many without it. */
const FULL_PAGES_BOUND = 1_000;

/**
 * One page of ListConnectorTasks: a response without a valid `tasks` array is a failed listing.
 * Tasks are checked in place: `parsePage` makes the one copy kept (keys in canonical order).
 */
const Page = z.looseObject({
  tasks: TasksInPlace,
  total_number: z.number().int().nonnegative(),
  max_tasks: z.number().int().nullish(),
  quota_tasks: z.number().int().nullish(),
});

export interface Listing {
  tasks: Task[];
  total_number: number;
  max_tasks: number | null;
  quota_tasks: number | null;
  /** Paging anomalies seen (a short page, duplicate ids, a moving total). */
  anomalies: string[];
  /** False when the distinct tasks seen and `total_number` disagree (either way), or the total moved: unseen tasks are not gone. */
  complete: boolean;
  requests: number;
}

/** The port the run uses: list every task of one instance, or throw SourceError. */
export interface TaskSource {
  listTasks(target: InstanceTarget): Promise<Listing>;
}

/** The port discovery uses (DESIGN.md §9): every Kafka instance of a project; a failed page is recorded, never thrown. */
export interface InstanceDirectory {
  listInstances(scope: { region: string; project_id: string }, concurrency: number): Promise<InstanceList>;
}

/**
 * Whether a failed task listing says Smart Connect is not enabled on the instance. DMS's error code for
 * it is not documented: its message is read (`Smart Connect is not enabled`, `connector … not open`, `未开启`).
 */
export function isConnectorOff(err: unknown): boolean {
  if (!(err instanceof SourceError) || err.status === undefined || err.status < 400 || err.status >= 500) return false;
  return /smart ?connect|connector/i.test(err.message) && /not (?:been )?(?:enabled|opened|open|turned on)|disabled|未开启|未开通/i.test(err.message);
}

export interface DmsSourceOptions {
  credentials: Credentials;
  /** Overrides the SDK's regional endpoint (a private endpoint, or a local emulator). */
  endpoint: string | undefined;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  retryDeps: RetryDeps;
}

/** TaskSource over the real Huawei Cloud Kafka SDK: the only file that imports it. */
export function createDmsSource(opts: DmsSourceOptions): TaskSource & InstanceDirectory {
  const { now, deadline } = opts.retryDeps;
  // The SDK's exceptions drop the response headers: the clients' response hook keeps each instance's
  // last Retry-After (an instance has one request in flight at a time) for its retry to honour.
  const retryAfter = new Map<string, string | undefined>();
  const onResponse: ResponseHook = (url, status, headers) => {
    const instanceId = /\/instances\/([^/?]+)\//.exec(url ?? '')?.[1];
    if (instanceId) retryAfter.set(decodeURIComponent(instanceId), status === 429 ? headers['retry-after'] : undefined);
    // ListInstances pages of a project share one key: the latest 429's Retry-After holds for them all.
    const project = /\/v2\/([^/?]+)\/instances\/?(?:\?|$)/.exec(url ?? '')?.[1];
    if (project && status === 429) retryAfter.set(`list ${decodeURIComponent(project)}`, headers['retry-after']);
  };
  // One client per endpoint and project: building one costs ~3 ms (an axios instance, a file read).
  const clients = new Map<string, KafkaClient>();
  const clientFor = (target: { region: string; project_id: string }): KafkaClient => {
    const endpoint = opts.endpoint ?? dmsEndpoint(target.region);
    const key = `${endpoint} ${target.project_id}`;
    let client = clients.get(key);
    if (!client) clients.set(key, (client = buildClient(opts, endpoint, target.project_id, onResponse)));
    return client;
  };
  return {
    async listInstances(scope, concurrency) {
      const client = clientFor(scope);
      const key = `list ${scope.project_id}`;
      return listInstancePages((offset) => withRetry(opts.retry, opts.retryDeps, async () => {
        if (now() >= deadline) throw new SourceError("the run's deadline came before discovery finished", false);
        const request = new ListInstancesRequest().withEngine('kafka').withOffset(String(offset)).withLimit(String(INSTANCE_PAGE_LIMIT));
        return parseInstancePage(await beforeDeadline(callSdk(() => client.listInstances(request)), deadline - now()));
      }, (err) => ({
        retryable: err instanceof SourceError && err.retryable,
        retryAfterMs: err instanceof SourceError && err.status === 429 ? parseRetryAfter(retryAfter.get(key), now()) : undefined,
      })), concurrency);
    },
    async listTasks(target) {
      const client = clientFor(target);
      const byId = new Map<string, Task>();
      const anomalies: string[] = [];
      let total: number | undefined;
      let last: z.infer<typeof Page> | undefined;
      let requests = 0;
      let duplicates = 0;
      let totalMoved = false;
      for (let page = 0; page < MAX_PAGES; page++) {
        const offset = page * PAGE_LIMIT;
        const request = new ListConnectorTasksRequest().withInstanceId(target.instance_id).withOffset(offset).withLimit(PAGE_LIMIT);
        last = await withRetry(opts.retry, opts.retryDeps, async () => {
          if (now() >= deadline) throw new SourceError(`the run's deadline came before the listing finished (${byId.size} tasks seen)`, false);
          requests++;
          retryAfter.delete(target.instance_id);
          return parsePage(await beforeDeadline(callSdk(() => client.listConnectorTasks(request)), deadline - now()));
        }, (err) => ({
          retryable: err instanceof SourceError && err.retryable,
          retryAfterMs: err instanceof SourceError && err.status === 429 ? parseRetryAfter(retryAfter.get(target.instance_id), now()) : undefined,
        }));
        if (total !== undefined && last.total_number !== total) {
          anomalies.push(`total_number changed from ${total} to ${last.total_number} during listing`);
          totalMoved = true;
        }
        total = last.total_number;
        const before = byId.size;
        for (const task of last.tasks) {
          if (byId.has(task.id)) duplicates++;
          byId.set(task.id, task);
        }
        if (last.tasks.length > 0 && byId.size === before) {
          anomalies.push(`the page at offset ${offset} held only tasks already seen: listing stopped`);
          break;
        }
        if (last.tasks.length === 0) break;
        if (offset + PAGE_LIMIT < total) continue;
        // At or past the total: a short page is the end; a full one means the total may be wrong (it has
        // been seen at 13 under a page of 50), so paging goes on, up to a bound.
        if (last.tasks.length < PAGE_LIMIT) break;
        const bound = last.max_tasks && last.max_tasks > 0 ? last.max_tasks : FULL_PAGES_BOUND;
        if (byId.size >= bound) {
          if (byId.size !== total) anomalies.push(`pages were still full at ${byId.size} tasks (${last.max_tasks ? `max_tasks ${bound}` : `no max_tasks: the bound is ${bound}`}): listing stopped`);
          break;
        }
      }
      if (duplicates > 0) anomalies.push(`${duplicates} task(s) listed more than once (kept once)`);
      if (byId.size < (total ?? 0)) anomalies.push(`listing ended with ${byId.size} of ${total} tasks`);
      if (byId.size > (total ?? 0)) anomalies.push(`listing found ${byId.size} tasks but total_number is ${total}`);
      return {
        tasks: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
        total_number: total ?? 0,
        max_tasks: last?.max_tasks ?? null,
        quota_tasks: last?.quota_tasks ?? null,
        anomalies,
        // Tasks created or deleted while paging shift the pages: a task may have been skipped. A total
        // that disagrees with the tasks, either way, makes the whole answer doubtful: nothing is removed.
        complete: byId.size === (total ?? 0) && !totalMoved,
        requests,
      };
    },
  };
}

type ResponseHook = (url: string | undefined, status: number | undefined, headers: Record<string, string | undefined>) => void;

function buildClient(opts: DmsSourceOptions, endpoint: string, projectId: string, onResponse: ResponseHook): KafkaClient {
  const cred = new BasicCredentials()
    .withAk(opts.credentials.ak.reveal())
    .withSk(opts.credentials.sk.reveal())
    .withProjectId(projectId);
  if (opts.credentials.securityToken) cred.withSecurityToken(opts.credentials.securityToken.reveal());
  // axios calls transformResponse for every answer, errors included, with the request's config as
  // `this`, the headers and the status. Replacing axios' default transform means parsing the JSON here.
  const transformResponse = function (this: { url?: string } | undefined, data: unknown, headers: Record<string, string | undefined>, status?: number): unknown {
    onResponse(this?.url, status, headers);
    if (typeof data !== 'string' || data === '') return data;
    try {
      return JSON.parse(data);
    } catch {
      return data;
    }
  };
  return KafkaClient.newBuilder()
    .withCredential(cred)
    .withEndpoint(endpoint)
    // No redirects: the API answers where it is asked, and a signed request is not sent elsewhere
    // (axios then uses Node's http module directly, not its redirect-following wrapper).
    .withOptions({ axiosRequestConfig: { timeout: opts.requestTimeoutMs, transformResponse, maxRedirects: 0 } })
    .build();
}

/** Settles with `promise`, or rejects when the run's deadline comes first (a hanging instance never holds the run). */
async function beforeDeadline<T>(promise: Promise<T>, remainingMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SourceError(`no answer before the run's deadline (${Math.round(remainingMs)} ms)`, false)), Math.max(0, remainingMs));
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function parsePage(raw: unknown): z.infer<typeof Page> {
  const parsed = Page.safeParse(raw);
  // Tasks are kept with their keys in canonical order: written as they are, compared with stored ones.
  if (parsed.success) return { ...parsed.data, tasks: parsed.data.tasks.map(sortedCopy) };
  const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  const missing = typeof raw !== 'object' || raw === null || !Array.isArray((raw as { tasks?: unknown }).tasks);
  // HTTP 200 with a body that is not the documented JSON: the SDK loses the body and resolves {httpStatusCode}.
  throw new SourceError(missing ? 'response has no tasks array (not the documented JSON)' : `invalid response: ${where}`, true);
}

interface SdkError {
  httpStatusCode?: number;
  errorCode?: string;
  errorMsg?: string;
  message?: string;
}

/** Maps the SDK's exceptions onto SourceError: 429, 5xx and network errors are retryable. */
async function callSdk<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
    const status = e.httpStatusCode;
    const detail = [e.errorCode, e.errorMsg ?? e.message].filter(Boolean).join(': ').slice(0, 300);
    if (status === undefined) throw new SourceError(`network error: ${detail || 'no response'}`, true, { cause: err });
    const retryable = status === 429 || status >= 500;
    throw new SourceError(`HTTP ${status}${detail ? ` ${detail}` : ''}`, retryable, { cause: err, status, code: e.errorCode });
  }
}
