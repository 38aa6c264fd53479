import type { Logger } from './log';
import { changesForChannel } from './notify/filter';
import type { Notifier, Outcome } from './notify/types';
import { backoffDelay, type RetryDeps, type RetryPolicy } from './retry';
import type { OutboxEntry } from './state';

export interface DeliveryResult {
  outbox: OutboxEntry[];
  /** Message × channel deliveries that succeeded. */
  delivered: number;
  errors: string[];
}

/**
 * Delivers the outbox, oldest first, to each entry's pending channels, retrying within the run.
 * A channel that fails is not tried again this run (its later messages wait, in order); other
 * channels go on independently. Returns the outbox still pending.
 */
export async function deliverOutbox(
  outbox: readonly OutboxEntry[],
  notifiers: readonly Notifier[],
  policy: RetryPolicy,
  deps: RetryDeps & { logger: Logger },
): Promise<DeliveryResult> {
  const byKey = new Map(notifiers.map((n) => [n.channel.key, n]));
  const failedChannels = new Set<string>();
  const errors: string[] = [];
  let delivered = 0;
  const remaining: OutboxEntry[] = [];
  for (const entry of outbox) {
    const pending: string[] = [];
    let lastError = entry.last_error;
    let tried = false;
    for (const key of entry.pending) {
      const notifier = byKey.get(key);
      if (!notifier || failedChannels.has(key)) {
        pending.push(key);
        continue;
      }
      const changes = changesForChannel(notifier.channel, entry.changes);
      if (changes.length === 0) continue;
      tried = true;
      const outcome = await sendWithRetry(notifier, { ...entry, changes }, policy, deps);
      if (outcome.status === 'ok') {
        delivered++;
        deps.logger.info('message delivered', { channel: notifier.channel.name, message_id: entry.id, changes: changes.length });
        continue;
      }
      failedChannels.add(key);
      pending.push(key);
      lastError = `${notifier.channel.name}: ${outcome.reason}`;
      errors.push(`delivery of ${entry.id} to ${lastError} (${outcome.status}; kept in the outbox)`);
      deps.logger.warn('delivery failed', { channel: notifier.channel.name, message_id: entry.id, outcome: outcome.status, reason: outcome.reason });
    }
    if (pending.length > 0) {
      remaining.push({ ...entry, pending, attempts: entry.attempts + (tried ? 1 : 0), last_error: lastError });
    }
  }
  return { outbox: remaining, delivered, errors };
}

async function sendWithRetry(
  notifier: Notifier,
  message: OutboxEntry,
  policy: RetryPolicy,
  deps: RetryDeps,
): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await notifier.send(message);
    if (outcome.status !== 'retryable' || attempt >= policy.attempts) return outcome;
    const delay = backoffDelay(policy, attempt, deps.random(), outcome.retryAfterMs);
    if (deps.now() + delay >= deps.deadline) return outcome;
    await deps.sleep(delay);
  }
}
