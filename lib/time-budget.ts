/**
 * Everything the run derives from its time budget, in whole milliseconds. FunctionGraph's
 * `getRemainingTimeInMilliSeconds()` is any whole number (59873, 90003), and Node's timer APIs
 * (`AbortSignal.timeout`, axios' `timeout`) reject or misbehave on fractions: every value here is
 * an integer, whatever the budget.
 */
export interface TimeBudget {
  /** The budget itself, whole ms (at least 1). */
  budgetMs: number;
  /** Kept at the end for a delivery already started and the final state writes: an eighth, 5 to 15 s. */
  marginMs: number;
  /** From the run's start: nothing new starts after this. */
  deadlineOffsetMs: number;
  /** From the run's start: the listing stops here, leaving time to send what it found. */
  listingDeadlineOffsetMs: number;
  /** From the run's start: OBS retries stop here (the final writes run in the margin). */
  storeDeadlineOffsetMs: number;
  /** One DMS request: a third of the budget, 1 to 10 s. */
  dmsRequestTimeoutMs: number;
  /** One OBS request, in whole seconds (the OBS client's unit): a quarter of the budget, 2 to 30 s. */
  obsTimeoutSeconds: number;
  /** One webhook request: the margin less 4 s, 1 to 10 s. */
  webhookTimeoutMs: number;
}

const clamp = (min: number, value: number, max: number) => Math.min(max, Math.max(min, value));

/** The margin kept at the end of a budget: an eighth of it, 5 to 15 s, whole ms. */
export function deadlineMarginMs(budgetMs: number): number {
  return clamp(5_000, Math.floor(budgetMs / 8), 15_000);
}

export function timeBudget(remainingMs: number): TimeBudget {
  const budgetMs = Math.max(1, Math.floor(remainingMs));
  const marginMs = deadlineMarginMs(budgetMs);
  const deadlineOffsetMs = Math.max(1_000, budgetMs - marginMs);
  return {
    budgetMs,
    marginMs,
    deadlineOffsetMs,
    listingDeadlineOffsetMs: deadlineOffsetMs - Math.min(10_000, Math.floor(deadlineOffsetMs / 4)),
    storeDeadlineOffsetMs: Math.max(2_000, budgetMs - 1_000),
    dmsRequestTimeoutMs: clamp(1_000, Math.floor(budgetMs / 3), 10_000),
    obsTimeoutSeconds: clamp(2, Math.round(budgetMs / 4_000), 30),
    webhookTimeoutMs: clamp(1_000, marginMs - 4_000, 10_000),
  };
}
