/**
 * s3rver's PUT made as OBS's is: acknowledged once the object is stored, and replacing it at once.
 *
 * s3rver 3.7.1 (`FilesystemStore.putObject`) answers a PUT as soon as the request body has been
 * read, while its file write may still be queued, and writes over the object's file in place. On a
 * busy machine an acknowledged PUT's data can then land after a later PUT of the same key (the key
 * ends up with the older body: a run's final state.json write "lost", its delivered message sent
 * again by the next run), and a GET during a PUT can read a half-written object. Here the body is
 * written to a file of its own, closed, then renamed over the object's file; a GET of a key waits
 * for a PUT of it under way (the metadata, the ETag among it, is written after the rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type S3rver from 's3rver';

type Store = S3rver.FilesystemStore;

/** Replaces `store.putObject` and wraps `store.getObject` (GET and HEAD); temporary files go in `root`, outside every bucket. */
export function makePutsAtomic(store: Store, root: string): void {
  const locks = new KeyLocks();
  const getObject = store.getObject.bind(store);
  store.putObject = (object) => locks.run(`${object.bucket}/${object.key}`, () => putObject(store, root, object));
  store.getObject = (bucket, key, options) => locks.run(`${bucket}/${key}`, () => getObject(bucket, key, options));
}

async function putObject(store: Store, root: string, object: S3rver.StoredObject): Promise<{ size: number; md5: string }> {
  const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
  await mkdir(dirname(objectPath), { recursive: true });
  // In the root directory, not a bucket's: never listed as an object (nor as a bucket: it is a file).
  const temp = join(root, `.put-${randomBytes(8).toString('hex')}.part`);
  const md5 = createHash('md5');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      md5.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const content = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
  try {
    await pipeline(content, measure, createWriteStream(temp));
    await rename(temp, objectPath);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const digest = md5.digest('hex');
  await store.putMetadata(object.bucket, object.key, object.metadata, digest);
  return { size, md5: digest };
}

/** One operation at a time per key, in the order they came. */
class KeyLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, op: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(op, op);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
