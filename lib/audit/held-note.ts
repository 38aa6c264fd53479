import type { Change } from '../alerting/change';
import { showInvisible } from '../visible-text';

/**
 * Why a recorded change was not sent (DESIGN.md §10–§11), as the timeline shows it after the change:
 * `[held: pending]`, `[held: flapping]`, `[silenced by sil_ab12, sil_cd34]`; '' for a change that was
 * sent. The ids come from the history object (untrusted text): invisible characters are shown.
 */
export function heldNote(c: Pick<Change, 'held' | 'silenced_by'>): string {
  const ids = (c.silenced_by ?? []).map(showInvisible);
  if (c.held === 'silenced' || (c.held === undefined && ids.length > 0)) return `[silenced${ids.length ? ` by ${ids.join(', ')}` : ''}]`;
  return c.held === undefined ? '' : `[held: ${c.held}]`;
}
