import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import ObsClient from 'esdk-obs-nodejs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalObs, type LocalObs } from '../lib/demo/local-obs';

// s3rver never checks the secret key, so the client can carry a recognisable one: any trace of it
// in a result, an error or the process output is a leak.
const SECRET = 'sk-MUST-NOT-LEAK-5d1f0c';
const TOKEN = 'tok-MUST-NOT-LEAK-9a2e4b';

const output: string[] = [];
const seen: unknown[] = [];
let obs: LocalObs;
let client: ObsClient;

async function newClient(options: Partial<ObsClient.Options> = {}): Promise<ObsClient> {
  const created = new ObsClient({
    access_key_id: obs.accessKey,
    secret_access_key: SECRET,
    security_token: TOKEN,
    server: obs.endpoint,
    ...options,
  });
  await new Promise((resolve) => setImmediate(resolve)); // the client initialises asynchronously
  return created;
}

/** Remembers every result so the final test can search them for the secret. */
function keep<T>(result: T): T {
  seen.push(result);
  return result;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  const capture = (chunk: unknown): boolean => (output.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void output.push(args.map(String).join(' ')));
  }
  process.stdout.write('probe'); // prove the capture works, then start clean
  console.warn('probe');
  expect(output).toEqual(['probe', 'probe']);
  output.length = 0;
  obs = await startLocalObs({ bucket: 'scw-test' });
  client = await newClient();
});

afterAll(async () => {
  client.close();
  await obs.close();
  vi.restoreAllMocks();
});

