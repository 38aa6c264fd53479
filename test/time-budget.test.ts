import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deadlineMarginMs, timeBudget } from '../lib/time-budget';

const HOUR = 3_600_000;

describe('timeBudget: what the run derives from FunctionGraph\'s remaining time', () => {
  it.each([
    // budget, margin, deadline, webhook timeout
    [3_000, 5_000, 1_000, 1_000],
    [45_001, 5_625, 39_376, 1_625],
    [59_873, 7_484, 52_389, 3_484],
    [60_001, 7_500, 52_501, 3_500],
    [90_003, 11_250, 78_753, 7_250],
    [120_000, 15_000, 105_000, 10_000],
    [300_007, 15_000, 285_007, 10_000],
  ])('%i ms: margin %i, deadline %i, webhook timeout %i', (budget, margin, deadline, webhook) => {
    const b = timeBudget(budget);
    expect([b.marginMs, b.deadlineOffsetMs, b.webhookTimeoutMs]).toEqual([margin, deadline, webhook]);
  });

  it('every derived value is a whole number of ms that Node\'s timer APIs accept, for any budget from 3 s to 72 h', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 3_000, max: 72 * HOUR }), fc.double({ min: 3_000, max: 72 * HOUR, noNaN: true })), (remaining) => {
        const b = timeBudget(remaining);
        for (const [name, value] of Object.entries(b)) {
          if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} = ${value} for a budget of ${remaining}`);
        }
        // The oracle: the Node APIs the values reach (a fraction throws a RangeError here).
        AbortSignal.timeout(b.webhookTimeoutMs);
        AbortSignal.timeout(b.dmsRequestTimeoutMs);
        expect(b.listingDeadlineOffsetMs).toBeLessThanOrEqual(b.deadlineOffsetMs);
        expect(b.deadlineOffsetMs).toBeLessThanOrEqual(Math.max(b.storeDeadlineOffsetMs, b.budgetMs));
        expect(b.webhookTimeoutMs).toBeLessThanOrEqual(b.marginMs);
        expect(b.marginMs).toBe(deadlineMarginMs(b.budgetMs));
      }),
      { numRuns: 2_000 },
    );
  });
});
