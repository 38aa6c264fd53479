import * as z from 'zod';
import { mapLimit } from './concurrency';
import { describeError, SourceError } from '../errors';

/** `ListInstances` answers `limit` as a string; 50 is its maximum. */
export const INSTANCE_PAGE_LIMIT = 50;
/** No discovery reads more than this many pages (50,000 instances), whatever `instance_num` says. */
const MAX_INSTANCE_PAGES = 1_000;

/** The fields of `ShowInstanceResp` discovery reads; the others are ignored. */
const InstanceRecord = z.looseObject({
  instance_id: z.string().min(1),
  name: z.string(),
  connector_enable: z.boolean().nullish(),
});
export type InstanceRecord = z.infer<typeof InstanceRecord>;
const InstancePage = z.looseObject({ instances: z.array(InstanceRecord), instance_num: z.number().int().nonnegative() });
export type InstancePage = z.infer<typeof InstancePage>;

/** One project's Kafka instances as `ListInstances` gave them, with what went wrong. */
export interface InstanceList {
  /** Every instance seen, once each (Smart Connect on or off). */
  instances: InstanceRecord[];
  instance_num: number | null;
  /** Why some page failed after retries (or the listing came up short); null when every page answered in full. */
  failed: string | null;
  anomalies: string[];
  requests: number;
}

/** A page of `ListInstances` at `offset`, parsed with `parseInstancePage` (and retried) by the caller. */
export type FetchInstancePage = (offset: number) => Promise<InstancePage>;

/**
 * Every page of `ListInstances` (DESIGN.md §9): the first gives `instance_num`, the others then go
 * `concurrency` at a time. A failed page is recorded, not thrown: the pages that answered still count.
 */
export async function listInstancePages(fetch: FetchInstancePage, concurrency: number): Promise<InstanceList> {
  const out: InstanceList = { instances: [], instance_num: null, failed: null, anomalies: [], requests: 0 };
  const byId = new Map<string, InstanceRecord>();
  const failures: string[] = [];
  const take = async (offset: number): Promise<InstancePage | null> => {
    out.requests++;
    try {
      const page = await fetch(offset);
      for (const i of page.instances) byId.set(i.instance_id, i);
      return page;
    } catch (err) {
      failures.push(`the page at offset ${offset} failed: ${describeError(err)}`);
      return null;
    }
  };
  const first = await take(0);
  if (first) {
    out.instance_num = first.instance_num;
    const pages = Math.min(MAX_INSTANCE_PAGES, Math.ceil(first.instance_num / INSTANCE_PAGE_LIMIT));
    const offsets = Array.from({ length: Math.max(0, pages - 1) }, (_, k) => (k + 1) * INSTANCE_PAGE_LIMIT);
    const rest = await mapLimit(offsets, concurrency, take);
    const totals = new Set([first, ...rest].flatMap((p) => (p ? [p.instance_num] : [])));
    if (totals.size > 1) out.anomalies.push(`instance_num changed during discovery (${[...totals].join(', ')})`);
  }
  out.instances = [...byId.values()];
  if (failures.length > 0) out.failed = failures.length === 1 ? failures[0]! : `${failures[0]} (and ${failures.length - 1} more pages)`;
  else if (out.instance_num !== null && byId.size < out.instance_num) out.failed = `discovery ended with ${byId.size} of ${out.instance_num} instances`;
  return out;
}

/** One page, checked; a body that is not the documented JSON is a retryable SourceError. */
export function parseInstancePage(raw: unknown): InstancePage {
  const parsed = InstancePage.safeParse(raw);
  if (parsed.success) return parsed.data;
  const missing = typeof raw !== 'object' || raw === null || !Array.isArray((raw as { instances?: unknown }).instances);
  const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw new SourceError(missing ? 'response has no instances array (not the documented JSON)' : `invalid response: ${where}`, true);
}
