import { canonicalJson } from '../../lib/store/canonical-json';
import type { Change } from '../../lib/alerting/change';
import { Snapshot } from '../../lib/store/snapshot';
import type { Harness } from './harness';

/** Every history object under `prefix`, parsed (one that does not parse fails the test). */
export async function historyObjects(h: Harness, prefix: string): Promise<Snapshot[]> {
  const keys = await h.listKeys(`${prefix}history/`);
  return Promise.all(keys.map(async (k) => Snapshot.parse(JSON.parse((await h.getObject(k))!))));
}

/** The changes the receiver accepted (answered 2xx), with the webhook-id of each request. */
export function acceptedChanges(received: Harness['hook']['received']): { webhookId: string; change: Change }[] {
  return received
    .filter((r) => r.answered >= 200 && r.answered < 300)
    .flatMap((r) => (r.json as { changes: Change[] }).changes.map((change) => ({ webhookId: r.headers['webhook-id']!, change })));
}

/**
 * The two properties of issue #15: every change sent by the run of a history object (not `held`, or
 * `released`) reached the receiver at
 * least once (`missing` is empty), and every change it received is one of them, as recorded
 * (`invented` is empty). Meant for runs with NOTIFY_FIRST_RUN=true, where every change is sent.
 */
export function deliveryGaps(objects: readonly Snapshot[], received: Harness['hook']['received']): { missing: Change[]; invented: Change[] } {
  // What the runs sent (DESIGN.md §10): changes recorded without `held`, and those released later.
  const recorded = new Map(objects.flatMap((o) => [...o.changes.filter((c) => c.held === undefined), ...(o.released ?? [])].map((c) => [c.id, c] as const)));
  const accepted = acceptedChanges(received);
  const got = new Set(accepted.map((a) => a.change.id));
  return {
    missing: [...recorded.values()].filter((c) => !got.has(c.id)),
    invented: accepted.map((a) => a.change).filter((c) => !recorded.has(c.id) || canonicalJson(recorded.get(c.id)) !== canonicalJson(c)),
  };
}
