import { DIGEST_ID_PREFIX } from '../alerting/digest';
import type { Config } from '../config/config';
import { notifiable } from '../alerting/notifiable';
import type { HistoryReader, StoredSnapshot } from './ports';
import { newOutboxEntry } from '../alerting/outbox';
import { sentChanges } from '../alerting/send-policy';
import { type HistoryLink, type Snapshot, type UndeliveredMessage, historyKey } from './snapshot';
import type { LastHistory, OutboxEntry } from './state';
import type { QuietHolds } from '../alerting/quiet-hold';
import { rebuildRelease } from '../alerting/quiet-recovery';
import { quietBase } from './quiet-base';

/** What a run continues from: the previous snapshot, the head of the history chain, the outbox. */
export interface Base {
  previous: Snapshot | null;
  lastHistory: LastHistory | null;
  outbox: OutboxEntry[];
  /** What each channel holds for quiet hours (DESIGN.md §11); absent: state.json's. */
  quietHolds?: QuietHolds;
}

export interface Recovered {
  base: Base;
  /** The other heads of a fork, for the new history object's `merged`. */
  merged: HistoryLink[];
  notes: string[];
  /** Messages that could not be rebuilt (their history object is unreadable): said, never silent. */
  errors: string[];
}

export function linkOf(stored: StoredSnapshot): LastHistory {
  return { id: stored.snapshot.id, key: stored.key, sha256: stored.sha256 };
}

/** The messages a history object's changes make, and those it records as undelivered, queued on an outbox. */
class Requeue {
  readonly outbox: OutboxEntry[];
  readonly errors: string[] = [];
  private readonly objects = new Map<string, StoredSnapshot | undefined>();

  constructor(
    private readonly store: HistoryReader,
    private readonly config: Config,
    outbox: readonly OutboxEntry[],
    /** Message ids the state shows delivered: never queued again. */
    private readonly sent: ReadonlySet<string> = new Set(),
    /** `last_error` of what is queued: why it is sent again (an expiry names it). */
    private readonly why: string | null = null,
  ) {
    this.outbox = [...outbox];
  }

  remember(stored: StoredSnapshot): void {
    this.objects.set(stored.snapshot.id, stored);
  }

  /** A history object by id, read once. */
  readonly snapshot = async (id: string): Promise<Snapshot | undefined> => (await this.object(id))?.snapshot;

  private async object(id: string): Promise<StoredSnapshot | undefined> {
    if (!this.objects.has(id)) this.objects.set(id, await this.store.readHistory(historyKey(id)).catch(() => undefined));
    return this.objects.get(id);
  }

  /**
   * The message of `stored`'s own changes, with the id its run gave it: those it sent (not `held`, and
   * those it `released`; see `sentChanges`). Which task_added are a
   * baseline depends on the object before it; when that one cannot be read, every instance counts as
   * known (a duplicate rather than a loss).
   */
  async own(stored: StoredSnapshot, parent?: Snapshot): Promise<OutboxEntry | null> {
    const link = stored.snapshot.previous;
    const before = parent ?? (link ? ((await this.object(link.id))?.snapshot ?? stored.snapshot) : null);
    const entry = newOutboxEntry(stored.snapshot, notifiable(sentChanges(stored.snapshot), before, this.config), this.config.channels);
    return entry && this.add(entry) ? entry : null;
  }

  /** The messages `stored` records as undelivered, rebuilt from their objects, unless queued or known delivered. */
  async recorded(list: readonly UndeliveredMessage[] = []): Promise<void> {
    for (const m of list) {
      if (this.sent.has(m.id) || this.outbox.some((e) => e.id === m.id)) continue;
      // A daily digest has no history object of its own: the run after a reset makes today's again.
      if (m.id.startsWith(DIGEST_ID_PREFIX)) continue;
      if (m.quiet_release) {
        const released = await rebuildRelease(m, this.snapshot);
        if (typeof released === 'string') this.errors.push(released);
        else this.add(released);
        continue;
      }
      const stored = await this.object(m.snapshot_id);
      if (!stored) {
        this.errors.push(`message ${m.id} (history ${m.snapshot_id}) may be undelivered but cannot be rebuilt: its history object is missing or unreadable`);
        continue;
      }
      const entry = newOutboxEntry(stored.snapshot, notifiable(sentChanges(stored.snapshot), (await this.parentOf(stored)) ?? stored.snapshot, this.config), this.config.channels);
      if (entry) this.add({ ...entry, pending: m.pending });
    }
  }

  private async parentOf(stored: StoredSnapshot): Promise<Snapshot | null> {
    const link = stored.snapshot.previous;
    return link ? ((await this.object(link.id))?.snapshot ?? null) : null;
  }

  private add(entry: OutboxEntry): boolean {
    if (this.sent.has(entry.id) || this.outbox.some((e) => e.id === entry.id)) return false;
    this.outbox.push({ ...entry, last_error: this.why });
    return true;
  }

  /** Oldest first, as the outbox is delivered. */
  sorted(): OutboxEntry[] {
    return [...this.outbox].sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
  }
}

