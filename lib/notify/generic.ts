import { createHmac } from 'node:crypto';
import type { ChannelConfig } from '../config/config';
import { sha256Hex } from '../store/hash';
import { digestPayload } from './digest-generic';
import { classifyHttpStatus, type PostDeps, postJson } from './http';
import type { Message, Notifier, Outcome } from './types';

/** DESIGN.md §5: a generic webhook body is at most 256 KiB. */
export const MAX_BODY_BYTES = 256 * 1024;

/** One request of a message: its own id (the `webhook-id`) and body. */
export interface GenericPart {
  id: string;
  body: string;
}

/** DESIGN.md §5: the generic webhook body (one part of `parts` when the message was split). */
export function genericPayload(message: Message, part?: { id: string; k: number; n: number }): string {
  return JSON.stringify({
    type: 'smart_connect.task_changes',
    id: part?.id ?? message.id,
    snapshot_id: message.snapshot_id,
    taken_at: message.taken_at,
    ...(part ? { part: part.k, parts: part.n } : {}),
    changes: message.changes,
  });
}

/**
 * The requests of a message (DESIGN.md §5): one body when it fits in `maxBytes`; otherwise several,
 * each a complete payload of consecutive changes with `"part": k, "parts": n` and its own id. Ids
 * are derived from the message id, the part's place and its change ids: the same message gives the
 * same parts on every run. A single change larger than the limit goes alone (none is that large).
 */
export function genericParts(message: Message, maxBytes: number = MAX_BODY_BYTES): GenericPart[] {
  const whole = genericPayload(message);
  if (Buffer.byteLength(whole) <= maxBytes) return [{ id: message.id, body: whole }];
  // The envelope of a part with no changes, with room for any id of the message id's length and six-digit counts.
  const envelope = Buffer.byteLength(genericPayload({ ...message, changes: [] }, { id: message.id, k: 999_999, n: 999_999 }));
  const groups: Message['changes'][] = [];
  let group: Message['changes'] = [];
  let size = envelope;
  for (const change of message.changes) {
    const bytes = Buffer.byteLength(JSON.stringify(change)) + (group.length > 0 ? 1 : 0);
    if (group.length > 0 && size + bytes > maxBytes) {
      groups.push(group);
      group = [];
      size = envelope;
    }
    size += bytes;
    group.push(change);
  }
  if (group.length > 0) groups.push(group);
  const n = groups.length;
  return groups.map((changes, i) => {
    const id = `msg_${sha256Hex(`${message.id}\n${i + 1}/${n}\n${changes.map((c) => c.id).join(',')}`).slice(0, 26)}`;
    return { id, body: genericPayload({ ...message, changes }, { id, k: i + 1, n }) };
  });
}

/** Standard Webhooks headers; the key is the base64 remainder of a `whsec_` secret, else the secret's UTF-8 bytes. */
export function standardWebhookHeaders(id: string, timestampSeconds: number, body: string, secret: string): Record<string, string> {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` };
}

/**
 * Sends a message's parts in order, skipping those already delivered (`message.parts_delivered`).
 * A part that fails ends the attempt: the outcome names the parts delivered so far, so that each
 * part is retried on its own and a delivered one is never sent again.
 */
export function createGenericNotifier(channel: ChannelConfig, deps: PostDeps & { now: () => number }): Notifier {
  return {
    channel,
    async send(message) {
      // A digest carries no changes: one body, never split (DESIGN.md §12).
      const parts = message.digest ? [{ id: message.id, body: digestPayload({ ...message, digest: message.digest }) }] : genericParts(message);
      const done = new Set(message.parts_delivered ?? []);
      const delivered: string[] = [];
      for (const part of parts) {
        if (done.has(part.id)) continue;
        const headers = channel.secret
          ? standardWebhookHeaders(part.id, Math.floor(deps.now() / 1000), part.body, channel.secret.reveal())
          : { 'webhook-id': part.id };
        const outcome: Outcome = await postJson(deps, channel.url.reveal(), part.body, headers, classifyHttpStatus);
        if (outcome.status !== 'ok') return parts.length > 1 ? { ...outcome, partsDelivered: delivered } : outcome;
        delivered.push(part.id);
      }
      return parts.length > 1 ? { status: 'ok', partsDelivered: delivered } : { status: 'ok' };
    },
  };
}
