/** Minimal types for s3rver 3.7.1 (the package ships none); only what lib/demo/local-obs.ts uses. */
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
  }

  class S3rver {
    constructor(options?: S3rver.Options);
    /** Koa's middleware stack; composed when run() starts listening. */
    middleware: S3rver.Middleware[];
    /** Set by run(). */
    httpServer?: Server;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
  }

  export = S3rver;
}
