import { describe, expect, it } from 'vitest';
import type { DiscoverTarget, InstanceTarget } from '../lib/config/config';
import { discoverInstances } from '../lib/source/discovery';
import type { InstanceDirectory } from '../lib/source/dms-source';
import { SourceError } from '../lib/errors';
import { type InstancePage, type InstanceRecord, listInstancePages } from '../lib/source/instance-pages';
import { silentLogger } from '../lib/log';
import type { InstanceSnapshot } from '../lib/store/snapshot';

// Issue #18: the pure parts of discovery (paging, entry resolution) with an in-memory directory.

const P = 'project-p';
const Q = 'project-q';
const rec = (name: string, connector_enable: boolean | null = true): InstanceRecord => ({ instance_id: `id-${name}`, name, connector_enable });
const entry = (glob: string, project_id = P): DiscoverTarget => ({ glob, region: 'cn-north-4', project_id });
const explicit = (name: string | null, instance: string): InstanceTarget => ({ instance_id: `id-${instance}`, name, region: 'cn-north-4', project_id: P });
const snap = (name: string, discovered_by?: string, project_id = P): InstanceSnapshot => ({
  instance_id: `id-${name}`, name, region: 'cn-north-4', project_id, ok: true, error: null, total_number: 0, max_tasks: null, quota_tasks: null, tasks: [],
  ...(discovered_by ? { discovered_by } : {}),
});

/** A directory over fixed instance lists per project; `failPages` (offsets) answer a SourceError. */
function directory(projects: Record<string, InstanceRecord[]>, failPages: Record<string, number[]> = {}): InstanceDirectory & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    listInstances: (scope, concurrency) => listInstancePages(async (offset) => {
      calls.push(`${scope.project_id}@${offset}`);
      if (failPages[scope.project_id]?.includes(offset)) throw new SourceError('HTTP 503 DMS.00500000: Internal error', true, { status: 503 });
      const all = projects[scope.project_id] ?? [];
      return { instances: all.slice(offset, offset + 50), instance_num: all.length } satisfies InstancePage;
    }, concurrency),
  };
}

const run = (dir: InstanceDirectory, discover: DiscoverTarget[], instances: InstanceTarget[] = [], previous: InstanceSnapshot[] | null = null) =>
  discoverInstances({ instances, discover, concurrency: 4 }, { directory: dir, previous: async () => previous, logger: silentLogger });

const brief = (t: InstanceTarget) => [t.name, t.project_id, t.discovered_by ?? null];