/**
 * After a state reset (DESIGN.md §6): continue from the newest history object, and queue again what
 * may be undelivered: its own message (nothing says it was sent) and the messages it records as
 * undelivered, under their original ids.
 */
export async function baseFromHistory(store: HistoryReader, latest: StoredSnapshot, config: Config): Promise<Recovered> {
  const q = new Requeue(store, config, [], new Set(), 'delivery unknown: queued again from the history after a state reset');
  q.remember(latest);
  await q.own(latest);
  await q.recorded(latest.snapshot.undelivered);
  const legacy = latest.snapshot.undelivered === undefined ? ' (it does not record earlier undelivered messages: written by an older version)' : '';
  const quiet = await quietBase(q, config, { latest: latest.snapshot });
  return {
    base: { previous: latest.snapshot, lastHistory: linkOf(latest), ...quiet.base },
    merged: [],
    notes: [`${quiet.base.outbox.length} message(s) that may be undelivered queued again from the history${legacy}`, ...quiet.notes],
    errors: [...q.errors, ...quiet.errors],
  };
}

const links = (link: HistoryLink | null, to: LastHistory) => link !== null && link.id === to.id && link.sha256 === to.sha256;

/**
 * The history objects the chain's head does not account for, found after the head's parent:
 * - those continuing the head were written by a run that stopped before its state write: the chain
 *   continues from the last of them, their messages queued;
 * - other heads (two runs continued the same object: a fork) are merged: the caller's history object
 *   names them in `merged`, and the messages of their branch are queued unless known delivered.
 * `stateKnown`: the base's outbox comes from a readable state.json, so a message the head recorded as
 * undelivered and that is no longer in the outbox was delivered.
 */
export async function reconcileHistory(store: HistoryReader, base: Base, config: Config, stateKnown: boolean): Promise<Recovered | null> {
  const head = base.lastHistory;
  const headSnap = base.previous;
  if (!head || !headSnap || headSnap.id !== head.id) return null;
  // After the head's parent: the head's siblings (a fork) sort after it too. A head that starts a
  // chain (a first run) has no parent: then only what continues it is looked for.
  const parent = headSnap.previous;
  const found = await store.readHistoryAfter(parent ? store.prefix + historyKey(parent.id) : head.key, new Set([head.key]));
  if (found.length === 0) return null;
  const queued = new Set(base.outbox.map((e) => e.id));
  const sent = new Set(stateKnown ? (headSnap.undelivered ?? []).map((m) => m.id).filter((id) => !queued.has(id)) : []);
  const q = new Requeue(store, config, base.outbox, sent);
  for (const f of found) q.remember(f);
  const onLine = new Set([head.id]);
  const notes: string[] = [];

  let tip = head;
  let tipSnap = headSnap;
  for (let next = found.find((o) => links(o.snapshot.previous, tip)); next; next = found.find((o) => !onLine.has(o.snapshot.id) && links(o.snapshot.previous, tip))) {
    onLine.add(next.snapshot.id);
    const entry = await q.own(next, tipSnap);
    await q.recorded(next.snapshot.undelivered);
    notes.push(`history ${next.key} was written by a run that stopped before updating state.json: continued from it${entry ? `, its message ${entry.id} queued` : ''}`);
    tip = linkOf(next);
    tipSnap = next.snapshot;
  }

  const linked = new Set<string>();
  for (const s of [headSnap, ...found.map((f) => f.snapshot)]) {
    if (s.previous) linked.add(s.previous.id);
    for (const m of s.merged ?? []) linked.add(m.id);
  }
  const byId = new Map(found.map((f) => [f.snapshot.id, f]));
  const merged: HistoryLink[] = [];
  for (const other of found.filter((o) => !onLine.has(o.snapshot.id) && !linked.has(o.snapshot.id))) {
    const branch: StoredSnapshot[] = [];
    for (let o: StoredSnapshot | undefined = other; o && !onLine.has(o.snapshot.id); o = byId.get(o.snapshot.previous?.id ?? '')) {
      branch.unshift(o);
      onLine.add(o.snapshot.id);
    }
    const ids: string[] = [];
    for (const o of branch) {
      const entry = await q.own(o);
      if (entry) ids.push(entry.id);
      await q.recorded(o.snapshot.undelivered);
    }
    merged.push({ id: other.snapshot.id, sha256: other.sha256 });
    notes.push(
      `a fork: history ${other.key} continues ${other.snapshot.previous?.id ?? 'nothing'} beside ${tip.id}: merged into this run's history object` +
        (ids.length > 0 ? `, its message(s) ${ids.join(', ')} queued` : ''),
    );
  }
  if (notes.length === 0) return null;
  const others = merged.map((m) => byId.get(m.id)!.snapshot);
  const quiet = await quietBase(q, config, { latest: tip.id === head.id ? null : tipSnap, others, holds: base.quietHolds });
  return { base: { previous: tipSnap, lastHistory: tip, ...quiet.base }, merged, notes: [...notes, ...quiet.notes], errors: [...q.errors, ...quiet.errors] };
}
