// A memory cgroup for one bench child: FunctionGraph bounds a function instance's memory the same
// way, and Node sizes V8's heap from that bound (process.constrainedMemory()), not from the machine's.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryCgroup {
  /** Its directory: a process joins it by writing its pid to `cgroup.procs`. */
  dir: string;
  limitBytes: number;
  /** The most memory charged to it while it existed. */
  peakBytes(): number | undefined;
  /** Processes the kernel killed for going over the limit. */
  oomKills(): number;
  remove(): void;
}

const V2 = '/sys/fs/cgroup';
const V1 = '/sys/fs/cgroup/memory';
let made = 0;

/** A fresh cgroup limited to `limitBytes` (cgroup v2 or v1; needs root), or undefined where none can be made. */
export function createMemoryCgroup(limitBytes: number): MemoryCgroup | undefined {
  const v2 = existsSync(join(V2, 'cgroup.controllers'));
  const root = v2 ? V2 : V1;
  if (process.platform !== 'linux' || !existsSync(root)) return undefined;
  const dir = join(root, `scw-bench-${process.pid}-${made++}`);
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  try {
    mkdirSync(dir);
  } catch {
    return undefined; // not root, or a read-only cgroup tree
  }
  try {
    writeFileSync(join(dir, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(limitBytes));
  } catch {
    rmdirSync(dir);
    return undefined; // v2 without the memory controller enabled for children
  }
  return {
    dir,
    limitBytes,
    peakBytes: () => {
      const file = v2 ? 'memory.peak' : 'memory.max_usage_in_bytes';
      return existsSync(join(dir, file)) ? Number(read(file)) : undefined;
    },
    oomKills: () => Number(/^oom_kill (\d+)$/m.exec(read(v2 ? 'memory.events' : 'memory.oom_control'))?.[1] ?? 0),
    remove: () => rmdirSync(dir),
  };
}
