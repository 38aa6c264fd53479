import type { ChannelConfig, Config } from '../config';
import { ConfigError } from '../errors';
import { createGenericNotifier } from './generic';
import type { Fetch, Notifier } from './types';

export interface NotifierDeps {
  fetch: Fetch;
  now: () => number;
  timeoutMs: number;
  /** NOTIFY_LANG and NOTIFY_TIMEZONE, for the chat renderings. */
  render: Config['notify'];
}

export function createNotifier(channel: ChannelConfig, deps: NotifierDeps): Notifier {
  switch (channel.type) {
    case 'generic':
      return createGenericNotifier(channel, deps);
    default:
      throw new ConfigError([`WEBHOOKS: channel ${channel.name} has type ${channel.type}, which this version cannot deliver yet`]);
  }
}
