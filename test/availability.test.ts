import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AvailabilitySnapshot, type HistoryItem, classify, computeAvailability } from '../lib/audit/availability';
import { fleetFigures, taskFigures, worstFirst } from '../lib/audit/availability-summary';

const M = 60_000;
const I = 'inst-1';

/** `{ 'inst-1': { t1: 'RUNNING' } }`, an instance named `!inst` is unreachable. */
type World = Record<string, Record<string, string>>;

function snap(id: string, previous: string | null, world: World): AvailabilitySnapshot {
  return {
    id,
    previous: previous === null ? null : { id: previous },
    instances: Object.entries(world).map(([name, tasks]) => ({
      instance_id: name.replace(/^!/, ''),
      name: `${name.replace(/^!/, '')}-name`,
      ok: !name.startsWith('!'),
      tasks: Object.entries(tasks).map(([id, status]) => ({ id, status, task_name: `${id}-name` })),
    })),
  };
}

/** A chain: each object links to the one before it in the list (its `previous` may be overridden). */
function chain(...objects: [minute: number, world: World | 'unreadable', previous?: string | null][]): HistoryItem[] {
  let prev: string | null = null;
  return objects.map(([minute, world, previous]) => {
    const id = `o${minute}`;
    const link: string | null = previous === undefined ? prev : previous;
    prev = id;
    return world === 'unreadable' ? { kind: 'unreadable', at: minute * M, id } : { kind: 'snapshot', at: minute * M, snapshot: snap(id, link, world) };
  });
}

/** Minutes per class, incidents as [start, end|null, duration, from, to], of one task over [0, 100 min). */
function figures(items: HistoryItem[], task = 't1', end = 100) {
  const r = computeAvailability(items, 0, end * M);
  const t = r.tasks.find((x) => x.task_id === task);
  if (!t) return { missing: true, gaps: r.gaps.length };
  return {
    running: t.running_ms / M,
    failing: t.failing_ms / M,
    paused: t.paused_ms / M,
    unknown: t.unknown_ms / M,
    incidents: t.incidents.map((i) => [i.start / M, i.end === null ? null : i.end / M, i.duration_ms / M, i.from, i.to]),
    status: t.status,
    gaps: r.gaps.map((g) => [g.from / M, g.to / M, g.missing.join(',')]),
  };
}

