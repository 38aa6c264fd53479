import { describe, expect, it } from 'vitest';
import { axisTicks, buildTimelines } from '../lib/audit/bands';
import { esc, renderReport, statusClass } from '../lib/audit/report-html';
import type { Snapshot } from '../lib/snapshot';
import { generateHistory, timesEndingAt } from './fixtures/audit/history';

const H = 3_600_000;
const END = new Date('2026-11-21T07:00:00.000Z');

/** A snapshot with one instance whose tasks have the given statuses. */
function snap(at: string, tasks: Record<string, string>, ok = true): Snapshot {
  const id = new Date(at).toISOString().replace(/[-:.]/g, '');
  return {
    schema: 'smart-connect-watch/snapshot/v1',
    id,
    taken_at: at,
    previous: null,
    instances: [
      {
        instance_id: 'i1', name: 'prod', region: 'r', project_id: 'p', ok, error: ok ? null : 'down',
        total_number: 0, max_tasks: null, quota_tasks: null,
        tasks: Object.entries(tasks).map(([name, status]) => ({ id: `id-${name}`, task_name: name, status })),
      },
    ],
    changes: [],
  };
}

describe('buildTimelines', () => {
  const t = (iso: string) => new Date(iso).getTime();
  it.each([
    [
      'one snapshot holds until the end',
      [snap('2026-11-21T01:00:00Z', { a: 'RUNNING' })],
      [['a', [['01:00', '07:00', 'RUNNING', true]]]],
    ],
    [
      'equal statuses merge; a change starts a band',
      [snap('2026-11-21T01:00:00Z', { a: 'RUNNING' }), snap('2026-11-21T02:00:00Z', { a: 'RUNNING' }), snap('2026-11-21T03:00:00Z', { a: 'FAILED' })],
      [['a', [['01:00', '03:00', 'RUNNING', true], ['03:00', '07:00', 'FAILED', true]]]],
    ],
    [
      'a snapshot before the range gives the status at its start',
      [snap('2026-11-20T12:00:00Z', { a: 'PAUSED' }), snap('2026-11-21T04:00:00Z', { a: 'RUNNING' })],
      [['a', [['00:00', '04:00', 'PAUSED', true], ['04:00', '07:00', 'RUNNING', true]]]],
    ],
    [
      'a removed task stops, an added one starts',
      [snap('2026-11-21T01:00:00Z', { a: 'RUNNING' }), snap('2026-11-21T05:00:00Z', { b: 'CREATING' })],
      [['a', [['01:00', '05:00', 'RUNNING', true]]], ['b', [['05:00', '07:00', 'CREATING', true]]]],
    ],
    [
      'an unreachable instance keeps the last status, marked unreachable',
      [snap('2026-11-21T01:00:00Z', { a: 'RUNNING' }), snap('2026-11-21T02:00:00Z', { a: 'RUNNING' }, false), snap('2026-11-21T03:00:00Z', { a: 'RUNNING' })],
      [['a', [['01:00', '02:00', 'RUNNING', true], ['02:00', '03:00', 'RUNNING', false], ['03:00', '07:00', 'RUNNING', true]]]],
    ],
    ['nothing after the end', [snap('2026-11-21T08:00:00Z', { a: 'RUNNING' })], []],
  ])('%s', (_name, snapshots, expected) => {
    const lines = buildTimelines(snapshots, t('2026-11-21T00:00:00Z'), t('2026-11-21T07:00:00Z'));
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    expect(lines.map((l) => [l.task, l.bands.map((b) => [hhmm(b.start), hhmm(b.end), b.status, b.reachable])])).toEqual(expected);
  });
});

describe('axisTicks', () => {
  it.each([
    [6 * H, 7, '11-21 01:00'],
    [7 * 24 * H, 7, '2026-11-15'],
    [60 * 24 * H, 5, '2026-09-24'],
    [365 * 24 * H, 4, '2026-01-01'],
    [3 * 365 * 24 * H, 3, '2024-01-01'],
    [20 * 365 * 24 * H, 6, '2009-01-01'],
  ])('a span of %i ms gets at most 8 ticks', (span, count, first) => {
    const ticks = axisTicks(END.getTime() - span, END.getTime());
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks.length).toBe(count);
    expect(ticks[0]?.label).toBe(first);
  });
});

describe('renderReport', () => {
  const h = generateHistory(timesEndingAt(END, 30, 5 * H));
  const snapshots = h.objects.map((o) => o.snapshot);
  const start = END.getTime() - 30 * 5 * H;
  const timelines = buildTimelines(snapshots, start, END.getTime());
  const changes = snapshots.flatMap((s) => s.changes);
  const html = renderReport({ location: 'obs://b/p/', start, end: END.getTime(), generatedAt: END, snapshots: snapshots.length, timelines, changes, skipped: ['p/history/x.txt'] });

  it('is self-contained: no script, no external asset, no remote reference', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    for (const [, target] of html.matchAll(/href="([^"]*)"/g)) expect(target).toMatch(/^#task-/);
  });

  it('has a timeline row per task, with its bands', () => {
    expect(timelines.length).toBeGreaterThan(5);
    for (const t of timelines) {
      expect(html).toContain(`title="${esc(t.task_id)}">${esc(t.task)}</div>`);
      for (const b of t.bands) expect(html).toContain(`class="band ${statusClass(b.status)}${b.reachable ? '' : ' unreachable'}"`);
    }
    expect(html.match(/class="row"/g)).toHaveLength(timelines.length);
    expect(html).toContain('<h3>prod <small>inst-prod-0001</small></h3>');
  });

  it('lists every change', () => {
    expect(html.match(/<tr class="(critical|warning|resolved|info)">/g)).toHaveLength(changes.length);
    for (const c of changes) expect(html).toContain(`<td class="id">${c.snapshot_id}</td>`);
    expect(html).toContain('Skipped 1 unusable object(s): p/history/x.txt');
  });

  it('escapes whatever the API returned', () => {
    const evil = snap('2026-11-21T01:00:00Z', { '<img src=x onerror=alert(1)>': 'RUNNING"><script>' });
    const out = renderReport({ location: 'obs://b/', start: start, end: END.getTime(), generatedAt: END, snapshots: 1, timelines: buildTimelines([evil], start, END.getTime()), changes: [], skipped: [] });
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<script');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('says so when the range is empty', () => {
    const out = renderReport({ location: 'obs://b/', start, end: END.getTime(), generatedAt: END, snapshots: 0, timelines: [], changes: [], skipped: [] });
    expect(out).toContain('No tasks in this range.');
    expect(out).toContain('No changes in this range.');
  });
});
