/**
 * s3rver's PUT made as OBS's is: acknowledged once the object is stored, and replacing it at once.
 *
 * s3rver 3.7.1 (`FilesystemStore.putObject`) answers a PUT as soon as the request body has been
 * read, while its file write may still be queued, and writes over the object's file in place. On a
 * busy machine an acknowledged PUT's data can then land after a later PUT of the same key (the key
 * ends up with the older body: a run's final state.json write "lost", its delivered message sent
 * again by the next run), and a GET during a PUT can read a half-written object. Here the body is
 * written to a file of its own and closed, then renamed over the object's file and its metadata (the
 * ETag among it) written, while GETs of the key wait: a GET reads the old object or the new one, whole.
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
  store.putObject = (object) => putObject(store, root, object, locks);
  store.getObject = (bucket, key, options) => locks.run(`${bucket}/${key}`, () => getObject(bucket, key, options));
}

async function putObject(store: Store, root: string, object: S3rver.StoredObject, locks: KeyLocks): Promise<{ size: number; md5: string }> {
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
    const digest = md5.digest('hex');
    // While the body comes in, GETs read the object as it was; then it is replaced, metadata and all.
    await locks.run(`${object.bucket}/${object.key}`, async () => {
      const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
      await mkdir(dirname(objectPath), { recursive: true });
      await rename(temp, objectPath);
      await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    });
    return { size, md5: digest };
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
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
