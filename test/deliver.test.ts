import { describe, expect, it } from 'vitest';
import type { ChangeKind, Severity } from '../lib/alerting/change';
import { deliverOutbox } from '../lib/alerting/deliver';
import type { ChannelConfig } from '../lib/config/config';
import { silentLogger } from '../lib/log';
import type { Message, Notifier, Outcome } from '../lib/notify/types';
import type { RetryPolicy } from '../lib/retry';
import type { OutboxEntry } from '../lib/store/state';
import { RUN_1, RUN_2, RUN_3, channel, entry, fakeTime, kindsOf } from './support/builders';

interface FakeNotifier extends Notifier {
  sent: Message[];
}

/** A channel answering from a script (then `ok`), recording every message it was given. */
function fakeNotifier(ch: ChannelConfig, script: Outcome[] = []): FakeNotifier {
  const sent: Message[] = [];
  return {
    channel: ch,
    sent,
    async send(message) {
      sent.push(structuredClone(message));
      return script.shift() ?? { status: 'ok' };
    },
  };
}

const retryable = (reason = 'HTTP 503: busy', retryAfterMs?: number): Outcome => ({ status: 'retryable', reason, retryAfterMs });
const permanent = (reason = 'HTTP 400: bad request'): Outcome => ({ status: 'permanent', reason });
const DELIVERY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };

