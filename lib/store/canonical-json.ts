/**
 * JSON with object keys sorted recursively: equal values give equal bytes. A value whose keys are all
 * in order already (tasks as listed or read back) goes to JSON.stringify as it is; other objects are
 * written member by member, never re-keyed as a whole tree (snapshots are large).
 */
export function canonicalJson(value: unknown): string {
  return isSorted(value) ? JSON.stringify(value) : [...pieces(value, 0, 0)].join('');
}

/** Whether every object in `value` has its keys in canonical order (and no toJSON). */
function isSorted(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!isSorted(item)) return false;
    return true;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    if (!isSorted((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/**
 * A deep copy of a JSON value with every object's keys in canonical order, so that `canonicalJson`
 * of it is plain JSON.stringify. `undefined` members are dropped, as JSON drops them.
 */
export function sortedCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortedCopy) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    // As JSON.parse does: "__proto__" is an own property, never the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: sortedCopy(v), writable: true, enumerable: true, configurable: true });
    else out[key] = sortedCopy(v);
  }
  return out as T;
}

/** Whether two JSON values are equal, object key order aside, without serialising either (no garbage). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    if (!Object.hasOwn(y, k) || !sameJson(x[k], y[k])) return false;
    keys++;
  }
  for (const _ in y) keys--;
  return keys === 0;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * The bytes of `canonicalJson(value)` as chunks of about 64 KiB, made as they are pulled: the top
 * `depth` levels are written piece by piece, deeper values whole, so a large snapshot is never one
 * string, nor all its bytes at once.
 */
export function* canonicalChunks(value: unknown, depth = 2): Generator<Buffer> {
  let pending = '';
  for (const piece of pieces(value, 0, depth)) {
    pending += piece;
    if (pending.length >= CHUNK_BYTES) {
      yield Buffer.from(pending);
      pending = '';
    }
  }
  if (pending) yield Buffer.from(pending);
}

/** `value` as JSON text in pieces: members of the top `depth` levels and of every object not in canonical order one by one. */
function* pieces(raw: unknown, level: number, depth: number): Generator<string> {
  const v = raw !== null && typeof raw === 'object' && typeof (raw as { toJSON?: unknown }).toJSON === 'function' ? (raw as { toJSON(): unknown }).toJSON() : raw;
  if (v === null || typeof v !== 'object' || (level >= depth && isSorted(v))) {
    yield JSON.stringify(v) ?? 'null';
    return;
  }
  const skipped = (item: unknown) => item === undefined || typeof item === 'function' || typeof item === 'symbol';
  if (Array.isArray(v)) {
    yield '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) yield ',';
      yield* pieces(skipped(v[i]) ? null : v[i], level + 1, depth);
    }
    yield ']';
    return;
  }
  const members = v as Record<string, unknown>;
  yield '{';
  let first = true;
  for (const key of Object.keys(members).sort()) {
    if (skipped(members[key])) continue;
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    yield* pieces(members[key], level + 1, depth);
  }
  yield '}';
}
