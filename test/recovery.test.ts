import { describe, expect, it } from 'vitest';
import { CHANGE_KINDS, type Change } from '../lib/alerting/change';
import type { Config } from '../lib/config/config';
import { sha256Hex } from '../lib/store/hash';
import type { HistoryReader, StoredSnapshot } from '../lib/store/ports';
import { newOutboxEntry } from '../lib/alerting/outbox';
import { type Base, baseFromHistory, reconcileHistory } from '../lib/store/recovery';
import { SNAPSHOT_SCHEMA, type Snapshot, type UndeliveredMessage, historyKey } from '../lib/store/snapshot';

// The recovery rules (DESIGN.md §6 as proposed in the README's Design notes) over an in-memory
// history: which objects a run continues from, which heads it merges, and what it queues again.

const PREFIX = 'p/';
const config = {
  notifyOn: [...CHANGE_KINDS],
  notifyFirstRun: false,
  channels: [{ key: 'generic:ops', name: 'ops', type: 'generic', events: undefined, min_severity: undefined }],
} as unknown as Config;

const change = (snapshotId: string, task: string): Change => ({
  id: sha256Hex(`${snapshotId}/${task}`).slice(0, 32),
  kind: 'status_changed',
  severity: 'critical',
  instance_id: 'i-1',
  instance_name: 'prod',
  task_id: task,
  task_name: task,
  from: 'RUNNING',
  to: 'FAILED',
  fields: null,
  snapshot_id: snapshotId,
  detected_at: '2026-12-01T00:00:00.000Z',
});
const instance = { instance_id: 'i-1', name: 'prod', region: 'r', project_id: 'p', ok: true, error: null, total_number: 0, max_tasks: null, quota_tasks: null, tasks: [] };

/** An in-memory history: `add(id, previous, extra)` writes one object. */
function history() {
  const objects = new Map<string, StoredSnapshot>();
  const add = (id: string, previous: string | null, extra: Partial<Snapshot> = {}): StoredSnapshot => {
    const prev = previous ? objects.get(previous)! : null;
    const snapshot: Snapshot = {
      schema: SNAPSHOT_SCHEMA,
      id,
      taken_at: `2026-12-01T00:00:${id.slice(13, 15)}.000Z`,
      previous: prev ? { id: prev.snapshot.id, sha256: prev.sha256 } : null,
      instances: [instance],
      changes: previous ? [change(id, `task-of-${id}`)] : [],
      ...extra,
    };
    const stored = { snapshot, key: PREFIX + historyKey(id), sha256: sha256Hex(JSON.stringify(snapshot)) };
    objects.set(id, stored);
    return stored;
  };
  const store = {
    prefix: PREFIX,
    async readHistoryAfter(fullKey: string | null, except?: ReadonlySet<string>) {
      return [...objects.values()].filter((o) => (fullKey === null || o.key > fullKey) && !except?.has(o.key)).sort((a, b) => (a.key < b.key ? -1 : 1));
    },
    async readHistory(key: string) {
      return [...objects.values()].find((o) => o.key === PREFIX + key);
    },
  } as unknown as HistoryReader;
  const base = (head: StoredSnapshot, outbox: Base['outbox'] = []): Base => ({ previous: head.snapshot, lastHistory: { id: head.snapshot.id, key: head.key, sha256: head.sha256 }, outbox });
  const messageOf = (id: string) => newOutboxEntry(objects.get(id)!.snapshot, objects.get(id)!.snapshot.changes, config.channels)!.id;
  return { add, store, base, messageOf };
}

const T = (n: number) => `20261201T0000${String(n).padStart(2, '0')}000Z`;

