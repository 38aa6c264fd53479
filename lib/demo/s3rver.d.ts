/** Minimal types for s3rver 3.7.1 (the package ships none); only what lib/demo/local-obs.ts and atomic-put.ts use. */
declare module 's3rver' {
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  namespace S3rver {
    interface Options {
      address?: string;
      port?: number;
      silent?: boolean;
      directory?: string;
      resetOnClose?: boolean;
      allowMismatchedSignatures?: boolean;
      vhostBuckets?: boolean;
      serviceEndpoint?: string;
      configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
    }
    /** The subset of a Koa context the local-obs shim touches. */
    interface Context {
      headers: Record<string, string | string[] | undefined>;
    }
    type Middleware = (ctx: Context, next: () => Promise<unknown>) => unknown;
    /** An object as a PUT hands it to the store. */
    interface StoredObject {
      bucket: string;
      key: string;
      metadata: Record<string, string>;
      content: import('node:stream').Readable | Buffer;
    }
    /** The subset of s3rver's FilesystemStore that lib/demo/atomic-put.ts replaces or calls. */
    interface FilesystemStore {
      getResourcePath(bucket: string, key: string, resource: 'object' | 'metadata.json'): string;
      putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
      putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
      getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<unknown>;
    }
  }

  class S3rver {
    constructor(options?: S3rver.Options);
    /** Koa's middleware stack; composed when run() starts listening. */
    middleware: S3rver.Middleware[];
    /** Where the objects are kept (set by the constructor). */
    store: S3rver.FilesystemStore;
    /** Set by run(). */
    httpServer?: Server;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
  }

  export = S3rver;
}