describe('availability at the edges (range [0, 100 min))', () => {
  it.each([
    ['all running, baseline before the range', chain([-10, { [I]: { t1: 'RUNNING' } }]), { running: 100, failing: 0, unknown: 0, incidents: [], status: 'RUNNING' }],
    [
      'range starts mid-incident: failing from before, recovered at 20',
      chain([-10, { [I]: { t1: 'FAILED' } }], [20, { [I]: { t1: 'RUNNING' } }]),
      { running: 80, failing: 20, incidents: [[0, 20, 20, null, 'FAILED']] },
    ],
    [
      'range ends mid-incident: failing from 70',
      chain([-10, { [I]: { t1: 'RUNNING' } }], [70, { [I]: { t1: 'FAILED' } }]),
      { running: 70, failing: 30, incidents: [[70, null, 30, 'RUNNING', 'FAILED']], status: 'FAILED' },
    ],
    [
      'one incident through several failing statuses, then paused',
      chain([-5, { [I]: { t1: 'RUNNING' } }], [10, { [I]: { t1: 'FAILED' } }], [15, { [I]: { t1: 'ERROR' } }], [30, { [I]: { t1: 'PAUSED' } }]),
      { running: 10, failing: 20, paused: 70, incidents: [[10, 30, 20, 'RUNNING', 'FAILED']], status: 'PAUSED' },
    ],
    [
      'task created inside the range: unknown before',
      chain([-10, { [I]: {} }], [40, { [I]: { t1: 'CREATING' } }], [45, { [I]: { t1: 'RUNNING' } }]),
      { running: 55, failing: 5, unknown: 40, incidents: [[40, 45, 5, null, 'CREATING']] },
    ],
    [
      'task removed inside the range: unknown after, no status',
      chain([-10, { [I]: { t1: 'RUNNING' } }], [60, { [I]: {} }]),
      { running: 60, unknown: 40, incidents: [], status: null },
    ],
    [
      'instance unreachable 30–50 while failing: unknown, one incident across it',
      chain([-10, { [I]: { t1: 'RUNNING' } }], [20, { [I]: { t1: 'FAILED' } }], [30, { [`!${I}`]: { t1: 'FAILED' } }], [50, { [I]: { t1: 'FAILED' } }], [80, { [I]: { t1: 'RUNNING' } }]),
      { running: 40, failing: 40, unknown: 20, incidents: [[20, 80, 60, 'RUNNING', 'FAILED']] },
    ],
    [
      'a missing object (o30, referenced by o60): unknown from the object before it',
      chain([-10, { [I]: { t1: 'RUNNING' } }], [60, { [I]: { t1: 'RUNNING' } }, 'o30']),
      { running: 40, unknown: 60, incidents: [], gaps: [[0, 60, 'o30']] },
    ],
    [
      'an unreadable object (o30): unknown from the object before it to the next readable one',
      chain([10, { [I]: { t1: 'RUNNING' } }], [30, 'unreadable'], [60, { [I]: { t1: 'FAILED' } }], [90, { [I]: { t1: 'RUNNING' } }]),
      { running: 10, failing: 30, unknown: 60, incidents: [[60, 90, 30, null, 'FAILED']], gaps: [[10, 60, 'o30']] },
    ],
    [
      'the newest object unreadable: unknown from the last readable one to the end',
      chain([-10, { [I]: { t1: 'RUNNING' } }], [50, 'unreadable']),
      { running: 0, unknown: 100, gaps: [[0, 100, 'o50']] },
    ],
    [
      'the first object after the end unreadable: what it linked to is not known, so neither is the last stretch',
      chain([-10, { [I]: { t1: 'RUNNING' } }], [120, 'unreadable']),
      { running: 0, unknown: 100, gaps: [[0, 100, 'o120']] },
    ],
    [
      'the object before the range unreadable: unknown until the first one in it',
      chain([-10, 'unreadable'], [25, { [I]: { t1: 'RUNNING' } }]),
      { running: 75, unknown: 25, gaps: [[0, 25, 'o-10']] },
    ],
    [
      'the first object in the range links to one not given: a gap from the range start',
      chain([25, { [I]: { t1: 'RUNNING' } }, 'o-10']),
      { running: 75, unknown: 25, gaps: [[0, 25, 'o-10']] },
    ],
    [
      'a missing object (o50) referenced by the first object after the end: unknown from the one before it',
      chain([-10, { [I]: { t1: 'RUNNING' } }], [120, { [I]: { t1: 'RUNNING' } }, 'o50']),
      { running: 0, unknown: 100, gaps: [[0, 100, 'o50']], status: 'RUNNING' },
    ],
    ['no history before the first object: unknown, no gap', chain([25, { [I]: { t1: 'RUNNING' } }]), { running: 75, unknown: 25, gaps: [] }],
    [
      'an object skipped over (unlinked) or a fork: time order, no gap',
      chain([-10, { [I]: { t1: 'RUNNING' } }], [20, { [I]: { t1: 'FAILED' } }], [40, { [I]: { t1: 'RUNNING' } }, 'o-10']),
      { running: 80, failing: 20, gaps: [] },
    ],
    [
      'objects after the end are ignored',
      chain([-10, { [I]: { t1: 'RUNNING' } }], [100, { [I]: { t1: 'FAILED' } }], [120, { [I]: { t1: 'RUNNING' } }]),
      { running: 100, failing: 0, incidents: [], status: 'RUNNING' },
    ],
    [
      'two incidents, the first ended by a pause',
      chain([-10, { [I]: { t1: 'RUNNING' } }], [10, { [I]: { t1: 'FAILED' } }], [20, { [I]: { t1: 'PAUSED' } }], [30, { [I]: { t1: 'FAILED' } }], [60, { [I]: { t1: 'RUNNING' } }]),
      { running: 50, failing: 40, paused: 10, incidents: [[10, 20, 10, 'RUNNING', 'FAILED'], [30, 60, 30, 'PAUSED', 'FAILED']] },
    ],
  ])('%s', (_name, items, expected) => {
    expect(figures(items)).toMatchObject(expected);
  });

  it('a task in an instance that is never reachable in the range is all unknown', () => {
    expect(figures(chain([-10, { [`!${I}`]: { t1: 'FAILED' } }]))).toMatchObject({ running: 0, failing: 0, unknown: 100, incidents: [] });
  });

  it('a task removed before the range is not in it', () => {
    expect(figures(chain([-20, { [I]: { t1: 'RUNNING' } }], [-10, { [I]: {} }]))).toEqual({ missing: true, gaps: 0 });
  });
});

