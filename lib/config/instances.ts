import * as z from 'zod';
import { type Forms, describeIssue } from './issues';
import { DMS_REGIONS, isDmsRegion } from '../source/dms-region';
import { GLOB_FORM, globProblem } from '../glob';

// WATCH_INSTANCES (DESIGN.md §3, §9): every problem is reported, one bad entry hiding none of the others.

const INSTANCES_FORM =
  'expected `id`, `name=id` or a name glob (`*`, `prod-*`), comma-separated, or a JSON array of {"instance_id","name"?,"region"?,"project_id"?} or {"discover","region"?,"project_id"?}';
const FORMS: Forms = {
  '': INSTANCES_FORM,
  '[]': 'expected {"instance_id","name"?,"region"?,"project_id"?} or {"discover","region"?,"project_id"?}',
  instance_id: 'expected a non-empty string (the instance id)',
  discover: `expected a name glob: ${GLOB_FORM}`,
  name: 'expected a non-empty string',
  region: 'expected a region such as cn-north-4',
  project_id: 'expected a project id',
};

const InstanceEntry = z.strictObject({
  instance_id: z.string().trim().min(1),
  name: z.string().trim().min(1).optional(),
  region: z.string().trim().min(1).optional(),
  project_id: z.string().trim().min(1).optional(),
});
export type InstanceEntry = z.infer<typeof InstanceEntry>;

/** `{"discover": "prod-*"}`: every Smart Connect instance of a project whose name matches (§9). */
const DiscoverEntry = z.strictObject({
  discover: z.string().trim().superRefine((glob, ctx) => {
    const problem = globProblem(glob);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: glob });
  }),
  region: z.string().trim().min(1).optional(),
  project_id: z.string().trim().min(1).optional(),
});
export type DiscoverEntry = z.infer<typeof DiscoverEntry>;

export interface ParsedInstances {
  /** The valid entries (the configuration is refused when there is any problem). */
  entries: InstanceEntry[];
  /** The valid discover entries, in configuration order. */
  discover: DiscoverEntry[];
  /** Every entry that is an object, valid or not, read leniently: for the checks that span entries. */
  seen: { instance_id: string | undefined; region: string | undefined; project_id: string | undefined }[];
}

export function parseInstances(raw: string | undefined, problems: string[]): ParsedInstances {
  const out: ParsedInstances = { entries: [], discover: [], seen: [] };
  if (!raw) {
    problems.push(`WATCH_INSTANCES is required: ${INSTANCES_FORM}`);
    return out;
  }
  const list = raw.startsWith('[') || raw.startsWith('{') ? jsonEntries(raw, problems) : commaEntries(raw, problems);
  if (list === undefined) return out;
  if (list.length === 0) problems.push(`WATCH_INSTANCES lists no instance: ${INSTANCES_FORM}`);
  list.forEach((entry, i) => {
    if (entry === null) return;
    if (typeof entry === 'object' && !Array.isArray(entry)) {
      const e = entry as Record<string, unknown>;
      out.seen.push({ instance_id: text(e.instance_id), region: text(e.region), project_id: text(e.project_id) });
    }
    const discover = typeof entry === 'object' && entry !== null && Object.hasOwn(entry, 'discover');
    const parsed = (discover ? DiscoverEntry : InstanceEntry).safeParse(entry, { reportInput: true });
    if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => describeIssue('WATCH_INSTANCES', { ...issue, path: [i, ...issue.path] }, FORMS)));
    else if ('discover' in parsed.data) out.discover.push(parsed.data);
    else out.entries.push(parsed.data);
  });
  const globs = new Map<string, number>();
  for (const d of out.discover) {
    const key = JSON.stringify([d.discover, d.region ?? null, d.project_id ?? null]);
    globs.set(key, (globs.get(key) ?? 0) + 1);
  }
  if ([...globs.values()].some((n) => n > 1)) problems.push('WATCH_INSTANCES lists the same discover entry (glob, region and project) more than once: expected each once');
  const counted = new Map<string, number>();
  for (const { instance_id: id } of out.seen) if (id) counted.set(id, (counted.get(id) ?? 0) + 1);
  for (const [id, n] of counted) if (n > 1) problems.push(`WATCH_INSTANCES lists instance ${id} ${n === 2 ? 'twice' : `${n} times`}: expected each instance once`);
  return out;
}

/** Without DMS_ENDPOINT, every region must be in the SDK's table: another one fails on every run (ENOTFOUND). */
export function regionProblems(watchRegion: string | undefined, seen: ParsedInstances['seen']): string[] {
  const where = [
    ...(watchRegion !== undefined ? [{ at: 'WATCH_REGION', region: watchRegion }] : []),
    ...seen.map((e, i) => ({ at: `WATCH_INSTANCES[${i}].region`, region: e.region })),
  ];
  const form = `expected a region of the Kafka SDK's table (${DMS_REGIONS.join(', ')}), or set DMS_ENDPOINT`;
  return where.filter((w) => w.region !== undefined && !isDmsRegion(w.region)).map((w) => `${w.at} is not a region the Kafka SDK knows: ${form}`);
}

/** `JSON.parse`, never quoting the input (its messages include a slice of it). */
function jsonEntries(raw: string, problems: string[]): unknown[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    problems.push(`WATCH_INSTANCES is not valid JSON: ${INSTANCES_FORM}`);
    return undefined;
  }
  if (Array.isArray(json)) return json;
  problems.push(describeIssue('WATCH_INSTANCES', { code: 'invalid_type', expected: 'array', input: json, path: [], message: '' }, FORMS));
  return undefined;
}

/** `prod=59f6…, 7c2e…, staging-*`: entry k is the k-th non-empty part; null for a part already reported. */
function commaEntries(raw: string, problems: string[]): (InstanceEntry | DiscoverEntry | null)[] {
  const parts = raw.split(',').map((p) => p.trim()).filter(Boolean);
  return parts.map((part, k) => {
    const eq = part.indexOf('=');
    if (eq < 0 && /[*?]/.test(part)) {
      const problem = globProblem(part);
      if (problem) problems.push(`WATCH_INSTANCES entry ${k + 1} ${problem}: ${GLOB_FORM}`);
      return problem ? null : { discover: part };
    }
    if (eq < 0) return { instance_id: part };
    if (/[*?]/.test(part.slice(eq + 1))) {
      problems.push(`WATCH_INSTANCES entry ${k + 1} has a wildcard in its id: a name glob stands alone (\`prod-*\`), not after "="`);
      return null;
    }
    const [name, id] = [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    if (!name) problems.push(`WATCH_INSTANCES entry ${k + 1} has an empty name before "=": ${INSTANCES_FORM}`);
    if (!id) problems.push(`WATCH_INSTANCES entry ${k + 1} has an empty id after "=": ${INSTANCES_FORM}`);
    return name && id ? { name, instance_id: id } : null;
  });
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
