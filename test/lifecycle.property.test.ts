import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rebuildAlertState } from '../lib/alerting/alert-rebuild';
import type { LifecycleResult } from '../lib/alerting/lifecycle';
import type { InstanceSnapshot } from '../lib/store/snapshot';
import { MIN, T0, driver, instance } from './support/lifecycle-driver';

/**
 * Random status sequences of two tasks over random run times, against a model written apart from
 * the lifecycle: per task, by walking its statuses, what §10 says is sent at which run.
 */

const TASKS = ['a', 'b'] as const;
const status = fc.constantFrom('RUNNING', 'RUNNING', 'FAILED', 'ERROR', 'PAUSED');
const runs = fc.array(fc.record({ gap: fc.integer({ min: 1, max: 40 }), a: status, b: status, ok: fc.boolean() }), { minLength: 2, maxLength: 25 });
type Runs = { gap: number; a: string; b: string; ok: boolean }[];

const failing = (s: string) => s !== 'RUNNING' && s !== 'PAUSED';
const timesOf = (rs: Runs) => rs.reduce<number[]>((ts, r, m) => [...ts, m === 0 ? T0 : ts[m - 1]! + r.gap * MIN], []);

/** The instance each run sees: a failed listing keeps the tasks of the run before (as the listing does). */
function seen(rs: Runs, reachable: boolean): InstanceSnapshot[][] {
  let tasks = { a: rs[0]!.a, b: rs[0]!.b };
  return rs.map((r) => {
    const ok = reachable || r.ok;
    if (ok) tasks = { a: r.a, b: r.b };
    return [instance('i', tasks, ok)];
  });
}

function play(rs: Runs, config: Parameters<typeof driver>[0], reachable = false) {
  const d = driver(config);
  const times = timesOf(rs);
  const fleet = seen(rs, reachable);
  const results = rs.map((_, m) => d.run(times[m]!, fleet[m]!));
  return { d, times, results, fleet };
}

/** What task `x` sends, run by run: `run:kind:to` (task_added, a baseline, is not the lifecycle's). */
function actual(results: LifecycleResult[], x: string, kinds?: string[]): string[] {
  return results.flatMap((r, m) => r.send.filter((c) => c.task_id === x && c.kind !== 'task_added' && (!kinds || kinds.includes(c.kind))).map((c) => `${m}:${c.kind}:${c.to}`)).sort();
}

/** The model of pending, recovery and reminders for one task (no flapping, instance reachable). */
function model(statuses: string[], times: number[], notifyAfter: number, remind: number | null): string[] {
  const out: string[] = [];
  let start = -1;
  let notified: number | null = null;
  let held: string[] = [];
  statuses.forEach((s, m) => {
    const t = times[m]!;
    const prev = statuses[m - 1];
    if (prev === undefined) {
      if (failing(s)) [start, held, notified] = [0, [`still_failing:${s}`], null];
    } else if (s !== prev) {
      if (failing(s) && !failing(prev)) [start, held, notified] = [m, [`status_changed:${s}`], null];
      else if (failing(s) && notified !== null) [notified] = [t, out.push(`${m}:status_changed:${s}`)];
      else if (failing(s)) held.push(`status_changed:${s}`);
      else if (failing(prev)) {
        if (s === 'PAUSED' || notified !== null) out.push(`${m}:status_changed:${s}`);
        [start, held, notified] = [-1, [], null];
      } else out.push(`${m}:status_changed:${s}`);
    }
    if (start < 0 || !failing(s)) return;
    if (notified === null && t - times[start]! >= notifyAfter) {
      out.push(...held.map((h) => `${m}:${h}`));
      [held, notified] = [[], t];
    } else if (notified !== null && notified !== t && remind !== null && t - notified >= remind) {
      out.push(`${m}:still_failing:${s}`);
      notified = t;
    }
  });
  return out.sort();
}

const notifyAfter = fc.constantFrom(0, 5 * MIN, 15 * MIN, 30 * MIN);
const remind = fc.constantFrom(null, 20 * MIN, 60 * MIN);

