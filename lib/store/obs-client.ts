import { Agent as HttpAgent } from 'node:http';
import { classifyNoAnswer, classifyStatus } from '../retry/classify';
import { OBS_TIMEOUT_SECONDS } from '../retry/policies';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import ObsClient from 'esdk-obs-nodejs';
import { StoreError, describeError } from '../errors';
import { type RetryDeps, type RetryPolicy, withRetry } from '../retry';
import type { Credentials } from '../source/credentials';
import type { ObsOperation } from './obs-operations';

export interface ObsClientOptions {
  bucket: string;
  prefix: string;
  endpoint: string;
  credentials: Credentials;
  /** Per request (default 30 s): a request with no answer for this long fails as timed out. */
  timeoutSeconds?: number;
  /** Retries of throttling, 5xx, timeouts and network failures. */
  retry: RetryPolicy;
  /** Clock, sleep and the deadline for the retries. */
  retryDeps: RetryDeps;
}

/** One page of a listing: full keys, and the marker of the next page (undefined on the last). */
export interface ListPage {
  keys: string[];
  next: string | undefined;
}

/**
 * The raw OBS requests of the store, keys relative to the prefix, each with retries; its errors name
 * the operation, bucket and key, never credentials. The only file that imports esdk-obs-nodejs.
 */
export interface ObsObjects {
  readonly bucket: string;
  readonly prefix: string;
  /** The object's text and ETag; undefined when it does not exist. */
  getText(key: string): Promise<{ text: string; etag: string | undefined } | undefined>;
  /** The object's body as it streams in, handed to `read` (afresh for each attempt) with its length when known; undefined when it does not exist. */
  getStream<T>(key: string, read: (body: Readable, length: number) => Promise<T>): Promise<T | undefined>;
  /** HEAD: the ETag ('' when the server gives none); undefined when the object does not exist. */
  head(key: string): Promise<string | undefined>;
  /** PUT of `length` bytes, streamed from `chunks()` (called afresh for each attempt); returns the ETag. */
  put(key: string, body: { length: number; chunks: () => Iterable<Buffer> }): Promise<string | undefined>;
  /** One page of keys under `{prefix}{sub}` after the full key `marker`. */
  listPage(sub: string, marker: string | undefined): Promise<ListPage>;
  /** Server-side copy of `from` to `to`: the exact bytes. */
  copy(from: string, to: string): Promise<void>;
  /** DELETE; a missing object is no error. */
  delete(key: string): Promise<void>;
  /** Destroys the client's sockets, a request still waiting included. */
  close(): void;
}

/** OBS answers are classified like every other (lib/retry/classify.ts); no answer at all is retried. */
export function obsRetryable(failure: { thrown: unknown } | { status: number }): boolean {
  return ('thrown' in failure ? classifyNoAnswer(failure.thrown) : classifyStatus(failure.status)).status === 'retryable';
}

