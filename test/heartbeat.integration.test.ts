import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, type Invocation, fixtureTasks, generatedTasks, leakedSecrets, startHarness } from './support/harness';
import { type HeartbeatServer, startHeartbeatServer } from './support/heartbeat-server';

// DESIGN.md §12 heartbeat, through the built handler (dist/index.js) with a local heartbeat server.

const PROD = 'inst-prod-0001';
const BULK = 'inst-bulk-0002';

describe('heartbeat (dead-man\'s switch)', () => {
  let h: Harness;
  let hb: HeartbeatServer;
  let n = 0;

  /** One run with a fresh prefix; no secret, the heartbeat token and URL included, in any output. */
  const run = async (env: Record<string, string | undefined> = {}): Promise<Invocation> => {
    const inv = await h.invoke({ OBS_PREFIX: `hb-${++n}/`, ...env });
    expect(leakedSecrets(h, inv)).toEqual([]);
    const text = [inv.stdout, inv.stderr, inv.error?.message ?? '', inv.error?.stack ?? '', JSON.stringify(inv.report ?? null)].join('\n');
    expect(text).not.toContain(hb.token);
    expect(text).not.toContain(hb.url);
    return inv;
  };
  const logsNamed = (inv: Invocation, msg: string) => inv.logs.filter((l) => l.msg === msg);

  beforeAll(async () => {
    [h, hb] = await Promise.all([startHarness({ channel: false }), startHeartbeatServer()]);
    h.dms.setInstance(PROD, fixtureTasks());
    h.dms.setInstance(BULK, generatedTasks(3));
  });
  afterAll(async () => {
    await hb?.close();
    await h?.close();
  });
  beforeEach(() => hb.reset());

  it('a run that returned a report GETs HEARTBEAT_URL once, as given (query kept)', async () => {
    const inv = await run({ HEARTBEAT_URL: `${hb.url}?status=up&msg=OK` });
    expect(inv.error).toBeUndefined();
    expect(inv.report?.instances).toEqual({ total: 2, ok: 2, failed: 0 });
    expect(hb.pings.map((p) => [p.method, p.path, p.query])).toEqual([['GET', `/ping/${hb.token}`, { status: 'up', msg: 'OK' }]]);
    expect(logsNamed(inv, 'heartbeat sent')).toMatchObject([{ heartbeat: 'success', status: 200, attempts: 1 }]);
    // Sent after the run finished: its report is complete when the monitor hears of it.
    expect(inv.logs.findIndex((l) => l.msg === 'run finished')).toBeLessThan(inv.logs.findIndex((l) => l.msg === 'heartbeat sent'));
  });

  it.each([
    {
      name: 'the bucket does not exist (Healthchecks.io: /fail appended to the path, the query kept)',
      env: () => ({ HEARTBEAT_URL: `${hb.url}?rid=1`, OBS_BUCKET: 'no-such-bucket-0404' }),
      path: () => `/ping/${hb.token}/fail`,
      query: { rid: '1' },
      reason: /^OBS GET obs:\/\/no-such-bucket-0404\/hb-\d+\/state\.json failed: NoSuchBucket .*does not exist\)$/,
      errorName: 'StoreError',
    },
    {
      name: 'the configuration is invalid (Uptime Kuma: HEARTBEAT_FAIL_URL with ?status=down)',
      env: () => ({ HEARTBEAT_URL: `${hb.url}?status=up`, HEARTBEAT_FAIL_URL: `${hb.url}?status=down`, OBS_BUCKET: '', CONCURRENCY: '0x10' }),
      path: () => `/ping/${hb.token}`,
      query: { status: 'down' },
      reason: /^invalid configuration: OBS_BUCKET is required: .*; CONCURRENCY must be a decimal integer from 1 to 64, such as 8$/,
      errorName: 'ConfigError',
    },
  ])('a run that threw because $name GETs the fail URL with a one-line reason, then throws', async ({ env, path, query, reason, errorName }) => {
    const inv = await run(env());
    expect(inv.report).toBeUndefined();
    expect(inv.error?.name).toBe(errorName);
    expect(hb.pings).toHaveLength(1);
    const [ping] = hb.pings;
    expect([ping!.method, ping!.path]).toEqual(['GET', path()]);
    expect(ping!.query).toEqual({ ...query, msg: expect.stringMatching(reason) });
    expect(ping!.query.msg).not.toMatch(/\n/);
    const [failed] = logsNamed(inv, 'run failed');
    expect(failed).toMatchObject({ level: 'error', reason: ping!.query.msg, will_repeat: true });
    expect(logsNamed(inv, 'heartbeat sent')).toMatchObject([{ heartbeat: 'fail', status: 200 }]);
  });

  it('an invalid heartbeat variable is a configuration problem listed with the others, never quoted, and pings nothing', async () => {
    const bad = `ftp://example.invalid/${hb.token}`;
    const inv = await run({ HEARTBEAT_URL: bad, OBS_BUCKET: '' });
    expect(inv.error?.name).toBe('ConfigError');
    expect(inv.error?.message).toMatch(/OBS_BUCKET is required.*; HEARTBEAT_URL must be an http\(s\) URL/);
    expect(hb.pings).toEqual([]);
  });

  it('one retry: a 503 then a 200 is two GETs and the run is unaffected', async () => {
    hb.answer({ status: 503 }, { status: 200 });
    const inv = await run({ HEARTBEAT_URL: hb.url });
    expect(inv.report?.errors).toEqual([]);
    expect(hb.pings.map((p) => p.path)).toEqual([`/ping/${hb.token}`, `/ping/${hb.token}`]);
    expect(logsNamed(inv, 'heartbeat sent')).toMatchObject([{ heartbeat: 'success', attempts: 2 }]);
  });

  it('a heartbeat server that is down (connection refused): logged as a warning, the run and its report unaffected', async () => {
    const closed = await startHeartbeatServer();
    await closed.close();
    const inv = await run({ HEARTBEAT_URL: closed.url.replace(closed.token, hb.token) });
    expect(inv.error).toBeUndefined();
    expect(inv.report?.errors).toEqual([]);
    expect(inv.report?.instances.ok).toBe(2);
    expect(logsNamed(inv, 'heartbeat failed')).toMatchObject([{ level: 'warn', heartbeat: 'success', error: expect.stringContaining('ECONNREFUSED') }]);
  });

  it('a heartbeat server that hangs: the ping is abandoned at its 5 s timeout (no retry after it), the run returns its report', async () => {
    hb.answer('hang', 'hang');
    const inv = await run({ HEARTBEAT_URL: hb.url });
    expect(inv.error).toBeUndefined();
    expect(inv.report?.instances.ok).toBe(2);
    // The handler returned only after the client gave up on the request: it waited for the bounded timeout, no longer.
    expect(hb.pings).toHaveLength(1);
    await expect(hb.pings[0]!.ended).resolves.toBe('aborted');
    expect(logsNamed(inv, 'heartbeat failed')).toMatchObject([{ heartbeat: 'success', error: 'no answer within 5000 ms', timeout_ms: 5000 }]);
  });

  it('with little time left in the function, the ping ends a second before the platform stops it', async () => {
    hb.answer('hang');
    // The first call sets the run's budget; later ones (the heartbeat's) say 2.5 s are left.
    let calls = 0;
    const inv = await h.invoke({ OBS_PREFIX: `hb-${++n}/`, HEARTBEAT_URL: hb.url }, { getRemainingTimeInMilliSeconds: () => (++calls === 1 ? 59_873 : 2_537) });
    expect(inv.report?.instances.ok).toBe(2);
    expect(logsNamed(inv, 'heartbeat failed')).toMatchObject([{ error: 'no answer within 1537 ms', timeout_ms: 1537 }]);
  });
});
