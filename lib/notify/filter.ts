import { type Change, severityRank } from '../alerting/change';
import type { ChannelConfig } from '../config/config';

/** The changes a channel wants: its `events` kinds and at least its `min_severity`. */
export function changesForChannel(channel: Pick<ChannelConfig, 'events' | 'min_severity'>, changes: readonly Change[]): Change[] {
  return changes.filter(
    (c) =>
      (!channel.events || channel.events.includes(c.kind)) &&
      (!channel.min_severity || severityRank(c.severity) >= severityRank(channel.min_severity)),
  );
}
