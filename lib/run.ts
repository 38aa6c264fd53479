import { canonicalJson } from './canonical-json';
import type { Change } from './change';
import type { Config, InstanceTarget } from './config';
import { mapLimit } from './concurrency';
import { deliverOutbox } from './deliver';
import { changeId, diffSnapshots } from './diff';
import type { TaskSource } from './dms-source';
import { describeError } from './errors';
import type { Logger } from './log';
import type { Notifier } from './notify/types';
import type { SnapshotStore, StateRead } from './obs-store';
import { expireOutbox, newOutboxEntry, withoutDelivered } from './outbox';
import type { RunReport } from './report';
import type { RetryDeps, RetryPolicy } from './retry';
import { type InstanceSnapshot, SNAPSHOT_SCHEMA, type Snapshot, nextSnapshotId } from './snapshot';
import { type LastHistory, STATE_SCHEMA, type State } from './state';

export interface RunDeps {
  config: Config;
  source: TaskSource;
  store: SnapshotStore;
  notifiers: readonly Notifier[];
  logger: Logger;
  deliveryRetry: RetryPolicy;
  /** Clock, sleep, randomness and the run's deadline (epoch ms). */
  time: RetryDeps;
}

/** One watch cycle, in the order of effects of DESIGN.md §2. Throws only when OBS state cannot be read or written. */
export async function runWatch(deps: RunDeps): Promise<RunReport> {
  const { config, store, logger, time } = deps;
  const started = time.now();
  const errors: string[] = [];

  // 2. The previous state.
  const read = await store.readState();
  let previous: Snapshot | null = read.kind === 'ok' ? read.state.snapshot : null;
  let lastHistory: LastHistory | null = read.kind === 'ok' ? read.state.last_history : null;
  let outbox = read.kind === 'ok' ? read.state.outbox : [];
  let snapshotId = nextSnapshotId(new Date(started), previous?.id);
  const resetChanges: Change[] = [];
  if (read.kind === 'corrupt') {
    const latest = await store.readLatestHistory();
    previous = latest?.snapshot ?? null;
    lastHistory = latest ? { id: latest.snapshot.id, key: latest.key, sha256: latest.sha256 } : null;
    snapshotId = nextSnapshotId(new Date(started), previous?.id);
    const quarantined = await store.quarantineState(snapshotId);
    const message = `${read.reason}: kept as ${quarantined}; continuing from ${latest ? latest.key : 'an empty baseline'} (its pending messages are lost)`;
    errors.push(message);
    logger.error('state.json unreadable, quarantined', { reason: read.reason, quarantine_key: quarantined, baseline: latest?.key ?? null });
    resetChanges.push(stateResetChange(snapshotId, new Date(started).toISOString()));
  }
  const firstRun = previous === null;
  const takenAt = new Date(started).toISOString();

  // 3. List every instance, concurrently; a failed instance keeps its previous tasks.
  const prevById = new Map((previous?.instances ?? []).map((i) => [i.instance_id, i]));
  let apiRequests = 0;
  const anomalies: string[] = [];
  const instances = await mapLimit(config.instances, config.concurrency, async (target) => {
    try {
      const listing = await deps.source.listTasks(target);
      apiRequests += listing.requests;
      for (const a of listing.anomalies) {
        anomalies.push(`${label(target)}: ${a}`);
        logger.warn('paging anomaly', { instance_id: target.instance_id, anomaly: a });
      }
      const before = prevById.get(target.instance_id);
      // An incomplete listing never makes a task look removed: unseen tasks keep their last state.
      const seen = new Set(listing.tasks.map((t) => t.id));
      const tasks = listing.complete || !before ? listing.tasks : [...listing.tasks, ...before.tasks.filter((t) => !seen.has(t.id))].sort(byId);
      return instanceSnapshot(target, { ok: true, error: null, ...listing, tasks });
    } catch (err) {
      const reason = describeError(err);
      errors.push(`listing ${label(target)} failed: ${reason}`);
      logger.warn('instance listing failed', { instance_id: target.instance_id, error: reason });
      const before = prevById.get(target.instance_id);
      return instanceSnapshot(target, {
        ok: false,
        error: reason,
        tasks: before?.tasks ?? [],
        total_number: before?.total_number ?? null,
        max_tasks: before?.max_tasks ?? null,
        quota_tasks: before?.quota_tasks ?? null,
      });
    }
  });

  // Timer runs can overlap and OBS has no conditional writes: if another run wrote state.json
  // meanwhile, continue from its snapshot, history link and outbox instead of overwriting them.
  const latest = await store.readState();
  if (rawOf(latest) !== rawOf(read) && latest.kind === 'ok') {
    previous = latest.state.snapshot;
    lastHistory = latest.state.last_history;
    outbox = latest.state.outbox;
    snapshotId = nextSnapshotId(new Date(started), previous.id);
    resetChanges.length = 0;
    const note = `another run wrote state.json during this run (its snapshot ${previous.id}): changes are computed against it`;
    anomalies.push(note);
    logger.warn('concurrent run detected', { other_snapshot_id: previous.id });
  }

  // 4. The changes.
  const changes = [...resetChanges, ...diffSnapshots({ previous: previous?.instances ?? null, next: instances, snapshotId, detectedAt: takenAt })];
  for (const c of changes) logger.info('change', { ...c });

  // 5. History (when anything differs), then the state with the new messages.
  const channelKeys = new Set(config.channels.map((c) => c.key));
  const expiry = expireOutbox(outbox, started, config.outboxMaxAgeMs, channelKeys);
  outbox = expiry.outbox;
  for (const e of expiry.expired) {
    errors.push(`message ${e.id} to ${e.channel} expired undelivered: ${e.last_error}`);
    logger.error('message expired undelivered', { ...e });
  }
  const snapshot: Snapshot = {
    schema: SNAPSHOT_SCHEMA,
    id: snapshotId,
    taken_at: takenAt,
    previous: lastHistory ? { id: lastHistory.id, sha256: lastHistory.sha256 } : null,
    instances,
    changes,
    ...(expiry.expired.length > 0 ? { expired: expiry.expired } : {}),
  };
  const differs = previous === null || changes.length > 0 || expiry.expired.length > 0 || canonicalJson(previous.instances) !== canonicalJson(instances);
  let historyKey: string | null = null;
  if (differs) {
    const written = await store.putHistory(snapshot);
    historyKey = written.key;
    lastHistory = { id: snapshot.id, key: written.key, sha256: written.sha256 };
    logger.info('history written', { key: written.key, sha256: written.sha256 });
  }
  // An instance never listed before (first run, newly configured, or failing since its first run)
  // has a baseline, not news: its tasks are sent only with NOTIFY_FIRST_RUN.
  const baseline = new Set(
    instances.filter((i) => { const p = prevById.get(i.instance_id); return !p || (!p.ok && p.total_number === null); }).map((i) => i.instance_id),
  );
  const notifiable = changes.filter(
    (c) => config.notifyOn.includes(c.kind) && !(c.kind === 'task_added' && baseline.has(c.instance_id ?? '') && !config.notifyFirstRun),
  );
  const entry = notifiable.length > 0 ? newOutboxEntry(snapshot, notifiable, config.channels) : null;
  if (entry && !outbox.some((e) => e.id === entry.id)) outbox = [...outbox, entry];
  const state = (box: State['outbox']): State => ({
    schema: STATE_SCHEMA,
    snapshot: differs || !previous ? snapshot : previous,
    last_history: lastHistory,
    checked_at: takenAt,
    outbox: box,
  });
  const written = await store.putState(state(outbox));

  // 6–7. Deliver, then record what is still pending.
  const delivery = outbox.length > 0 ? await deliverOutbox(outbox, deps.notifiers, deps.deliveryRetry, { ...time, logger }) : null;
  if (delivery) {
    errors.push(...delivery.errors);
    if (canonicalJson(delivery.outbox) !== canonicalJson(outbox)) {
      const now = await store.readState();
      if (now.kind === 'ok' && now.raw !== written) {
        // Another run wrote meanwhile: record our deliveries in its state rather than overwrite it.
        logger.warn('concurrent run detected', { other_snapshot_id: now.state.snapshot.id });
        await store.putState({ ...now.state, outbox: withoutDelivered(now.state.outbox, outbox, delivery.outbox) });
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
    api_requests: apiRequests,
    anomalies,
    errors,
  };
}

function instanceSnapshot(
  target: InstanceTarget,
  r: Pick<InstanceSnapshot, 'ok' | 'error' | 'tasks' | 'total_number' | 'max_tasks' | 'quota_tasks'>,
): InstanceSnapshot {
  return {
    instance_id: target.instance_id,
    name: target.name,
    region: target.region,
    project_id: target.project_id,
    ok: r.ok,
    error: r.error,
    total_number: r.total_number,
    max_tasks: r.max_tasks,
    quota_tasks: r.quota_tasks,
    tasks: r.tasks,
  };
}

function stateResetChange(snapshotId: string, detectedAt: string): Change {
  return {
    id: changeId(['state_reset', '', '', '', '', snapshotId]),
    kind: 'state_reset',
    severity: 'warning',
    instance_id: null,
    instance_name: null,
    task_id: null,
    task_name: null,
    from: null,
    to: null,
    fields: null,
    snapshot_id: snapshotId,
    detected_at: detectedAt,
  };
}

function rawOf(read: StateRead): string | null {
  return read.kind === 'missing' ? null : read.raw;
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function label(t: InstanceTarget): string {
  return t.name ? `${t.name} (${t.instance_id})` : t.instance_id;
}