describe('deliverOutbox', () => {
  it.each<{
    name: string;
    outbox: () => OutboxEntry[];
    notifiers: () => FakeNotifier[];
    deadline?: number;
    delivered: number;
    pending: [string, string[], number, string | null][];
    sent: Record<string, string[]>;
    sleeps: number[];
    errors: number;
  }>([
    {
      name: 'ok: delivered and out of the outbox',
      outbox: () => [entry(RUN_1, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'))],
      delivered: 1,
      pending: [],
      sent: { ops: [RUN_1] },
      sleeps: [],
      errors: 0,
    },
    {
      name: 'retryable, then ok within the run',
      outbox: () => [entry(RUN_1, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'), [retryable(), retryable('HTTP 429', 1_500)])],
      delivered: 1,
      pending: [],
      sent: { ops: [RUN_1, RUN_1, RUN_1] },
      sleeps: [100, 1_500],
      errors: 0,
    },
    {
      name: 'permanent: stays pending with last_error and attempts + 1, not retried',
      outbox: () => [entry(RUN_1, ['ops'], { attempts: 2 })],
      notifiers: () => [fakeNotifier(channel('ops'), [permanent()])],
      delivered: 0,
      pending: [[RUN_1, ['ops'], 3, 'ops: HTTP 400: bad request']],
      sent: { ops: [RUN_1] },
      sleeps: [],
      errors: 1,
    },
    {
      name: 'retryable every time: stays pending after the policy attempts',
      outbox: () => [entry(RUN_1, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'), [retryable(), retryable(), retryable('HTTP 502: gateway')])],
      delivered: 0,
      pending: [[RUN_1, ['ops'], 1, 'ops: HTTP 502: gateway']],
      sent: { ops: [RUN_1, RUN_1, RUN_1] },
      sleeps: [100, 200],
      errors: 1,
    },
    {
      name: 'retryable past the deadline: no wait, stays pending',
      outbox: () => [entry(RUN_1, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'), [retryable('HTTP 429', 120_000)])],
      deadline: 60_000,
      delivered: 0,
      pending: [[RUN_1, ['ops'], 1, 'ops: HTTP 429']],
      sent: { ops: [RUN_1] },
      sleeps: [],
      errors: 1,
    },
    {
      name: 'the deadline has come: nothing new is sent, all stays pending, unchanged, and it is reported',
      outbox: () => [entry(RUN_1, ['ops']), entry(RUN_2, ['ops', 'audit'])],
      notifiers: () => [fakeNotifier(channel('ops')), fakeNotifier(channel('audit'))],
      deadline: 0,
      delivered: 0,
      pending: [
        [RUN_1, ['ops'], 0, null],
        [RUN_2, ['ops', 'audit'], 0, null],
      ],
      sent: {},
      sleeps: [],
      errors: 1,
    },
    {
      name: 'deferred by the channel (its per-run limit): pending, no error, no attempt counted as failed',
      outbox: () => [entry(RUN_1, ['ops']), entry(RUN_2, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'), [{ status: 'deferred', reason: 'deferred to the next run: limit' }])],
      delivered: 0,
      pending: [
        [RUN_1, ['ops'], 0, null],
        [RUN_2, ['ops'], 0, null],
      ],
      sent: { ops: [RUN_1] },
      sleeps: [],
      errors: 0,
    },
    {
      name: 'a failing channel does not affect another',
      outbox: () => [entry(RUN_1, ['ops', 'audit'])],
      notifiers: () => [fakeNotifier(channel('ops'), [permanent('HTTP 404: no such hook')]), fakeNotifier(channel('audit'))],
      delivered: 1,
      pending: [[RUN_1, ['ops'], 1, 'ops: HTTP 404: no such hook']],
      sent: { ops: [RUN_1], audit: [RUN_1] },
      sleeps: [],
      errors: 1,
    },
    {
      name: 'a channel that failed is not tried again for later messages this run; oldest first',
      outbox: () => [entry(RUN_1, ['ops', 'audit']), entry(RUN_2, ['ops', 'audit']), entry(RUN_3, ['ops'])],
      notifiers: () => [fakeNotifier(channel('ops'), [permanent('HTTP 410: gone')]), fakeNotifier(channel('audit'))],
      delivered: 2,
      pending: [
        [RUN_1, ['ops'], 1, 'ops: HTTP 410: gone'],
        [RUN_2, ['ops'], 1, null],
        [RUN_3, ['ops'], 0, null],
      ],
      sent: { ops: [RUN_1], audit: [RUN_1, RUN_2] },
      sleeps: [],
      errors: 1,
    },
    {
      name: 'all delivered in order, oldest first',
      outbox: () => [entry(RUN_1, ['ops']), entry(RUN_2, ['ops', 'audit']), entry(RUN_3, ['audit'])],
      notifiers: () => [fakeNotifier(channel('audit')), fakeNotifier(channel('ops'))],
      delivered: 4,
      pending: [],
      sent: { ops: [RUN_1, RUN_2], audit: [RUN_2, RUN_3] },
      sleeps: [],
      errors: 0,
    },
    {
      name: 'a pending channel with no notifier (yet to expire) is kept, untried',
      outbox: () => [entry(RUN_1, ['ops', 'retired'])],
      notifiers: () => [fakeNotifier(channel('ops'))],
      delivered: 1,
      pending: [[RUN_1, ['retired'], 1, null]],
      sent: { ops: [RUN_1] },
      sleeps: [],
      errors: 0,
    },
  ])('$name', async ({ outbox, notifiers, deadline, delivered, pending, sent, sleeps, errors }) => {
    const box = outbox();
    const ns = notifiers();
    const time = fakeTime(deadline, 0); // random 0: each backoff is half of base·2^(n-1)
    const result = await deliverOutbox(box, ns, DELIVERY_POLICY, { ...time.deps, logger: silentLogger });
    expect(result.delivered).toBe(delivered);
    expect(result.outbox.map((e) => [e.snapshot_id, e.pending, e.attempts, e.last_error])).toEqual(pending);
    for (const n of ns) expect([n.channel.key, n.sent.map((m) => m.snapshot_id)]).toEqual([n.channel.key, sent[n.channel.key] ?? []]);
    for (const n of ns) for (const m of n.sent) expect(m.id).toBe(box.find((e) => e.snapshot_id === m.snapshot_id)?.id);
    expect(time.sleeps).toEqual(sleeps);
    expect(result.errors).toHaveLength(errors);
    for (const e of result.outbox) {
      const before = box.find((b) => b.id === e.id);
      expect({ ...e, pending: before?.pending, attempts: before?.attempts, last_error: before?.last_error }).toEqual(before);
    }
  });

  it.each<[string, { events?: ChangeKind[]; min_severity?: Severity }, string[]]>([
    // The filter rules themselves are changesForChannel's (notify-filter.test.ts); this is that delivery applies them.
    ['warning or more', { min_severity: 'warning' }, ['status_changed:critical', 'status_changed:warning', 'task_removed:warning']],
  ])('changes are filtered per channel: %s', async (_name, filter, expected) => {
    const ch = channel('filtered', filter);
    const other = fakeNotifier(channel('everything'));
    const n = fakeNotifier(ch);
    const e = entry(RUN_1, ['everything', 'filtered']);
    const result = await deliverOutbox([e], [other, n], DELIVERY_POLICY, { ...fakeTime().deps, logger: silentLogger });
    expect(result.outbox).toEqual([]);
    expect(n.sent.map((m) => kindsOf(m.changes))).toEqual([expected]);
    expect(other.sent.map((m) => m.changes.length)).toEqual([4]);
    expect(n.sent[0]?.id).toBe(e.id);
  });
});
