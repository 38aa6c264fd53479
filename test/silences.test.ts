import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Silence, type Silenceable, activeAt, ended, future, matches, parseSilences, prune, silencesFile, silencesFor } from '../lib/alerting/silences';
import { JOURNAL_SCHEMA, type JournalEntry, merge, reflected } from '../lib/store/silence-journal';
import { spanText, summaryLine } from '../lib/audit/silence-text';

const NOW = new Date('2026-12-02T07:00:00.000Z');
const H = 3_600_000;
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

function silence(over: Partial<Silence> = {}): Silence {
  return { id: 'sil_a', instance: null, task: 'orders-*', kind: null, starts_at: at(-H), ends_at: at(H), created_at: at(-H), created_by: 'alice', comment: 'upgrade', ...over };
}
function change(over: Partial<Silenceable> = {}): Silenceable {
  return { kind: 'status_changed', instance_id: 'inst-1', instance_name: 'prod', task_id: 'task-1', task_name: 'orders-dump', ...over };
}

describe('matches', () => {
  it.each<[string, Partial<Silence>, Partial<Silenceable>, boolean]>([
    ['task glob on the task name', {}, {}, true],
    ['task glob on the task id', { task: 'task-?' }, { task_name: 'x' }, true],
    ['task glob, neither name nor id', { task: 'billing-*' }, {}, false],
    ['task matcher never matches an instance-level change', { task: '*' }, { kind: 'instance_unreachable', task_id: null, task_name: null }, false],
    ['instance glob on the name', { task: null, instance: 'pr*' }, {}, true],
    ['instance glob on the id', { task: null, instance: 'inst-1' }, { instance_name: 'other' }, true],
    ['instance glob on an instance-level change', { task: null, instance: 'prod' }, { kind: 'instance_unreachable', task_id: null, task_name: null }, true],
    ['instance glob, no instance (state_reset)', { task: null, instance: '*' }, { kind: 'state_reset', instance_id: null, instance_name: null, task_id: null, task_name: null }, false],
    ['kind exact', { task: null, kind: 'status_changed' }, {}, true],
    ['kind differs', { task: null, kind: 'config_changed' }, {}, false],
    ['kind alone matches a change without instance', { task: null, kind: 'state_reset' }, { kind: 'state_reset', instance_id: null, instance_name: null, task_id: null, task_name: null }, true],
    ['every matcher must match', { instance: 'prod', task: 'orders-*', kind: 'task_added' }, {}, false],
    ['globs are case-sensitive and whole', { task: 'orders' }, {}, false],
    ['a dot is literal', { task: 'orders.dump' }, {}, false],
  ])('%s', (_name, s, c, expected) => {
    expect(matches(silence(s), change(c))).toBe(expected);
  });
});

describe('in force', () => {
  it.each<[string, number, number, { active: boolean; future: boolean; ended: boolean }]>([
    ['running', -H, H, { active: true, future: false, ended: false }],
    ['starts exactly now', 0, H, { active: true, future: false, ended: false }],
    ['ends exactly now', -H, 0, { active: false, future: false, ended: true }],
    ['a window ahead', H, 2 * H, { active: false, future: true, ended: false }],
  ])('%s', (_name, from, to, want) => {
    const s = silence({ starts_at: at(from), ends_at: at(to) });
    expect({ active: activeAt(s, NOW), future: future(s, NOW), ended: ended(s, NOW) }).toEqual(want);
  });

  it('silencesFor gives the active matching ids only', () => {
    const list = [silence({ id: 'sil_on' }), silence({ id: 'sil_later', starts_at: at(H), ends_at: at(2 * H) }), silence({ id: 'sil_other', task: 'x*' }), silence({ id: 'sil_kind', task: null, kind: 'status_changed' })];
    expect(silencesFor(change(), list, NOW)).toEqual(['sil_on', 'sil_kind']);
  });
});

describe('parseSilences: a broken file silences nothing and says why', () => {
  const file = (silences: unknown[]) => JSON.stringify({ schema: 'smart-connect-watch/silences/v1', silences });
  it.each<[string, string | undefined, string | undefined]>([
    ['missing', undefined, undefined],
    ['not JSON', '{', 'p/silences.json: not valid JSON'],
    ['wrong schema', JSON.stringify({ schema: 'v0', silences: [] }), 'p/silences.json: does not match the schema at schema'],
    ['every matcher null', file([{ ...silence(), task: null }]), 'every matcher is null'],
    ['end before start', file([silence({ ends_at: at(-2 * H) })]), 'silences.0.ends_at'],
    ['invalid glob', file([silence({ task: 'a[1]' })]), 'silences.0.task: "a[1]" is not a valid name glob'],
    ['unknown kind', file([{ ...silence(), kind: 'exploded' }]), 'silences.0.kind'],
    ['bad id', file([silence({ id: 'x1' })]), 'silences.0.id'],
    ['empty comment', file([silence({ comment: ' ' })]), 'needs a comment'],
    ['duplicate id', file([silence(), silence()]), 'sil_a appears twice'],
  ])('%s', (_name, text, error) => {
    const read = parseSilences(text, 'p/silences.json');
    expect(read.silences).toEqual([]);
    if (error === undefined) expect(read.error).toBeUndefined();
    else expect(read.error).toContain(error);
  });

  it('a valid file gives its silences', () => {
    expect(parseSilences(file([silence()]), 'k')).toEqual({ silences: [silence()] });
  });
});

