import * as z from 'zod';
import { SourceError } from '../errors';
import { sortedCopy } from '../store/canonical-json';
import { type Task, TasksInPlace } from '../store/snapshot';

export const PAGE_LIMIT = 50;
/** No listing runs longer than this many pages, whatever the API says. */
const MAX_PAGES = 1_000;
/** Full pages past `total_number` are followed up to `max_tasks` tasks, or this many without it. */
const FULL_PAGES_BOUND = 1_000;

/**
 * One page of ListConnectorTasks: a response without a valid `tasks` array is a failed listing.
 * Tasks are checked in place: `parseTaskPage` makes the one copy kept (keys in canonical order).
 */
const Page = z.looseObject({
  tasks: TasksInPlace,
  total_number: z.number().int().nonnegative(),
  max_tasks: z.number().int().nullish(),
  quota_tasks: z.number().int().nullish(),
});
export type TaskPage = z.infer<typeof Page>;

/** The tasks of one instance as its pages gave them, with what looked wrong. */
export interface PagedTasks {
  tasks: Task[];
  total_number: number;
  max_tasks: number | null;
  quota_tasks: number | null;
  /** Paging anomalies seen (a short page, duplicate ids, a moving total). */
  anomalies: string[];
  /** False when the distinct tasks seen and `total_number` disagree (either way), or the total moved: unseen tasks are not gone. */
  complete: boolean;
}

/** A listing, with the HTTP requests it took (retries included). */
export interface Listing extends PagedTasks {
  requests: number;
}

/** The page at `offset` (parsed with `parseTaskPage`, retried by the caller); `seen`: distinct tasks so far, for its messages. */
export type FetchTaskPage = (offset: number, seen: number) => Promise<TaskPage>;

/**
 * Pages through one instance's tasks (README "When things fail"): `limit=50` from offset 0 until
 * `total_number` tasks are seen. A page holding nothing new stops the listing; at or past the total
 * a short page is the end, and full pages go on up to `max_tasks` (the total has been seen at 13
 * under a page of 50). A failed page throws: the caller marks the instance failed.
 */
export async function pageTasks(fetch: FetchTaskPage): Promise<PagedTasks> {
  const byId = new Map<string, Task>();
  const anomalies: string[] = [];
  let total: number | undefined;
  let last: TaskPage | undefined;
  let duplicates = 0;
  let totalMoved = false;
  for (let page = 0; page < MAX_PAGES; page++) {
    const offset = page * PAGE_LIMIT;
    last = await fetch(offset, byId.size);
    if (total !== undefined && last.total_number !== total) {
      anomalies.push(`total_number changed from ${total} to ${last.total_number} during listing`);
      totalMoved = true;
    }
    total = last.total_number;
    const before = byId.size;
    for (const task of last.tasks) {
      if (byId.has(task.id)) duplicates++;
      byId.set(task.id, task);
    }
    if (last.tasks.length > 0 && byId.size === before) {
      anomalies.push(`the page at offset ${offset} held only tasks already seen: listing stopped`);
      break;
    }
    if (last.tasks.length === 0) break;
    if (offset + PAGE_LIMIT < total) continue;
    if (last.tasks.length < PAGE_LIMIT) break;
    const bound = last.max_tasks && last.max_tasks > 0 ? last.max_tasks : FULL_PAGES_BOUND;
    if (byId.size >= bound) {
      if (byId.size !== total) anomalies.push(`pages were still full at ${byId.size} tasks (${last.max_tasks ? `max_tasks ${bound}` : `no max_tasks: the bound is ${bound}`}): listing stopped`);
      break;
    }
  }
  if (duplicates > 0) anomalies.push(`${duplicates} task(s) listed more than once (kept once)`);
  if (byId.size < (total ?? 0)) anomalies.push(`listing ended with ${byId.size} of ${total} tasks`);
  if (byId.size > (total ?? 0)) anomalies.push(`listing found ${byId.size} tasks but total_number is ${total}`);
  return {
    tasks: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    total_number: total ?? 0,
    max_tasks: last?.max_tasks ?? null,
    quota_tasks: last?.quota_tasks ?? null,
    anomalies,
    // Tasks created or deleted while paging shift the pages: a task may have been skipped. A total
    // that disagrees with the tasks, either way, makes the whole answer doubtful: nothing is removed.
    complete: byId.size === (total ?? 0) && !totalMoved,
  };
}

/** One page, checked; a body that is not the documented JSON is a retryable SourceError. */
export function parseTaskPage(raw: unknown): TaskPage {
  const parsed = Page.safeParse(raw);
  // Tasks are kept with their keys in canonical order: written as they are, compared with stored ones.
  if (parsed.success) return { ...parsed.data, tasks: parsed.data.tasks.map(sortedCopy) };
  const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  const missing = typeof raw !== 'object' || raw === null || !Array.isArray((raw as { tasks?: unknown }).tasks);
  // HTTP 200 with a body that is not the documented JSON (the SDK used to lose such a body).
  throw new SourceError(missing ? 'response has no tasks array (not the documented JSON)' : `invalid response: ${where}`, true);
}
