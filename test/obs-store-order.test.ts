import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OBS_ACCESS_KEY, LOCAL_OBS_SECRET_KEY, type LocalObs, startLocalObs } from '../lib/demo/local-obs';
import { byId } from '../lib/store/history-reads';
import { createObsStore } from '../lib/store/obs-store';
import type { ClosableStore } from '../lib/store/ports';
import { Secret } from '../lib/secret';
import { SNAPSHOT_SCHEMA, type Snapshot } from '../lib/store/snapshot';

const snapshot = (id: string, previous: string | null): Snapshot => ({
  schema: SNAPSHOT_SCHEMA,
  id,
  taken_at: '2026-12-02T01:00:00.000Z',
  previous: previous ? { id: previous, sha256: '0'.repeat(64) } : null,
  instances: [],
  changes: [],
});

describe('history keys in snapshot-id order', () => {
  it.each([
    ['history/2026/12/02/20261202T010000000Z.json', 'history/2026/12/02/20261202T010000000Z-000001.json', -1],
    ['history/2026/12/02/20261202T010000000Z-000001.json', 'history/2026/12/02/20261202T010000000Z-000002.json', -1],
    ['history/2026/12/02/20261202T010000000Z-000002.json', 'history/2026/12/02/20261202T010000001Z.json', -1],
  ])('%s before %s', (a, b, sign) => {
    expect(Math.sign(byId(a, b))).toBe(sign);
    expect(Math.sign(byId(b, a))).toBe(-sign);
  });

  describe('through the OBS client against the local store', () => {
    let obs: LocalObs;
    let store: ClosableStore;
    const X = '20261202T010000000Z';
    beforeAll(async () => {
      obs = await startLocalObs();
      store = await createObsStore({ bucket: obs.bucket, prefix: 'p/', endpoint: obs.endpoint, credentials: { ak: new Secret(LOCAL_OBS_ACCESS_KEY), sk: new Secret(LOCAL_OBS_SECRET_KEY), source: 'environment' } as never });
      await store.putHistory(snapshot(X, null));
      // Overlapping runs: the second continued X within X's millisecond, so its id takes a suffix.
      await store.putHistory(snapshot(`${X}-000001`, X));
    });
    afterAll(async () => {
      await store?.close();
      await obs?.close();
    });

    it('the newest object is the suffixed successor, not its parent', async () => {
      expect((await store.readLatestHistory())?.snapshot.id).toBe(`${X}-000001`);
    });

    it('objects after X include its suffixed successor, and not X', async () => {
      expect((await store.readHistoryAfter(`p/history/2026/12/02/${X}.json`)).map((s) => s.snapshot.id)).toEqual([`${X}-000001`]);
    });
  });
});
