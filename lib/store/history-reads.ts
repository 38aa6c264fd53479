import { readJson } from './body';
import type { ObsObjects } from './obs-client';
import type { HistoryReader, StoredSnapshot } from './ports';
import { Snapshot, historyKey, snapshotIdAt } from './snapshot';
import { compareHistoryKeys } from './snapshot-id';

/** History keys in snapshot-id order: `X.json` before `X-000001.json` (plain order puts `-` before `.`). */
export const byId = compareHistoryKeys;

/** The history as recovery and the audit commands read it, over OBS. */
export function obsHistoryReader(objects: ObsObjects): HistoryReader {
  const { bucket, prefix } = objects;

  /** Every key under `{prefix}{sub}`, relative to the prefix, in listing order. */
  const list = async (sub: string) => {
    const keys: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const out = await objects.listPage(sub, marker);
      keys.push(...out.keys.map((key) => key.slice(prefix.length)));
      marker = out.next;
      if (!marker) break;
    }
    return keys;
  };

  const readHistory = async (key: string): Promise<StoredSnapshot | undefined> => {
    const out = key.endsWith('.json') ? await objects.getStream(key, (body, length) => readJson(body, length, { hashed: true })) : undefined;
    const parsed = out && 'json' in out ? Snapshot.safeParse(out.json) : undefined;
    return parsed?.success ? { snapshot: parsed.data, key: prefix + key, sha256: out?.sha256 as string } : undefined;
  };

  return {
    location: `obs://${bucket}/${prefix}`,
    prefix,

    async listKeys(sub) {
      return (await list(sub)).sort();
    },

    async readText(key) {
      return (await objects.getText(key))?.text;
    },

    readHistory,

    async readLatestHistory() {
      // The date in the key lets the recent days be listed alone; only an old history needs the full listing.
      const today = Date.now();
      let keys: string[] = [];
      for (let back = 0; back < 7 && keys.length === 0; back++) {
        keys = await list(historyKey(snapshotIdAt(new Date(today - back * 86_400_000))).replace(/[^/]+$/, ''));
      }
      if (keys.length === 0) keys = await list('history/');
      for (const key of keys.sort(byId).reverse()) {
        const stored = await readHistory(key);
        if (stored) return stored;
        // not a usable history object: try the one before it
      }
      return null;
    },

    async readHistoryAfter(fullKey, except) {
      const found: StoredSnapshot[] = [];
      // `X-000001.json` (a run that continued X within X's millisecond) sorts before `X.json`: list from
      // `X`, so that its suffixed successors are found, and skip X itself.
      let marker = fullKey?.replace(/\.json$/, '') ?? undefined;
      for (let page = 0; page < 100; page++) {
        const out = await objects.listPage('history/', marker);
        for (const key of out.keys) {
          if (key === fullKey || except?.has(key)) continue;
          const stored = await readHistory(key.slice(prefix.length));
          if (stored) found.push(stored);
        }
        marker = out.next;
        if (!marker) break;
      }
      return found.sort((a, b) => byId(a.key, b.key));
    },
  };
}
