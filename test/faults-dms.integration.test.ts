import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DmsFault } from '../lib/demo/dms-emulator';
import { createDmsSource } from '../lib/source/dms-source';
import { SourceError } from '../lib/errors';
import type { RetryDeps } from '../lib/retry';
import { Secret } from '../lib/secret';
import { State } from '../lib/store/state';
import { fakeClock } from './support/fake-clock';
import { type Harness, type Invocation, fixtureTasks, generatedTasks, leakedSecrets, startHarness } from './support/harness';

// Fault injection, part 1 (issue #4 items 1–3): the DMS API throttling, failing, hanging and paging
// badly. The real SDK client talks to the emulator over loopback; where time matters the retry
// clock is fake (its sleep only records the wait), so no test waits for a backoff.

const PROD = 'inst-prod-0001';
const BULK = 'inst-bulk-0002';
const T0 = Date.parse('2026-11-21T07:15:00.000Z');
const POLICY = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };

/** Each backoff is ¾ of base·2^(n-1) (random 0.5): 150, 300, …; the deadline 60 s away unless given. */
const clockAt = (deadlineInMs = 60_000) => fakeClock({ deadlineInMs, random: 0.5, start: T0 });

/** The real SDK client, through the port the run uses, against the harness's emulator. */
function listWith(h: Harness, time: RetryDeps, instance: string) {
  return createDmsSource({
    credentials: { ak: new Secret('S3RVER'), sk: new Secret(h.secrets.sk), securityToken: new Secret(h.secrets.token), source: 'environment' },
    endpoint: h.dms.url,
    requestTimeoutMs: 10_000,
    retry: POLICY,
    retryDeps: time,
  }).listTasks({ instance_id: instance, name: null, region: 'cn-north-4', project_id: h.projectId });
}

