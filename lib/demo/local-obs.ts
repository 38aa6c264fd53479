/**
 * A local OBS-compatible object store for tests and the demo: s3rver on loopback.
 *
 * Facts this relies on (checked against esdk-obs-nodejs 3.26.8 and s3rver 3.7.1):
 * - With an IP endpoint the OBS client goes path-style and signs with the S3 v2 scheme
 *   (`Authorization: AWS <ak>:<sig>`). s3rver's v2 check never matches the client's signature,
 *   so `allowMismatchedSignatures` is needed; the access key must still be one s3rver knows.
 *   s3rver registers `S3RVER`/`S3RVER` by itself; any other access key gets 403
 *   `InvalidAccessKeyId`, and the secret key is never checked.
 * - The client URL-encodes the whole `CopySource` (`b/k` is sent as `b%2Fk`); real OBS accepts
 *   that, s3rver only `decodeURI`s it and answers 404 `NoSuchBucket`. A small middleware below
 *   normalises the header so copyObject behaves as on OBS.
 * - s3rver answers a PUT before the object's file is written, in place: `./atomic-put` makes a PUT
 *   acknowledged only once stored, replacing the object at once, as OBS does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { makePutsAtomic } from './atomic-put';

export type LocalObs = {
  /** `http://127.0.0.1:PORT`, pass it as the ObsClient `server`. */
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  /** Where s3rver keeps the objects. */
  directory: string;
  close(): Promise<void>;
};

export type LocalObsOptions = {
  bucket?: string;
  /** Store objects here (kept on close); default a fresh temp directory (removed on close). */
  directory?: string;
  /** Listen on this port (default: any free one); fails when it is taken. */
  port?: number;
};

/** The only key pair s3rver 3.7.1 knows out of the box. */
export const LOCAL_OBS_ACCESS_KEY = 'S3RVER';
export const LOCAL_OBS_SECRET_KEY = 'S3RVER';
const DEFAULT_BUCKET = 'smart-connect-watch-local';
const COPY_SOURCE = 'x-amz-copy-source';

/** Turns the OBS client's fully encoded copy source into the form s3rver can split. */
function normaliseCopySource(ctx: S3rver.Context, next: () => Promise<unknown>): unknown {
  const value = ctx.headers[COPY_SOURCE];
  if (typeof value === 'string') {
    try {
      ctx.headers[COPY_SOURCE] = encodeURI(decodeURIComponent(value));
    } catch {
      // Malformed escapes: leave the header as sent and let s3rver report the error.
    }
  }
  return next();
}

/** Resolves when `port` can be listened on at 127.0.0.1, rejects (EADDRINUSE) when it is taken. */
function portFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

export async function startLocalObs(opts: LocalObsOptions = {}): Promise<LocalObs> {
  const bucket = opts.bucket ?? DEFAULT_BUCKET;
  // s3rver reports a taken port as an unhandled 'error' event, never as a rejection: ask first.
  if (opts.port) await portFree(opts.port);
  const ownsDirectory = opts.directory === undefined;
  const directory = opts.directory ?? (await mkdtemp(join(tmpdir(), 'scw-obs-')));
  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port ?? 0,
    silent: true,
    directory,
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: bucket }],
  });
  // Koa composes its middleware when run() starts listening, so this runs before the routes.
  server.middleware.unshift(normaliseCopySource);
  // s3rver acknowledges a PUT before its data is written: on a busy machine a later PUT could be undone.
  makePutsAtomic(server.store, directory);

  let address;
  try {
    address = await server.run();
  } catch (err) {
    if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    throw err;
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
      if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    })();
    return closed;
  };

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    accessKey: LOCAL_OBS_ACCESS_KEY,
    secretKey: LOCAL_OBS_SECRET_KEY,
    directory,
    close,
  };
}
