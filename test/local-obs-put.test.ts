import { WriteStream } from 'node:fs';
import { join } from 'node:path';
import ObsClient from 'esdk-obs-nodejs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalObs, startLocalObs } from '../lib/demo/local-obs';

/**
 * The local OBS must answer PUTs as OBS does (lib/demo/atomic-put.ts): once stored, replacing the
 * object at once. s3rver alone answered before its write to the object's file, so on a busy machine
 * a run's last state.json write could be undone by its first one, landing late, and the next run sent
 * the message again (time-budget.integration.test.ts once saw `delivered: 2`). The disk is made slow
 * here with a gate on the object's own file (s3rver's layout: `{bucket}/{key}._S3rver_object`), not
 * with load: each case fails without atomic-put.ts, every time.
 */
const KEY = 'state.json';
const OLD = JSON.stringify({ outbox: ['msg_earlier'] });
const LONG = JSON.stringify({ outbox: ['msg_of_this_run'.repeat(40)] });
const SHORT = JSON.stringify({ outbox: [] });

let obs: LocalObs;
let client: ObsClient;

beforeAll(async () => {
  obs = await startLocalObs({ bucket: 'scw-put' });
  client = new ObsClient({ access_key_id: obs.accessKey, secret_access_key: obs.secretKey, server: obs.endpoint });
  await new Promise((resolve) => setImmediate(resolve)); // the client initialises asynchronously
});
afterAll(async () => {
  client?.close();
  await obs?.close();
});

type WriteFn = (this: WriteStream, chunk: unknown, encoding: BufferEncoding, done: (err?: Error | null) => void) => void;

/**
 * A disk slow on one file: the first write to `file` is held; with `untilNextWrite`, it lands right
 * after the next write to the file (a late write), else when `release()` is called. `started`
 * resolves at the first write to any file of the store, `landed()` once the held write is on disk
 * (at once when none was held).
 */
function slowDisk(file: string, opts: { untilNextWrite: boolean }) {
  const proto = WriteStream.prototype as unknown as { _write: WriteFn };
  const write = proto._write;
  let held: (() => void) | undefined;
  let heldOnce = false;
  let landed: Promise<void> = Promise.resolve();
  let onStart!: () => void;
  const started = new Promise<void>((resolve) => (onStart = resolve));
  proto._write = function (this: WriteStream, chunk, encoding, done) {
    const path = String(this.path);
    if (path.startsWith(obs.directory)) onStart();
    if (path !== file) return write.call(this, chunk, encoding, done);
    if (!heldOnce) {
      heldOnce = true;
      landed = new Promise<void>((resolve) => {
        held = () => write.call(this, chunk, encoding, (err) => (done(err), resolve()));
      });
      return;
    }
    const late = opts.untilNextWrite ? held : undefined;
    if (late) held = undefined;
    write.call(this, chunk, encoding, (err) => (late?.(), done(err)));
  };
  return {
    started,
    landed: () => landed,
    release(): void {
      held?.();
      held = undefined;
    },
    restore: () => void (proto._write = write),
  };
}

const objectFile = (bucket: string, key: string) => join(obs.directory, bucket, `${key}._S3rver_object`);
const put = (key: string, body: string) => client.putObject({ Bucket: obs.bucket, Key: key, Body: body });
const get = async (key: string) => (await client.getObject({ Bucket: obs.bucket, Key: key })).InterfaceResult?.Content;

it('a PUT answered after another is what a GET reads, even when the first one\'s write lands late', async () => {
  const disk = slowDisk(objectFile(obs.bucket, KEY), { untilNextWrite: true });
  try {
    expect((await put(KEY, LONG)).CommonMsg.Status).toBe(200);
    expect((await put(KEY, SHORT)).CommonMsg.Status).toBe(200);
    await disk.landed();
    expect(await get(KEY)).toBe(SHORT);
  } finally {
    disk.release();
    disk.restore();
  }
});

it('a GET during a PUT reads the old object or the new one, whole', async () => {
  expect((await put(KEY, OLD)).CommonMsg.Status).toBe(200);
  const disk = slowDisk(objectFile(obs.bucket, KEY), { untilNextWrite: false });
  const putting = put(KEY, LONG);
  try {
    await disk.started;
    // Without atomic-put.ts the PUT's write to the object's file is held until the GET is answered.
    expect([OLD, LONG]).toContain(await get(KEY));
  } finally {
    disk.release();
    disk.restore();
    await putting;
  }
  expect(await get(KEY)).toBe(LONG);
});
