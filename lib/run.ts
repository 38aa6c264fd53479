import { deliverAndRecord, deliverNow } from './alerting/delivery-step';
import { logChanges, runChanges } from './alerting/run-changes';
import { sendPolicy } from './alerting/send-policy';
import { startingAlerts } from './alerting/alert-start';
import { silenceStep } from './alerting/silence-step';
import type { Config } from './config/config';
import type { Logger } from './log';
import type { Notifier } from './notify/types';
import type { RunReport } from './report';
import type { RetryDeps, RetryPolicy } from './retry';
import { heldByChannel } from './alerting/quiet-hold';
import { runReport } from './run-report';
import type { InstanceDirectory, TaskSource } from './source/dms-source';
import { listReadingAhead } from './source/run-listing';
import { commitRun } from './store/commit';
import type { HistoryReader, StateStore } from './store/ports';
import type { Base } from './store/recovery';
import { reconciledBase, startingBase } from './store/recovery-step';

export interface RunDeps {
  config: Config;
  source: TaskSource;
  /** Lists a project's instances for the discover entries (DESIGN.md §9). */
  directory?: InstanceDirectory;
  store: StateStore & HistoryReader;
  notifiers: readonly Notifier[];
  logger: Logger;
  deliveryRetry: RetryPolicy;
  /** Clock, sleep, randomness and the run's deadline (epoch ms). */
  time: RetryDeps;
}

/** One watch cycle, in the order of effects of DESIGN.md §2. Throws only when OBS state cannot be read or written. */
export async function runWatch(deps: RunDeps): Promise<RunReport> {
  const { config, logger, time } = deps;
  const started = time.now();
  const at = { started, takenAt: new Date(started).toISOString() };

  // 1. The configuration, parsed by the caller (lib/app.ts), is `deps.config`.
  // 3. Discover and list every instance; 2. state.json is read at the end of the listing, so that
  // the run continues from the newest one. silences.json (§11) is read meanwhile.
  const silencing = silenceStep(deps.store, started, logger);
  const listing = await listReadingAhead(deps);

  // 2. The previous state: missing, a first run; unreadable, quarantined, and the run continues from
  // the newest history object, with what may be undelivered queued again.
  const start = await startingBase(await listing.readState(), deps, at);

  // The alert state (§10): from state.json, or rebuilt from the history when absent or invalid.
  const alerts = await startingAlerts(start, deps, started);
  const silences = await silencing;

  // 4. The changes against it, once the history objects the chain's head does not account for (a run
  // that stopped before its state write, a fork) are adopted or merged; then which of them are sent
  // (the alert lifecycle may add reminders: then history is written too).
  const decide = (b: Base) => {
    const run = runChanges(b, listing.fleet, start.reset, at);
    const snapshot = { id: run.snapshotId, taken_at: at.takenAt, instances: run.instances };
    const send = sendPolicy({ changes: run.changes, previous: b.previous, snapshot, config, now: started, alerts: alerts.alerts, silenced: silences.silenced });
    return { run: { ...run, changes: send.recorded, differs: run.differs || send.writesHistory }, send, differs: run.differs || send.writesHistory };
  };
  const recovered = await reconciledBase(start, decide, deps);
  const { base } = recovered;
  const { run, send } = recovered.changes;
  logChanges(run, logger);

  // 5. A history object when anything differs, then state.json with the new messages. Should that
  // write fail, the messages are delivered before the run fails.
  const commit = await commitRun(
    { ...deps, now: () => time.now(), deliver: (outbox) => deliverNow(deps, outbox) },
    { at, base, merged: recovered.merged, run, state: start.state, queue: send.queue, released: send.released, alerts: send.alerts },
  );

  // 6–7. Deliver the outbox, then record in state.json what is still pending.
  const delivery = await deliverAndRecord(deps, commit);

  return runReport({
    snapshotId: run.snapshotId,
    takenAt: at.takenAt,
    durationMs: time.now() - started,
    firstRun: start.base.previous === null,
    stateReset: start.reset,
    historyKey: commit.historyKey,
    instances: run.instances,
    changes: run.changes,
    held: send.held,
    delivered: delivery?.delivered ?? 0,
    outbox: delivery?.outbox ?? commit.outbox,
    expired: commit.expired.length,
    quietHours: heldByChannel(commit.quietHolds, config.channels),
    apiRequests: listing.apiRequests,
    notes: [listing, silences, start, alerts, recovered, commit, delivery],
  });
}
