import type { DigestMessage } from './digest-chat';

/** DESIGN.md §5 and §12: the generic webhook's digest body, its fields beside `type` and `id`. */
export function digestPayload(message: DigestMessage): string {
  return JSON.stringify({ type: 'smart_connect.digest', id: message.id, snapshot_id: message.snapshot_id, taken_at: message.taken_at, ...message.digest });
}
