import type { StateRead } from '../store/ports';
import { historyKey } from '../store/snapshot';
import { compareIds } from '../store/snapshot-id';
import type { HistoryEntry } from './history-object';

export const PROBLEM_KINDS = ['tampered', 'missing', 'unreadable', 'foreign', 'unlinked', 'broken', 'state'] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/** One finding; `key` is the full OBS key (with the prefix). */
export interface Problem {
  kind: ProblemKind;
  key: string;
  detail: string;
}

export interface VerifyResult {
  /** History objects examined (foreign ones included). */
  objects: number;
  oldest: string | undefined;
  newest: string | undefined;
  problems: Problem[];
  /** Facts worth saying that are not problems. */
  notes: string[];
}

type WithId = Exclude<HistoryEntry, { kind: 'foreign' }>;

/**
 * Walks the chain (DESIGN.md §6). Pure: the objects are already read. Every object must parse; each
 * `previous` must name the object before it and the sha256 of its bytes; every object but the newest
 * must be linked from a later one; `state.json`'s `last_history` must name the newest and its bytes.
 * An object newer than `last_history` that links back to it is a note (a run in progress); one that links
 * elsewhere is a fork. An object's `merged` links count as links: a fork they heal is a note, not a problem.
 */
export function verifyHistory(entries: readonly HistoryEntry[], state: StateRead, prefix: string): VerifyResult {
  const full = (key: string) => prefix + key;
  const keyOf = (id: string) => (tryHistoryKey(id) ?? `history/?/${id}.json`);
  const problems: Problem[] = [];
  const notes: string[] = [];
  const add = (kind: ProblemKind, key: string, detail: string) => problems.push({ kind, key: full(key), detail });

  const withId = entries.filter((e): e is WithId => e.kind !== 'foreign').sort((a, b) => compareIds(a.id, b.id));
  const byId = new Map(withId.map((e) => [e.id, e]));
  for (const e of entries) if (e.kind !== 'ok') add(e.kind, e.key, e.reason);

  // Every link: to an object that exists, older than the linking one, with the bytes it recorded.
  const linked = new Set<string>();
  let prevOk: WithId | undefined;
  for (const cur of withId) {
    if (cur.kind !== 'ok') continue;
    const link = cur.snapshot.previous;
    if (!link) {
      if (prevOk) add('broken', cur.key, `has no previous link, but ${prevOk.id} is older: the chain restarts here`);
    } else {
      linked.add(link.id);
      const target = byId.get(link.id);
      if (compareIds(link.id, cur.id) >= 0) add('broken', cur.key, `links to ${link.id}, which is not older than itself`);
      else if (!target) add('missing', keyOf(link.id), `referenced by ${cur.id}${prevOk ? ` (the object before it is ${prevOk.id})` : ''}`);
      else if (target.sha256 !== undefined && target.sha256 !== link.sha256) add('tampered', target.key, mismatch(target.sha256, link.sha256, cur.id));
    }
    // A healed fork: the other heads this object merged are linked too, by id and bytes.
    for (const m of cur.snapshot.merged ?? []) {
      linked.add(m.id);
      const target = byId.get(m.id);
      if (compareIds(m.id, cur.id) >= 0) add('broken', cur.key, `merges ${m.id}, which is not older than itself`);
      else if (!target) add('missing', keyOf(m.id), `merged by ${cur.id}`);
      else if (target.sha256 !== undefined && target.sha256 !== m.sha256) add('tampered', target.key, mismatch(target.sha256, m.sha256, cur.id));
      else {
        const from = target.kind === 'ok' ? target.snapshot.previous?.id : undefined;
        notes.push(`a fork healed: ${cur.id} continues ${link?.id ?? 'nothing'} and merges ${m.id}${from ? ` (which continued ${from})` : ''}`);
      }
    }
    prevOk = cur;
  }

  const newest = withId.at(-1);
  if (state.kind === 'missing') {
    if (newest) add('state', 'state.json', 'missing: nothing vouches for the newest object');
  } else if (state.kind === 'corrupt') {
    add('unreadable', 'state.json', state.reason);
  } else {
    const last = state.state.last_history;
    if (!last) {
      if (newest) add('state', 'state.json', `last_history is null, but the history holds ${withId.length} objects`);
    } else {
      linked.add(last.id);
      const target = byId.get(last.id);
      if (!target) add('missing', keyOf(last.id), 'referenced by state.json (last_history)');
      else {
        if (last.key !== full(target.key)) add('state', 'state.json', `last_history.key is ${last.key}, but ${last.id} is at ${full(target.key)}`);
        if (target.sha256 !== undefined && target.sha256 !== last.sha256) add('tampered', target.key, mismatch(target.sha256, last.sha256, 'state.json'));
      }
      const newer = withId.filter((e) => compareIds(e.id, last.id) > 0);
      const first = newer[0];
      if (first?.kind === 'ok' && first.snapshot.previous?.id !== last.id) {
        add('broken', first.key, `is newer than state.json's last_history ${last.id} but links to ${first.snapshot.previous?.id ?? 'nothing'}: a fork`);
      } else if (newer.length > 0) {
        notes.push(
          `${newer.length} object(s) newer than state.json's last_history ${last.id} (a run in progress, or one that stopped before writing state.json): ` +
            `the newest, ${newer.at(-1)!.id}, is vouched for by nothing yet`,
        );
      }
    }
  }

  // Objects the chain skips over: the next object links to an older one (or to nothing) and nothing else links to them.
  withId.forEach((e, i) => {
    const next = withId[i + 1];
    const skipsOver = next?.kind === 'ok' && (next.snapshot.previous === null || compareIds(next.snapshot.previous.id, e.id) < 0);
    if (e.kind === 'ok' && skipsOver && !linked.has(e.id)) {
      add('unlinked', e.key, `no later object links to it (${next.id} links to ${next.snapshot.previous?.id ?? 'nothing'}): not part of the chain`);
    }
  });

  problems.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : PROBLEM_KINDS.indexOf(a.kind) - PROBLEM_KINDS.indexOf(b.kind)));
  return { objects: entries.length, oldest: withId[0]?.id, newest: newest?.id, problems, notes };
}

function mismatch(actual: string, recorded: string, by: string): string {
  return `its bytes have sha256 ${actual.slice(0, 12)}…, but ${by} recorded ${recorded.slice(0, 12)}…`;
}

function tryHistoryKey(id: string): string | undefined {
  try {
    return historyKey(id);
  } catch {
    return undefined;
  }
}

/** `tampered 1, missing 2`: counts by kind, in PROBLEM_KINDS order. */
export function summariseProblems(problems: readonly Problem[]): string {
  return PROBLEM_KINDS.map((k) => [k, problems.filter((p) => p.kind === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}
