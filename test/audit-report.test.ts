import { describe, expect, it } from 'vitest';
import { axisTicks, buildTimelines } from '../lib/audit/bands';
import { esc, renderReport, statusClass } from '../lib/audit/report-html';
import type { Snapshot } from '../lib/store/snapshot';
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
    [4_000, 5, '06:59:56'],
    [45_000, 5, '06:59:20'],
    [20 * 60_000, 5, '06:40'],
    [50 * 60_000, 6, '06:10'],
    [6 * H, 7, '01:00'],
    [9 * H, 5, '11-20 22:00'],
    [7 * 24 * H, 7, '2026-11-15'],
    [60 * 24 * H, 5, '2026-09-24'],
    [365 * 24 * H, 4, '2026-01-01'],
    [3 * 365 * 24 * H, 6, '2024-01-01'],
    [20 * 365 * 24 * H, 6, '2009-01-01'],
  ])('a span of %i ms gets a labelled tick at least every quarter of it, and at most 8', (span, count, first) => {
    const ticks = axisTicks(END.getTime() - span, END.getTime());
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks.length).toBe(count);
    expect(ticks[0]?.label).toBe(first);
    expect(new Set(ticks.map((t) => t.label)).size).toBe(ticks.length);
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

  it('has a timeline row per task that ever changed, with its bands; a steady task is named on one line', () => {
    expect(timelines.length).toBeGreaterThan(5);
    let rows = 0;
    for (const t of timelines) {
      const label = `title="${esc(`${t.task} (${t.task_id})`)}"><bdi>${esc(t.task)}</bdi></`;
      expect(html).toContain(label);
      const steady = t.bands.length === 1 && t.bands[0]!.status === 'RUNNING' && t.bands[0]!.reachable && t.bands[0]!.start <= start;
      if (!steady) rows++;
      for (const b of steady ? [] : t.bands) expect(html).toContain(`class="band ${statusClass(b.status)}${b.reachable ? '' : ' unreachable'}"`);
    }
    expect(html.match(/class="row" id=/g)).toHaveLength(rows);
    expect(html).toMatch(/<summary><span class="health [a-z]+">[^<]+<\/span> <span class="iname" title="prod"><bdi>prod<\/bdi><\/span> <small>inst-prod-0001<\/small>/);
  });

  it('lists every change (the baseline as one row per instance)', () => {
    const baseline = changes.filter((c) => c.snapshot_id === snapshots[0]!.id && c.kind === 'task_added');
    expect(baseline.length).toBeGreaterThan(2);
    const html = renderReport({ location: 'obs://b/p/', start, end: END.getTime(), generatedAt: END, snapshots: snapshots.length, timelines, changes, skipped: ['p/history/x.txt'], baselineSnapshots: [snapshots[0]!.id] });
    const instances = new Set(baseline.map((c) => c.instance_id));
    expect(html.match(/<tr class="(critical|warning|resolved|info)">/g)).toHaveLength(changes.length - baseline.length + instances.size);
    for (const i of instances) {
      const n = baseline.filter((c) => c.instance_id === i).length;
      expect(html).toContain(`<td>baseline: ${n} tasks recorded</td>`);
    }
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

  it.each([
    ['right-to-left override', 'invoice-\u202Egnp.exe', 'invoice-\\u202Egnp.exe'],
    ['zero-width space and BOM', 'a\u200Bb\uFEFF', 'a\\u200Bb\\uFEFF'],
    ['markdown link', '*bold*[link](http://evil.example/phish)', '*bold*[link](http://evil.example/phish)'],
    ['HTML', '<a href="http://evil.example">x</a>', '&lt;a href=&quot;http://evil.example&quot;&gt;x&lt;/a&gt;'],
  ])('a task named with a %s is shown literally, isolated in <bdi>', (_what, task, shown) => {
    const evil = snap('2026-11-21T01:00:00Z', { [task]: 'FAILED' });
    const change = { ...snapshots[1]!.changes[0]!, instance_id: 'i1', task_id: `id-${task}`, task_name: task, kind: 'status_changed' as const, from: 'RUNNING', to: 'FAILED' };
    const out = renderReport({ location: 'obs://b/', start, end: END.getTime(), generatedAt: END, snapshots: 1, timelines: buildTimelines([evil], start, END.getTime()), changes: [change], skipped: [] });
    expect(out).toContain(`<bdi>${shown}</bdi>`);
    expect(out).not.toMatch(/[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/);
    expect(out).not.toContain('href="http');
  });

  it('puts the instances with failing tasks first, open; healthy ones collapsed', () => {
    const at = '2026-11-21T01:00:00Z';
    const instance = (id: string, status: string) => ({ ...snap(at, { [`t-${id}`]: status }).instances[0]!, instance_id: id, name: id });
    const fleet: Snapshot = { ...snap(at, {}), instances: ['a-ok', 'b-ok', 'c-ok', 'z-bad'].map((id) => instance(id, id === 'z-bad' ? 'FAILED' : 'RUNNING')) };
    const out = renderReport({ location: 'obs://b/', start, end: END.getTime(), generatedAt: END, snapshots: 1, timelines: buildTimelines([fleet], start, END.getTime()), changes: [], skipped: [] });
    const order = [...out.matchAll(/<details class="instance" id="[^"]+"( open)?><summary>.*?<bdi>([^<]+)<\/bdi>/g)].map((m) => `${m[2]}${m[1] ?? ''}`);
    expect(order).toEqual(['z-bad open', 'a-ok', 'b-ok', 'c-ok']);
  });

  it('says so when the range is empty', () => {
    const out = renderReport({ location: 'obs://b/', start, end: END.getTime(), generatedAt: END, snapshots: 0, timelines: [], changes: [], skipped: [] });
    expect(out).toContain('No tasks in this range.');
    expect(out).toContain('No changes in this range.');
  });
});