describe('1. DMS calls: retries, Retry-After, permanent errors, the deadline (fake clock)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  const list = (time: RetryDeps, instance = PROD) => listWith(h, time, instance);

  it.each<{ name: string; fault: DmsFault | null; unknown?: boolean; deadline?: number; requests: number; slept: number[]; error?: RegExp }>([
    { name: '429 with Retry-After: 7 waits 7 s, then lists', fault: { kind: 'status', status: 429, headers: { 'Retry-After': '7' }, body: { error_code: 'APIG.0308', error_msg: 'throttled' }, times: 1 }, requests: 2, slept: [7_000] },
    { name: '429 with an HTTP-date Retry-After waits until that date', fault: { kind: 'status', status: 429, headers: { 'Retry-After': new Date(T0 + 4_000).toUTCString() }, times: 1 }, requests: 2, slept: [4_000] },
    { name: '429 without Retry-After backs off exponentially', fault: { kind: 'status', status: 429, times: 2 }, requests: 3, slept: [150, 300] },
    { name: '503 twice, then the page: exponential backoff with jitter', fault: { kind: 'status', status: 503, times: 2 }, requests: 3, slept: [150, 300] },
    { name: '408 is a timeout: retried, as OBS and webhooks retry it (issue #17)', fault: { kind: 'status', status: 408, times: 1 }, requests: 2, slept: [150] },
    { name: 'a dropped connection (network error) is retried', fault: { kind: 'reset', times: 1 }, requests: 2, slept: [150] },
    { name: 'a 200 that is not JSON is retried', fault: { kind: 'not-json', times: 1 }, requests: 2, slept: [150] },
    { name: 'a 500 that persists: 3 attempts, then the listing fails', fault: { kind: 'status', status: 500 }, requests: 3, slept: [150, 300], error: /^HTTP 500 DMS\.00500000/ },
    { name: '403 is permanent: one request, no wait', fault: { kind: 'status', status: 403, body: { error_code: 'DMS.00403000', error_msg: 'forbidden' } }, requests: 1, slept: [], error: /^HTTP 403 DMS\.00403000/ },
    { name: '404 (no such instance) is permanent: one request, no wait', fault: null, unknown: true, requests: 1, slept: [], error: /^HTTP 404 DMS\.00404022/ },
    { name: 'a Retry-After past the deadline is not waited for', fault: { kind: 'status', status: 429, headers: { 'Retry-After': '600' } }, deadline: 30_000, requests: 1, slept: [], error: /^HTTP 429/ },
  ])('$name', async ({ fault, unknown, deadline, requests, slept, error }) => {
    const instance = unknown ? 'inst-unknown-0404' : PROD;
    h.dms.setInstance(PROD, fixtureTasks());
    h.dms.setFault(PROD, fault);
    h.dms.reset();
    const clock = clockAt(deadline);
    const listing = list(clock.deps, instance);
    if (error) await expect(listing).rejects.toThrow(error);
    else await expect(listing).resolves.toMatchObject({ tasks: expect.arrayContaining([expect.objectContaining({ id: fixtureTasks()[0]!.id })]), complete: true });
    expect(h.dms.requests).toHaveLength(requests);
    expect(clock.sleeps).toEqual(slept);
    h.dms.setFault(PROD, null);
  });

  it('a request that never answers is abandoned at the deadline, not after the request timeout', async () => {
    h.dms.setInstance(PROD, fixtureTasks());
    h.dms.setFault(PROD, { kind: 'hang' });
    const clock = clockAt(300); // the fake clock stands still: 300 ms of real time remain
    const err = await list(clock.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toMatch(/no answer before the run's deadline/);
    expect((err as SourceError).retryable).toBe(false);
    h.dms.setFault(PROD, null);
  });
});

describe('3. paging anomalies: terminated, de-duplicated, flagged, bounded', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  const list = () => listWith(h, clockAt().deps, BULK);

  const tasks = generatedTasks(120);
  it.each<{ name: string; serve: () => void; requests: number; distinct: number; complete: boolean; anomalies: RegExp[] }>([
    {
      name: 'duplicate ids across pages are kept once and flagged',
      serve: () => h.dms.setInstance(BULK, [...tasks.slice(0, 50), tasks[49]!, ...tasks.slice(50, 119)]),
      requests: 3, distinct: 119, complete: false, anomalies: [/^1 task\(s\) listed more than once \(kept once\)$/, /^listing ended with 119 of 120 tasks$/],
    },
    {
      name: 'a page that runs dry before total_number ends the listing, flagged incomplete',
      serve: () => h.dms.setInstance(BULK, tasks.slice(0, 60), { total_number: 500 }),
      requests: 3, distinct: 60, complete: false, anomalies: [/^listing ended with 60 of 500 tasks$/],
    },
    {
      name: 'a total that grows during the listing is flagged; the listing still ends',
      serve: () => { h.dms.setInstance(BULK, tasks); h.dms.setFault(BULK, { kind: 'moving-total', by: 1 }); },
      requests: 3, distinct: 120, complete: false,
      anomalies: [/^total_number changed from 121 to 122 during listing$/, /^total_number changed from 122 to 123 during listing$/, /^listing ended with 120 of 123 tasks$/],
    },
    {
      name: 'a pager that ignores offset stops at the first page holding nothing new (no unbounded loop)',
      serve: () => { h.dms.setInstance(BULK, tasks); h.dms.setFault(BULK, { kind: 'ignore-offset' }); },
      requests: 2, distinct: 50, complete: false,
      anomalies: [/^the page at offset 50 held only tasks already seen: listing stopped$/, /^50 task\(s\) listed more than once/, /^listing ended with 50 of 120 tasks$/],
    },
    // Issue #15 item 4: a page of 50 with total_number 13 stopped the listing and invented removals.
    {
      name: 'a full page above total_number: paging goes on while pages are full, flagged incomplete',
      serve: () => h.dms.setInstance(BULK, tasks.slice(0, 62), { total_number: 13, max_tasks: 100 }),
      requests: 2, distinct: 62, complete: false, anomalies: [/^listing found 62 tasks but total_number is 13$/],
    },
    {
      name: 'a full page above total_number stops at max_tasks, flagged incomplete',
      serve: () => h.dms.setInstance(BULK, tasks.slice(0, 62), { total_number: 13 }),
      requests: 1, distinct: 50, complete: false,
      anomalies: [/^pages were still full at 50 tasks \(max_tasks 18\): listing stopped$/, /^listing found 50 tasks but total_number is 13$/],
    },
    {
      name: 'without max_tasks, full pages stop at 1,000 tasks',
      serve: () => h.dms.setInstance(BULK, generatedTasks(1_100), { total_number: 13, max_tasks: null }),
      requests: 20, distinct: 1_000, complete: false,
      anomalies: [/^pages were still full at 1000 tasks \(no max_tasks: the bound is 1000\): listing stopped$/, /^listing found 1000 tasks but total_number is 13$/],
    },
    {
      name: 'exactly one full page, total_number agreeing, at max_tasks: one request, complete',
      serve: () => h.dms.setInstance(BULK, tasks.slice(0, 50), { max_tasks: 50 }),
      requests: 1, distinct: 50, complete: true, anomalies: [],
    },
    {
      name: 'exactly one full page, total_number agreeing, below max_tasks: the next page is asked for (it is empty), complete',
      serve: () => h.dms.setInstance(BULK, tasks.slice(0, 50), { max_tasks: 100 }),
      requests: 2, distinct: 50, complete: true, anomalies: [],
    },
  ])('$name', async ({ serve, requests, distinct, complete, anomalies }) => {
    h.dms.setFault(BULK, null);
    serve();
    h.dms.reset();
    const listing = await list();
    h.dms.setFault(BULK, null);
    expect(h.dms.requests).toHaveLength(requests);
    expect(new Set(listing.tasks.map((t) => t.id)).size).toBe(listing.tasks.length);
    expect(listing.tasks).toHaveLength(distinct);
    expect(listing.complete).toBe(complete);
    expect(listing.anomalies).toEqual(anomalies.map((a) => expect.stringMatching(a)));
  });
});

