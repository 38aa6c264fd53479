import { randomBytes } from 'node:crypto';
import { SILENCES_KEY, type Silence, ended } from '../../alerting/silences';
import { describeError } from '../../errors';
import { JOURNAL_SCHEMA } from '../../store/silence-journal';
import { type SilencesWriter, editSilences, readForEdit } from '../../store/silences-file';
import { usageLine } from '../args';
import { ADD, type AddOptions, EXPIRE, type ExpireOptions, LIST, type ListOptions, type SilenceOptions, parseAdd, parseExpire, parseList } from '../silence-args';
import { matchesSnapshot, silenceTable, silenceTime, stateAt, summaryLine } from '../silence-text';
import { UsageError } from '../usage-error';
import { AuditFailure, type AuditCommand, type AuditContext, HelpRequest, type HelpText, formatHelp, plural } from './common';

const SUBCOMMANDS: readonly HelpText[] = [
  {
    ...ADD,
    summary: 'add a silence: changes it matches are recorded but not sent until it ends; prints its id',
    details: [
      'Matchers (at least one; every one given must match): --instance and --task take a name glob (* any run,',
      '? one character) matched against the name or the id; --task never matches an instance-level change;',
      '--kind is a change kind, exactly. --for <duration> (30m, 2h, 7d) or --until <time>; --starts <time>',
      'makes it a maintenance window. <time>: an ISO date or time (UTC unless it names a zone) or a duration',
      'from now. At most 90 days unless --force. --by defaults to the OS user name. Warns (on stderr) when',
      'it matches nothing in the latest snapshot. Exit 2 on bad input.',
    ].join('\n'),
  },
  { ...LIST, summary: 'the active and future silences (--all: ended ones too; --json: one stored silence per line)' },
  { ...EXPIRE, summary: 'end a silence now (exit 1 when there is no such silence)' },
];

const USAGE = {
  name: 'silence',
  synopsis: 'add|list|expire …',
  summary: 'manage silences and maintenance windows (silences.json in OBS)',
  details: `${SUBCOMMANDS.map((s) => `${usageLine(s).replace('usage: ', '')}\n    ${s.summary}`).join('\n')}\n\n\`silence <subcommand> --help\` explains each.`,
};

/** `silence add|list|expire` (DESIGN.md §11). */
export const silenceCommand: AuditCommand<SilenceOptions> = {
  ...USAGE,
  parse(argv, now) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      if (sub === undefined) throw new UsageError('silence: missing subcommand (add, list or expire)', usageLine(USAGE));
      return 'help';
    }
    const parsed = sub === 'add' ? parseAdd(rest, now) : sub === 'list' ? parseList(rest) : sub === 'expire' ? parseExpire(rest) : undefined;
    if (parsed === undefined) throw new UsageError(`silence: unknown subcommand ${sub} (add, list or expire)`, usageLine(USAGE));
    return parsed === 'help' ? new HelpRequest(formatHelp(SUBCOMMANDS.find((s) => s.name === `silence ${sub}`)!)) : parsed;
  },
  run(ctx, o) {
    return o.sub === 'add' ? add(ctx, o) : o.sub === 'list' ? list(ctx, o) : expire(ctx, o);
  },
};

function writer(ctx: AuditContext): SilencesWriter {
  const { store } = ctx;
  if (!store.putText || !store.deleteKey) throw new AuditFailure(`${store.location} cannot be written by this command`);
  return { readText: (k) => store.readText(k), listKeys: (k) => store.listKeys(k), putText: store.putText.bind(store), deleteKey: store.deleteKey.bind(store), prefix: store.prefix };
}

const editDeps = (ctx: AuditContext) => ({ now: () => ctx.io.now(), random: Math.random, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) });

async function add(ctx: AuditContext, o: AddOptions): Promise<number> {
  const silence: Silence = {
    id: `sil_${randomBytes(8).toString('hex')}`,
    instance: o.instance,
    task: o.task,
    kind: o.kind,
    starts_at: o.starts.toISOString(),
    ends_at: o.ends.toISOString(),
    created_at: ctx.now.toISOString(),
    created_by: o.by,
    comment: o.comment,
  };
  const store = writer(ctx);
  await editSilences(store, { schema: JOURNAL_SCHEMA, op: 'add', silence }, editDeps(ctx));
  ctx.io.out(`${silence.id}\n${summaryLine(silence, ctx.now)}\n`);
  // The silence is written: a failure to check it is a warning, not a failed command.
  const state = await ctx.store.readState().catch((err: unknown) => {
    ctx.io.err(`warning: ${silence.id} was added but not checked against the latest snapshot: ${describeError(err)}\n`);
    return undefined;
  });
  if (state?.kind === 'ok' && !matchesSnapshot(silence, state.state.snapshot)) {
    ctx.io.err(`warning: ${silence.id} matches no instance or task of the latest snapshot (${state.state.snapshot.id}); check the globs (they match names or ids, whole and case-sensitive)\n`);
  }
  return 0;
}

async function list(ctx: AuditContext, o: ListOptions): Promise<number> {
  const { silences } = await readForEdit(ctx.store);
  const shown = silences.filter((s) => o.all || !ended(s, ctx.now));
  if (o.json) {
    for (const s of shown) ctx.io.out(`${JSON.stringify(s)}\n`);
    return 0;
  }
  const where = `${ctx.store.location}${SILENCES_KEY}`;
  if (shown.length === 0) {
    ctx.io.out(`no ${o.all ? '' : 'active or future '}silences (${where})\n`);
    return 0;
  }
  ctx.io.out(`${silenceTable(shown, ctx.now, ctx.style).join('\n')}\n`);
  const hidden = silences.length - shown.length;
  ctx.io.out(`${ctx.style.dim(`${plural(shown.length, 'silence')}${hidden ? `; ${hidden} ended (--all shows them)` : ''}`)}\n`);
  return 0;
}

async function expire(ctx: AuditContext, o: ExpireOptions): Promise<number> {
  const store = writer(ctx);
  const found = (await readForEdit(store)).silences.find((s) => s.id === o.id);
  if (!found) throw new AuditFailure(`no silence ${o.id} in ${ctx.store.location}${SILENCES_KEY} (silence list --all shows them)`);
  if (ended(found, ctx.now)) {
    ctx.io.out(`${o.id} already ended at ${silenceTime(found.ends_at)}\n`);
    return 0;
  }
  const was = stateAt(found, ctx.now);
  await editSilences(store, { schema: JOURNAL_SCHEMA, op: 'expire', id: o.id, ends_at: ctx.now.toISOString() }, editDeps(ctx));
  ctx.io.out(`${o.id} expired at ${silenceTime(ctx.now.toISOString())} (it was ${was === 'future' ? 'a maintenance window not yet started' : 'active'})\n`);
  return 0;
}
