import { mapLimit } from '../source/concurrency';
import { historyKey } from '../store/snapshot';
import type { AvailabilitySnapshot, HistoryItem } from './availability';
import { compareIds, idTime, parseHistoryKey } from '../store/snapshot-id';
import { type HistoryEntry, parseHistoryObject } from './history-object';
import type { HistoryStore } from './history-reader';
import { NO_PROGRESS, type Progress } from './progress';
import { historyPrefixes } from './time-range';

const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');

export interface AvailabilityListing {
  /** History keys in [since, end), oldest first. */
  inRange: string[];
  /** The newest key before `since` among those listed (its day's), if any. */
  before: string | undefined;
  /** The oldest key at or after `end` among those listed (up to the day after end's), if any. */
  after: string | undefined;
  /** Objects under the listed prefixes that are not at a history key. */
  foreign: string[];
}

/** Lists the day (month, year) prefixes from `since`'s day to the day after `end`'s: nothing before, never the whole history. */
export async function listForAvailability(store: HistoryStore, since: number, end: number): Promise<AvailabilityListing> {
  const prefixes = historyPrefixes(new Date(since), new Date(end + DAY));
  const listed = (await mapLimit(prefixes, 4, (p) => store.listKeys(p))).flat();
  const inRange: { key: string; id: string }[] = [];
  const foreign: string[] = [];
  let before: { key: string; id: string } | undefined;
  let after: { key: string; id: string } | undefined;
  for (const key of listed) {
    const info = parseHistoryKey(key);
    if (!info) {
      foreign.push(key);
      continue;
    }
    const t = info.time.getTime();
    const k = { key, id: info.id };
    if (t < since) before = !before || compareIds(k.id, before.id) > 0 ? k : before;
    else if (t >= end) after = !after || compareIds(k.id, after.id) < 0 ? k : after;
    else inRange.push(k);
  }
  return { inRange: inRange.sort((a, b) => compareIds(a.id, b.id)).map((k) => k.key), before: before?.key, after: after?.key, foreign: foreign.sort() };
}

/**
 * The newest history key before `since`, when the range holds no object to link to it: month by month back from
 * `since`'s month (a quiet history has few keys a month), then, beyond two years, the whole history.
 */
export async function findKeyBefore(store: HistoryStore, since: number): Promise<string | undefined> {
  const newestBefore = (keys: readonly string[]) =>
    keys
      .map((key) => ({ key, info: parseHistoryKey(key) }))
      .filter((k) => k.info && k.info.time.getTime() < since)
      .sort((a, b) => compareIds(a.info!.id, b.info!.id))
      .at(-1)?.key;
  const s = new Date(since);
  for (let back = 0; back < 24; back++) {
    const month = new Date(Date.UTC(s.getUTCFullYear(), s.getUTCMonth() - back, 1));
    const found = newestBefore(await store.listKeys(`history/${month.getUTCFullYear()}/${pad(month.getUTCMonth() + 1)}/`));
    if (found) return found;
  }
  return newestBefore(await store.listKeys('history/'));
}

/** A history key for a snapshot id named by a link; undefined when the id is not one. */
export function keyOfId(id: string): string | undefined {
  try {
    return historyKey(id);
  } catch {
    return undefined;
  }
}

/** A history object as the fold takes it: parsed (only the fields it reads, so that a read-ahead window stays small), or unusable (a gap). */
export function toItem(entry: HistoryEntry): HistoryItem | undefined {
  if (entry.kind === 'foreign') return undefined;
  const at = idTime(entry.id)?.getTime();
  if (at === undefined) return undefined;
  return entry.kind === 'ok' ? { kind: 'snapshot', at, snapshot: slim(entry.snapshot) } : { kind: 'unreadable', at, id: entry.id };
}

function slim(s: AvailabilitySnapshot): AvailabilitySnapshot {
  return {
    id: s.id,
    previous: s.previous ? { id: s.previous.id } : null,
    instances: s.instances.map((i) => ({ instance_id: i.instance_id, name: i.name, ok: i.ok, tasks: i.tasks.map((t) => ({ id: t.id, status: t.status, task_name: t.task_name ?? null })) })),
  };
}

/**
 * Reads objects concurrently, turns each into what is kept of it (`keep`, as soon as it is read), and hands those to
 * `each` in the order given, as soon as all before are handed: at most `window` are held at once (a month of full
 * snapshots never is).
 */
export async function readInOrder<T>(store: HistoryStore, keys: readonly string[], keep: (entry: HistoryEntry) => T, each: (kept: T) => void, opts: { concurrency?: number; window?: number; progress?: Progress } = {}): Promise<void> {
  const progress = opts.progress ?? NO_PROGRESS;
  const concurrency = opts.concurrency ?? 16;
  const window = Math.max(concurrency, opts.window ?? concurrency * 2);
  const ready = new Map<number, T>();
  let next = 0;
  let started = 0;
  let done = 0;
  let failure: unknown;
  const waiting: (() => void)[] = [];
  const wakeAll = () => {
    for (const w of waiting.splice(0)) w();
  };
  const worker = async () => {
    while (failure === undefined && started < keys.length) {
      // Never run further ahead of the fold than the window.
      if (started - next >= window) {
        await new Promise<void>((r) => waiting.push(r));
        continue;
      }
      const i = started++;
      const key = keys[i]!;
      try {
        ready.set(i, keep(parseHistoryObject(key, await store.readText(key))));
        progress.update(++done, keys.length);
        while (failure === undefined && ready.has(next)) {
          const entry = ready.get(next)!;
          ready.delete(next++);
          each(entry);
        }
      } catch (err) {
        failure ??= err;
      }
      wakeAll();
    }
    wakeAll();
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  } finally {
    progress.end();
  }
  if (failure !== undefined) throw failure;
}