describe('1–2. concurrency and the deadline, through the built handler', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.dms.setInstance(PROD, fixtureTasks());
    h.dms.setInstance(BULK, generatedTasks(60));
  });
  afterAll(async () => h?.close());

  const run = async (...args: Parameters<Harness['invoke']>): Promise<Invocation> => {
    const inv = await h.invoke(...args);
    expect(leakedSecrets(h, inv)).toEqual([]);
    return inv;
  };

  it.each<{ name: string; env: Record<string, string>; context: Record<string, () => unknown>; budgetMs: number }>([
    { name: 'FunctionGraph: the remaining time less the margin', env: {}, context: { getRemainingTimeInMilliSeconds: () => 7_000 }, budgetMs: 7_000 },
    { name: 'outside FunctionGraph: RUN_TIMEOUT less the margin', env: { RUN_TIMEOUT: '10s' }, context: { getRemainingTimeInMilliSeconds: () => undefined }, budgetMs: 10_000 },
  ])('a hanging instance ends at the listing deadline ($name): the other is listed, the news sent, the state written, the next run reports recovery', async ({ env, context, budgetMs }) => {
    await run();
    h.dms.setFault(PROD, { kind: 'hang' });
    const { report, error } = await run(env, context);
    h.dms.setFault(PROD, null);
    expect(error).toBeUndefined();
    expect(report!.duration_ms).toBeLessThan(budgetMs);
    expect(report!.instances).toEqual({ total: 2, ok: 1, failed: 1 });
    expect(report!.errors).toEqual([expect.stringMatching(/^listing prod \(inst-prod-0001\) failed: .*deadline/)]);
    expect(report!.changes_by_kind).toEqual({ instance_unreachable: 1 });
    expect(report!.messages).toEqual({ delivered: 1, pending: 0, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 });
    const state = State.parse(JSON.parse((await h.getObject('smart-connect-watch/state.json'))!));
    expect(state.checked_at).toBe(report!.started_at);
    expect(state.snapshot.instances.find((i) => i.instance_id === PROD)).toMatchObject({ ok: false, tasks: expect.arrayContaining([expect.anything()]) });
    const next = await run();
    expect(next.report!.changes_by_kind).toEqual({ instance_recovered: 1 });
  });
});

describe('4. an inconsistent total_number invents nothing (issue #15 item 4), through the built handler', () => {
  let h: Harness;
  let prefix = '';
  let runs = 0;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  const run = async (): Promise<Invocation> => {
    const inv = await h.invoke({ OBS_PREFIX: prefix, NOTIFY_FIRST_RUN: 'false' });
    expect(inv.error).toBeUndefined();
    expect(leakedSecrets(h, inv)).toEqual([]);
    return inv;
  };
  /** Every change kind of every history object under the prefix but the baseline's, and every change kind sent. */
  const recorded = async (baseline: string) => {
    const kinds: string[] = [];
    for (const key of await h.listKeys(`${prefix}history/`)) {
      if (key !== baseline) kinds.push(...(JSON.parse((await h.getObject(key))!) as { changes: { kind: string }[] }).changes.map((c) => c.kind));
    }
    return kinds;
  };
  const sent = () => h.hook.received.flatMap((r) => (r.json as { changes: { kind: string }[] }).changes.map((c) => c.kind));

  const bulk = generatedTasks(62);
  it.each<{ name: string; extras: { total_number: number; max_tasks?: number }; seen: string }>([
    { name: 'a page of 50 with total_number 13 (pages full past max_tasks 18)', extras: { total_number: 13 }, seen: 'listing found 50 tasks but total_number is 13' },
    { name: 'a page of 50 with total_number 13 (max_tasks 100: paging goes on)', extras: { total_number: 13, max_tasks: 100 }, seen: 'listing found 62 tasks but total_number is 13' },
    { name: 'total_number 200 with 62 tasks (pages run dry)', extras: { total_number: 200 }, seen: 'listing ended with 62 of 200 tasks' },
  ])('$name: no task_removed recorded or sent, an anomaly reported; the next consistent run adds nothing', async ({ extras, seen }) => {
    prefix = `total-${++runs}/`;
    h.dms.setInstance(PROD, fixtureTasks());
    h.dms.setInstance(BULK, bulk);
    const baseline = await run();
    expect(baseline.report).toMatchObject({ first_run: true, tasks: fixtureTasks().length + 62, anomalies: [] });
    h.hook.reset();

    h.dms.setInstance(BULK, bulk, extras);
    const odd = await run();
    expect(odd.report!.changes_by_kind).toEqual({});
    expect(odd.report!.tasks).toBe(fixtureTasks().length + 62);
    expect(odd.report!.anomalies).toContain(`bulk (inst-bulk-0002): ${seen}`);
    expect(odd.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'paging anomaly', anomaly: seen }));

    h.dms.setInstance(BULK, bulk);
    const next = await run();
    expect(next.report).toMatchObject({ changes: 0, changes_by_kind: {}, anomalies: [] });
    expect(await recorded(baseline.report!.history_key!)).toEqual([]);
    expect(sent()).toEqual([]);
  });
});
