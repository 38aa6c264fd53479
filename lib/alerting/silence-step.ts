import type { Logger } from '../log';
import { readSilences, type SilencesReader } from '../store/silences-file';
import { type Silenceable, silencesFor } from './silences';

/** What the run makes of `silences.json` (DESIGN.md §11): which silences hold a change, and what was wrong with the file. */
export interface SilenceStep {
  silenced(change: Silenceable): string[];
  errors: string[];
}

/**
 * Reads `silences.json` once (one GET; started with the listing) and matches changes against the
 * silences active at the run's time. A missing file silences nothing; an unreadable or invalid one
 * silences nothing and is named in the run report's errors, every run until it is fixed.
 */
export async function silenceStep(store: SilencesReader, nowMs: number, logger: Logger): Promise<SilenceStep> {
  const read = await readSilences(store);
  if (read.error) logger.error('silences.json unusable: nothing is silenced', { reason: read.error });
  const now = new Date(nowMs);
  return { silenced: (c) => silencesFor(c, read.silences, now), errors: read.error ? [`${read.error}: nothing is silenced until it is fixed`] : [] };
}
