import { canonicalJson } from './store/canonical-json';
import type { Config } from './config/config';
import { deliverOutbox } from './alerting/deliver';
import { digestStep } from './alerting/digest-run';
import { diffSnapshots, stateResetChange } from './alerting/diff';
import { discoverInstances, previousInstances } from './source/discovery';
import type { InstanceDirectory, TaskSource } from './source/dms-source';
import { withoutConnectorOff } from './source/instance-lifecycle';
import { type FleetListing, listFleet, listedTasks, sameInstances, snapshotInstances } from './source/listing';
import type { Logger } from './log';
import type { Notifier } from './notify/types';
import type { SnapshotStore, StateRead } from './store/obs-store';
import { type Base, baseFromHistory, reconcileHistory } from './store/recovery';
import { notifiable } from './alerting/notifiable';
import { expireOutbox, newOutboxEntry, withoutDelivered } from './alerting/outbox';
import type { RunReport } from './report';
import type { RetryDeps, RetryPolicy } from './retry';
import { runRecord } from './store/run-record';
import { type HistoryLink, SNAPSHOT_SCHEMA, type Snapshot, nextSnapshotId } from './store/snapshot';
import { type OutboxEntry, STATE_SCHEMA, type State } from './store/state';

export interface RunDeps {
  config: Config;
  source: TaskSource;
  /** Lists a project's instances for the discover entries (DESIGN.md §9). */
  directory?: InstanceDirectory;
  store: SnapshotStore;
  notifiers: readonly Notifier[];
  logger: Logger;
  deliveryRetry: RetryPolicy;
  /** Clock, sleep, randomness and the run's deadline (epoch ms). */
  time: RetryDeps;
}

/** Changes logged one line each per run; the rest are counted (all are in the history object). */
export const CHANGE_LOG_LIMIT = 200;
/** A listing of more than twice this many rounds of CONCURRENCY instances starts the state read when this many are left. */
const READ_AHEAD_ROUNDS = 3;

