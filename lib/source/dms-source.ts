import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger';
// Deep imports: the package's index loads all ~1,500 model classes (≈40 MB, ≈300 ms); these load the client alone.
import { KafkaClient } from '@huaweicloud/huaweicloud-sdk-kafka/v2/KafkaClient';
import { ListConnectorTasksRequest } from '@huaweicloud/huaweicloud-sdk-kafka/v2/model/ListConnectorTasksRequest';
import { ListInstancesRequest } from '@huaweicloud/huaweicloud-sdk-kafka/v2/model/ListInstancesRequest';
import type { InstanceTarget } from '../config/config';
import type { Credentials } from './credentials';
import { type DmsAnswer, answerBody, noAnswerError, sourceAdvice } from './dms-answer';
import { dmsEndpoint } from './dms-region';
import { SourceError } from '../errors';
import { INSTANCE_PAGE_LIMIT, type InstanceList, listInstancePages, parseInstancePage } from './instance-pages';
import { type RetryDeps, type RetryPolicy, withRetry } from '../retry';
import { type Listing, PAGE_LIMIT, pageTasks, parseTaskPage } from './task-pager';

export type { Listing } from './task-pager';

// The SDK core logs every failed request's full config, Authorization and X-Security-Token
// included, to stdout through log4js. Nothing of it may ever be printed.
for (const method of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'mark', 'log'] as const) {
  (Logger4jInstance as unknown as Record<string, unknown>)[method] = () => undefined;
}
Logger4jInstance.level = 'off';

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

/** TaskSource over the real Huawei Cloud Kafka SDK: the only file that imports it. Paging is task-pager.ts's. */
export function createDmsSource(opts: DmsSourceOptions): TaskSource & InstanceDirectory {
  const { now, deadline } = opts.retryDeps;
  // One client per endpoint and project: building one costs ~3 ms (an axios instance, a file read).
  const clients = new Map<string, KafkaClient>();
  const clientFor = (target: { region: string; project_id: string }): KafkaClient => {
    const endpoint = opts.endpoint ?? dmsEndpoint(target.region);
    const key = `${endpoint} ${target.project_id}`;
    let client = clients.get(key);
    if (!client) clients.set(key, (client = buildClient(opts, endpoint, target.project_id)));
    return client;
  };
  /** One request, retried with its parsing: the page, or the SourceError of its last attempt (a 429's Retry-After carried on it). */
  const call = <T>(late: () => string, send: () => Promise<unknown>, parse: (body: unknown) => T, onAttempt = () => {}) =>
    withRetry(opts.retry, opts.retryDeps, async () => {
      if (now() >= deadline) throw new SourceError(late(), false);
      onAttempt();
      return parse(answerBody(await beforeDeadline(callSdk(send), deadline - now()), now()));
    }, sourceAdvice);
  return {
    async listInstances(scope, concurrency) {
      const client = clientFor(scope);
      return listInstancePages(async (offset) => {
        const request = new ListInstancesRequest().withEngine('kafka').withOffset(String(offset)).withLimit(String(INSTANCE_PAGE_LIMIT));
        return call(() => "the run's deadline came before discovery finished", () => client.listInstances(request), parseInstancePage);
      }, concurrency);
    },
    async listTasks(target) {
      const client = clientFor(target);
      let requests = 0;
      const paged = await pageTasks(async (offset, seen) => {
        const request = new ListConnectorTasksRequest().withInstanceId(target.instance_id).withOffset(offset).withLimit(PAGE_LIMIT);
        const late = () => `the run's deadline came before the listing finished (${seen} tasks seen)`;
        return call(late, () => client.listConnectorTasks(request), parseTaskPage, () => requests++);
      });
      return { ...paged, requests };
    },
  };
}

/** Where the adapter's response transform leaves each answer on the object the SDK resolves with. */
const ANSWER = Symbol('dms answer');

function buildClient(opts: DmsSourceOptions, endpoint: string, projectId: string): KafkaClient {
  const cred = new BasicCredentials()
    .withAk(opts.credentials.ak.reveal())
    .withSk(opts.credentials.sk.reveal())
    .withProjectId(projectId);
  if (opts.credentials.securityToken) cred.withSecurityToken(opts.credentials.securityToken.reveal());
  // axios calls transformResponse for every answer with the headers and the status; with every
  // status accepted, the SDK resolves with what it returns. The SDK's exceptions would drop the
  // headers (a 429's Retry-After), so HTTP errors are read here, from the answer itself.
  const transformResponse = (data: unknown, headers: Record<string, string | undefined>, status?: number): unknown => {
    const answer: DmsAnswer = { status: status ?? 0, retryAfter: headers['retry-after'], body: parseJson(data) };
    return { [ANSWER]: answer };
  };
  return KafkaClient.newBuilder()
    .withCredential(cred)
    .withEndpoint(endpoint)
    // No redirects: the API answers where it is asked, and a signed request is not sent elsewhere
    // (axios then uses Node's http module directly, not its redirect-following wrapper).
    .withOptions({ axiosRequestConfig: { timeout: opts.requestTimeoutMs, transformResponse, validateStatus: () => true, maxRedirects: 0 } })
    .build();
}

function parseJson(data: unknown): unknown {
  if (typeof data !== 'string' || data === '') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
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

/** The SDK call's HTTP answer; a call with none (network error, timeout) throws a retryable SourceError. */
async function callSdk(send: () => Promise<unknown>): Promise<DmsAnswer> {
  let resolved: unknown;
  try {
    resolved = await send();
  } catch (err) {
    throw noAnswerError(err);
  }
  // The SDK hands a body it takes for a file over as `body` (by the answer's content type).
  const r = resolved as { [ANSWER]?: DmsAnswer; body?: { [ANSWER]?: DmsAnswer } } | undefined;
  const answer = r?.[ANSWER] ?? r?.body?.[ANSWER];
  if (!answer) throw new SourceError('no answer from the SDK (not the documented JSON)', true);
  return answer;
}
