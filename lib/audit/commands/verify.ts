import { parseArgs } from '../args';
import { parseHistoryObject } from '../history-object';
import { listHistory, readHistory } from '../history-reader';
import { type VerifyResult, summariseProblems, verifyHistory } from '../verify';
import { alignRows } from '../style';
import { type AuditCommand, type AuditContext, plural } from './common';

const SPEC = { name: 'verify', synopsis: '[--json]', flags: { json: 'boolean' }, positionals: { min: 0, max: 0 } } as const;

/** `verify`: walks the whole chain; exit 0 when intact, 1 naming every problem. */
export const verifyCommand: AuditCommand<{ json: boolean }> = {
  name: SPEC.name,
  synopsis: SPEC.synopsis,
  summary: 'check the whole hash chain and state.json; exit 1 naming every tampered, missing or unreadable object',
  parse(argv) {
    const { flags, help } = parseArgs(SPEC, argv);
    return help ? 'help' : { json: flags.json === true };
  },
  async run(ctx, o) {
    // state.json first: a run that writes while we read then shows up as "newer than state.json", not as a break.
    const state = await ctx.store.readState();
    const listing = await listHistory(ctx.store, { since: undefined, until: undefined }, ctx.now);
    const read = await readHistory(ctx.store, listing.keys, { progress: ctx.progress('verifying history') });
    const entries = [...read, ...listing.foreign.map((key) => parseHistoryObject(key, undefined))];
    const result = verifyHistory(entries, state, ctx.store.prefix);
    if (o.json) ctx.io.out(`${JSON.stringify({ intact: result.problems.length === 0, location: ctx.store.location, ...result })}\n`);
    else ctx.io.out(`${formatVerify(result, ctx).join('\n')}\n`);
    return result.problems.length === 0 ? 0 : 1;
  },
};

export function formatVerify(r: VerifyResult, ctx: Pick<AuditContext, 'style' | 'store'>): string[] {
  const { style } = ctx;
  const span = r.oldest ? ` (${r.oldest} … ${r.newest})` : '';
  const lines = [`checked ${plural(r.objects, 'object')} under ${ctx.store.location}history/${span}`];
  if (r.problems.length > 0) {
    const paint = (cell: string) => style.red(cell);
    lines.push(...alignRows(r.problems.map((p) => [p.kind, p.key, p.detail]), [paint]));
  }
  for (const note of r.notes) lines.push(style.dim(`note: ${note}`));
  if (r.problems.length > 0) lines.push(style.red(style.bold(`NOT INTACT: ${plural(r.problems.length, 'problem')} (${summariseProblems(r.problems)})`)));
  else if (r.objects === 0) lines.push('nothing to verify: no history yet');
  else {
    const vouched = r.notes.length === 0 ? `, state.json vouches for the newest (${r.newest})` : '';
    lines.push(style.green(`intact: every object parses, every link matches the bytes before it${vouched}`));
  }
  return lines;
}
