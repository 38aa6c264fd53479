import type { Config, DiscoverTarget, InstanceTarget } from '../config/config';
import type { InstanceDirectory } from './dms-source';
import { globMatcher } from '../glob';
import type { InstanceList } from './instance-pages';
import type { Logger } from '../log';
import type { HistoryReader, StateRead } from '../store/ports';
import type { InstanceSnapshot } from '../store/snapshot';

/** The instances a run lists: the configured ids, then those its discover entries found (DESIGN.md §9). */
export interface Discovery {
  targets: InstanceTarget[];
  anomalies: string[];
  /** `ListInstances` requests made, retries included. */
  requests: number;
}

export interface DiscoveryDeps {
  directory: InstanceDirectory | undefined;
  /** The previous snapshot's instances (null on the first run): read only when a discovery failed. */
  previous: () => Promise<readonly InstanceSnapshot[] | null>;
  logger: Logger;
}

/**
 * Resolves the discover entries. Each project is listed once, whatever the number of its entries. An
 * instance found twice is watched once; a configured id keeps its configured name (or takes the API's).
 * A discovery that failed on any page keeps what its entry found last time and is an anomaly: it
 * never looks like removed instances.
 */
export async function discoverInstances(config: Pick<Config, 'instances' | 'discover' | 'concurrency'>, deps: DiscoveryDeps): Promise<Discovery> {
  const out: Discovery = { targets: [], anomalies: [], requests: 0 };
  const byId = new Map<string, InstanceTarget>(config.instances.map((t) => [t.instance_id, { ...t }]));
  if (config.discover.length === 0) return { ...out, targets: [...byId.values()] };
  if (!deps.directory) throw new Error('discover entries need an instance directory');
  const directory = deps.directory;

  const scopes = new Map<string, Promise<InstanceList>>();
  for (const d of config.discover) {
    const key = scopeKey(d);
    if (!scopes.has(key)) scopes.set(key, directory.listInstances(d, config.concurrency));
  }
  const lists = new Map<string, InstanceList>();
  for (const [key, listing] of scopes) {
    const list = await listing;
    lists.set(key, list);
    out.requests += list.requests;
    for (const a of list.anomalies) out.anomalies.push(`discovery in ${key}: ${a}`);
  }

  let previous: readonly InstanceSnapshot[] | null | undefined;
  for (const d of config.discover) {
    const list = lists.get(scopeKey(d))!;
    const matches = globMatcher(d.glob);
    // Sorted by id: pages answer in any order, and the snapshot's order must not change from run to run.
    const found = list.instances.filter((i) => i.connector_enable === true && matches(i.name)).sort((a, b) => compare(a.instance_id, b.instance_id));
    for (const i of found) {
      const known = byId.get(i.instance_id);
      if (!known) byId.set(i.instance_id, { instance_id: i.instance_id, name: i.name, region: d.region, project_id: d.project_id, discovered_by: d.glob });
      else if (known.name === null) known.name = i.name;
    }
    const where = `discover entry ${JSON.stringify(d.glob)} (${scopeKey(d)})`;
    if (list.failed === null) {
      if (found.length === 0) out.anomalies.push(`${where} matches no instance with Smart Connect enabled`);
      continue;
    }
    // Failed: what the entry found last time and no answered page showed again is still watched.
    previous ??= await deps.previous();
    const seen = new Set(list.instances.map((i) => i.instance_id));
    const kept = [...(previous ?? [])].sort((a, b) => compare(a.instance_id, b.instance_id)).filter((p) => p.discovered_by === d.glob && p.region === d.region && p.project_id === d.project_id && !seen.has(p.instance_id) && !byId.has(p.instance_id));
    for (const p of kept) byId.set(p.instance_id, { instance_id: p.instance_id, name: p.name, region: p.region, project_id: p.project_id, discovered_by: d.glob });
    out.anomalies.push(`${where} failed: ${list.failed}; ${found.length} instance(s) found on the pages that answered, ${kept.length} kept from the previous snapshot (none is taken as removed)`);
    deps.logger.warn('discovery failed', { glob: d.glob, region: d.region, project_id: d.project_id, error: list.failed, found: found.length, kept: kept.length });
  }
  return { ...out, targets: [...byId.values()] };
}

/**
 * The previous snapshot's instances for a failed discovery: from state.json, or, when it is
 * unreadable, from the newest history object the run will continue from (so nothing looks removed).
 */
export async function previousInstances(read: StateRead, store: Pick<HistoryReader, 'readLatestHistory'>): Promise<readonly InstanceSnapshot[] | null> {
  if (read.kind === 'ok') return read.state.snapshot.instances;
  if (read.kind === 'missing') return null;
  return (await store.readLatestHistory())?.snapshot.instances ?? null;
}

function scopeKey(d: DiscoverTarget): string {
  return `${d.region}/${d.project_id}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
