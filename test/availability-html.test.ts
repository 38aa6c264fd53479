/**
 * The availability summary fragment, judged by a real browser (Debian's chromium through playwright-core): what a
 * reader sees, not the string the code wrote.
 */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HistoryItem, computeAvailability } from '../lib/audit/availability';
import { renderAvailabilitySummary } from '../lib/audit/availability-html';
import { fleetFigures, worstFirst } from '../lib/audit/availability-summary';

const M = 60_000;
const HOSTILE = ['<img src=x onerror="window.pwned=1">', '</bdi></td><script>window.pwned=2</script>', 'مرحبا-sink', 'invoice-\u202Egnp.exe', '订单同步', '"quoted" & \'apos\''];
/** 12 tasks: task i fails for i minutes from minute 10 (task 0 never fails), the hostile names first. */
const NAMES = Array.from({ length: 12 }, (_, i) => HOSTILE[i] ?? `task-${i}`);

function history(): HistoryItem[] {
  const world = (failing: (i: number) => boolean) =>
    [{ instance_id: 'i-1', name: 'prod <b>', ok: true, tasks: NAMES.map((n, i) => ({ id: `t${i}`, task_name: n, status: failing(i) ? 'FAILED' : 'RUNNING' })) }];
  const items: HistoryItem[] = [{ kind: 'snapshot', at: -5 * M, snapshot: { id: 's-5', previous: null, instances: world(() => false) } }];
  let prev = 's-5';
  for (let m = 10; m <= 22; m++) {
    items.push({ kind: 'snapshot', at: m * M, snapshot: { id: `s${m}`, previous: { id: prev }, instances: world((i) => m < 10 + i) } });
    prev = `s${m}`;
  }
  // A lost object: the one at minute 40 links to s35, never read.
  items.push({ kind: 'snapshot', at: 40 * M, snapshot: { id: 's40', previous: { id: 's35' }, instances: world((i) => i === 11) } });
  return items;
}

describe('availability summary in a browser', () => {
  let browser: Browser;
  const result = computeAvailability(history(), 0, 60 * M);
  const tasks = [...result.tasks].sort(worstFirst);
  const html = renderAvailabilitySummary({ tasks, fleet: fleetFigures(result, tasks) });
  let page: Awaited<ReturnType<Browser['newPage']>>;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    page = await browser.newPage();
    await page.setContent(`<!doctype html><html><head><meta charset="utf-8"></head><body>${html}</body></html>`);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('no name becomes markup: no image, no script, nothing run', async () => {
    // Runs in the page (the DOM's globals, untyped here: the project compiles without the DOM library).
    const seen = await page.evaluate(() => {
      const g = globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } }; pwned?: number };
      return { img: g.document.querySelectorAll('img').length, script: g.document.querySelectorAll('script').length, pwned: g.pwned ?? null };
    });
    expect(seen).toEqual({ img: 0, script: 0, pwned: null });
  });

  it('the ten worst tasks, worst first, each name in its own <bdi> as written', async () => {
    const rows = await page.$$eval('table.av-worst tbody tr', (trs) => trs.map((tr) => ({ bdi: Array.from(tr.querySelectorAll('td:first-child bdi')).map((b) => (b as { textContent: string | null }).textContent), cells: Array.from(tr.querySelectorAll('td')).map((td) => (td as { textContent: string | null }).textContent) })));
    expect(rows).toHaveLength(10);
    // Task 11 failed longest (11 min, then again from minute 40), task 10 next, …; the lost stretch is not counted.
    expect(rows.map((r) => r.bdi[1])).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((i) => NAMES[i]));
    expect(rows.every((r) => r.bdi[0] === 'prod <b>')).toBe(true);
    // Task 2: running 0–10, 12–22, 40–60 (40 min), failing 10–12.
    expect(rows[9]!.cells.slice(1, 5)).toEqual(['95.23%', '2m', '1', '2m']);
  });

  it('bands: the red part of a task is its failing time over the range', async () => {
    const widths = await page.$$eval('table.av-worst tbody tr:nth-child(2) .av-track i', (is) => is.map((i) => ({ cls: i.className, width: parseFloat((i as unknown as { style: { width: string } }).style.width) })));
    const total = (cls: string) => widths.filter((w) => w.cls === cls).reduce((n, w) => n + w.width, 0);
    // Task 10: failing 10–20; running 0–10, 20–22, 40–60 (32 min); 22–40 unknown (the gap).
    expect(total('av-failing')).toBeCloseTo((10 / 60) * 100, 2);
    expect(total('av-running')).toBeCloseTo((32 / 60) * 100, 2);
  });

  it('incidents: task, start, end, duration, from → to; the gap named', async () => {
    const rows = await page.$$eval('table.av-incidents tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td as { textContent: string | null }).textContent)));
    expect(rows).toHaveLength(12);
    expect(rows[0]).toEqual([`prod <b> / ${NAMES[11]}`, '1970-01-01 00:40:00', 'not recovered', '20m', 'unknown → FAILED']);
    // Ties (all the others began at minute 10) by task id: t9 last.
    expect(rows.at(-1)).toEqual([`prod <b> / ${NAMES[9]}`, '1970-01-01 00:10:00', '1970-01-01 00:19:00', '9m', 'RUNNING → FAILED']);
    expect(await page.textContent('.av-warn')).toContain('00:22:00 → 1970-01-01 00:40:00 UTC: history object s35 missing or unreadable');
    expect(await page.textContent('.av-fleet')).toMatch(/^\d+\.\d\d% available · 12 tasks, 1 never failing · 12 incidents · MTTR/);
  });
});
