import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type WebhookReceiver, startWebhookReceiver } from '../lib/demo/webhook-receiver';
import { Snapshot } from '../lib/store/snapshot';
import { State } from '../lib/store/state';
import { type Harness, type Invocation, type TaskRecord, fixtureTasks, generatedTasks, leakedSecrets } from './support/harness';
import type { ObsFaultProxy } from './support/obs-fault-proxy';
import { withFaultProxyHarness } from './support/fault-harness';

// Fault injection, part 2 (issue #4 items 4–6): deliveries, runs that stop half-way, and OBS
// failing, through the built handler, with OBS behind a loopback proxy that injects the faults.

const PROD = 'inst-prod-0001';
const BULK = 'inst-bulk-0002';

describe('faults in deliveries, half-finished runs and OBS', () => {
  let h: Harness;
  let obs: ObsFaultProxy;
  let prod: TaskRecord[];
  let prefix = '';
  let tests = 0;

  const run = async (env: Record<string, string> = {}, context: Record<string, () => unknown> = {}): Promise<Invocation> => {
    const inv = await h.invoke({ OBS_ENDPOINT: obs.url, OBS_PREFIX: prefix, ...env }, context);
    expect(leakedSecrets(h, inv)).toEqual([]);
    return inv;
  };
  /** Every object in the bucket, key → bytes: to show that a failed run damaged nothing. */
  const bucket = async () => new Map(await Promise.all((await h.listKeys(prefix)).map(async (k) => [k, await h.getObject(k)] as const)));
  const readState = async () => State.parse(JSON.parse((await h.getObject(`${prefix}state.json`))!));
  const pause = (name: string) => {
    prod = prod.map((t) => (t.task_name === name ? { ...t, status: 'PAUSED' } : t));
    h.dms.setInstance(PROD, prod);
  };

  withFaultProxyHarness((started) => ({ h, obs } = started));
  beforeEach(() => {
    prefix = `faults-${++tests}/`; // a fresh state and history per test
    prod = fixtureTasks();
    h.dms.setInstance(PROD, prod);
    h.dms.setInstance(BULK, generatedTasks(3));
    obs.clear();
    h.hook.reset();
  });
  afterEach(() => obs.clear());

  it('a quiet run reads state.json once and writes it once; a change adds the history write and the adoption LIST', async () => {
    await run();
    const all = () => obs.requests.map((r) => (r.key ? `${r.method} ${r.key.replace(prefix, '').replace(/\/\d{4}\/.*$/, '/…')}` : `LIST (${r.method})`));
    // silences.json (DESIGN.md §11) is read once per run, concurrently with the rest: counted apart.
    const requests = () => {
      expect(all().filter((q) => q === 'GET silences.json')).toHaveLength(1);
      return all().filter((q) => q !== 'GET silences.json');
    };
    obs.clear();
    await run();
    expect(requests()).toEqual(['GET state.json', 'PUT state.json']);
    obs.clear();
    pause('smart-connect-1');
    const { report } = await run();
    expect(report?.messages.delivered).toBe(1);
    expect(requests()).toEqual(['GET state.json', 'LIST (GET)', 'PUT history/…', 'PUT state.json', 'HEAD state.json', 'PUT state.json']);
  });

  // A long listing (more than 6 rounds of CONCURRENCY) starts reading state.json when 3 rounds are
  // left to start; a short one reads it after the last answer. A gate holds the first two requests of
  // the last 4 instances: with both of CONCURRENCY's slots held, every earlier instance is listed and
  // the last two are not yet asked. The read comes while they are held, or only once they are let through.
  it.each([
    ['16 instances, CONCURRENCY=2: the read starts while the last instances are still to be asked', 16, 'before'],
    ['12 instances, CONCURRENCY=2: the read starts after the last answer', 12, 'after'],
  ] as const)('%s', async (_name, n, when) => {
    const ids = Array.from({ length: n }, (_, i) => `inst-many-${String(i).padStart(4, '0')}`);
    ids.forEach((id, i) => h.dms.setInstance(id, generatedTasks(2, `many${i}`)));
    const env = { WATCH_INSTANCES: ids.join(','), CONCURRENCY: '2' };
    await run(env);
    obs.clear();
    h.dms.reset();
    const stateReads = () => obs.requests.filter((r) => r.method === 'GET' && r.key.endsWith('state.json'));
    const last = new Set(ids.slice(-4));
    const gate = h.dms.gate((r) => last.has(r.instanceId ?? ''), 2);
    const running = run(env);
    const held = await gate.reached;
    expect(held.map((r) => r.instanceId).sort()).toEqual(ids.slice(-4, -2));
    expect(h.dms.requests.filter((r) => r.status === null).map((r) => r.instanceId).sort()).toEqual(ids.slice(-4, -2));
    if (when === 'before') await vi.waitFor(() => expect(stateReads()).toHaveLength(1), { timeout: 20_000 });
    else expect(stateReads()).toEqual([]);
    expect(h.dms.requests.map((r) => r.instanceId)).not.toContain(ids.at(-1));
    gate.release();
    const { report } = await running;
    expect(report).toMatchObject({ instances: { ok: n }, changes: 0 });
    expect(stateReads()).toHaveLength(1);
  });

  describe('6. OBS failures', () => {
    it.each<{ name: string; env?: Record<string, string>; fault?: Parameters<ObsFaultProxy['fault']>[0]; error: RegExp; requests: (r: ObsFaultProxy['requests']) => void }>([
      {
        name: 'the bucket does not exist: the run fails naming bucket and key, nothing is retried',
        env: { OBS_BUCKET: 'no-such-bucket-0404' },
        error: /^OBS GET obs:\/\/no-such-bucket-0404\/faults-\d+\/state\.json failed: NoSuchBucket .*\(bucket no-such-bucket-0404 does not exist\)$/,
        requests: (r) => expect(r.filter((x) => x.key.endsWith('state.json')).map((x) => x.method)).toEqual(['GET']),
      },
      {
        name: '403 on state.json: the run fails naming the key and access, nothing is retried',
        fault: { method: 'GET', key: /state\.json$/, status: 403, code: 'AccessDenied' },
        error: /^OBS GET obs:\/\/[^/]+\/faults-\d+\/state\.json failed: AccessDenied injected fault \(access denied: check the agency's OBS permissions\)$/,
        requests: (r) => expect(r.filter((x) => x.key.endsWith('state.json')).map((x) => x.method)).toEqual(['GET']),
      },
      {
        name: '503 that persists on the state write: 3 attempts, then the run fails naming the key',
        fault: { method: 'PUT', key: /state\.json$/, status: 503, code: 'ServiceUnavailable' },
        error: /^OBS PUT obs:\/\/[^/]+\/faults-\d+\/state\.json failed: ServiceUnavailable.* \(after 3 attempts\)$/,
        requests: (r) => expect(r.filter((x) => x.method === 'PUT' && x.key.endsWith('state.json'))).toHaveLength(3),
      },
    ])('$name; nothing in OBS is changed', async ({ env, fault, error, requests }) => {
      await run();
      pause('smart-connect-1');
      const before = await bucket();
      obs.clear();
      if (fault) obs.fault(fault);
      const { error: thrown, report } = await run(env);
      expect(report).toBeUndefined();
      expect(thrown?.name).toBe('StoreError');
      expect(thrown?.message).toMatch(error);
      requests(obs.requests);
      const after = await bucket();
      // A failed state write may leave this run's new history object (adopted by the next run), never a changed one.
      for (const [key, bytes] of before) expect(after.get(key)).toBe(bytes);
      expect([...after.keys()].filter((k) => !before.has(k)).every((k) => k.includes('/history/'))).toBe(true);
    });

    it.each<{ name: string; fault: Parameters<ObsFaultProxy['fault']>[0]; context?: Record<string, () => unknown>; stateGets: number }>([
      { name: '503 twice on reading state.json is retried and the run succeeds', fault: { method: 'GET', key: /state\.json$/, status: 503, code: 'ServiceUnavailable', times: 2 }, stateGets: 3 },
      { name: '500 on the history write is retried and the run succeeds', fault: { method: 'PUT', key: /history\//, status: 500, code: 'InternalError', times: 1 }, stateGets: 1 },
      { name: 'a slow answer (1.5 s) is waited for', fault: { method: 'GET', key: /state\.json$/, delayMs: 1_500, times: 1 }, stateGets: 1 },
      {
        name: 'an answer that never comes times out and is retried',
        fault: { method: 'GET', key: /state\.json$/, hang: true, times: 1 },
        context: { getRemainingTimeInMilliSeconds: () => 8_000 }, // → a 2 s OBS request timeout
        stateGets: 2,
      },
    ])('$name', async ({ fault, context, stateGets }) => {
      await run();
      pause('smart-connect-1');
      obs.clear();
      obs.fault(fault);
      const { report, error } = await run({}, context);
      expect(error).toBeUndefined();
      expect(report).toMatchObject({ changes: 1, messages: { delivered: 1 } });
      expect(obs.requests.filter((r) => r.method === 'GET' && r.key.endsWith('state.json'))).toHaveLength(stateGets);
      expect((await readState()).snapshot.id).toBe(report!.snapshot_id);
    });
  });

  describe('5. a run that stopped between its history write and its state write', () => {
    it('is continued by the next run: one linear chain, its message sent under the id it would have had', async () => {
      await run();
      pause('smart-connect-1');
      obs.fault({ method: 'PUT', key: /state\.json$/, status: 500, code: 'InternalError' });
      const crashed = await run();
      expect(crashed.error?.name).toBe('StoreError');
      // The failed run still delivers what its history object holds (at least once)...
      expect(h.hook.received).toHaveLength(1);
      const firstId = h.hook.received[0]!.headers['webhook-id'];
      obs.clear();
      h.hook.reset();

      const next = await run();
      expect(next.error).toBeUndefined();
      expect(next.report!.anomalies).toEqual([expect.stringMatching(/^history faults-\d+\/history\/.+\.json was written by a run that stopped before updating state\.json: continued from it, its message msg_\w+ queued$/)]);
      expect(next.report).toMatchObject({ changes: 0, history_key: null, messages: { delivered: 1, pending: 0 } });
      // ...and the adopting run, not knowing it was sent, sends it again under the same webhook-id.
      expect(h.hook.received).toHaveLength(1);
      expect(h.hook.received[0]!.headers['webhook-id']).toBe(firstId);
      const sent = h.hook.received[0]!.json as { snapshot_id: string; changes: { kind: string; to: string }[] };
      expect(sent.changes).toEqual([expect.objectContaining({ kind: 'status_changed', to: 'PAUSED' })]);

      // The chain: each object links to the one before it; state.json points at the newest.
      const chain = [];
      for (const key of await h.listKeys(`${prefix}history/`)) chain.push({ key, snapshot: Snapshot.parse(JSON.parse((await h.getObject(key))!)) });
      expect(chain.map((c) => c.snapshot.previous?.id ?? null)).toEqual([null, chain[0]!.snapshot.id]);
      expect(chain[1]!.snapshot.id).toBe(sent.snapshot_id);
      expect((await readState()).last_history?.key).toBe(chain[1]!.key);

      const quiet = await run();
      expect(quiet.report).toMatchObject({ changes: 0, history_key: null, anomalies: [] });
      expect(h.hook.received).toHaveLength(1);
    });
  });

  describe('4. deliveries', () => {
    let other: WebhookReceiver;
    beforeAll(async () => {
      other = await startWebhookReceiver({ secret: 'whsec_b3RoZXItY2hhbm5lbC1zZWNyZXQ=' });
    });
    afterAll(async () => other?.close());

    it('two channels are independent: one failing never makes the other resend', async () => {
      const env = {
        WEBHOOK_URL: '',
        WEBHOOK_SECRET: '',
        WEBHOOKS: JSON.stringify([
          { type: 'generic', name: 'ops', url: `${h.hook.url}?access_token=${h.secrets.urlToken}`, secret: h.secrets.webhookSecret },
          { type: 'generic', name: 'audit', url: other.url, secret: 'whsec_b3RoZXItY2hhbm5lbC1zZWNyZXQ=' },
        ]),
      };
      other.reset();
      await run(env);
      pause('smart-connect-1');
      h.hook.respondWith({ status: 503 }, { status: 503 }, { status: 503 });
      const failing = await run(env);
      expect(failing.report!.messages).toEqual({ delivered: 1, pending: 1, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 });
      expect(other.received.map((r) => r.answered)).toEqual([204]);

      const recovered = await run(env);
      expect(recovered.report!.messages).toEqual({ delivered: 1, pending: 0, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 });
      expect(other.received).toHaveLength(1);
      const ids = h.hook.received.map((r) => r.headers['webhook-id']);
      expect(ids).toHaveLength(4);
      expect(new Set(ids).size).toBe(1);
      expect(ids[0]).toBe(other.received[0]!.headers['webhook-id']);
    });

    it('the webhook answers 429 with Retry-After: 1: the next attempt waits at least that long, within the run', async () => {
      await run();
      pause('smart-connect-1');
      h.hook.respondWith({ status: 429, headers: { 'Retry-After': '1' } });
      const { report } = await run();
      expect(report!.messages).toEqual({ delivered: 1, pending: 0, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 });
      const [first, second] = h.hook.received;
      expect([first!.answered, second!.answered]).toEqual([429, 204]);
      expect(second!.at.getTime() - first!.at.getTime()).toBeGreaterThanOrEqual(990);
    });

    it('OUTBOX_MAX_AGE: a message never delivered in time expires, is reported, logged as an error and kept in the history', async () => {
      await run();
      pause('smart-connect-1');
      h.hook.setDefault({ status: 500 });
      const pending = await run({ OUTBOX_MAX_AGE: '1ms' });
      expect(pending.report!.messages).toMatchObject({ delivered: 0, pending: 1 });
      const expired = await run({ OUTBOX_MAX_AGE: '1ms' });
      h.hook.setDefault({ status: 204 });
      expect(expired.report!.messages).toEqual({ delivered: 0, pending: 0, expired: 1, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 });
      expect(expired.report!.errors).toEqual([expect.stringMatching(/^message msg_\w+ to generic-\w+ expired undelivered: .*HTTP 500/)]);
      expect(expired.logs).toContainEqual(expect.objectContaining({ level: 'error', msg: 'message expired undelivered' }));
      const history = Snapshot.parse(JSON.parse((await h.getObject(expired.report!.history_key!))!));
      expect(history.expired).toEqual([expect.objectContaining({ snapshot_id: pending.report!.snapshot_id, change_ids: [expect.any(String)] })]);
      expect((await readState()).outbox).toEqual([]);
    });
  });
});