describe('startLocalObs', () => {
  it('listens on loopback with the key pair s3rver knows and creates the bucket', async () => {
    expect(obs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(obs).toMatchObject({ bucket: 'scw-test', accessKey: 'S3RVER', secretKey: 'S3RVER' });
    const head = keep(await client.headBucket({ Bucket: obs.bucket }));
    expect(head.CommonMsg.Status).toBe(200);
  });

  it('removes its temp directory on close, keeps a given one', async () => {
    const own = await startLocalObs();
    expect(own.directory.startsWith(tmpdir())).toBe(true);
    expect(existsSync(own.directory)).toBe(true);
    await own.close();
    await own.close(); // idempotent
    expect(existsSync(own.directory)).toBe(false);

    const given = mkdtempSync(join(tmpdir(), 'scw-given-'));
    try {
      const other = await startLocalObs({ directory: given });
      expect(other.directory).toBe(given);
      await other.close();
      expect(existsSync(given)).toBe(true);
    } finally {
      rmSync(given, { recursive: true, force: true });
    }
  });
});

describe('esdk-obs-nodejs against the local store', () => {
  afterEach(() => {
    expect(output).toEqual([]); // the client logs nothing by default
  });

  it('rejects a port that is taken (the demo then takes any free one), leaving no temp directory', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'scw-port-'));
    try {
      await expect(startLocalObs({ port, directory: dir })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a call made before the client finished initialising', async () => {
    const early = new ObsClient({ access_key_id: obs.accessKey, secret_access_key: SECRET, server: obs.endpoint });
    await expect(early.headBucket({ Bucket: obs.bucket })).rejects.toThrow(/reading 'signature'/);
    early.close();
  });

  it('returns exactly the bytes that were put, non-ASCII included', async () => {
    const body = JSON.stringify({ task: '连接器任务已停止', note: 'ünïcödé ✓ 🚀', n: 1 }, null, 2);
    const put = keep(await client.putObject({ Bucket: obs.bucket, Key: 'a/state.json', Body: body, ContentType: 'application/json' }));
    expect(put.CommonMsg).toMatchObject({ Status: 200, Code: '' });
    expect(put.InterfaceResult?.ETag).toMatch(/^"[0-9a-f]{32}"$/);

    const got = keep(await client.getObject({ Bucket: obs.bucket, Key: 'a/state.json' }));
    expect(got.CommonMsg.Status).toBe(200);
    expect(typeof got.InterfaceResult?.Content).toBe('string');
    expect(got.InterfaceResult?.Content).toBe(body);
    expect(got.InterfaceResult?.ContentType).toBe('application/json');
    expect(got.InterfaceResult?.ETag).toBe(put.InterfaceResult?.ETag);
  });

  it('answers a missing key with 404 NoSuchKey, without throwing', async () => {
    const got = keep(await client.getObject({ Bucket: obs.bucket, Key: 'nope/state.json' }));
    expect(got.CommonMsg).toMatchObject({ Status: 404, Code: 'NoSuchKey' });
    expect(got.InterfaceResult).toBeUndefined();
  });

  it('lists by prefix, two keys a page, continuing after the last key', async () => {
    const keys = ['h/2026/01', 'h/2026/02', 'h/2026/03', 'h/2026/04', 'h/2026/05'];
    for (const Key of [...keys, 'i/other']) {
      expect(keep(await client.putObject({ Bucket: obs.bucket, Key, Body: Key })).CommonMsg.Status).toBe(200);
    }
    const pages: string[][] = [];
    let marker: string | undefined;
    for (;;) {
      const listed = keep(await client.listObjects({ Bucket: obs.bucket, Prefix: 'h/', MaxKeys: 2, Marker: marker }));
      const result = listed.InterfaceResult;
      if (result === undefined) throw new Error(`list failed: ${listed.CommonMsg.Code}`);
      expect(result.Contents.every((c) => typeof c.Size === 'string' && c.ETag !== '')).toBe(true);
      pages.push(result.Contents.map((c) => c.Key));
      if (result.IsTruncated !== 'true') {
        expect(result.IsTruncated).toBe('false');
        break;
      }
      // s3rver (like S3) sends NextMarker only with a Delimiter: fall back to the last key.
      expect(result.NextMarker).toBe('');
      marker = result.NextMarker || result.Contents.at(-1)?.Key;
    }
    expect(pages).toEqual([keys.slice(0, 2), keys.slice(2, 4), keys.slice(4)]);
  });

  it('copies an object given CopySource "bucket/key" unencoded', async () => {
    const Key = 'q/ü 中 (1).json';
    keep(await client.putObject({ Bucket: obs.bucket, Key, Body: '{"a":"中"}' }));
    const param = { Bucket: obs.bucket, Key: 'q/copy.json', CopySource: `${obs.bucket}/${Key}` };
    const copied = keep(await client.copyObject(param));
    expect(copied.CommonMsg).toMatchObject({ Status: 200, Code: '' });
    // The client encoded the whole source, slashes included, in the caller's object.
    expect(param.CopySource).toBe('scw-test%2Fq%2F%C3%BC%20%E4%B8%AD%20%281%29.json');
    const got = keep(await client.getObject({ Bucket: obs.bucket, Key: 'q/copy.json' }));
    expect(got.InterfaceResult?.Content).toBe('{"a":"中"}');

    const missing = keep(await client.copyObject({ Bucket: obs.bucket, Key: 'q/x', CopySource: `${obs.bucket}/q/none` }));
    expect(missing.CommonMsg).toMatchObject({ Status: 404, Code: 'NoSuchKey' });
  });

  it('answers a missing bucket with 404 NoSuchBucket (HEAD: 404 without a code)', async () => {
    const Bucket = 'no-such-bucket';
    const results = [
      keep(await client.getObject({ Bucket, Key: 'k' })),
      keep(await client.putObject({ Bucket, Key: 'k', Body: 'x' })),
      keep(await client.listObjects({ Bucket })),
    ];
    for (const r of results) expect(r.CommonMsg).toMatchObject({ Status: 404, Code: 'NoSuchBucket' });
    expect(keep(await client.headBucket({ Bucket })).CommonMsg).toMatchObject({ Status: 404, Code: '' });
  });

  it('deletes, and deleting a missing key is still 204', async () => {
    keep(await client.putObject({ Bucket: obs.bucket, Key: 'd/1', Body: 'x' }));
    expect(keep(await client.deleteObject({ Bucket: obs.bucket, Key: 'd/1' })).CommonMsg.Status).toBe(204);
    expect(keep(await client.deleteObject({ Bucket: obs.bucket, Key: 'd/1' })).CommonMsg.Status).toBe(204);
    expect(keep(await client.getObject({ Bucket: obs.bucket, Key: 'd/1' })).CommonMsg.Code).toBe('NoSuchKey');
  });

  it('rejects an unknown access key with 403 InvalidAccessKeyId but never checks the secret', async () => {
    const stranger = await newClient({ access_key_id: 'AK-UNKNOWN' });
    const denied = keep(await stranger.getObject({ Bucket: obs.bucket, Key: 'a/state.json' }));
    expect(denied.CommonMsg).toMatchObject({ Status: 403, Code: 'InvalidAccessKeyId' });
    stranger.close();
    // `client` signs with SECRET, not with s3rver's secret 'S3RVER', and every call above succeeded.
    expect(SECRET).not.toBe(obs.secretKey);
  });

  it('rejects with an Error when nothing listens, without the secret in it', async () => {
    const dead = await newClient({ server: `http://127.0.0.1:${await freePort()}`, max_retry_count: 0, timeout: 2 });
    const error: unknown = await dead.getObject({ Bucket: obs.bucket, Key: 'k' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    dead.close();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    seen.push(error);
  });

  it('puts neither the secret key nor the token in any result, error or output', () => {
    const text = seen.map((s) => `${JSON.stringify(s)}\n${inspect(s, { depth: 10, showHidden: true })}`).join('\n');
    expect(seen.length).toBeGreaterThan(20);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN);
    expect(output.join('')).toBe('');
  });
});