describe('pruning and the journal merge', () => {
  const old = silence({ id: 'sil_old', starts_at: at(-40 * 24 * H), ends_at: at(-31 * 24 * H) });
  const recent = silence({ id: 'sil_recent', starts_at: at(-3 * 24 * H), ends_at: at(-29 * 24 * H + 1) });
  it('drops silences ended more than 30 days ago, keeps the rest, sorted by start', () => {
    expect(prune([old, recent, silence()], NOW).map((s) => s.id)).toEqual(['sil_recent', 'sil_a']);
    expect(silencesFile([silence(), recent], NOW).silences.map((s) => s.id)).toEqual(['sil_recent', 'sil_a']);
  });

  const add = (s: Silence): JournalEntry => ({ schema: JOURNAL_SCHEMA, op: 'add', silence: s });
  const expire = (id: string, ms: number): JournalEntry => ({ schema: JOURNAL_SCHEMA, op: 'expire', id, ends_at: at(ms) });
  it.each<[string, Silence[], JournalEntry[], Record<string, string | undefined>]>([
    ['an addition not there is added', [], [add(silence())], { sil_a: at(H) }],
    ['an addition already there changes nothing', [silence({ comment: 'kept' })], [add(silence())], { sil_a: at(H) }],
    ['an expiry moves the end earlier', [silence()], [expire('sil_a', 0)], { sil_a: at(0) }],
    ['an expiry never moves the end later', [silence()], [expire('sil_a', 2 * H)], { sil_a: at(H) }],
    ['an addition and its expiry together', [], [expire('sil_a', 0), add(silence())], { sil_a: at(0) }],
    ['an addition already pruned is not added back', [], [add(old)], {}],
  ])('%s', (_name, file, entries, ends) => {
    const merged = merge(file, entries, NOW);
    expect(Object.fromEntries(merged.map((s) => [s.id, s.ends_at]))).toEqual(ends);
    for (const e of entries) expect(reflected(e, merged, NOW)).toBe(true);
  });

  it('an expired window that had not started passed as a 1 ms window', () => {
    const [s] = merge([silence({ starts_at: at(H), ends_at: at(2 * H) })], [expire('sil_a', 0)], NOW);
    expect(s).toMatchObject({ starts_at: at(-1), ends_at: at(0) });
    expect(silencesFor(change(), [s!], NOW)).toEqual([]);
  });

  it('what a lost write lacks is not reflected', () => {
    expect(reflected(add(silence({ id: 'sil_b' })), [silence()], NOW)).toBe(false);
    expect(reflected(expire('sil_a', 0), [silence()], NOW)).toBe(false);
  });
});

describe('wording', () => {
  it.each([
    [2 * H, '2 h'],
    [90 * 60_000, '1 h 30 min'],
    [3 * 24 * H + 4 * H + 5 * 60_000, '3 d 4 h'],
    [45_000, '45 s'],
  ])('%i ms is %s', (ms, text) => expect(spanText(ms)).toBe(text));

  it('the summary of `silence add`', () => {
    const s = silence({ starts_at: '2026-12-02T07:00:00.000Z', ends_at: '2026-12-02T09:00:00.000Z' });
    expect(summaryLine(s, NOW)).toBe('silences task orders-* on every instance until 2026-12-02 09:00 UTC (2 h)');
  });
});

// An independent matcher: globs by recursion over the characters, no regular expression.
function globOk(glob: string, name: string): boolean {
  if (glob === '') return name === '';
  if (glob[0] === '*') return globOk(glob.slice(1), name) || (name !== '' && globOk(glob, name.slice(1)));
  return name !== '' && (glob[0] === '?' || glob[0] === name[0]) && globOk(glob.slice(1), name.slice(1));
}
function simpleMatch(s: Silence, c: Silenceable): boolean {
  const any = (g: string, ...xs: (string | null)[]) => xs.some((x) => x !== null && globOk(g, x));
  return (s.kind === null || s.kind === c.kind) && (s.instance === null || any(s.instance, c.instance_name, c.instance_id)) && (s.task === null || (c.task_id !== null && any(s.task, c.task_name, c.task_id)));
}

describe('property: a change matches a silence iff a simple independent matcher says so', () => {
  const alphabet = fc.constantFrom('a', 'b', '-', '.', '1');
  const word = fc.string({ unit: alphabet, maxLength: 5 });
  const glob = fc.string({ unit: fc.constantFrom('a', 'b', '-', '.', '1', '*', '?'), minLength: 1, maxLength: 5 });
  const kind = fc.constantFrom('status_changed', 'task_added', 'instance_unreachable');
  it('holds', () => {
    fc.assert(
      fc.property(fc.option(glob), fc.option(glob), fc.option(kind), kind, fc.option(word), fc.option(word), fc.option(word), fc.option(word), (i, t, k, ck, iid, iname, tid, tname) => {
        fc.pre(i !== null || t !== null || k !== null);
        const s = silence({ instance: i, task: t, kind: k as Silence['kind'] });
        const c: Silenceable = { kind: ck, instance_id: iid, instance_name: iname, task_id: tid, task_name: tid === null ? null : tname };
        expect(matches(s, c)).toBe(simpleMatch(s, c));
        expect(silencesFor(c, [s], NOW).length === 1).toBe(simpleMatch(s, c));
      }),
      { numRuns: 3000 },
    );
  });
});
