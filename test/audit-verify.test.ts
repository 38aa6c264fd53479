import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../lib/store/canonical-json';
import { sha256Hex } from '../lib/store/hash';
import { type HistoryEntry, parseHistoryObject } from '../lib/audit/history-object';
import { summariseProblems, verifyHistory } from '../lib/audit/verify';
import type { StateRead } from '../lib/store/ports';
import { type GeneratedHistory, generateHistory, timesEndingAt } from './fixtures/audit/history';

const PREFIX = 'scw/';
const END = new Date('2026-11-21T07:15:00.123Z');

/** The objects as the store would hand them over: keys relative to the prefix, bytes possibly damaged. */
interface World {
  h: GeneratedHistory;
  bytes: Map<string, string | undefined>;
  state: StateRead;
}

function world(count = 12): World {
  const h = generateHistory(timesEndingAt(END, count, 3_600_000), PREFIX);
  const bytes = new Map<string, string | undefined>(h.objects.map((o) => [o.key.slice(PREFIX.length), o.body]));
  return { h, bytes, state: { kind: 'ok', state: h.state } };
}

const rel = (w: World, i: number) => w.h.objects.at(i)!.key.slice(PREFIX.length);
const entries = (w: World): HistoryEntry[] => [...w.bytes].map(([key, text]) => parseHistoryObject(key, text));
const check = (w: World) => verifyHistory(entries(w), w.state, PREFIX);
const flip = (w: World, i: number, from: string, to: string) => w.bytes.set(rel(w, i), w.bytes.get(rel(w, i))!.replace(from, to));

type Damage = (w: World) => void;