describe('reconcileHistory and baseFromHistory', () => {
  it.each<{ name: string; build: (h: ReturnType<typeof history>) => { base: Base; stateKnown: boolean }; tip: number; merged: number[]; queued: number[] }>([
    {
      name: 'nothing after the head: nothing to do',
      build: (h) => (h.add(T(1), null), { base: h.base(h.add(T(2), T(1))), stateKnown: true }),
      tip: 2,
      merged: [],
      queued: [],
    },
    {
      name: 'two orphans continue the head: the chain continues from the last, both messages queued',
      build: (h) => {
        h.add(T(1), null);
        const head = h.add(T(2), T(1));
        h.add(T(3), T(2));
        h.add(T(4), T(3));
        return { base: h.base(head), stateKnown: true };
      },
      tip: 4,
      merged: [],
      queued: [3, 4],
    },
    {
      name: 'a sibling of the head (a fork), older or newer than it, is merged and its message queued',
      build: (h) => {
        h.add(T(1), null);
        h.add(T(2), T(1));
        const head = h.add(T(3), T(1));
        h.add(T(4), T(1));
        return { base: h.base(head), stateKnown: true };
      },
      tip: 3,
      merged: [2, 4],
      queued: [2, 4],
    },
    {
      name: 'a fork already merged by the head is not merged again',
      build: (h) => {
        h.add(T(1), null);
        const a = h.add(T(2), T(1));
        h.add(T(3), T(1));
        h.add(T(4), T(3), { merged: [{ id: a.snapshot.id, sha256: a.sha256 }] });
        return { base: h.base(h.add(T(5), T(4))), stateKnown: true };
      },
      tip: 5,
      merged: [],
      queued: [],
    },
  ])('$name', ({ build, tip, merged, queued }) => {
    const h = history();
    const { base, stateKnown } = build(h);
    return reconcileHistory(h.store, base, config, stateKnown).then((r) => {
      expect(r?.base.lastHistory?.id ?? base.lastHistory!.id).toBe(T(tip));
      expect((r?.merged ?? []).map((m) => m.id)).toEqual(merged.map(T));
      expect((r?.base.outbox ?? []).map((e) => e.id)).toEqual(queued.map((n) => h.messageOf(T(n))));
    });
  });

  it.each([
    ['readable state: a message the head listed as undelivered and the outbox no longer holds was delivered', true, []],
    ['reset state: nothing is known delivered', false, [2]],
  ] as const)('a merged branch lists an older message as undelivered; %s', async (_name, stateKnown, expected) => {
    const h = history();
    h.add(T(1), null);
    h.add(T(2), T(1));
    const pending: UndeliveredMessage[] = [{ id: h.messageOf(T(2)), snapshot_id: T(2), pending: ['generic:ops'] }];
    const head = h.add(T(3), T(2), { undelivered: pending });
    h.add(T(4), T(2), { undelivered: pending });
    const r = await reconcileHistory(h.store, h.base(head), config, stateKnown);
    expect(r!.base.outbox.map((e) => e.id)).toEqual([...expected.map((n) => h.messageOf(T(n))), h.messageOf(T(4))]);
  });

  it('after a reset: the newest object\'s message and those it lists, under their original ids and channels', async () => {
    const h = history();
    h.add(T(1), null);
    h.add(T(2), T(1));
    h.add(T(3), T(2));
    const latest = h.add(T(4), T(3), { undelivered: [{ id: h.messageOf(T(2)), snapshot_id: T(2), pending: ['generic:ops'] }, { id: 'msg_gone', snapshot_id: T(9), pending: ['generic:ops'] }] });
    const r = await baseFromHistory(h.store, latest, config);
    expect(r.base.outbox.map((e) => [e.id, e.pending, e.changes.map((c) => c.id)])).toEqual([
      [h.messageOf(T(2)), ['generic:ops'], [change(T(2), `task-of-${T(2)}`).id]],
      [h.messageOf(T(4)), ['generic:ops'], [change(T(4), `task-of-${T(4)}`).id]],
    ]);
    expect(r.base.outbox.every((e) => e.last_error === 'delivery unknown: queued again from the history after a state reset')).toBe(true);
    expect(r.errors).toEqual([`message msg_gone (history ${T(9)}) may be undelivered but cannot be rebuilt: its history object is missing or unreadable`]);
  });

  // Quiet hours (DESIGN.md §11, quiet-recovery.ts): the holds of the object continued from replace
  // state.json's; a fork's other head adds its own; a message whose changes are all held is not queued.
  const ref = (id: string) => ({ id: change(id, `task-of-${id}`).id, snapshot_id: id });
  it.each<[string, (h: ReturnType<typeof history>) => StoredSnapshot, string[]]>([
    ['adopted: the holds of the object a run wrote before it stopped replace state.json\'s', (h) => h.add(T(3), T(2), { undelivered: [], quiet_held: { 'generic:ops': [ref(T(3))] } }), [T(3)]],
    ['a fork: the holds of both heads, each change once', (h) => h.add(T(3), T(1), { undelivered: [], quiet_held: { 'generic:ops': [ref(T(3)), ref(T(2))] } }), [T(2), T(3)]],
  ])('quiet hours, %s', async (_name, other, want) => {
    const h = history();
    h.add(T(1), null);
    const head = h.add(T(2), T(1), { undelivered: [], quiet_held: { 'generic:ops': [ref(T(2))] } });
    other(h);
    const held = (await baseFromHistory(h.store, head, config)).base.quietHolds!;
    const r = await reconcileHistory(h.store, { ...h.base(head), quietHolds: held }, config, true);
    expect(r!.base.quietHolds!['generic:ops']!.changes.map((c) => c.snapshot_id)).toEqual(want);
    expect(r!.base.outbox).toEqual([]);
  });
});
