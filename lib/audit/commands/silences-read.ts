import type { Change } from '../../alerting/change';
import type { Silence } from '../../alerting/silences';
import { readSilences } from '../../store/silences-file';
import { marksOf } from '../silence-marks';
import type { AuditContext } from './common';

/** silences.json for `show`, `history` and `report`: none when missing; a broken one is named on stderr and shows nothing. */
export async function auditSilences(ctx: AuditContext): Promise<Silence[]> {
  const read = await readSilences(ctx.store);
  if (read.error) ctx.io.err(`warning: ${read.error}; silences are not shown\n`);
  return read.silences;
}

/** The comments of the silences that `changes` name, read only when a change names one. */
export async function silenceComments(ctx: AuditContext, changes: readonly Change[]): Promise<Map<string, string>> {
  if (!changes.some((c) => marksOf(c).silenced_by?.length)) return new Map();
  return new Map((await auditSilences(ctx)).map((s) => [s.id, s.comment]));
}
