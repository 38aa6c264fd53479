import { describe, expect, it } from 'vitest';
import { SourceError } from '../lib/errors';
import type { Task } from '../lib/store/snapshot';
import { type TaskPage, PAGE_LIMIT, pageTasks } from '../lib/source/task-pager';

// The pager as a pure function of "fetch one page" results (issue #17 item 3): no SDK, no HTTP.

const task = (n: number): Task => ({ id: `t${String(n).padStart(4, '0')}`, status: 'RUNNING' });
const tasks = (n: number, from = 0) => Array.from({ length: n }, (_, i) => task(from + i));

/** A server holding `all` tasks, answering `offset` with the next page; `total` and `max_tasks` as it claims them. */
function server(all: Task[], opts: { total?: (call: number) => number; max_tasks?: number | null; page?: (offset: number) => Task[] } = {}) {
  const calls: { offset: number; seen: number }[] = [];
  const fetch = async (offset: number, seen: number): Promise<TaskPage> => {
    calls.push({ offset, seen });
    return {
      tasks: opts.page ? opts.page(offset) : all.slice(offset, offset + PAGE_LIMIT),
      total_number: opts.total ? opts.total(calls.length) : all.length,
      max_tasks: opts.max_tasks ?? null,
      quota_tasks: null,
    };
  };
  return { fetch, calls };
}

describe('pageTasks', () => {
  const t120 = tasks(120);
  it.each<{ name: string; s: () => ReturnType<typeof server>; offsets: number[]; distinct: number; total: number; complete: boolean; anomalies: RegExp[] }>([
    { name: 'no tasks: one page', s: () => server([]), offsets: [0], distinct: 0, total: 0, complete: true, anomalies: [] },
    { name: 'one short page', s: () => server(tasks(13)), offsets: [0], distinct: 13, total: 13, complete: true, anomalies: [] },
    { name: 'exactly one full page: a full page at the total asks once more, the empty page ends it', s: () => server(tasks(50)), offsets: [0, 50], distinct: 50, total: 50, complete: true, anomalies: [] },
    { name: '120 tasks: three pages', s: () => server(t120), offsets: [0, 50, 100], distinct: 120, total: 120, complete: true, anomalies: [] },
    {
      name: 'a duplicate across pages is kept once and flagged',
      s: () => server([...t120.slice(0, 50), t120[49]!, ...t120.slice(50, 119)], { total: () => 120 }),
      offsets: [0, 50, 100], distinct: 119, total: 120, complete: false, anomalies: [/^1 task\(s\) listed more than once \(kept once\)$/, /^listing ended with 119 of 120 tasks$/],
    },
    {
      name: 'a page that runs dry before total_number',
      s: () => server(tasks(60), { total: () => 500 }),
      offsets: [0, 50, 100], distinct: 60, total: 500, complete: false, anomalies: [/^listing ended with 60 of 500 tasks$/],
    },
    {
      name: 'a total that moves during the listing',
      s: () => server(t120, { total: (call) => 120 + call }),
      offsets: [0, 50, 100], distinct: 120, total: 123, complete: false,
      anomalies: [/^total_number changed from 121 to 122 during listing$/, /^total_number changed from 122 to 123 during listing$/, /^listing ended with 120 of 123 tasks$/],
    },
    {
      name: 'a pager that ignores offset stops at the first page with nothing new',
      s: () => server(t120, { page: () => t120.slice(0, 50) }),
      offsets: [0, 50], distinct: 50, total: 120, complete: false,
      anomalies: [/^the page at offset 50 held only tasks already seen: listing stopped$/, /^50 task\(s\) listed more than once/, /^listing ended with 50 of 120 tasks$/],
    },
    {
      name: 'a full page above total_number: paging goes on while pages are full',
      s: () => server(tasks(62), { total: () => 13, max_tasks: 100 }),
      offsets: [0, 50], distinct: 62, total: 13, complete: false, anomalies: [/^listing found 62 tasks but total_number is 13$/],
    },
    {
      name: 'full pages above total_number stop at max_tasks',
      s: () => server(tasks(300), { total: () => 13, max_tasks: 100 }),
      offsets: [0, 50], distinct: 100, total: 13, complete: false,
      anomalies: [/^pages were still full at 100 tasks \(max_tasks 100\): listing stopped$/, /^listing found 100 tasks but total_number is 13$/],
    },
    {
      name: 'without max_tasks, full pages stop at the bound of 1,000',
      s: () => server(tasks(1_200), { total: () => 13 }),
      offsets: Array.from({ length: 20 }, (_, i) => i * 50), distinct: 1_000, total: 13, complete: false,
      anomalies: [/^pages were still full at 1000 tasks \(no max_tasks: the bound is 1000\): listing stopped$/, /^listing found 1000 tasks but total_number is 13$/],
    },
  ])('$name', async ({ s, offsets, distinct, total, complete, anomalies }) => {
    const srv = s();
    const paged = await pageTasks(srv.fetch);
    expect(srv.calls.map((c) => c.offset)).toEqual(offsets);
    expect(paged.tasks).toHaveLength(distinct);
    expect(paged.tasks.map((t) => t.id)).toEqual([...paged.tasks.map((t) => t.id)].sort());
    expect(paged.total_number).toBe(total);
    expect(paged.complete).toBe(complete);
    expect(paged.anomalies).toHaveLength(anomalies.length);
    anomalies.forEach((re, i) => expect(paged.anomalies[i]).toMatch(re));
  });

  it('tells each fetch how many distinct tasks were seen before it (for its deadline message)', async () => {
    const srv = server(tasks(120));
    await pageTasks(srv.fetch);
    expect(srv.calls.map((c) => c.seen)).toEqual([0, 50, 100]);
  });

  it('keeps max_tasks and quota_tasks of the last page', async () => {
    const paged = await pageTasks(async () => ({ tasks: tasks(3), total_number: 3, max_tasks: 18, quota_tasks: 20 }));
    expect([paged.max_tasks, paged.quota_tasks]).toEqual([18, 20]);
  });

  it('a page that fails after its retries fails the listing: never a short list that looks like removals', async () => {
    const failing = server(tasks(120));
    const fetch = async (offset: number, seen: number) => {
      if (offset === 50) throw new SourceError('HTTP 503 DMS.00500000: Internal error', true, { status: 503 });
      return failing.fetch(offset, seen);
    };
    await expect(pageTasks(fetch)).rejects.toThrow(/^HTTP 503/);
  });
});