/** One watch cycle, in the order of effects of DESIGN.md §2. Throws only when OBS state cannot be read or written. */
export async function runWatch(deps: RunDeps): Promise<RunReport> {
  const { config, store, logger, time } = deps;
  const started = time.now();
  const takenAt = new Date(started).toISOString();
  const errors: string[] = [];
  const anomalies: string[] = [];

  // 3. List every instance. 2. The state is read at the end of the listing, not before it: the run
  // continues from the newest state.json, so a run that wrote it meanwhile is continued, not
  // overwritten. A long listing starts the read while its last rounds are in flight, so that reading
  // a large state adds little to the run's time.
  const listed = listedTasks();
  let reading: Promise<StateRead> | undefined;
  const readState = () => {
    if (!reading) {
      reading = store.readState(listed.intern);
      // Awaited (and a failure thrown) after the listing; until then Node must not see it as unhandled.
      reading.catch(() => undefined);
    }
    return reading;
  };
  // §9: a failed discovery reads the state early, to keep what its entry found last time.
  const found = await discoverInstances(config, { directory: deps.directory, logger, previous: async () => previousInstances(await readState(), store) });
  anomalies.push(...found.anomalies);
  const ahead = READ_AHEAD_ROUNDS * config.concurrency;
  const fleet = withoutConnectorOff(await listFleet(found.targets, config.concurrency, deps.source, logger, {
    listed: listed.add,
    whenLeft: found.targets.length > 2 * ahead ? { atMost: ahead, call: readState } : undefined,
  }), logger);
  errors.push(...fleet.errors);
  anomalies.push(...fleet.anomalies);

  // 2. The previous state; an unreadable one is quarantined and the run continues from the history,
  // with what may be undelivered queued again from it.
  const read = await readState();
  let base: Base = read.kind === 'ok' ? fromState(read.state) : { previous: null, lastHistory: null, outbox: [] };
  let reset = false;
  if (read.kind === 'corrupt') {
    const latest = await store.readLatestHistory();
    const rebuilt = latest ? await baseFromHistory(store, latest, config) : null;
    base = rebuilt?.base ?? base;
    const quarantined = await store.quarantineState(nextSnapshotId(new Date(started), base.previous?.id));
    errors.push(`${read.reason}: kept as ${quarantined}; continuing from ${latest ? latest.key : 'an empty baseline'}${rebuilt ? `; ${rebuilt.notes.join('; ')}` : ''}`);
    errors.push(...(rebuilt?.errors ?? []));
    logger.error('state.json unreadable, quarantined', { reason: read.reason, quarantine_key: quarantined, baseline: latest?.key ?? null, requeued: base.outbox.length });
    reset = true;
  }
  // Timer runs can overlap: another run started later and finished while this one was listing.
  const concurrent = read.kind === 'ok' && read.state.checked_at > takenAt;
  if (concurrent) {
    anomalies.push(`another run wrote state.json during this run (its snapshot ${read.state.snapshot.id}): changes are computed against it`);
    logger.warn('concurrent run detected', { other_snapshot_id: read.state.snapshot.id });
  }
  const firstRun = base.previous === null;

  // 4. The changes. Before writing history (or when another run wrote meanwhile), account for the
  // history objects the chain's head does not: those of a run that stopped between its history and
  // state writes are adopted, other heads (a fork) merged; their messages are queued.
  let step = diffStep(base, fleet, reset, started, takenAt);
  let merged: HistoryLink[] = [];
  if (step.differs || concurrent) {
    const found = await reconcileHistory(store, base, config, read.kind === 'ok');
    if (found) {
      base = found.base;
      merged = found.merged;
      anomalies.push(...found.notes);
      errors.push(...found.errors);
      for (const note of found.notes) logger.warn(note.startsWith('a fork') ? 'history fork merged' : 'history adopted', { note });
      step = diffStep(base, fleet, reset, started, takenAt);
    }
  }
  const { snapshotId, instances, changes } = step;
  // One line per change, up to a limit: a baseline of a large fleet is thousands of task_added.
  for (const c of changes.slice(0, CHANGE_LOG_LIMIT)) logger.info('change', { ...c });
  if (changes.length > CHANGE_LOG_LIMIT) logger.info('more changes, not logged one by one', { not_logged: changes.length - CHANGE_LOG_LIMIT, snapshot_id: snapshotId });

  // 5. History (when anything differs), then the state with the new messages.
  const expiry = expireOutbox(base.outbox, started, config.outboxMaxAgeMs, new Set(config.channels.map((c) => c.key)));
  let outbox = expiry.outbox;
  for (const e of expiry.expired) {
    errors.push(`message ${e.id} to ${e.channel} expired undelivered: ${e.last_error}`);
    logger.error('message expired undelivered', { ...e });
  }
  const snapshot: Snapshot = {
    schema: SNAPSHOT_SCHEMA,
    id: snapshotId,
    taken_at: takenAt,
    previous: base.lastHistory ? { id: base.lastHistory.id, sha256: base.lastHistory.sha256 } : null,
    instances,
    changes,
    ...(expiry.expired.length > 0 ? { expired: expiry.expired } : {}),
    ...(merged.length > 0 ? { merged } : {}),
    // What may still be undelivered, so that a reset state.json can queue it again (DESIGN.md §6).
    undelivered: outbox.map((e) => ({ id: e.id, snapshot_id: e.snapshot_id, pending: e.pending })),
  };
  const differs = step.differs || expiry.expired.length > 0 || merged.length > 0;
  let lastHistory = base.lastHistory;
  let historyKey: string | null = null;
  if (differs) {
    const written = await store.putHistory(snapshot);
    historyKey = written.key;
    lastHistory = { id: snapshot.id, key: written.key, sha256: written.sha256 };
    logger.info('history written', { key: written.key, sha256: written.sha256 });
  }
  const entry = newOutboxEntry(snapshot, notifiable(changes, base.previous, config), config.channels);
  if (entry && !outbox.some((e) => e.id === entry.id)) outbox = [...outbox, entry];
  const digest = digestStep({ ...config, previous: read.kind === 'ok' ? read.state : null, instances, changes, expired: expiry.expired.length, outbox, nowMs: started, snapshot });
  outbox = digest.outbox;
  const state = (box: OutboxEntry[]): State => ({
    schema: STATE_SCHEMA,
    snapshot: differs || !base.previous ? snapshot : base.previous,
    last_history: lastHistory,
    checked_at: takenAt,
    outbox: box,
    ...runRecord({ previous: read.kind === 'ok' ? read.state : null, instances, changes, startedAt: takenAt, durationMs: time.now() - started }),
    ...digest.record,
  });
  let written: string | undefined;
  try {
    written = await store.putState(state(outbox));
  } catch (err) {
    // This run's changes are in its history object, but state.json does not know of it: a later run
    // adopts them only when it writes history, which a quiet fleet may not do for days. Deliver now,
    // at least once (a later adoption may send them again), then fail the run.
    if (differs && outbox.length > 0) {
      const late = await deliverOutbox(outbox, deps.notifiers, deps.deliveryRetry, { ...time, logger });
      logger.warn('delivered although state.json could not be written', { delivered: late.delivered, errors: late.errors });
    }
    throw err;
  }

  // 6–7. Deliver, then record what is still pending.
  const delivery = outbox.length > 0 ? await deliverOutbox(outbox, deps.notifiers, deps.deliveryRetry, { ...time, logger }) : null;
  if (delivery) {
    errors.push(...delivery.errors);
    if (canonicalJson(delivery.outbox) !== canonicalJson(outbox)) {
      const other = (await store.stateVersion()) === written ? null : await store.readState();
      if (other?.kind === 'ok') {
        // Another run wrote meanwhile: record our deliveries in its state rather than overwrite it, and
        // add what we still have pending that it does not know of (our message, when the runs forked).
        logger.warn('concurrent run detected', { other_snapshot_id: other.state.snapshot.id });
        const kept = withoutDelivered(other.state.outbox, outbox, delivery.outbox);
        const ours = delivery.outbox.filter((e) => !other.state.outbox.some((o) => o.id === e.id));
        await store.putState({ ...other.state, outbox: [...kept, ...ours] });
      } else {
        await store.putState(state(delivery.outbox));
      }
    }
  }

  const byKind: RunReport['changes_by_kind'] = {};
  for (const c of changes) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  const failed = instances.filter((i) => !i.ok).length;
  return {
    snapshot_id: snapshotId,
    started_at: takenAt,
    duration_ms: time.now() - started,
    first_run: firstRun,
    state_reset: read.kind === 'corrupt',
    history_key: historyKey,
    instances: { total: instances.length, ok: instances.length - failed, failed },
    tasks: instances.reduce((n, i) => n + i.tasks.length, 0),
    changes: changes.length,
    changes_by_kind: byKind,
    messages: { delivered: delivery?.delivered ?? 0, pending: (delivery?.outbox ?? outbox).reduce((n, e) => n + e.pending.length, 0), expired: expiry.expired.length },
    api_requests: fleet.apiRequests + found.requests,
    anomalies,
    errors,
  };
}

/** The new snapshot's instances and changes against `base`. */
function diffStep(base: Base, fleet: FleetListing, reset: boolean, started: number, takenAt: string) {
  const snapshotId = nextSnapshotId(new Date(started), base.previous?.id);
  const instances = snapshotInstances(fleet.instances, base.previous?.instances ?? []);
  const changes = diffSnapshots({ previous: base.previous?.instances ?? null, next: instances, snapshotId, detectedAt: takenAt });
  if (reset) changes.unshift(stateResetChange(snapshotId, takenAt));
  const differs = base.previous === null || changes.length > 0 || !sameInstances(base.previous.instances, instances);
  return { snapshotId, instances, changes, differs };
}

function fromState(state: State): Base {
  return { previous: state.snapshot, lastHistory: state.last_history, outbox: state.outbox };
}
