import type { Config } from '../config/config';
import type { Logger } from '../log';
import type { HistoryReader, StateRead, StateStore } from './ports';
import { type Base, baseFromHistory, reconcileHistory } from './recovery';
import { type HistoryLink, nextSnapshotId } from './snapshot';
import type { State } from './state';

export interface RecoveryDeps {
  store: StateStore & HistoryReader;
  config: Config;
  logger: Logger;
}

/** Where a run starts from, before the history is reconciled. */
export interface Start {
  base: Base;
  /** The state.json read, when it was readable (its run record and digest days are continued). */
  state: State | null;
  /** state.json was unreadable and quarantined: the changes begin with `state_reset`. */
  reset: boolean;
  /** Another run wrote state.json after this one started. */
  concurrent: boolean;
  anomalies: string[];
  errors: string[];
}

/**
 * DESIGN.md §2 step 2: the base from the state read. Missing: a first run. Unreadable: it is
 * quarantined and the run continues from the newest history object, with what may be undelivered
 * queued again from it (an empty baseline only when there is no history at all).
 */
export async function startingBase(read: StateRead, deps: RecoveryDeps, at: { started: number; takenAt: string }): Promise<Start> {
  const { store, config, logger } = deps;
  const state = read.kind === 'ok' ? read.state : null;
  const base: Base = state ? { previous: state.snapshot, lastHistory: state.last_history, outbox: state.outbox, quietHolds: state.quiet_hours ?? {} } : { previous: null, lastHistory: null, outbox: [] };
  const out: Start = { base, state, reset: false, concurrent: false, anomalies: [], errors: [] };
  if (read.kind === 'corrupt') {
    const latest = await store.readLatestHistory();
    const rebuilt = latest ? await baseFromHistory(store, latest, config) : null;
    out.base = rebuilt?.base ?? out.base;
    const quarantined = await store.quarantineState(nextSnapshotId(new Date(at.started), out.base.previous?.id));
    out.errors.push(`${read.reason}: kept as ${quarantined}; continuing from ${latest ? latest.key : 'an empty baseline'}${rebuilt ? `; ${rebuilt.notes.join('; ')}` : ''}`);
    out.errors.push(...(rebuilt?.errors ?? []));
    logger.error('state.json unreadable, quarantined', { reason: read.reason, quarantine_key: quarantined, baseline: latest?.key ?? null, requeued: out.base.outbox.length });
    out.reset = true;
  }
  // Timer runs can overlap: another run started later and finished while this one was listing.
  if (state && state.checked_at > at.takenAt) {
    out.concurrent = true;
    out.anomalies.push(`another run wrote state.json during this run (its snapshot ${state.snapshot.id}): changes are computed against it`);
    logger.warn('concurrent run detected', { other_snapshot_id: state.snapshot.id });
  }
  return out;
}

/** A run's base once the history is reconciled, with what `changesAgainst` made of it. */
export interface Recovery<T> {
  base: Base;
  /** The other heads of a fork, for the new history object's `merged`. */
  merged: HistoryLink[];
  changes: T;
  anomalies: string[];
  errors: string[];
}

/**
 * DESIGN.md §2 step 4, before history is written: when this run would write history (or another run
 * wrote meanwhile), the history objects the chain's head does not account for are accounted for.
 * Those of a run that stopped between its history and state writes are adopted, other heads (a fork)
 * merged; their messages are queued, and the changes computed again against the new base.
 */
export async function reconciledBase<T extends { differs: boolean }>(start: Start, changesAgainst: (base: Base) => T, deps: RecoveryDeps): Promise<Recovery<T>> {
  const changes = changesAgainst(start.base);
  const none: Recovery<T> = { base: start.base, merged: [], changes, anomalies: [], errors: [] };
  if (!changes.differs && !start.concurrent) return none;
  const found = await reconcileHistory(deps.store, start.base, deps.config, start.state !== null);
  if (!found) return none;
  for (const note of found.notes) deps.logger.warn(note.startsWith('a fork') ? 'history fork merged' : 'history adopted', { note });
  return { base: found.base, merged: found.merged, changes: changesAgainst(found.base), anomalies: found.notes, errors: found.errors };
}