describe('lifecycle properties', () => {
  it('matches the model: a held failure still failing is sent exactly once, no recovery without its failure, reminders REMIND_EVERY apart', () => {
    fc.assert(fc.property(runs, notifyAfter, remind, (rs, na, re) => {
      const { times, results } = play(rs, { remindEveryMs: re, notifyAfterMs: na, flapThreshold: 0, flapWindowMs: 60 * MIN }, true);
      for (const x of TASKS) expect(actual(results, x)).toEqual(model(rs.map((r) => r[x]), times, na, re));
      const ids = results.flatMap((r) => r.send.map((c) => c.id));
      expect(new Set(ids).size).toBe(ids.length);
      for (const x of TASKS) {
        let told = false;
        let last: number | null = null;
        results.forEach((r, m) => {
          for (const c of r.send.filter((c) => c.task_id === x && c.kind !== 'task_added')) {
            if (c.kind === 'status_changed' && c.to === 'RUNNING' && failing(c.from!)) expect(told).toBe(true);
            if (c.kind === 'still_failing' && c.since! < c.detected_at) expect(times[m]! - last!).toBeGreaterThanOrEqual(re!);
            told = c.to !== null && failing(c.to);
            last = times[m]!;
          }
        });
      }
    }), { numRuns: 300 });
  });

  it('a flapping task produces one flapping and one flapping_ended per episode, and sends no status change in between', () => {
    fc.assert(fc.property(runs, fc.integer({ min: 2, max: 4 }), fc.constantFrom(15, 30, 60), (rs, threshold, windowMin) => {
      const window = windowMin * MIN;
      const { times, results } = play(rs, { remindEveryMs: null, notifyAfterMs: 0, flapThreshold: threshold, flapWindowMs: window }, true);
      for (const x of TASKS) {
        const expected: string[] = [];
        let changes: number[] = [];
        let flapping = false;
        rs.forEach((r, m) => {
          const t = times[m]!;
          if (m > 0 && r[x] !== rs[m - 1]![x]) changes.push(t);
          changes = changes.filter((c) => t - c < window);
          if (!flapping && changes.length >= threshold) [flapping] = [true, expected.push(`${m}:flapping:${r[x]}`)];
          else if (flapping && changes.length === 0) [flapping] = [false, expected.push(`${m}:flapping_ended:${r[x]}`)];
        });
        expect(actual(results, x, ['flapping', 'flapping_ended'])).toEqual(expected.sort());
        let inEpisode = false;
        for (const r of results) {
          for (const c of r.send.filter((c) => c.task_id === x)) {
            if (c.kind === 'flapping') [inEpisode] = [true, expect(inEpisode).toBe(false)];
            if (c.kind === 'flapping_ended') [inEpisode] = [false, expect(inEpisode).toBe(true)];
            if (c.kind === 'status_changed') expect(inEpisode).toBe(false);
          }
        }
      }
    }), { numRuns: 300 });
  });

  it('rebuild from history after a state reset, then continue: nothing is sent twice, and the same as without the reset', () => {
    const config = fc.record({ remindEveryMs: remind, notifyAfterMs: notifyAfter, flapThreshold: fc.constantFrom(0, 3), flapWindowMs: fc.constant(30 * MIN) });
    fc.assert(fc.property(runs, config, fc.nat(), (rs, cfg, cutAt) => {
      const cut = 1 + (cutAt % (rs.length - 1));
      const whole = play(rs, cfg);
      const before = play(rs.slice(0, cut), cfg);
      const newest = before.d.history[0]!;
      const after = driver(cfg, { alerts: rebuildAlertState(before.d.history, cfg), instances: newest.instances as InstanceSnapshot[] });
      const continued = whole.fleet.slice(cut).map((fleet, k) => after.run(whole.times[cut + k]!, fleet));
      const ids = [...before.results, ...continued].flatMap((r) => r.send.map((c) => c.id));
      expect(new Set(ids).size).toBe(ids.length);
      expect(continued.map((r) => r.send)).toEqual(whole.results.slice(cut).map((r) => r.send));
    }), { numRuns: 300 });
  });
});
