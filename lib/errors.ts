import type { Category } from './retry/classify';

/** The typed errors of the product. Messages never contain secrets: callers pass redacted text. */
export class WatchError extends Error {
  override readonly name: string = 'WatchError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad configuration: lists every problem, each naming its variable. */
export class ConfigError extends WatchError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/** Listing an instance's tasks failed (after retries). */
export class SourceError extends WatchError {
  override readonly name = 'SourceError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; status?: number | undefined; code?: string | undefined; category?: Category | undefined; retryAfterMs?: number | undefined },
  ) {
    super(message, options);
    this.status = options?.status;
    this.code = options?.code;
    this.category = options?.category;
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly status: number | undefined;
  readonly code: string | undefined;
  /** The classification's category (lib/retry/classify.ts), when the failure came from an answer or its absence. */
  readonly category: Category | undefined;
  /** The wait the server asked for (a 429's Retry-After), honoured by the retry. */
  readonly retryAfterMs: number | undefined;
}

/** Reading or writing OBS failed, or an object there is unusable. */
export class StoreError extends WatchError {
  override readonly name = 'StoreError';
  /** A throttle, server error, timeout or network failure: worth another attempt. */
  readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options);
    this.retryable = options?.retryable ?? false;
  }
}

/** A message could not be delivered to a channel. */
export class DeliveryError extends WatchError {
  override readonly name = 'DeliveryError';
}

/** A short, secret-free description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
