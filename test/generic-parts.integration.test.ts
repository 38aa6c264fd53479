import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Change } from '../lib/alerting/change';
import { MAX_BODY_BYTES } from '../lib/notify/generic';
import { State } from '../lib/store/state';
import { type Harness, type Invocation, generatedTasks, leakedSecrets, startHarness } from './support/harness';

// Issue #14 item 3 (DESIGN.md §5): a generic webhook body is at most 256 KiB; a larger batch goes out
// as several complete payloads, each with its own id and `part`/`parts`, each retried on its own.

const BULK = 'inst-bulk-0002';
const N = 2_000;

interface Body {
  id: string;
  snapshot_id: string;
  part?: number;
  parts?: number;
  changes: Change[];
}

describe('a burst of 2,000 changes to a generic webhook', () => {
  let h: Harness;
  let prefix = '';
  let tests = 0;
  const run = async (env: Record<string, string> = {}): Promise<Invocation> => {
    const inv = await h.invoke({ OBS_PREFIX: prefix, ...env });
    expect(leakedSecrets(h, inv)).toEqual([]);
    expect(inv.error).toBeUndefined();
    return inv;
  };
  /** The official Standard Webhooks verifier (not our signer) accepts the request, or throws. */
  const verified = (r: Harness['hook']['received'][number]) => new Webhook(h.secrets.webhookSecret).verify(r.body, r.headers) as Body;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());
  beforeEach(async () => {
    prefix = `parts-${++tests}/`;
    h.dms.setInstance('inst-prod-0001', []);
    h.dms.setInstance(BULK, generatedTasks(N));
    h.hook.reset();
    await run(); // the baseline: nothing sent
    expect(h.hook.received).toHaveLength(0);
    h.dms.setInstance(BULK, generatedTasks(N).map((t) => ({ ...t, status: 'FAILED' })));
  });

  it('goes out in signed parts of at most 256 KiB that together hold every change once', async () => {
    const { report } = await run();
    expect(report).toMatchObject({ changes: N, messages: { delivered: 1, pending: 0 } });
    const bodies = h.hook.received.map((r) => ({ r, body: verified(r) }));
    expect(bodies.length).toBeGreaterThanOrEqual(3);
    for (const { r, body } of bodies) {
      expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
      expect(r.headers['webhook-id']).toBe(body.id);
      expect(body).toMatchObject({ type: 'smart_connect.task_changes', snapshot_id: report!.snapshot_id, parts: bodies.length });
    }
    expect(bodies.map((b) => b.body.part)).toEqual(bodies.map((_, i) => i + 1));
    expect(new Set(bodies.map((b) => b.body.id)).size).toBe(bodies.length);
    const sent = bodies.flatMap((b) => b.body.changes.map((c) => c.id));
    expect(sent).toHaveLength(N);
    const history = JSON.parse((await h.getObject(report!.history_key!))!) as { changes: Change[] };
    expect(new Set(sent)).toEqual(new Set(history.changes.map((c) => c.id)));
  });

  it('a part that fails is retried alone, under its own webhook-id, on the next run', async () => {
    // Part 1 goes through; the last part fails its 3 attempts in this run.
    h.hook.respondWith({ status: 204 }, { status: 204 }, { status: 503 }, { status: 503 }, { status: 503 });
    const first = await run();
    expect(first.report!.messages).toEqual({ delivered: 0, pending: 1, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 });
    const tried = h.hook.received.map((r) => ({ id: r.headers['webhook-id'], part: verified(r).part, parts: verified(r).parts, answered: r.answered }));
    expect(tried.map((t) => t.answered)).toEqual([204, 204, 503, 503, 503]);
    expect(tried.every((t) => t.parts === 3)).toBe(true);
    const failedId = tried[2]!.id;
    expect(new Set(tried.slice(2).map((t) => t.id))).toEqual(new Set([failedId]));
    const state = State.parse(JSON.parse((await h.getObject(`${prefix}state.json`))!));
    expect(Object.values(state.outbox[0]!.parts_delivered ?? {})).toEqual([[tried[0]!.id, tried[1]!.id]]);

    h.hook.reset();
    const next = await run();
    expect(next.report!.messages).toEqual({ delivered: 1, pending: 0, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 });
    expect(h.hook.received.map((r) => [r.headers['webhook-id'], verified(r).part])).toEqual([[failedId, 3]]);
    expect(State.parse(JSON.parse((await h.getObject(`${prefix}state.json`))!)).outbox).toEqual([]);
  });
});
