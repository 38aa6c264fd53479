/**
 * The HTML report in a real browser (headless Chromium): written by the built CLI from a history in
 * local OBS with hostile names over less than an hour, and rendered for a fleet of 1,000 instances ×
 * 18 tasks over 30 days. At 1,280 px nothing overflows, nothing is logged as an error, nothing is
 * fetched; the axis is labelled; names are shown as text.
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildTimelines } from '../lib/audit/bands';
import { renderReport } from '../lib/audit/report-html';
import type { LocalObs } from '../lib/demo/local-obs';
import type { Browser } from './support/browser';
import { generateFleet } from './fixtures/audit/fleet';
import { HOSTILE_TASK_NAMES, hostileHistory } from './support/report-sample';
import { withReportStore, writeReport } from './support/report-cli';


describe('the HTML report in headless Chromium', () => {
  let browser: Browser;
  let obs: LocalObs;
  let dir: string;

  withReportStore('report', (bucket) => bucket.upload(hostileHistory(new Date(Date.now() - 60_000), 'hostile/', { instances: 12, minutes: 45, everyMinutes: 3 })), (setup) => ({ browser, obs, dir } = setup));

  it('a report of hostile names over 45 minutes, written by the CLI: fits 1,280 px, labelled axis, names as text', async () => {
    const file = join(dir, 'hostile.html');
    const r = await writeReport(obs, { prefix: 'hostile/', sk: 'sk-of-the-report-test', file, args: ['--since', '1h'], cwd: dir });
    expect(r).toEqual({ code: 0, stderr: '' });
    const opened = await browser.open(file);
    expect(await opened.overflowPx()).toBe(0);
    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([pathToFileURL(file).href]);
    const page = opened.page;
    // Every timeline has labels on its axis (the range is under an hour: minutes).
    const axes = await page.locator('.timeline .axis').evaluateAll((els) => els.map((e) => [...e.querySelectorAll('span')].map((s) => s.textContent)));
    expect(axes.length).toBeGreaterThan(0);
    for (const labels of axes) {
      expect(labels.length).toBeGreaterThanOrEqual(3);
      for (const l of labels) expect(l).toMatch(/^(\d\d-\d\d )?\d\d:\d\d$/);
    }
    // The 300-character name wraps onto at most two lines, and its full name is on hover.
    const long = page.locator('.label', { hasText: HOSTILE_TASK_NAMES[0]!.slice(0, 40) });
    expect(await long.getAttribute('title')).toContain(HOSTILE_TASK_NAMES[0]);
    const box = await long.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(240);
    expect(box!.height).toBeLessThanOrEqual(2 * 14 * 1.25 + 2);
    // Names are text: the override is shown as an escape, no link or image came from a name.
    const text = await page.locator('body').innerText();
    expect(text).toContain('invoice-\\u202Egnp.exe');
    expect(text).not.toMatch(/[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('a[href^="http"]').count()).toBe(0);
    expect(await page.locator('bdi', { hasText: '*bold*[link](http://evil.example/phish)' }).count()).toBeGreaterThan(0);
  }, 180_000);

  it('a fleet of 1,000 instances × 18 tasks over 30 days: fits 1,280 px with every section open, unhealthy first', async () => {
    const end = new Date('2026-11-21T07:00:00Z');
    const snapshots = generateFleet({ instances: 1000, tasks: 18, days: 30, end });
    const start = new Date(snapshots[0]!.taken_at).getTime();
    const html = renderReport({
      location: 'obs://bucket/smart-connect-watch/',
      start,
      end: end.getTime(),
      generatedAt: end,
      snapshots: snapshots.length,
      timelines: buildTimelines(snapshots, start, end.getTime()),
      changes: snapshots.flatMap((s) => s.changes),
      skipped: [],
      baselineSnapshots: [snapshots[0]!.id],
    });
    const file = join(dir, 'fleet.html');
    await writeFile(file, html);
    const size = (await stat(file)).size;
    expect(size).toBeLessThan(4 * 1024 * 1024);
    const opened = await browser.open(file);
    const page = opened.page;
    expect(await page.locator('details.instance').count()).toBe(1000);
    // Collapsed, the page is short; the unhealthy sections come first and are the open ones.
    const open = await page.locator('details.instance').evaluateAll((els) => els.map((e) => (e as unknown as { open: boolean }).open));
    const firstClosed = open.indexOf(false);
    expect(firstClosed).toBeGreaterThan(0);
    expect(open.slice(firstClosed).every((o) => !o)).toBe(true);
    expect(await page.locator('td', { hasText: /^baseline: 18 tasks recorded$/ }).count()).toBe(1000);
    expect(await opened.overflowPx()).toBe(0);
    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([pathToFileURL(file).href]);
  }, 300_000);
});
