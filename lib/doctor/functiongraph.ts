// Reads a deployed function through the FunctionGraph SDK: the only file that imports it.
// @huaweicloud/huaweicloud-sdk-functiongraph 3.1.211, FunctionGraphClient:
//   showFunctionConfig             GET /v2/{project_id}/fgs/functions/{function_urn}/config
//   listFunctionTriggers           GET /v2/{project_id}/fgs/triggers/{function_urn}
//   showFunctionAsyncInvokeConfig  GET /v2/{project_id}/fgs/functions/{function_urn}/async-invoke-config
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger';
import { FunctionGraphClient } from '@huaweicloud/huaweicloud-sdk-functiongraph/v2/FunctionGraphClient';
import { FunctionGraphRegion } from '@huaweicloud/huaweicloud-sdk-functiongraph/v2/FunctionGraphRegion';
import { ListFunctionTriggersRequest } from '@huaweicloud/huaweicloud-sdk-functiongraph/v2/model/ListFunctionTriggersRequest';
import { ShowFunctionAsyncInvokeConfigRequest } from '@huaweicloud/huaweicloud-sdk-functiongraph/v2/model/ShowFunctionAsyncInvokeConfigRequest';
import { ShowFunctionConfigRequest } from '@huaweicloud/huaweicloud-sdk-functiongraph/v2/model/ShowFunctionConfigRequest';
import type * as z from 'zod';
import type { Credentials } from '../source/credentials';
import { WatchError } from '../errors';
import { AsyncConfig, type Deployment, FunctionConfig, Triggers } from './deployment';

// The SDK core logs a failed request's config, Authorization and X-Security-Token included: never.
for (const method of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'mark', 'log'] as const) {
  (Logger4jInstance as unknown as Record<string, unknown>)[method] = () => undefined;
}
Logger4jInstance.level = 'off';

/** Reading the deployment failed: the message names the API and the answer, never a credential. */
export class FunctionGraphError extends WatchError {
  override readonly name = 'FunctionGraphError';
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface FunctionGraphOptions {
  credentials: Credentials;
  endpoint: string;
  projectId: string;
  requestTimeoutMs: number;
}

export interface DeploymentReader {
  read(functionUrn: string): Promise<Deployment>;
}

/** The FunctionGraph endpoint of a region, from the SDK's own table (`functiongraph.{region}.myhuaweicloud.com` for one it does not know). */
export function functionGraphEndpoint(region: string): string {
  const table = (FunctionGraphRegion as unknown as { REGION_MAP: Record<string, { endpoints: string[] }> }).REGION_MAP;
  return (Object.hasOwn(table, region) ? table[region]?.endpoints[0] : undefined) ?? `https://functiongraph.${region}.myhuaweicloud.com`;
}

export function createFunctionGraphReader(opts: FunctionGraphOptions): DeploymentReader {
  const cred = new BasicCredentials()
    .withAk(opts.credentials.ak.reveal())
    .withSk(opts.credentials.sk.reveal())
    .withProjectId(opts.projectId);
  if (opts.credentials.securityToken) cred.withSecurityToken(opts.credentials.securityToken.reveal());
  const client = FunctionGraphClient.newBuilder()
    .withCredential(cred)
    .withEndpoint(opts.endpoint)
    .withOptions({ axiosRequestConfig: { timeout: opts.requestTimeoutMs, maxRedirects: 0 } })
    .build();
  return {
    async read(urn) {
      const config = parse('ShowFunctionConfig', FunctionConfig, await call('ShowFunctionConfig', () => client.showFunctionConfig(new ShowFunctionConfigRequest().withFunctionUrn(urn))));
      const triggers = parse('ListFunctionTriggers', Triggers, await call('ListFunctionTriggers', () => client.listFunctionTriggers(new ListFunctionTriggersRequest().withFunctionUrn(urn))));
      // A function whose async policy was never set has none: the API answers 404.
      const asyncRaw = await call('ShowFunctionAsyncInvokeConfig', () => client.showFunctionAsyncInvokeConfig(new ShowFunctionAsyncInvokeConfigRequest().withFunctionUrn(urn)), true);
      return { config, triggers, asyncConfig: asyncRaw === null ? null : parse('ShowFunctionAsyncInvokeConfig', AsyncConfig, asyncRaw) };
    },
  };
}

interface SdkError {
  httpStatusCode?: number;
  errorCode?: string;
  errorMsg?: string;
  message?: string;
}

async function call(api: string, fn: () => Promise<unknown>, notFoundIsNull = false): Promise<unknown> {
  let res: unknown;
  try {
    res = await fn();
  } catch (err) {
    const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
    if (notFoundIsNull && e.httpStatusCode === 404) return null;
    const detail = [e.errorCode, e.errorMsg ?? e.message].filter(Boolean).join(': ').slice(0, 300);
    const what = e.httpStatusCode === undefined ? `no answer (${detail || 'network error'})` : `HTTP ${e.httpStatusCode}${detail ? ` ${detail}` : ''}`;
    const hint = e.httpStatusCode === 404 && api === 'ShowFunctionConfig' ? ' (no such function: check the name, region and project)' : e.httpStatusCode === 401 || e.httpStatusCode === 403 ? ' (check CLOUD_SDK_AK/SK: the key needs FunctionGraph read access)' : '';
    throw new FunctionGraphError(`${api}: ${what}${hint}`, e.httpStatusCode, { cause: err });
  }
  return res;
}

function parse<T extends z.ZodType>(api: string, schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw new FunctionGraphError(`${api}: unexpected answer: ${where}`);
}