export async function openObsClient(opts: ObsClientOptions): Promise<ObsObjects> {
  const local = /^https?:\/\/(localhost|\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\])(:\d+)?/i.test(opts.endpoint);
  // Agents of its own, so that close() can destroy every socket (the client's timeout rejects its
  // promise but leaves the request open).
  const agents = [new HttpAgent({ keepAlive: true }), new HttpsAgent({ keepAlive: true })] as const;
  const timeoutSeconds = opts.timeoutSeconds ?? OBS_TIMEOUT_SECONDS;
  const client: Pick<ObsClient, ObsOperation> = new ObsClient({
    access_key_id: opts.credentials.ak.reveal(),
    secret_access_key: opts.credentials.sk.reveal(),
    ...(opts.credentials.securityToken ? { security_token: opts.credentials.securityToken.reveal() } : {}),
    server: opts.endpoint,
    path_style: local,
    // Huawei Cloud OBS speaks the OBS protocol: no request per run to ask which one (path style,
    // for local OBS-compatible servers, always uses the S3 v2 signature and never asks).
    signature: 'obs',
    is_signature_negotiation: false,
    timeout: timeoutSeconds,
    // Retries are ours (below): bounded by the run's deadline and applied to 5xx answers too.
    max_retry_count: 0,
    http_agent: agents[0],
    https_agent: agents[1],
  });
  // The client initialises asynchronously: a call in the same tick fails.
  await new Promise((resolve) => setImmediate(resolve));
  const { bucket, prefix } = opts;
  const server = safeOrigin(opts.endpoint);
  const checkKeys = opts.credentials.source === 'agency' ? "check the agency's OBS permissions" : 'check CLOUD_SDK_AK/CLOUD_SDK_SK and their OBS permissions';

  /** One OBS request with retries; the error gives the number of attempts only when a retry was made. */
  async function call<T>(what: string, key: string, fn: () => Promise<ObsClient.Result<T>>, allow404 = false) {
    const failed = `OBS ${what} obs://${bucket}/${prefix}${key} failed`;
    let attempts = 0;
    try {
      return await withRetry(opts.retry, opts.retryDeps, async () => {
        attempts++;
        let result: ObsClient.Result<T>;
        try {
          result = await fn();
        } catch (err) {
          const timedOut = (err as { code?: unknown } | null)?.code === 'ETIMEDOUT';
          const why = timedOut ? `timed out waiting for OBS at ${server} (no answer in ${timeoutSeconds} s)` : describeError(err);
          throw new StoreError(`${failed}: ${why}`, { cause: err, retryable: obsRetryable({ thrown: err }) });
        }
        const { Status, Code, Message } = result.CommonMsg;
        if (Status === 404 && allow404 && Code !== 'NoSuchBucket') return undefined;
        if (Status >= 300 || !result.InterfaceResult) {
          const code = Code || `HTTP ${Status}`;
          const hint = Code === 'NoSuchBucket' ? ` (bucket ${bucket} does not exist)` : Status === 403 ? ` (access denied: ${checkKeys})` : '';
          throw new StoreError(`${failed}: ${code}${Message ? ` ${Message}` : ''}${hint}`, { retryable: obsRetryable({ status: Status }) });
        }
        return result.InterfaceResult;
      }, (err) => ({ retryable: err instanceof StoreError && err.retryable }));
    } catch (err) {
      if (attempts < 2 || !(err instanceof StoreError)) throw err;
      throw new StoreError(`${err.message} (after ${attempts} attempts)`, { cause: err.cause, retryable: err.retryable });
    }
  }

  return {
    bucket,
    prefix,
    async getText(key) {
      const out = await call('GET', key, () => client.getObject({ Bucket: bucket, Key: prefix + key }), true);
      return out && { text: out.Content, etag: out.ETag || undefined };
    },
    getStream: (key, read) =>
      call('GET', key, async () => {
        const { CommonMsg, InterfaceResult } = await client.getObject({ Bucket: bucket, Key: prefix + key, SaveAsStream: true });
        const body = InterfaceResult?.Content;
        if (!body) return { CommonMsg };
        return { CommonMsg, InterfaceResult: await read(body, Number(InterfaceResult.ContentLength ?? Number.POSITIVE_INFINITY)) };
      }, true),
    async head(key) {
      const out = await call('HEAD', key, () => client.getObjectMetadata({ Bucket: bucket, Key: prefix + key }), true);
      return out && (out.ETag || '');
    },
    async put(key, body) {
      // A fresh stream per attempt; Content-Length given, so the body is streamed, not buffered.
      const out = await call('PUT', key, () =>
        client.putObject({ Bucket: bucket, Key: prefix + key, Body: Readable.from(body.chunks()), ContentLength: String(body.length), ContentType: 'application/json' }),
      );
      return out?.ETag;
    },
    async listPage(sub, marker) {
      const out = await call('LIST', sub, () => client.listObjects({ Bucket: bucket, Prefix: prefix + sub, MaxKeys: 1000, ...(marker ? { Marker: marker } : {}) }));
      // NextMarker may be empty while truncated (no delimiter): continue after the last key.
      return { keys: (out?.Contents ?? []).map((c) => c.Key), next: out?.IsTruncated === 'true' ? out.NextMarker || out.Contents.at(-1)?.Key : undefined };
    },
    async copy(from, to) {
      await call('COPY', to, () => client.copyObject({ Bucket: bucket, Key: prefix + to, CopySource: `${bucket}/${prefix}${from}` }));
    },
    async delete(key) {
      await call('DELETE', key, () => client.deleteObject({ Bucket: bucket, Key: prefix + key }), true);
    },
    close() {
      for (const agent of agents) agent.destroy();
    },
  };
}

/** An endpoint as it may be shown: scheme, host and port (no user info, path or query). */
function safeOrigin(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return 'the configured endpoint';
  }
}
