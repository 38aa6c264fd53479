import type { Logger } from '../log';
import type { Notifier } from '../notify/types';
import type { RetryDeps, RetryPolicy } from '../retry';
import { canonicalJson } from '../store/canonical-json';
import type { HistoryReader, StateStore } from '../store/ports';
import type { OutboxEntry, State } from '../store/state';
import { type DeliveryResult, deliverOutbox } from './deliver';
import { withoutDelivered } from './outbox';
import type { QuietHolds } from './quiet-hold';
import { unionHolds } from './quiet-recovery';

export interface DeliveryDeps {
  notifiers: readonly Notifier[];
  deliveryRetry: RetryPolicy;
  /** Clock, sleep, randomness and the run's deadline (epoch ms). */
  time: RetryDeps;
  logger: Logger;
}

/** Delivers `outbox` to the channels, retrying within the run (DESIGN.md §2 step 6). */
export function deliverNow(deps: DeliveryDeps, outbox: readonly OutboxEntry[]): Promise<DeliveryResult> {
  return deliverOutbox(outbox, deps.notifiers, deps.deliveryRetry, { ...deps.time, logger: deps.logger });
}

/**
 * DESIGN.md §2 steps 6–7: delivers the outbox written to state.json (`version`), then, when anything
 * changed, PUTs state.json again with what is still pending. If another run wrote state.json
 * meanwhile, this run's deliveries are recorded in its state rather than overwriting it, with what
 * this run still has pending that it does not know of (its message, when the runs forked).
 * Null when there was nothing to deliver.
 */
export async function deliverAndRecord(
  deps: DeliveryDeps & { store: Pick<StateStore & HistoryReader, 'stateVersion' | 'readState' | 'putState'> },
  written: { outbox: OutboxEntry[]; version: string; stateWith(outbox: OutboxEntry[]): State; quietHolds?: QuietHolds },
): Promise<DeliveryResult | null> {
  const { store, logger } = deps;
  const { outbox } = written;
  if (outbox.length === 0) return null;
  const delivery = await deliverNow(deps, outbox);
  if (canonicalJson(delivery.outbox) === canonicalJson(outbox)) return delivery;
  const other = (await store.stateVersion()) === written.version ? null : await store.readState();
  if (other?.kind === 'ok') {
    logger.warn('concurrent run detected', { other_snapshot_id: other.state.snapshot.id });
    const kept = withoutDelivered(other.state.outbox, outbox, delivery.outbox);
    const ours = delivery.outbox.filter((e) => !other.state.outbox.some((o) => o.id === e.id));
    // The holds of both runs (DESIGN.md §11): a change either held stays held, once.
    const holds = unionHolds(other.state.quiet_hours, written.quietHolds, [...other.state.outbox, ...outbox]);
    const { quiet_hours: _, ...rest } = other.state;
    await store.putState({ ...rest, outbox: [...kept, ...ours], ...(Object.keys(holds).length > 0 ? { quiet_hours: holds } : {}) });
  } else {
    await store.putState(written.stateWith(delivery.outbox));
  }
  return delivery;
}
