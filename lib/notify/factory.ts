import type { ChannelConfig, Config } from '../config/config';
import { createDingTalkNotifier } from './dingtalk';
import { createFeishuNotifier } from './feishu';
import { createGenericNotifier } from './generic';
import { createSlackNotifier } from './slack';
import { createTeamsNotifier } from './teams';
import type { Fetch, Notifier } from './types';
import { createWeComNotifier } from './wecom';

export interface NotifierDeps {
  fetch: Fetch;
  now: () => number;
  timeoutMs: number;
  /** NOTIFY_LANG and NOTIFY_TIMEZONE, for the chat renderings. */
  render: Config['notify'];
  /** Waits between the parts of a chat message (default: a timer). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** One notifier per channel and run: chat notifiers count what they sent during the run. */
export function createNotifier(channel: ChannelConfig, deps: NotifierDeps): Notifier {
  switch (channel.type) {
    case 'generic':
      return createGenericNotifier(channel, deps);
    case 'feishu':
      return createFeishuNotifier(channel, deps);
    case 'dingtalk':
      return createDingTalkNotifier(channel, deps);
    case 'wecom':
      return createWeComNotifier(channel, deps);
    case 'slack':
      return createSlackNotifier(channel, deps);
    case 'teams':
      return createTeamsNotifier(channel, deps);
  }
}
