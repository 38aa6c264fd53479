import type { Config } from '../config/config';
import type { Logger } from '../log';
import type { HistoryReader, StateRead, StateStore } from '../store/ports';
import { discoverInstances, previousInstances } from './discovery';
import type { InstanceDirectory, TaskSource } from './dms-source';
import { withoutConnectorOff } from './instance-lifecycle';
import { type FleetListing, listFleet, listedTasks } from './listing';

/** A listing of more than twice this many rounds of CONCURRENCY instances starts the state read when this many are left. */
const READ_AHEAD_ROUNDS = 3;

export interface RunListing {
  fleet: FleetListing;
  /** DMS requests: the discovery's and the listing's, retries included. */
  apiRequests: number;
  anomalies: string[];
  errors: string[];
  /** state.json, read once: started during or after the listing, awaited (and a failure thrown) by the caller. */
  readState(): Promise<StateRead>;
}

/**
 * DESIGN.md §2 steps 3 and 2: discover and list every instance, and read the state at the end of the
 * listing, not before it. The run continues from the newest state.json, so a run that wrote it
 * meanwhile is continued, not overwritten. A long listing starts the read while its last rounds are
 * in flight, so that reading a large state adds little to the run's time; a failed discovery reads it
 * early, to keep what its entry found last time (§9).
 */
export async function listReadingAhead(deps: {
  config: Pick<Config, 'instances' | 'discover' | 'concurrency'>;
  source: TaskSource;
  directory?: InstanceDirectory | undefined;
  store: Pick<StateStore & HistoryReader, 'readState' | 'readLatestHistory'>;
  logger: Logger;
}): Promise<RunListing> {
  const { config, store, logger } = deps;
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
  const found = await discoverInstances(config, { directory: deps.directory, logger, previous: async () => previousInstances(await readState(), store) });
  const ahead = READ_AHEAD_ROUNDS * config.concurrency;
  const fleet = withoutConnectorOff(await listFleet(found.targets, config.concurrency, deps.source, logger, {
    listed: listed.add,
    whenLeft: found.targets.length > 2 * ahead ? { atMost: ahead, call: readState } : undefined,
  }), logger);
  return { fleet, apiRequests: fleet.apiRequests + found.requests, anomalies: [...found.anomalies, ...fleet.anomalies], errors: fleet.errors, readState };
}
