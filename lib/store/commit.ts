import type { Change } from '../alerting/change';
import { digestStep } from '../alerting/digest-run';
import { expireOutbox } from '../alerting/outbox';
import { type QuietHolds, quietStep } from '../alerting/quiet-hold';
import { quietRecord } from '../alerting/quiet-recovery';
import type { Config } from '../config/config';
import type { Logger } from '../log';
import type { HistoryReader, StateStore } from './ports';
import type { Base } from './recovery';
import { runRecord } from './run-record';
import { type ExpiredMessage, type HistoryLink, type InstanceSnapshot, SNAPSHOT_SCHEMA, type Snapshot } from './snapshot';
import { type OutboxEntry, STATE_SCHEMA, type State } from './state';

export interface CommitDeps {
  store: Pick<StateStore & HistoryReader, 'putHistory' | 'putState'>;
  config: Pick<Config, 'channels' | 'notify' | 'outboxMaxAgeMs'>;
  logger: Logger;
  /** Clock (epoch ms), for the run's duration in each state.json written. */
  now: () => number;
  /** Delivers an outbox at once: used only when state.json cannot be written. */
  deliver: (outbox: OutboxEntry[]) => Promise<{ delivered: number; errors: string[] }>;
}

export interface CommitInput {
  at: { started: number; takenAt: string };
  base: Base;
  /** The other heads of a fork, named in the history object. */
  merged: HistoryLink[];
  run: { snapshotId: string; instances: InstanceSnapshot[]; changes: Change[]; differs: boolean };
  /** The state.json read, when readable: its run record and digest days are continued. */
  state: State | null;
  /** This run's new messages (the send policy's), queued after the base's outbox. */
  queue: readonly OutboxEntry[];
  /** Changes held by earlier runs and sent by this one: the history object's `released` (DESIGN.md §10). */
  released: readonly Change[];
  /** The alert state for state.json (DESIGN.md §10). */
  alerts: unknown;
}

export interface Commit {
  snapshot: Snapshot;
  /** The history object written; null when nothing differs. */
  historyKey: string | null;
  expired: ExpiredMessage[];
  /** The outbox written to state.json, to deliver. */
  outbox: OutboxEntry[];
  /** The version of state.json written. */
  version: string;
  /** state.json as this run writes it, with another outbox (for the write after delivery). */
  stateWith(outbox: OutboxEntry[]): State;
  errors: string[];
  /** What each channel holds for quiet hours after this run (DESIGN.md §11), by channel key. */
  quietHolds: QuietHolds;
}

/**
 * DESIGN.md §2 step 5: the outbox's expired messages recorded, a history object PUT when anything
 * differs, then state.json with the new snapshot and the outbox with the new messages (and today's
 * digests: the day is recorded in the write that queues them). When that write fails, the messages
 * are delivered before the error is thrown (see below).
 */
export async function commitRun(deps: CommitDeps, input: CommitInput): Promise<Commit> {
  const { store, config, logger } = deps;
  const { at, base, run } = input;
  const errors: string[] = [];
  const expiry = expireOutbox(base.outbox, at.started, config.outboxMaxAgeMs, new Set(config.channels.map((c) => c.key)));
  for (const e of expiry.expired) {
    errors.push(`message ${e.id} to ${e.channel} expired undelivered: ${e.last_error}`);
    logger.error('message expired undelivered', { ...e });
  }
  const queued = [...expiry.outbox];
  for (const entry of input.queue) if (!queued.some((e) => e.id === entry.id)) queued.push(entry);
  // Before the history object: it records what is held and released (quiet-recovery.ts).
  const quiet = quietStep({ channels: config.channels, holds: input.base.quietHolds ?? input.state?.quiet_hours, outbox: queued, nowMs: at.started, takenAt: at.takenAt });
  const snapshot = nextSnapshot(input, quietRecord(quiet, expiry.outbox, input.queue), expiry.expired);
  const differs = run.differs || expiry.expired.length > 0 || input.merged.length > 0;
  let lastHistory = base.lastHistory;
  let historyKey: string | null = null;
  if (differs) {
    const written = await store.putHistory(snapshot);
    historyKey = written.key;
    lastHistory = { id: snapshot.id, key: written.key, sha256: written.sha256 };
    logger.info('history written', { key: written.key, sha256: written.sha256 });
  }
  const digest = digestStep({ ...config, previous: input.state, instances: run.instances, changes: run.changes, expired: expiry.expired.length, outbox: quiet.outbox, nowMs: at.started, snapshot });
  const stateWith = (outbox: OutboxEntry[]): State => ({
    schema: STATE_SCHEMA,
    snapshot: differs || !base.previous ? snapshot : base.previous,
    last_history: lastHistory,
    checked_at: at.takenAt,
    outbox,
    ...runRecord({ previous: input.state, instances: run.instances, changes: run.changes, startedAt: at.takenAt, durationMs: deps.now() - at.started }),
    ...digest.record,
    alerts: input.alerts,
    ...(Object.keys(quiet.holds).length > 0 ? { quiet_hours: quiet.holds } : {}),
  });
  try {
    const version = await store.putState(stateWith(digest.outbox));
    return { snapshot, historyKey, expired: expiry.expired, outbox: digest.outbox, version, stateWith, errors, quietHolds: quiet.holds };
  } catch (err) {
    // This run's changes are in its history object, but state.json does not know of it: a later run
    // adopts them only when it writes history, which a quiet fleet may not do for days. Deliver now,
    // at least once (a later adoption may send them again), then fail the run.
    if (differs && digest.outbox.length > 0) {
      const late = await deps.deliver(digest.outbox);
      logger.warn('delivered although state.json could not be written', { delivered: late.delivered, errors: late.errors });
    }
    throw err;
  }
}

/** The run's snapshot: its history object, whether written or not. `quiet`: what may still be undelivered besides this run's messages, and what is held (quiet-recovery.ts). */
function nextSnapshot(input: CommitInput, quiet: Pick<Snapshot, 'undelivered' | 'quiet_held'>, expired: ExpiredMessage[]): Snapshot {
  const { base, run, merged } = input;
  return {
    schema: SNAPSHOT_SCHEMA,
    id: run.snapshotId,
    taken_at: input.at.takenAt,
    previous: base.lastHistory ? { id: base.lastHistory.id, sha256: base.lastHistory.sha256 } : null,
    instances: run.instances,
    changes: run.changes,
    ...(expired.length > 0 ? { expired } : {}),
    ...(merged.length > 0 ? { merged } : {}),
    ...(input.released.length > 0 ? { released: [...input.released] } : {}),
    // What may still be undelivered or is held, so that a reset state.json can queue it again (DESIGN.md §6).
    ...quiet,
  };
}
