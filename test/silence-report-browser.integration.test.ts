/**
 * `report --html` shades silenced periods: the built CLI writes the report from a history and a
 * silences.json in local OBS; headless Chromium measures where the shades are drawn. A silence of one
 * instance shades every task row of that instance over exactly its time (clipped to the range), on top
 * of the bands; rows it does not match, silences that match nothing or lie outside the range, none.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalObs } from '../lib/demo/local-obs';
import { generateHistory, timesEndingAt } from './fixtures/audit/history';
import type { Browser } from './support/browser';
import { withReportStore, writeReport } from './support/report-cli';

const H = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

describe('report --html shades silenced periods (headless Chromium)', () => {
  let browser: Browser;
  let obs: LocalObs;
  let dir: string;
  // Six hourly snapshots ending two minutes ago; the report covers [first - 30 min, last + 1 min).
  const last = Math.floor((Date.now() - 2 * 60_000) / 1000) * 1000;
  const first = last - 5 * H;
  const since = first - 30 * 60_000;
  const until = last + 60_000;
  const silenced = { from: first + 1.5 * H, to: first + 3.5 * H };
  const before = { from: since - 5 * H, to: since + H };

  withReportStore('silence-report', async (bucket) => {
    await bucket.upload(generateHistory(timesEndingAt(new Date(last), 6, H), 'r/'));
    const silence = (id: string, over: Record<string, unknown>) => ({ id, instance: null, task: null, kind: null, created_at: iso(since), created_by: 'alice', comment: `comment of ${id}`, ...over });
    const silences = [
      silence('sil_analytics', { instance: 'analytics', starts_at: iso(silenced.from), ends_at: iso(silenced.to) }),
      // Began before the range: shaded from the range's start.
      silence('sil_early', { task: 'a11ce502-*', starts_at: iso(before.from), ends_at: iso(before.to) }),
      silence('sil_nothing', { task: 'nothing-*', starts_at: iso(since), ends_at: iso(until) }),
      silence('sil_after', { instance: 'analytics', starts_at: iso(until + H), ends_at: iso(until + 2 * H) }),
    ];
    await bucket.put('r/silences.json', JSON.stringify({ schema: 'smart-connect-watch/silences/v1', silences }));
  }, (setup) => ({ browser, obs, dir } = setup));

  it('draws each shade over exactly its time on the rows it matches, above the bands', async () => {
    const file = join(dir, 'silenced.html');
    const r = await writeReport(obs, { prefix: 'r/', sk: 'sk-of-the-silence-report', file, args: ['--since', iso(since), '--until', iso(until)], cwd: dir });
    expect(r).toEqual({ code: 0, stderr: '' });
    const opened = await browser.open(file);
    expect(opened.errors).toEqual([]);
    expect(await opened.overflowPx()).toBe(0);
    const rows = await opened.page.locator('details.instance .row').evaluateAll((els) =>
      els.map((row) => {
        const track = row.querySelector('.track')!.getBoundingClientRect();
        const shades = [...row.querySelectorAll('.silenced')].map((s) => {
          const b = s.getBoundingClientRect();
          const top = row.ownerDocument.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
          return { id: s.getAttribute('data-silence'), title: s.getAttribute('title'), x: b.x, width: b.width, onTop: top === s, covers: b.top <= track.top && b.bottom >= track.bottom };
        });
        return { instance: row.closest('details')!.querySelector('.iname')!.textContent, task: row.querySelector('.label')!.getAttribute('title'), track: { x: track.x, width: track.width }, shades };
      }),
    );
    const analytics = rows.filter((row) => row.instance === 'analytics');
    expect(analytics.length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.instance !== 'analytics').every((row) => row.shades.length === 0)).toBe(true);
    const span = until - since;
    const at = (track: { x: number; width: number }, t: number) => track.x + (track.width * (t - since)) / span;
    for (const row of analytics) {
      const expected = [{ id: 'sil_analytics', ...silenced }, ...(row.task?.includes('(a11ce502-') ? [{ id: 'sil_early', from: since, to: before.to }] : [])];
      expect(row.shades.map((s) => s.id).sort()).toEqual(expected.map((e) => e.id).sort());
      for (const e of expected) {
        const shade = row.shades.find((s) => s.id === e.id)!;
        expect(Math.abs(shade.x - at(row.track, e.from))).toBeLessThan(2);
        expect(Math.abs(shade.x + shade.width - at(row.track, e.to))).toBeLessThan(2);
        expect(shade.covers).toBe(true);
        expect(shade.title).toContain(`by ${e.id}`);
        expect(shade.title).toContain(`comment of ${e.id}`);
      }
      expect(row.shades.find((s) => s.id === 'sil_analytics')!.onTop).toBe(true);
    }
    expect(rows.some((row) => row.task?.includes('(a11ce502-'))).toBe(true);
    expect(await opened.page.locator('.legend', { hasText: 'silenced' }).count()).toBe(1);
  }, 180_000);
});