describe('discoverInstances', () => {
  it.each<{ name: string; projects: Record<string, InstanceRecord[]>; discover: DiscoverTarget[]; instances?: InstanceTarget[]; expected: unknown[][]; anomalies?: RegExp[] }>([
    {
      name: 'connector_enable true only (false and absent are not watched)',
      projects: { [P]: [rec('a'), rec('b', false), rec('c', null)] },
      discover: [entry('*')],
      expected: [['a', P, '*']],
    },
    {
      name: 'found by two entries: watched once, by the first',
      projects: { [P]: [rec('prod-1'), rec('dev-1')] },
      discover: [entry('prod-*'), entry('*')],
      expected: [['prod-1', P, 'prod-*'], ['dev-1', P, '*']],
    },
    {
      name: 'a configured id with a name keeps it; without one it takes the API name; neither is discovered_by',
      projects: { [P]: [rec('prod-1'), rec('prod-2')] },
      discover: [entry('prod-*')],
      instances: [explicit('mine', 'prod-1'), explicit(null, 'prod-2')],
      expected: [['mine', P, null], ['prod-2', P, null]],
    },
    {
      name: 'the same glob in two projects',
      projects: { [P]: [rec('a')], [Q]: [rec('b')] },
      discover: [entry('*'), entry('*', Q)],
      expected: [['a', P, '*'], ['b', Q, '*']],
    },
    {
      name: 'a glob matching nothing is an anomaly',
      projects: { [P]: [rec('prod-1')] },
      discover: [entry('prod-*'), entry('ghost-?')],
      expected: [['prod-1', P, 'prod-*']],
      anomalies: [/^discover entry "ghost-\?" \(cn-north-4\/project-p\) matches no instance with Smart Connect enabled$/],
    },
  ])('$name', async ({ projects, discover, instances, expected, anomalies = [] }) => {
    const found = await run(directory(projects), discover, instances);
    expect(found.targets.map(brief)).toEqual(expected);
    expect(found.anomalies).toEqual(anomalies.map((a) => expect.stringMatching(a)));
  });

  it('each project is listed once per run, every page, the first alone then the rest', async () => {
    const many = Array.from({ length: 230 }, (_, i) => rec(`n-${i}`));
    const dir = directory({ [P]: many });
    const found = await run(dir, [entry('n-1*'), entry('*')]);
    expect(dir.calls).toEqual([`${P}@0`, `${P}@50`, `${P}@100`, `${P}@150`, `${P}@200`]);
    expect(found.requests).toBe(5);
    expect(found.targets).toHaveLength(230);
  });

  it('a failed page keeps what the entry found last time and no answered page showed; one seen without Smart Connect is not kept', async () => {
    const all = Array.from({ length: 60 }, (_, i) => rec(`p-${String(i).padStart(2, '0')}`, i !== 3));
    const dir = directory({ [P]: all }, { [P]: [50] });
    const previous = [snap('p-03', '*'), snap('p-55', '*'), snap('p-56', 'other-*'), snap('x-1', '*', Q), snap('gone-unseen', '*')];
    const found = await run(dir, [entry('*')], [], previous);
    const names = found.targets.map((t) => t.name);
    expect(names).toHaveLength(49 + 2);
    expect(names).toEqual(expect.arrayContaining(['p-55', 'gone-unseen']));
    expect(names).not.toContain('p-03');
    expect(names).not.toContain('p-56');
    expect(found.anomalies).toEqual([expect.stringMatching(/^discover entry "\*" \(cn-north-4\/project-p\) failed: the page at offset 50 failed: HTTP 503 .*; 49 instance\(s\) found on the pages that answered, 2 kept from the previous snapshot/)]);
  });

  it('a listing that comes up short is a failed discovery too (nothing removed)', async () => {
    const dir: InstanceDirectory = { listInstances: () => listInstancePages(async () => ({ instances: [rec('a')], instance_num: 2 }), 2) };
    const found = await run(dir, [entry('*')], [], [snap('b', '*')]);
    expect(found.targets.map((t) => t.name)).toEqual(['a', 'b']);
    expect(found.anomalies[0]).toMatch(/failed: discovery ended with 1 of 2 instances; 1 instance\(s\) found .*, 1 kept/);
  });

  it('the order of the targets does not depend on the order in which pages answer', async () => {
    const all = Array.from({ length: 160 }, (_, i) => rec(`n-${String((i * 37) % 160).padStart(3, '0')}`));
    /** Pages after the first answer once all are asked, in the order `order` gives. */
    const answering = (order: (offsets: number[]) => number[]): InstanceDirectory => ({
      listInstances: (_scope, concurrency) => {
        const waiting = new Map<number, () => void>();
        return listInstancePages(async (offset) => {
          const page = { instances: all.slice(offset, offset + 50), instance_num: all.length };
          if (offset === 0) return page;
          await new Promise<void>((resolve) => {
            waiting.set(offset, resolve);
            if (waiting.size === 3) for (const o of order([...waiting.keys()])) waiting.get(o)!();
          });
          return page;
        }, concurrency);
      },
    });
    const inOrder = await run(answering((o) => o), [entry('*')]);
    const reversed = await run(answering((o) => [...o].reverse()), [entry('*')]);
    expect(reversed.targets.map((t) => t.instance_id)).toEqual(inOrder.targets.map((t) => t.instance_id));
    expect(inOrder.targets).toHaveLength(160);
  });

  it('no discover entry: the configured ids, no request', async () => {
    const dir = directory({});
    const found = await run(dir, [], [explicit('x', 'x')]);
    expect(found.targets.map(brief)).toEqual([['x', P, null]]);
    expect(dir.calls).toEqual([]);
  });
});
