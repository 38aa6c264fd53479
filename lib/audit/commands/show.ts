import { diffSnapshots } from '../../alerting/diff';
import { parseArgs, usageLine } from '../args';
import { activeSilenceLines } from '../silence-text';
import { formatSnapshot } from '../snapshot-table';
import { formatTimeline } from '../timeline';
import { type AuditCommand, loadSnapshot, plural, snapshotRef } from './common';
import { auditSilences } from './silences-read';

const SHOW = {
  name: 'show',
  synopsis: '[latest|<snapshot_id>] [--json]',
  flags: { json: 'boolean' },
  positionals: { min: 0, max: 1 },
} as const;

/** `show`: one snapshot, as tables of instances and tasks, or (--json) the object as stored. */
export const showCommand: AuditCommand<{ ref: string; json: boolean }> = {
  name: SHOW.name,
  synopsis: SHOW.synopsis,
  summary: 'one snapshot: its instances and tasks with their status (--json: the object)',
  parse(argv) {
    const { flags, positionals, help } = parseArgs(SHOW, argv);
    if (help) return 'help';
    return { ref: snapshotRef(positionals[0] ?? 'latest', usageLine(SHOW)), json: flags.json === true };
  },
  async run(ctx, o) {
    const { entry, text } = await loadSnapshot(ctx.store, o.ref);
    if (o.json) ctx.io.out(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    else {
      // The silences in force when the snapshot was taken (DESIGN.md §11), from silences.json as it is now.
      const silences = activeSilenceLines(await auditSilences(ctx), new Date(entry.snapshot.taken_at), ctx.style);
      ctx.io.out(`${[...formatSnapshot(entry.snapshot, ctx.style), ...silences].join('\n')}\n`);
    }
    return 0;
  },
};

const DIFF = {
  name: 'diff',
  synopsis: '<snapshot_id|latest> <snapshot_id|latest> [--json]',
  flags: { json: 'boolean' },
  positionals: { min: 2, max: 2 },
} as const;

/** `diff`: the changes from one snapshot to another, by the function's own diff. */
export const diffCommand: AuditCommand<{ from: string; to: string; json: boolean }> = {
  name: DIFF.name,
  synopsis: DIFF.synopsis,
  summary: 'the changes between two snapshots, computed by the same diff as the function',
  parse(argv) {
    const { flags, positionals, help } = parseArgs(DIFF, argv);
    if (help) return 'help';
    const usage = usageLine(DIFF);
    return { from: snapshotRef(positionals[0]!, usage), to: snapshotRef(positionals[1]!, usage), json: flags.json === true };
  },
  async run(ctx, o) {
    const [from, to] = await Promise.all([loadSnapshot(ctx.store, o.from), loadSnapshot(ctx.store, o.to)]);
    const a = from.entry.snapshot;
    const b = to.entry.snapshot;
    const changes = diffSnapshots({ previous: a.instances, next: b.instances, snapshotId: b.id, detectedAt: b.taken_at });
    if (o.json) {
      for (const c of changes) ctx.io.out(`${JSON.stringify(c)}\n`);
      return 0;
    }
    const backwards = a.id > b.id ? ' (backwards in time: the first snapshot is the newer one)' : '';
    const head = `${a.id} → ${b.id}: ${changes.length === 0 ? 'no changes' : plural(changes.length, 'change')}${backwards}`;
    ctx.io.out(`${ctx.style.bold(head)}\n`);
    if (changes.length > 0) ctx.io.out(`${formatTimeline(changes, ctx.style).join('\n')}\n`);
    return 0;
  },
};
