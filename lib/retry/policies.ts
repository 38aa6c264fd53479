import type { RetryPolicy } from '../retry';

/**
 * Every retry policy of the product, in one place. The per-request timeouts of a run are derived
 * from its time budget (lib/time-budget.ts); the fixed ones are here.
 */

/** ListConnectorTasks and ListInstances, per page. */
export const DMS_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };
/** Every OBS request of a run (and a store built without a policy). */
export const OBS_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };
/** One message to one channel, within the run. */
export const DELIVERY_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 };

/** One OBS request of a store built without a time budget, in seconds (the OBS client's unit). */
export const OBS_TIMEOUT_SECONDS = 30;

/**
 * The audit commands: someone is waiting at a terminal. A request with no answer for 15 s fails, and is
 * tried twice, so that a command whose OBS requests hang gives up within 45 s (DESIGN.md §7), saying it timed out.
 */
export const INTERACTIVE_OBS = { timeoutSeconds: 15, retry: { attempts: 2, baseDelayMs: 200, maxDelayMs: 2_000 } } as const;
/** `doctor`: each of its three FunctionGraph requests waits this long for an answer (with the state.json read, within the CLI's 45 s). */
export const DOCTOR_REQUEST_TIMEOUT_MS = 10_000;

/** A heartbeat (DESIGN.md §12): at most this long, both attempts together (whole ms). */
export const HEARTBEAT_TIMEOUT_MS = 5_000;