describe('what does not change the figures', () => {
  const base = chain([-10, { [I]: { t1: 'RUNNING' } }], [20, { [I]: { t1: 'FAILED' } }], [50, { [I]: { t1: 'RUNNING' } }]);
  const expected = { running: 70, failing: 30, incidents: [[20, 50, 30, 'RUNNING', 'FAILED']] };

  it('a silence: the changes held "silenced" still count as failing', () => {
    const silenced = base.map((item) =>
      item.kind === 'snapshot'
        ? { ...item, snapshot: { ...item.snapshot, changes: [{ kind: 'status_changed', task_id: 't1', from: 'RUNNING', to: 'FAILED', held: 'silenced', silenced_by: ['sil_1'] }] } }
        : item,
    );
    expect(figures(silenced)).toMatchObject(expected);
    expect(figures(base)).toMatchObject(expected);
  });

  it('a state reset (state_reset recorded, the chain continued from the newest object): no gap', () => {
    const reset = chain([-10, { [I]: { t1: 'RUNNING' } }], [20, { [I]: { t1: 'FAILED' } }], [35, { [I]: { t1: 'FAILED' } }], [50, { [I]: { t1: 'RUNNING' } }]);
    const withChange = reset.map((item, i) => (i === 2 && item.kind === 'snapshot' ? { ...item, snapshot: { ...item.snapshot, changes: [{ kind: 'state_reset' }] } } : item));
    expect(figures(withChange)).toMatchObject({ ...expected, gaps: [] });
  });

  it('objects out of order are refused', () => {
    expect(() => computeAvailability([...base].reverse(), 0, 100 * M)).toThrow(/out of order/);
  });
});

describe('summary', () => {
  it.each([
    ['RUNNING', 'running'],
    ['PAUSED', 'paused'],
    ['FAILED', 'failing'],
    ['CREATING', 'failing'],
    ['', 'failing'],
  ])('%s is %s', (status, cls) => expect(classify(status)).toBe(cls));

  it('per task in seconds, worst first, with a fleet line', () => {
    const items = chain(
      [-10, { [I]: { a: 'RUNNING', b: 'RUNNING', c: 'PAUSED', d: 'RUNNING' } }],
      [10, { [I]: { a: 'FAILED', b: 'RUNNING', c: 'PAUSED', d: 'FAILED' } }],
      [20, { [I]: { a: 'RUNNING', b: 'RUNNING', c: 'PAUSED', d: 'FAILED' } }],
      [40, { [I]: { a: 'FAILED', b: 'RUNNING', c: 'PAUSED', d: 'RUNNING' } }],
      [45, { [I]: { a: 'RUNNING', b: 'RUNNING', c: 'PAUSED', d: 'RUNNING' } }],
    );
    const r = computeAvailability(items, 0, 100 * M);
    const sorted = [...r.tasks].sort(worstFirst);
    expect(sorted.map((t) => t.task_id)).toEqual(['d', 'a', 'b', 'c']);
    expect(sorted.map(taskFigures).map((f) => [f.availability, f.incidents, f.mttr_s, f.longest_s])).toEqual([
      [0.7, 1, 1800, 1800],
      [0.85, 2, 450, 600],
      [1, 0, null, null],
      [null, 0, null, null],
    ]);
    expect(fleetFigures(r, r.tasks)).toMatchObject({ fleet: true, tasks: 4, tasks_never_failing: 2, incidents: 3, failing_s: 2700, running_s: 15300, mttr_s: 900, longest_s: 1800, availability: 15300 / 18000 });
  });
});

/**
 * Generated histories with known answers: a world of tasks is stepped through random stretches; each stretch's
 * statuses are known, so the time per class is summed stretch by stretch (clipped to the range), independently of
 * the object-by-object fold under test. An object is written only when something changed, as the function does.
 */
