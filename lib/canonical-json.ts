/**
 * JSON with object keys sorted recursively: equal values give equal bytes. Objects are re-keyed one
 * at a time as JSON.stringify reaches them (no sorted copy of the whole tree: snapshots are large).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortKeys);
}

/** Whether two JSON values are equal, object key order aside, without serialising either (no garbage). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!;
  if (sorted) return value;
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) out[key] = (value as Record<string, unknown>)[key];
  return out;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * The bytes of `canonicalJson(value)` as chunks of about 64 KiB: the top `depth` levels are written
 * piece by piece, deeper values whole, so a large snapshot never becomes one string.
 */
export function canonicalChunks(value: unknown, depth = 3): Buffer[] {
  const chunks: Buffer[] = [];
  let pending = '';
  const emit = (s: string) => {
    pending += s;
    if (pending.length >= CHUNK_BYTES) {
      chunks.push(Buffer.from(pending));
      pending = '';
    }
  };
  const walk = (raw: unknown, level: number): void => {
    const v = raw !== null && typeof raw === 'object' && typeof (raw as { toJSON?: unknown }).toJSON === 'function' ? (raw as { toJSON(): unknown }).toJSON() : raw;
    if (level >= depth || v === null || typeof v !== 'object') return emit(canonicalJson(v) ?? 'null');
    if (Array.isArray(v)) {
      emit('[');
      v.forEach((item, i) => {
        if (i > 0) emit(',');
        walk(item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : item, level + 1);
      });
      return emit(']');
    }
    const sorted = sortKeys('', v) as Record<string, unknown>;
    emit('{');
    let first = true;
    for (const key of Object.keys(sorted)) {
      const item = sorted[key];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      emit(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      walk(item, level + 1);
    }
    emit('}');
  };
  walk(value, 0);
  if (pending) chunks.push(Buffer.from(pending));
  return chunks;
}
