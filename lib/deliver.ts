import type { Logger } from './log';
import { changesForChannel } from './notify/filter';
import type { Notifier, Outcome } from './notify/types';
import { backoffDelay, type RetryDeps, type RetryPolicy } from './retry';
import type { OutboxEntry } from './state';

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
    for (const key of entry.pending) {
      const notifier = byKey.get(key);
      if (!notifier || stopped.has(key)) {
        pending.push(key);
        continue;
      }
      const changes = changesForChannel(notifier.channel, entry.changes);
      if (changes.length === 0 && !entry.digest) continue; // a digest has no changes; filters do not apply to it
      if (deps.now() >= deps.deadline) {
        pending.push(key);
        pastDeadline++;
        continue;
      }
      const outcome = await sendWithRetry(notifier, { ...entry, changes }, policy, deps);
      const channel = notifier.channel.name;
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
      result.outbox.push({ ...entry, pending, attempts: entry.attempts + (tried ? 1 : 0), last_error: lastError });
    }
  }
  if (pastDeadline > 0) {
    result.deferred += pastDeadline;
    result.errors.push(`the run's deadline came first: ${pastDeadline} delivery(ies) left in the outbox for the next run`);
    deps.logger.warn('deliveries left for the next run: deadline', { deliveries: pastDeadline });
  }
  return result;
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
