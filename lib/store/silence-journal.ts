// The journal of silence edits (`{OBS_PREFIX}silences/journal/{id}-{op}.json`): one small object per `add`
// or `expire`, written before silences.json is read-modified-written, so that a writer that lost a race
// finds the edit it overwrote and writes it again. Pure: the merge and the check of what was written.
import * as z from 'zod';
import { Silence, prunable } from '../alerting/silences';

export const JOURNAL_DIR = 'silences/journal/';
export const JOURNAL_SCHEMA = 'smart-connect-watch/silence-journal/v1';

export const JournalEntry = z.discriminatedUnion('op', [
  z.object({ schema: z.literal(JOURNAL_SCHEMA), op: z.literal('add'), silence: Silence }),
  z.object({ schema: z.literal(JOURNAL_SCHEMA), op: z.literal('expire'), id: z.string(), ends_at: z.iso.datetime({ offset: true }) }),
]);
export type JournalEntry = z.infer<typeof JournalEntry>;

export function entryId(e: JournalEntry): string {
  return e.op === 'add' ? e.silence.id : e.id;
}

/** The key of an entry, relative to the prefix. Never overwritten by another edit (ids are random). */
export function journalKey(e: JournalEntry): string {
  return `${JOURNAL_DIR}${entryId(e)}-${e.op}.json`;
}

/** The silence id a journal key is about, undefined for a key that is not a journal entry's. */
export function idOfJournalKey(key: string): string | undefined {
  return /^silences\/journal\/(sil_[0-9A-Za-z_-]+)-(?:add|expire)\.json$/.exec(key)?.[1];
}

/**
 * Whether `silences` (as read back) already hold the entry: an addition is there, or an expiry has
 * ended the silence by then. An entry about a silence dropped by pruning is reflected (it is gone by design).
 */
export function reflected(e: JournalEntry, silences: readonly Silence[], now: Date): boolean {
  const held = silences.find((s) => s.id === entryId(e));
  if (e.op === 'add') return held !== undefined || prunable(e.silence, now);
  // An expiry of a silence not held: pruned, or its addition is not merged yet (then the addition's own
  // entry is the one not reflected, and merging it applies this expiry too).
  return held === undefined || Date.parse(held.ends_at) <= Date.parse(e.ends_at);
}

/** `silences` with every entry applied: additions not yet there, then expiries (an end only moves earlier). */
export function merge(silences: readonly Silence[], entries: readonly JournalEntry[], now: Date): Silence[] {
  const out = silences.map((s) => ({ ...s }));
  for (const e of entries) {
    if (e.op === 'add' && !out.some((s) => s.id === e.silence.id) && !prunable(e.silence, now)) out.push({ ...e.silence });
  }
  for (const e of entries) {
    if (e.op !== 'expire') continue;
    const s = out.find((x) => x.id === e.id);
    if (!s || Date.parse(s.ends_at) <= Date.parse(e.ends_at)) continue;
    s.ends_at = e.ends_at;
    // An expired window that had not started: it becomes a window of 1 ms that has passed (ends_at must be
    // after starts_at), so that it never silences anything.
    if (Date.parse(s.ends_at) <= Date.parse(s.starts_at)) s.starts_at = new Date(Date.parse(e.ends_at) - 1).toISOString();
  }
  return out;
}
