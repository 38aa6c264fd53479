import type { Change } from '../alerting/change';
import { changeSummary, subject } from '../notify/render';
import { heldNote } from './held-note';
import { type Style, alignRows, severityColour, truncateTo } from './style';
import { formatTime } from './time-range';

const SUBJECT_MAX = 60;

/**
 * The readable timeline: a header and one aligned line per change, in the order given.
 *
 *   TIME (UTC)           SEVERITY  INSTANCE / TASK          CHANGE
 *   2026-11-20 07:15:00  critical  prod / smart-connect-1   RUNNING → FAILED
 *   2026-11-20 07:20:00  critical  prod / smart-connect-2   RUNNING → FAILED [held: pending]
 *
 * A change recorded but not sent says why (`held`, `silenced_by`, DESIGN.md §10–§11).
 */
export function formatTimeline(changes: readonly Change[], style: Style): string[] {
  if (changes.length === 0) return [];
  const rows = [
    ['TIME (UTC)', 'SEVERITY', 'INSTANCE / TASK', 'CHANGE'],
    ...changes.map((c) => [formatTime(c.detected_at), c.severity, truncateTo(subject(c), SUBJECT_MAX), [changeSummary(c), heldNote(c)].filter(Boolean).join(' ')]),
  ];
  const header = (cell: string, row: number) => (row === 0 ? style.dim(cell) : cell);
  return alignRows(rows, [
    style.dim,
    (cell, row) => (row === 0 ? style.dim(cell) : severityColour(style, changes[row - 1]!.severity)(cell)),
    header,
    (cell, row) => (row === 0 ? style.dim(cell) : cell),
  ]);
}
