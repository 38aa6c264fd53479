import type { FleetListing } from './listing';
import { instanceLabel } from './listing';
import type { Logger } from '../log';

/**
 * A discovered instance whose task listing answers that Smart Connect is not enabled (discovery said
 * it was: the two APIs disagree for a while after it is turned off) is not watched: it leaves the
 * snapshot, so the diff records `instance_removed` once if it was watched, and nothing on later runs;
 * each run says so in the report's anomalies. A configured id stays, unreachable with that reason (§9).
 */
export function withoutConnectorOff(fleet: FleetListing, logger: Logger): FleetListing {
  const off = fleet.instances.filter((l) => l.connectorOff === true && l.target.discovered_by !== undefined);
  if (off.length === 0) return fleet;
  const gone = new Set(off.map((l) => l.target.instance_id));
  const failedLines = new Set(off.map((l) => `listing ${instanceLabel(l.target)} failed: ${l.error}`));
  for (const l of off) logger.warn('Smart Connect not enabled on a discovered instance: not watched', { instance_id: l.target.instance_id, error: l.error });
  return {
    ...fleet,
    instances: fleet.instances.filter((l) => !gone.has(l.target.instance_id)),
    errors: fleet.errors.filter((e) => !failedLines.has(e)),
    anomalies: [
      ...fleet.anomalies,
      ...off.map((l) => `${instanceLabel(l.target)}: discovered with Smart Connect enabled, but its tasks answer that it is not (${l.error}): not watched`),
    ],
  };
}
