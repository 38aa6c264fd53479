import type { Change } from '../alerting/change';
import type { ChannelConfig } from '../config/config';
import type { DigestBody } from '../alerting/digest';

/** One message: the changes of one run, as kept in the outbox. */
export interface Message {
  id: string;
  snapshot_id: string;
  taken_at: string;
  changes: Change[];
  /** `source_type` / `sink_type` of each changed task, by task id, for chat renderings. */
  task_types?: Record<string, TaskTypes> | undefined;
  /** Parts of a message sent in several requests (generic webhook, DESIGN.md §5) already delivered: not sent again. */
  parts_delivered?: string[] | undefined;
  /** A daily digest (DESIGN.md §12): rendered instead of `changes`, which is then empty. */
  digest?: DigestBody | undefined;
}

export interface TaskTypes {
  source_type: string | null;
  sink_type: string | null;
}

/** What a delivery attempt came to, from a pure classification of the response. */
export type Outcome = (
  | { status: 'ok' }
  | { status: 'retryable'; reason: string; retryAfterMs?: number | undefined }
  | { status: 'permanent'; reason: string }
  /** Not sent, on purpose (the channel's per-run limit): waits in the outbox for the next run. */
  | { status: 'deferred'; reason: string }
) & {
  /** A message sent in several requests: the ids of the parts this attempt delivered. */
  partsDelivered?: string[] | undefined;
};

/** The raw HTTP answer a classifier reads. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** One channel: turns a message into one request and says how it went. Never throws. */
export interface Notifier {
  readonly channel: ChannelConfig;
  send(message: Message): Promise<Outcome>;
}

export type Fetch = typeof globalThis.fetch;
