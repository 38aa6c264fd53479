import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type TaskRecord, fixtureTasks, shrinkingBudget, startHarness } from './support/harness';

const PROD = 'inst-prod-0001';

/**
 * FunctionGraph hands the handler any whole number of ms, shrinking as the run goes on. A budget
 * such as 60001 ms once made every webhook delivery fail (`AbortSignal.timeout` of a fraction).
 */
describe('deliveries at odd, shrinking time budgets, through the built handler', () => {
  let h: Harness;
  let prod: TaskRecord[];

  beforeAll(async () => {
    h = await startHarness();
    prod = fixtureTasks();
    h.dms.setInstance(PROD, prod);
    h.dms.setInstance('inst-bulk-0002', []);
    const { error } = await h.invoke();
    expect(error).toBeUndefined();
  });
  afterAll(async () => h?.close());

  // The same task toggles every run: flapping (DESIGN.md §10) is turned off, so each change is sent.
  it.each([45_001, 59_873, 60_001, 60_004, 90_003, 300_007])('a change is delivered with %i ms remaining', async (budgetMs) => {
    const task = prod[0]!;
    task.status = task.status === 'RUNNING' ? 'FAILED' : 'RUNNING';
    h.dms.setInstance(PROD, prod);
    const before = h.hook.received.length;
    const { report, error, logs } = await h.invoke({ FLAP_THRESHOLD: '0' }, { getRemainingTimeInMilliSeconds: shrinkingBudget(budgetMs) });
    expect(error).toBeUndefined();
    expect(report).toMatchObject({ changes: 1, messages: { delivered: 1, pending: 0 } });
    expect(report!.errors).toEqual([]);
    expect(h.hook.received.length).toBe(before + 1);
    expect(JSON.stringify(logs)).not.toContain('RangeError');
  });

  it('RUN_TIMEOUT outside FunctionGraph may be a fraction of a second', async () => {
    prod[0]!.status = prod[0]!.status === 'RUNNING' ? 'FAILED' : 'RUNNING';
    h.dms.setInstance(PROD, prod);
    const before = h.hook.received.length;
    const { report, error } = await h.invoke({ RUN_TIMEOUT: '60.1s', FLAP_THRESHOLD: '0' }, { getRemainingTimeInMilliSeconds: () => undefined });
    expect(error).toBeUndefined();
    expect(report).toMatchObject({ changes: 1, messages: { delivered: 1, pending: 0 } });
    expect(report!.errors).toEqual([]);
    expect(h.hook.received.length).toBe(before + 1);
  });
});
