import type { Logger } from '../log';
import { changesForChannel } from '../notify/filter';
import type { Message, Notifier, Outcome } from '../notify/types';
import { adviceOf, type RetryDeps, type RetryPolicy, retryLoop } from '../retry';
import type { OutboxEntry } from '../store/state';

export interface DeliveryResult {
  outbox: OutboxEntry[];
  /** Message × channel deliveries that succeeded. */
  delivered: number;
  /** Message × channel deliveries left for the next run without a failure (a channel's per-run limit, the deadline). */
  deferred: number;
  errors: string[];
}

/**
 * Delivers the outbox, oldest first, to each entry's pending channels, retrying within the run.
 * A channel that fails is not tried again this run (its later messages wait, in order); other
 * channels go on independently. Nothing new starts after the deadline. Returns the outbox still pending.
 */
export async function deliverOutbox(
  outbox: readonly OutboxEntry[],
  notifiers: readonly Notifier[],
  policy: RetryPolicy,
  deps: RetryDeps & { logger: Logger },
): Promise<DeliveryResult> {
  const byKey = new Map(notifiers.map((n) => [n.channel.key, n]));
  const stopped = new Set<string>();
  const result: DeliveryResult = { outbox: [], delivered: 0, deferred: 0, errors: [] };
  let pastDeadline = 0;
  for (const entry of outbox) {
    const pending: string[] = [];
    let lastError = entry.last_error;
    let tried = false;
    const partsDelivered: Record<string, string[]> = {};
    for (const key of entry.pending) {
      const notifier = byKey.get(key);
      if (!notifier || stopped.has(key)) {
        pending.push(key);
        continue;
      }
      // Less what waits for the channel's quiet hours (DESIGN.md §11): it goes later, in a message of its own.
      const changes = changesForChannel(notifier.channel, entry.changes).filter((c) => !entry.quiet_held?.[key]?.includes(c.id));
      if (changes.length === 0 && !entry.digest) continue; // a digest has no changes; filters do not apply to it
      if (deps.now() >= deps.deadline) {
        pending.push(key);
        pastDeadline++;
        continue;
      }
      const { outcome, parts } = await sendWithRetry(notifier, { ...entry, changes, parts_delivered: entry.parts_delivered?.[key] }, policy, deps);
      const channel = notifier.channel.name;
      if (outcome.status !== 'ok' && parts.length > 0) partsDelivered[key] = parts;
      tried ||= outcome.status !== 'deferred';
      if (outcome.status === 'ok') {
        result.delivered++;
        deps.logger.info('message delivered', { channel, message_id: entry.id, changes: changes.length });
        continue;
      }
      stopped.add(key);
      pending.push(key);
      if (outcome.status === 'deferred') {
        result.deferred++;
        deps.logger.info('delivery deferred to the next run', { channel, message_id: entry.id, reason: outcome.reason });
        continue;
      }
      lastError = `${channel}: ${outcome.reason}`;
      result.errors.push(`delivery of ${entry.id} to ${lastError} (${outcome.status}; kept in the outbox)`);
      deps.logger.warn('delivery failed', { channel, message_id: entry.id, outcome: outcome.status, reason: outcome.reason });
    }
    if (pending.length > 0) {
      const { parts_delivered: _before, ...rest } = entry;
      const kept = Object.fromEntries(pending.map((k) => [k, partsDelivered[k] ?? entry.parts_delivered?.[k]]).filter(([, v]) => v && v.length > 0));
      result.outbox.push({ ...rest, pending, attempts: entry.attempts + (tried ? 1 : 0), last_error: lastError, ...(Object.keys(kept).length > 0 ? { parts_delivered: kept } : {}) });
    }
  }
  if (pastDeadline > 0) {
    result.deferred += pastDeadline;
    result.errors.push(`the run's deadline came first: ${pastDeadline} delivery(ies) left in the outbox for the next run`);
    deps.logger.warn('deliveries left for the next run: deadline', { deliveries: pastDeadline });
  }
  return result;
}

/** Sends with retries; a message sent in parts is resumed after its delivered parts, which are returned. */
async function sendWithRetry(
  notifier: Notifier,
  message: Message,
  policy: RetryPolicy,
  deps: RetryDeps,
): Promise<{ outcome: Outcome; parts: string[] }> {
  const parts = [...(message.parts_delivered ?? [])];
  const outcome = await retryLoop(policy, deps, async () => {
    const sent = await notifier.send({ ...message, parts_delivered: parts });
    for (const id of sent.partsDelivered ?? []) if (!parts.includes(id)) parts.push(id);
    return sent;
  }, adviceOf);
  return { outcome, parts };
}