describe('verifyHistory', () => {
  it('an intact chain has no problems', () => {
    const w = world();
    // As the function writes them: an object only when something changed.
    for (const o of w.h.objects) expect(o.snapshot.changes.length).toBeGreaterThan(0);
    const r = check(w);
    expect(r).toMatchObject({ objects: 12, oldest: w.h.objects[0]!.id, newest: w.h.objects[11]!.id, problems: [], notes: [] });
  });

  it('an empty history with no state.json is intact', () => {
    expect(verifyHistory([], { kind: 'missing' }, PREFIX)).toEqual({ objects: 0, oldest: undefined, newest: undefined, problems: [], notes: [] });
  });

  it.each<[string, Damage, [string, number | string][]]>([
    ['a status rewritten in the middle', (w) => flip(w, 5, '"status":"RUNNING"', '"status":"FAILED"'), [['tampered', 5]]],
    ['the newest object rewritten (only state.json vouches for it)', (w) => flip(w, -1, '"region":"cn-north-4"', '"region":"cn-north-5"'), [['tampered', -1]]],
    ['the oldest object rewritten', (w) => flip(w, 0, '"region":"cn-north-4"', '"region":"cn-east-3"'), [['tampered', 0]]],
    ['one byte of whitespace added', (w) => w.bytes.set(rel(w, 3), `${w.bytes.get(rel(w, 3))} `), [['tampered', 3]]],
    ['an object deleted from the middle', (w) => w.bytes.delete(rel(w, 6)), [['missing', 6]]],
    ['the oldest object deleted', (w) => w.bytes.delete(rel(w, 0)), [['missing', 0]]],
    ['the newest object deleted', (w) => w.bytes.delete(rel(w, -1)), [['missing', -1]]],
    ['an object made into something else than JSON', (w) => w.bytes.set(rel(w, 4), 'not json'), [['tampered', 4], ['unreadable', 4]]],
    ['an object that disappeared while it was read', (w) => w.bytes.set(rel(w, 4), undefined), [['unreadable', 4]]],
    ['valid JSON that is not a snapshot', (w) => w.bytes.set(rel(w, 2), '{"schema":"other"}'), [['tampered', 2], ['unreadable', 2]]],
    ['a foreign file under history/', (w) => w.bytes.set('history/README.txt', 'hello'), [['foreign', 'history/README.txt']]],
    [
      'a forged object inserted between two others',
      (w) => {
        const o = w.h.objects[7]!;
        const forged = { ...o.snapshot, id: `${o.id}-001`, changes: [] };
        w.bytes.set(`${rel(w, 7).replace('.json', '')}-001.json`, canonicalJson(forged));
      },
      [['unlinked', 'history/2026/11/21/20261121T031500123Z-001.json']],
    ],
    ['state.json missing', (w) => (w.state = { kind: 'missing' }), [['state', 'state.json']]],
    ['state.json unreadable', (w) => (w.state = { kind: 'corrupt', reason: 'state.json is not valid JSON' }), [['unreadable', 'state.json']]],
    [
      'state.json pointing at an older object',
      (w) => {
        const o = w.h.objects[9]!;
        if (w.state.kind === 'ok') w.state.state.last_history = { id: o.id, key: o.key, sha256: o.sha256 };
      },
      [],
    ],
    [
      'state.json recording another key',
      (w) => {
        if (w.state.kind === 'ok') w.state.state.last_history = { ...w.state.state.last_history!, key: 'elsewhere.json' };
      },
      [['state', 'state.json']],
    ],
  ])('%s', (_name, damage, expected) => {
    const w = world();
    damage(w);
    const r = check(w);
    const keyOf = (ref: string | number) => (typeof ref === 'number' ? w.h.objects.at(ref)!.key : PREFIX + ref);
    expect(r.problems.map((p) => [p.kind, p.key])).toEqual(expected.map(([kind, ref]) => [kind, keyOf(ref)]));
    for (const p of r.problems) expect(p.detail).not.toBe('');
  });

  it('names every problem at once, and says which object referenced a missing one', () => {
    const w = world(40);
    flip(w, 10, '"status":"RUNNING"', '"status":"PAUSED"');
    w.bytes.delete(rel(w, 20));
    w.bytes.set(rel(w, 30), '\u0000garbage');
    w.bytes.set('history/2026/11/21/notes.json', '{}');
    const r = check(w);
    expect(r.problems.map((p) => p.kind).sort()).toEqual(['foreign', 'missing', 'tampered', 'tampered', 'unreadable']);
    expect(r.problems.find((p) => p.kind === 'missing')?.detail).toBe(`referenced by ${w.h.objects[21]!.id} (the object before it is ${w.h.objects[19]!.id})`);
    expect(r.problems.find((p) => p.kind === 'tampered' && p.key === w.h.objects[10]!.key)?.detail).toMatch(
      new RegExp(`^its bytes have sha256 [0-9a-f]{12}…, but ${w.h.objects[11]!.id} recorded ${w.h.objects[10]!.sha256.slice(0, 12)}…$`),
    );
    expect(summariseProblems(r.problems)).toBe('2 tampered, 1 missing, 1 unreadable, 1 foreign');
  });

  it('an object newer than state.json that links back correctly is a note, not a problem (a run in progress)', () => {
    const w = world();
    const before = w.h.objects[10]!;
    if (w.state.kind === 'ok') w.state.state.last_history = { id: before.id, key: before.key, sha256: before.sha256 };
    const r = check(w);
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([expect.stringContaining(`1 object(s) newer than state.json's last_history ${before.id}`)]);
  });

  it('an object newer than state.json that links elsewhere is a fork', () => {
    const w = world();
    const base = w.h.objects[8]!;
    const forged = { ...w.h.objects[11]!.snapshot, id: '20261121T080000000Z', previous: { id: base.id, sha256: base.sha256 } };
    w.bytes.set('history/2026/11/21/20261121T080000000Z.json', canonicalJson(forged));
    const r = check(w);
    expect(r.problems).toEqual([
      { kind: 'broken', key: `${PREFIX}history/2026/11/21/20261121T080000000Z.json`, detail: `is newer than state.json's last_history ${w.h.objects[11]!.id} but links to ${base.id}: a fork` },
    ]);
    expect(r.notes).toEqual([]);
  });

  it('a chain that restarts (a previous of null in the middle) is broken', () => {
    const w = world();
    const o = w.h.objects[4]!;
    w.bytes.set(rel(w, 4), canonicalJson({ ...o.snapshot, previous: null }));
    const kinds = check(w).problems.map((p) => [p.kind, p.key]);
    expect(kinds).toEqual([
      ['unlinked', w.h.objects[3]!.key],
      ['tampered', o.key],
      ['broken', o.key],
    ]);
  });
  describe('forks (two runs that continued the same object)', () => {
    /** A sibling of object 10 (both continue object 9), and the newest object 11 rewritten by `heal` (state.json follows it). */
    const forked = (heal: (fork: { id: string; sha256: string }) => Record<string, unknown>) => {
      const w = world();
      const [parent, sibling, newest] = [w.h.objects[9]!, w.h.objects[10]!, w.h.objects[11]!];
      const id = `${sibling.id}-000001`;
      const text = canonicalJson({ ...sibling.snapshot, id, previous: { id: parent.id, sha256: parent.sha256 } });
      w.bytes.set(`${rel(w, 10).replace('.json', '')}-000001.json`, text);
      const rewritten = canonicalJson({ ...newest.snapshot, ...heal({ id, sha256: sha256Hex(text) }) });
      w.bytes.set(rel(w, 11), rewritten);
      if (w.state.kind === 'ok') w.state.state.last_history = { id: newest.id, key: newest.key, sha256: sha256Hex(rewritten) };
      return { w, id, sibling, newest };
    };

    it('unhealed: the branch no object links to is a problem', () => {
      const { w, id } = forked(() => ({}));
      expect(check(w).problems.map((p) => [p.kind, p.key])).toEqual([['unlinked', `${PREFIX}history/2026/11/21/${id}.json`]]);
    });

    it('healed: an object that merges the other head is a note, exit 0', () => {
      const { w, id, sibling, newest } = forked((fork) => ({ merged: [fork] }));
      const r = check(w);
      expect(r.problems).toEqual([]);
      expect(r.notes).toEqual([`a fork healed: ${newest.id} continues ${sibling.id} and merges ${id} (which continued ${w.h.objects[9]!.id})`]);
    });

    it.each<[string, (fork: { id: string; sha256: string }) => Record<string, unknown>, string]>([
      ['a merged head whose bytes changed', (f) => ({ merged: [{ ...f, sha256: '0'.repeat(64) }] }), 'tampered'],
      ['a merged head that does not exist', (f) => ({ merged: [{ ...f, id: '20261121T061500123Z-000009' }] }), 'missing'],
    ])('%s is a problem', (_name, heal, kind) => {
      const { w } = forked(heal);
      expect(check(w).problems.map((p) => p.kind)).toContain(kind);
    });
  });
});
