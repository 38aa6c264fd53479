import { describe, expect, it } from 'vitest';
import type { Change } from '../lib/alerting/change';
import { matchesChange } from '../lib/audit/filter';
import { createProgress } from '../lib/audit/progress';
import { formatSnapshot } from '../lib/audit/snapshot-table';
import { alignRows, colourEnabled, createStyle, displayWidth, padTo, truncateTo } from '../lib/audit/style';
import { formatTimeline } from '../lib/audit/timeline';
import { generateHistory, timesEndingAt } from './fixtures/audit/history';

const plain = createStyle(false);
const ansi = /\x1b\[[0-9;]*m/g;

function change(over: Partial<Change>): Change {
  return {
    id: 'c1',
    kind: 'status_changed',
    severity: 'critical',
    instance_id: 'inst-prod-0001',
    instance_name: 'prod',
    task_id: 't1',
    task_name: 'smart-connect-1',
    from: 'RUNNING',
    to: 'FAILED',
    fields: null,
    snapshot_id: '20261120T071500123Z',
    detected_at: '2026-11-20T07:15:00.123Z',
    ...over,
  };
}

describe('colour', () => {
  it.each([
    [true, {}, true],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [false, {}, false],
    [undefined, {}, false],
  ])('TTY %s with %j → %s', (tty, env, expected) => {
    expect(colourEnabled(tty, env)).toBe(expected);
  });

  it('styles with SGR codes only when enabled', () => {
    expect(createStyle(true).red('x')).toBe('\x1b[31mx\x1b[39m');
    expect(plain.red('x')).toBe('x');
  });
});

describe('display width and alignment', () => {
  it.each([
    ['abc', 3],
    ['任务', 4],
    ['prod / 订单-1', 13],
    ['🔴', 2],
    ['e\u0301', 1],
    ['', 0],
  ])('%j is %i columns', (s, w) => {
    expect(displayWidth(s)).toBe(w);
  });

  it('pads and truncates by columns', () => {
    expect(padTo('任务', 6)).toBe('任务  ');
    expect(truncateTo('abcdefgh', 5)).toBe('abcd…');
    expect(truncateTo('任务任务', 5)).toBe('任务…');
    expect(truncateTo('abc', 5)).toBe('abc');
  });

  it('aligns columns, colouring after padding so the codes never shift them', () => {
    const lines = alignRows([['A', 'B', 'C'], ['任务', 'x', 'last']], [createStyle(true).red]);
    expect(lines.map((l) => l.replace(ansi, ''))).toEqual(['A     B  C', '任务  x  last']);
  });
});

describe('formatTimeline', () => {
  const changes = [
    change({}),
    change({ id: 'c2', kind: 'config_changed', severity: 'info', from: null, to: null, fields: ['sink_task.flush_size'], task_name: '订单-dump' }),
    change({ id: 'c3', kind: 'instance_unreachable', task_id: null, task_name: null, from: null, to: null, detected_at: '2026-11-20T08:00:00.000Z' }),
    change({ id: 'c4', kind: 'state_reset', severity: 'warning', instance_id: null, instance_name: null, task_id: null, task_name: null, from: null, to: null }),
  ];

  it('prints one aligned line per change under a header', () => {
    expect(formatTimeline(changes, plain)).toEqual([
      'TIME (UTC)           SEVERITY  INSTANCE / TASK         CHANGE',
      '2026-11-20 07:15:00  critical  prod / smart-connect-1  RUNNING → FAILED',
      '2026-11-20 07:15:00  info      prod / 订单-dump        configuration changed: sink_task.flush_size',
      '2026-11-20 08:00:00  critical  prod                    instance unreachable: its tasks could not be listed',
      '2026-11-20 07:15:00  warning   watcher                 state.json was unreadable and was quarantined; continuing from the history',
    ]);
  });

  it('colours severities on a terminal without moving the columns', () => {
    const coloured = formatTimeline(changes, createStyle(true));
    expect(coloured[1]).toContain('\x1b[31mcritical\x1b[39m');
    expect(coloured.map((l) => l.replace(ansi, ''))).toEqual(formatTimeline(changes, plain));
  });

  it('prints nothing for no changes', () => {
    expect(formatTimeline([], plain)).toEqual([]);
  });
});

describe('matchesChange', () => {
  const c = change({});
  it.each([
    [{}, true],
    [{ instance: 'prod' }, true],
    [{ instance: 'inst-prod-0001' }, true],
    [{ instance: 'analytics' }, false],
    [{ task: 'smart-connect-1' }, true],
    [{ task: 't1' }, true],
    [{ task: 'smart-connect' }, false],
    [{ kind: 'status_changed' as const }, true],
    [{ kind: 'task_added' as const }, false],
    [{ since: new Date('2026-11-20T07:15:00.123Z') }, true],
    [{ since: new Date('2026-11-20T07:15:00.124Z') }, false],
    [{ until: new Date('2026-11-20T07:15:00.123Z') }, false],
    [{ until: new Date('2026-11-21T00:00:00Z'), task: 't1', instance: 'prod' }, true],
  ])('%j → %s', (filter, expected) => {
    expect(matchesChange(c, filter)).toBe(expected);
  });

  it('a task filter leaves out instance-level changes', () => {
    expect(matchesChange(change({ task_id: null, task_name: null, kind: 'instance_unreachable' }), { task: 't1' })).toBe(false);
  });
});

describe('formatSnapshot', () => {
  const h = generateHistory(timesEndingAt(new Date('2026-11-21T07:15:00.123Z'), 6, 3_600_000));
  it('shows the heading, a table per instance and the changes', () => {
    const s = h.objects[4]!.snapshot; // the analytics instance is unreachable in this one
    const text = formatSnapshot(s, plain).join('\n');
    expect(text).toContain(`snapshot ${s.id}  taken 2026-11-21 06:15:00 UTC`);
    expect(text).toContain(`previous  ${h.objects[3]!.id} (sha256 ${h.objects[3]!.sha256.slice(0, 12)}…)`);
    expect(text).toContain('2 instances, 6 tasks, 1 change');
    expect(text).toMatch(/^prod \(inst-prod-0001\) {2}cn-north-4 {2}ok {2}4 tasks \(quota 18\)$/m);
    expect(text).toMatch(/^analytics \(inst-analytics-0002\) {2}cn-north-4 {2}UNREACHABLE: HTTP 503 from DMS \(tasks as last listed\) {2}2 tasks \(quota 18\)$/m);
    expect(text).toMatch(/^ {2}TASK +STATUS +SOURCE → SINK +ID$/m);
    expect(text).toMatch(/^ {2}smart-connect-1 +\w+ +- → OBS_SINK +3c0ac4d1-/m);
    expect(text).toMatch(/^ {2}2026-11-21 06:15:00 {2}critical {2}analytics +instance unreachable/m);
  });

  it('sorts instances by name, then tasks by name; says "N tasks (quota M)"', () => {
    const s = h.objects[0]!.snapshot;
    expect(s.instances.map((i) => i.name)).toEqual(['prod', 'analytics']);
    const reversed = { ...s, instances: s.instances.map((i) => ({ ...i, tasks: [...i.tasks].reverse() })) };
    const lines = formatSnapshot(reversed, plain);
    const heads = lines.filter((l) => /^\S+ \(inst-/.test(l)).map((l) => l.split(' ')[0]);
    expect(heads).toEqual(['analytics', 'prod']);
    const prodTasks = lines.slice(lines.findIndex((l) => l.startsWith('prod ')) + 2).filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/ +/)[0]);
    const names = s.instances.find((i) => i.name === 'prod')!.tasks.map((t) => t.task_name!);
    expect(prodTasks.slice(0, names.length)).toEqual([...names].sort());
  });

  it.each([
    ['right-to-left override', 'invoice-\u202Egnp.exe', 'invoice-\\u202Egnp.exe'],
    ['zero-width and word joiner', 'a\u200Bb\u2060c', 'a\\u200Bb\\u2060c'],
    ['byte order mark', '\uFEFFtask', '\\uFEFFtask'],
  ])('a task name with a %s is shown with visible escapes in history and show', (_what, name, shown) => {
    const s = h.objects[1]!.snapshot;
    const renamed = { ...s, instances: s.instances.map((i) => ({ ...i, name: `${name}-instance`, tasks: i.tasks.map((t) => ({ ...t, task_name: name })) })) };
    const shownSnapshot = formatSnapshot(renamed, plain).join('\n');
    const timeline = formatTimeline([change({ task_name: name })], plain).join('\n');
    for (const text of [shownSnapshot, timeline]) {
      expect(text).toContain(shown);
      expect(text).not.toMatch(/[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/);
    }
    expect(shownSnapshot).toContain(`${shown}-instance (`);
  });

  it('says when a snapshot is the first', () => {
    expect(formatSnapshot(h.objects[0]!.snapshot, plain)[1]).toBe('previous  none (the first snapshot)');
  });
});

describe('progress', () => {
  it('on a terminal, once the scan is slow: a rewritten line, throttled, cleared at the end', () => {
    const out: string[] = [];
    let t = 0;
    const p = createProgress({ isTTY: true, write: (s) => out.push(s) }, 'reading', () => t);
    p.update(1, 4); // too early: a short scan shows nothing
    t = 300;
    p.update(2, 4);
    t = 350;
    p.update(3, 4); // throttled
    t = 360;
    p.update(4, 4); // the last count is always shown
    p.end();
    expect(out).toEqual(['\r\x1b[Kreading 2/4', '\r\x1b[Kreading 4/4', '\r\x1b[K']);
  });

  it('a scan that ends before the delay writes nothing', () => {
    const out: string[] = [];
    const p = createProgress({ isTTY: true, write: (s) => out.push(s) }, 'reading', () => 0);
    p.update(1, 2);
    p.update(2, 2);
    p.end();
    expect(out).toEqual([]);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const out: string[] = [];
    const p = createProgress({ isTTY: false, write: (s) => out.push(s) }, 'reading');
    p.update(1, 1);
    p.end();
    expect(out).toEqual([]);
  });
});
