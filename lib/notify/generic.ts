import { createHmac } from 'node:crypto';
import type { ChannelConfig } from '../config';
import { digestPayload } from './digest-generic';
import { classifyHttpStatus, type PostDeps, postJson } from './http';
import type { Message, Notifier } from './types';

/** DESIGN.md §5: the generic webhook body. */
export function genericPayload(message: Message): string {
  return JSON.stringify({
    type: 'smart_connect.task_changes',
    id: message.id,
    snapshot_id: message.snapshot_id,
    taken_at: message.taken_at,
    changes: message.changes,
  });
}

/** Standard Webhooks headers; the key is the base64 remainder of a `whsec_` secret, else the secret's UTF-8 bytes. */
export function standardWebhookHeaders(id: string, timestampSeconds: number, body: string, secret: string): Record<string, string> {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` };
}

export function createGenericNotifier(channel: ChannelConfig, deps: PostDeps & { now: () => number }): Notifier {
  return {
    channel,
    async send(message) {
      const body = message.digest ? digestPayload({ ...message, digest: message.digest }) : genericPayload(message);
      const headers = channel.secret
        ? standardWebhookHeaders(message.id, Math.floor(deps.now() / 1000), body, channel.secret.reveal())
        : { 'webhook-id': message.id };
      return postJson(deps, channel.url.reveal(), body, headers, classifyHttpStatus);
    },
  };
}