describe('generated histories', () => {
  const STATUSES = ['RUNNING', 'RUNNING', 'RUNNING', 'PAUSED', 'FAILED', 'CREATING'] as const;
  const stretch = fc.record({
    minutes: fc.integer({ min: 1, max: 90 }),
    ok: fc.boolean(),
    tasks: fc.array(fc.option(fc.constantFrom(...STATUSES), { nil: undefined, freq: 5 }), { minLength: 3, maxLength: 3 }),
  });
  const history = fc.record({
    stretches: fc.array(stretch, { minLength: 1, maxLength: 25 }),
    since: fc.integer({ min: -60, max: 600 }),
    length: fc.integer({ min: 1, max: 900 }),
  });

  type Stretch = { minutes: number; ok: boolean; tasks: (string | undefined)[] };
  const worldOf = (s: Stretch): World => ({ [s.ok ? I : `!${I}`]: Object.fromEntries(s.tasks.flatMap((st, i) => (st === undefined ? [] : [[`t${i}`, st]]))) });

  function build(stretches: Stretch[]) {
    const items: HistoryItem[] = [];
    // Before the first object nothing is known.
    const spans: { from: number; to: number; world: World }[] = [{ from: -Infinity, to: 0, world: { [I]: {} } }];
    let t = 0;
    let last = '';
    for (const s of stretches) {
      const world = worldOf(s);
      const text = JSON.stringify(world);
      if (text !== last) items.push({ kind: 'snapshot', at: t * M, snapshot: snap(`o${t}`, items.length ? `o${(items.at(-1) as { at: number }).at / M}` : null, world) });
      last = text;
      spans.push({ from: t, to: t + s.minutes, world });
      t += s.minutes;
    }
    // The last state holds until the range end (the last check).
    spans[spans.length - 1]!.to = Infinity;
    return { items, spans };
  }

  it('running + failing + paused + unknown = the range, and each matches the stretches', () => {
    fc.assert(
      fc.property(history, ({ stretches, since, length }) => {
        const { items, spans } = build(stretches);
        const end = since + length;
        const r = computeAvailability(items, since * M, end * M);
        for (const task of ['t0', 't1', 't2']) {
          const want = { running: 0, failing: 0, paused: 0, unknown: 0, incidents: 0 };
          let open = false;
          let seen = false;
          for (const sp of spans) {
            const d = Math.min(sp.to, end) - Math.max(sp.from, since);
            if (d <= 0) continue;
            const inst = Object.keys(sp.world)[0]!;
            const status = sp.world[inst]![task];
            if (status !== undefined) seen = true;
            if (status === undefined || inst.startsWith('!')) {
              want.unknown += d;
              continue;
            }
            const cls = classify(status);
            want[cls] += d;
            if (cls === 'failing' && !open) want.incidents++;
            open = cls === 'failing';
          }
          const got = r.tasks.find((x) => x.task_id === task);
          if (!seen) {
            expect(got).toBeUndefined();
            continue;
          }
          expect(got).toBeDefined();
          expect(got!.running_ms + got!.failing_ms + got!.paused_ms + got!.unknown_ms).toBe(length * M);
          // The stretches (for the bands) are ordered, apart, inside the range, and sum to the known time.
          const st = got!.stretches;
          st.forEach((x, k) => {
            expect(x.end).toBeGreaterThan(x.start);
            expect(x.start).toBeGreaterThanOrEqual(k === 0 ? since * M : st[k - 1]!.end);
            expect(x.end).toBeLessThanOrEqual(end * M);
          });
          for (const cls of ['running', 'failing', 'paused'] as const) expect(st.filter((x) => x.cls === cls).reduce((n, x) => n + x.end - x.start, 0)).toBe(got![`${cls}_ms`]);
          expect({ running: got!.running_ms / M, failing: got!.failing_ms / M, paused: got!.paused_ms / M, unknown: got!.unknown_ms / M, incidents: got!.incidents.length }).toEqual(want);
        }
        expect(r.gaps).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('with objects lost, the sums still make the range, and the lost stretches are unknown and named', () => {
    fc.assert(
      fc.property(history, fc.array(fc.nat(), { maxLength: 3 }), ({ stretches, since, length }, drops) => {
        const { items } = build(stretches);
        const dropped = new Set(drops.map((d) => d % items.length).filter((i) => i > 0));
        // The newest object is named by state.json: lost, it is fed as unreadable (as the command does).
        const kept = items.flatMap((item, i): HistoryItem[] =>
          !dropped.has(i) ? [item] : i === items.length - 1 && item.kind === 'snapshot' ? [{ kind: 'unreadable', at: item.at, id: item.snapshot.id }] : [],
        );
        const end = since + length;
        const full = computeAvailability(items, since * M, end * M);
        const r = computeAvailability(kept, since * M, end * M);
        for (const t of r.tasks) {
          expect(t.running_ms + t.failing_ms + t.paused_ms + t.unknown_ms).toBe(length * M);
          // A task of the object in force at a gap is in the result (all unknown) even when the full history has it elsewhere.
          const f = full.tasks.find((x) => x.task_id === t.task_id) ?? { running_ms: 0, failing_ms: 0, paused_ms: 0 };
          // Losing objects never invents time: each class can only shrink into unknown.
          expect(t.running_ms).toBeLessThanOrEqual(f.running_ms);
          expect(t.failing_ms).toBeLessThanOrEqual(f.failing_ms);
          expect(t.paused_ms).toBeLessThanOrEqual(f.paused_ms);
        }
        // Every lost object whose next kept one falls in the range leaves a gap before that one, covering its time.
        for (const i of dropped) {
          const next = items.slice(i + 1).find((_, j) => !dropped.has(i + 1 + j));
          if (!next || next.kind !== 'snapshot' || next.at <= since * M || next.at >= end * M) continue;
          const gap = r.gaps.find((g) => g.before === next.snapshot.id);
          expect(gap).toBeDefined();
          expect(gap!.from).toBeLessThanOrEqual(Math.max(since * M, items[i]!.at));
          expect(gap!.to).toBe(next.at);
        }
      }),
      { numRuns: 300 },
    );
  });
});
