// `{OBS_PREFIX}silences.json` through the OBS store (DESIGN.md §11). The run reads it with `readSilences`
// (one GET; a broken file silences nothing). The CLI edits it with `editSilences`: OBS has no conditional
// writes, so each edit is journaled first, then read-modify-written, then read back and checked against
// the journal (see README, "Silences", design notes).
import { SILENCES_KEY, type Silence, type SilencesRead, parseSilences, silencesFile } from '../alerting/silences';
import { StoreError, describeError } from '../errors';
import type { HistoryReader, ObjectWriter } from './ports';
import { JOURNAL_DIR, JournalEntry, entryId, idOfJournalKey, journalKey, merge, reflected } from './silence-journal';
import { canonicalJson } from './canonical-json';

export type SilencesReader = Pick<HistoryReader, 'readText' | 'prefix'>;
export type SilencesWriter = Pick<HistoryReader, 'readText' | 'listKeys' | 'prefix'> & ObjectWriter;

/**
 * The run's one call: the silences in the file, or none and an `error` naming the key when it cannot be
 * read or is invalid (a broken silence never hides an alert). A missing file is no silence and no error.
 */
export async function readSilences(store: SilencesReader): Promise<SilencesRead> {
  const key = store.prefix + SILENCES_KEY;
  try {
    return parseSilences(await store.readText(SILENCES_KEY), key);
  } catch (err) {
    return { silences: [], error: `${key}: unreadable (${describeError(err)})` };
  }
}

/** For a writer: the file's silences, or a StoreError when it is invalid (it is never overwritten as if empty). */
export async function readForEdit(store: SilencesReader): Promise<{ silences: Silence[]; text: string | undefined }> {
  const text = await store.readText(SILENCES_KEY);
  const read = parseSilences(text, store.prefix + SILENCES_KEY);
  if (read.error) throw new StoreError(`${read.error}; fix or delete it before editing silences`);
  return { silences: read.silences, text };
}

/**
 * One plain read-modify-write: read the file, apply `entries`, write it (pruned) when that changes it.
 * Alone it can lose a concurrent edit; `editSilences` wraps it with the journal and the check.
 */
export async function readModifyWrite(store: SilencesWriter, entries: readonly JournalEntry[], now: Date): Promise<void> {
  const before = await readForEdit(store);
  const text = `${canonicalJson(silencesFile(merge(before.silences, entries, now), now))}\n`;
  if (text !== before.text) await store.putText(SILENCES_KEY, text);
}

export interface EditDeps {
  now(): Date;
  /** In [0, 1): the jitter between attempts. */
  random(): number;
  sleep(ms: number): Promise<void>;
  /** Attempts of read-modify-write and check (default 8). */
  attempts?: number;
}

/**
 * Applies one edit so that no concurrent edit is lost: journal it (`silences/journal/{id}-{op}.json`,
 * never overwritten), then until the file read back holds every journaled edit: read-modify-write with every
 * journal entry, read back, list the journal. Since every writer journals before it reads and lists after
 * it writes, the last writer's check sees every journaled edit. Then deletes the journal entries of
 * silences pruned from the file. Returns the silences as read back.
 */
export async function editSilences(store: SilencesWriter, entry: JournalEntry, deps: EditDeps): Promise<Silence[]> {
  await store.putText(journalKey(entry), `${canonicalJson(entry)}\n`);
  try {
    return await applyJournaled(store, entry, deps);
  } catch (err) {
    // The edit failed: withdraw it, so that a later edit does not apply it behind the user's back.
    const withdrawn = await store.deleteKey(journalKey(entry)).then(() => true, () => false);
    const note = withdrawn ? 'the edit was withdrawn; `silence list` shows what the file holds' : `its journal entry ${store.prefix}${journalKey(entry)} remains: the next edit may apply it`;
    throw new StoreError(`${describeError(err)} (${note})`, { cause: err });
  }
}

async function applyJournaled(store: SilencesWriter, entry: JournalEntry, deps: EditDeps): Promise<Silence[]> {
  const known = new Map<string, JournalEntry>([[journalKey(entry), entry]]);
  const attempts = deps.attempts ?? 8;
  let entries = [entry];
  for (let attempt = 1; ; attempt++) {
    const now = deps.now();
    await readModifyWrite(store, entries, now);
    const back = (await readForEdit(store)).silences;
    entries = await readJournal(store, known);
    const missing = entries.filter((e) => !reflected(e, back, now));
    if (missing.length === 0) {
      await dropPruned(store, back, entries, known);
      return back;
    }
    if (attempt >= attempts) {
      throw new StoreError(`${store.prefix}${SILENCES_KEY}: after ${attempts} attempts it still lacks ${missing.map(entryId).join(', ')} (other writers at the same time?)`);
    }
    // Another writer overwrote the file between our read and write: wait a little, at random, and merge again.
    await deps.sleep(Math.round(50 + deps.random() * 200 * attempt));
  }
}

/** Every journal entry; those already known are not read again. An unparsable entry is named, never skipped in silence. */
async function readJournal(store: SilencesWriter, known: Map<string, JournalEntry>): Promise<JournalEntry[]> {
  const keys = (await store.listKeys(JOURNAL_DIR)).filter((k) => idOfJournalKey(k) !== undefined);
  for (const key of keys.filter((k) => !known.has(k))) {
    const text = await store.readText(key);
    if (text === undefined) continue; // deleted since the listing: pruned by another writer
    let parsed: ReturnType<typeof JournalEntry.safeParse>;
    try {
      parsed = JournalEntry.safeParse(JSON.parse(text));
    } catch {
      throw new StoreError(`${store.prefix}${key}: a silence journal entry that is not valid JSON; delete it if it is not needed`);
    }
    if (!parsed.success) throw new StoreError(`${store.prefix}${key}: not a silence journal entry (${parsed.error.issues[0]?.message}); delete it if it is not needed`);
    known.set(key, parsed.data);
  }
  return keys.flatMap((k) => (known.has(k) ? [known.get(k)!] : []));
}

/** Deletes the journal entries of silences no longer in the file (pruned: ended more than 30 days ago). */
async function dropPruned(store: SilencesWriter, back: readonly Silence[], entries: readonly JournalEntry[], known: Map<string, JournalEntry>): Promise<void> {
  const held = new Set(back.map((s) => s.id));
  for (const [key, e] of known) {
    if (!held.has(entryId(e)) && entries.includes(e)) await store.deleteKey(key);
  }
}
