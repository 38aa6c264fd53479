import { mapLimit } from '../source/concurrency';
import type { HistoryReader } from '../store/ports';
import { compareIds, parseHistoryKey } from '../store/snapshot-id';
import { type HistoryEntry, parseHistoryObject } from './history-object';
import { NO_PROGRESS, type Progress } from './progress';
import { type TimeRange, historyPrefixes, inRange } from './time-range';

export type HistoryStore = Pick<HistoryReader, 'listKeys' | 'readText'>;

export interface HistoryListing {
  /** History keys in the range, oldest first. */
  keys: string[];
  /** Objects under the listed prefixes that are not at a history key. */
  foreign: string[];
}

export interface ReadOptions {
  concurrency?: number;
  progress?: Progress;
}

/**
 * Lists the history in a range: only the day (month, year) prefixes the range touches, never the
 * whole history unless the range is open at the start. The listing stops at the day after `now`.
 */
export async function listHistory(store: HistoryStore, range: TimeRange, now: Date): Promise<HistoryListing> {
  const horizon = new Date(Math.min((range.until ?? now).getTime(), now.getTime() + 86_400_000));
  const prefixes = historyPrefixes(range.since, horizon);
  const listed = (await mapLimit(prefixes, 4, (p) => store.listKeys(p))).flat();
  const keys: { key: string; id: string }[] = [];
  const foreign: string[] = [];
  for (const key of listed) {
    const info = parseHistoryKey(key);
    if (!info) foreign.push(key);
    else if (inRange(info.time, range)) keys.push({ key, id: info.id });
  }
  return { keys: keys.sort((a, b) => compareIds(a.id, b.id)).map((k) => k.key), foreign: foreign.sort() };
}

/** Reads and classifies objects (bounded concurrency), in the order given. */
export async function readHistory(store: HistoryStore, keys: readonly string[], opts: ReadOptions = {}): Promise<HistoryEntry[]> {
  const progress = opts.progress ?? NO_PROGRESS;
  let done = 0;
  try {
    return await mapLimit(keys, opts.concurrency ?? 32, async (key) => {
      const entry = parseHistoryObject(key, await store.readText(key));
      progress.update(++done, keys.length);
      return entry;
    });
  } finally {
    progress.end();
  }
}
