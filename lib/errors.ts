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
    options?: { cause?: unknown; status?: number; code?: string; retryAfterMs?: number },
  ) {
    super(message, options);
    this.status = options?.status;
    this.code = options?.code;
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly status: number | undefined;
  readonly code: string | undefined;
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
