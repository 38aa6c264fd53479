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
