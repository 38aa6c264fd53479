import type { Config } from '../config/config';
import type { Logger } from '../log';
import type { HistoryReader } from '../store/ports';
import type { Start } from '../store/recovery-step';
import { type Snapshot, historyKey } from '../store/snapshot';
import { type HistoryView, rebuildAlertState } from './alert-rebuild';
import { type AlertState, readAlertState } from './alert-state';

/** At most this many history objects are read to rebuild the alert state. */
export const REBUILD_MAX_OBJECTS = 20;

export interface StartingAlerts {
  /** null: none (a first run, or no history to rebuild from): failing tasks are then first seen. */
  alerts: AlertState | null;
  errors: string[];
}

/**
 * DESIGN.md §10: the alert state a run starts from. From state.json when it is there and valid;
 * otherwise (state reset, a state.json written before alerts existed, or an invalid `alerts`, which
 * the report's errors name) rebuilt from the history, so that nothing already sent is sent again and
 * nothing failing is forgotten. The rebuild walks the chain back from the base's snapshot over the
 * objects newer than max(REMIND_EVERY, FLAP_WINDOW, NOTIFY_AFTER), plus the first one older, at most
 * REBUILD_MAX_OBJECTS in all: a failure begun before them counts as sent (`rebuildAlertState`).
 */
export async function startingAlerts(start: Start, deps: { store: HistoryReader; config: Pick<Config, 'remindEveryMs' | 'flapWindowMs' | 'notifyAfterMs'>; logger: Logger }, nowMs: number): Promise<StartingAlerts> {
  const read = start.state ? readAlertState(start.state.alerts) : { alerts: null, error: null };
  if (read.alerts) return { alerts: read.alerts, errors: [] };
  const newest = start.base.previous;
  const errors = read.error ? [read.error] : [];
  if (!newest) return { alerts: null, errors };
  const { config } = deps;
  const horizon = nowMs - Math.max(config.remindEveryMs ?? 0, config.flapWindowMs, config.notifyAfterMs);
  const views: HistoryView[] = [view(newest, true)];
  for (let o: Snapshot = newest; o.previous && views.length < REBUILD_MAX_OBJECTS && Date.parse(o.taken_at) >= horizon; ) {
    const stored = await deps.store.readHistory(historyKey(o.previous.id));
    if (!stored) {
      errors.push(`history ${o.previous.id} could not be read to rebuild the alert state: failures begun before ${o.id} count as sent`);
      break;
    }
    o = stored.snapshot;
    views.push(view(o, false));
  }
  deps.logger.info('alert state rebuilt from the history', { objects: views.length, reason: read.error ? 'invalid' : start.reset ? 'state reset' : 'absent' });
  return { alerts: rebuildAlertState(views, config), errors };
}

/** What the rebuild reads of an object; only the newest one's instances are needed (and kept). */
function view(o: Snapshot, newest: boolean): HistoryView {
  return { taken_at: o.taken_at, previous: o.previous, instances: newest ? o.instances : [], changes: o.changes, released: (o.released ?? []).map((c) => c.id) };
}
