/** At most this many chat messages per channel per run (and so per outbox message). */
export const MAX_PARTS = 10;

export interface Part<T> {
  items: T[];
  /** Set only on the last part when not everything fits in MAX_PARTS: the items it summarises with counts. */
  omitted: T[];
}

/** Where a part is in its message; `of` is 1 for a message that needed no split. */
export interface PartPosition {
  index: number;
  of: number;
  /** The first part carries what is said once (e.g. mentions). */
  first: boolean;
}

/**
 * Splits `items` in order into at most `maxParts` parts, each accepted by `fits`. When they do not
 * all fit, the last part shows what it can and `omitted` holds the rest, so that the part can say
 * exactly what it leaves out: nothing is cut silently. `fits(items, omitted)` is given the part's
 * items and what would be omitted after them, and must accept a part made of a summary alone.
 * An item that does not fit even alone in a part ends the packing there: it and the rest are omitted.
 */
export function packParts<T>(
  items: readonly T[],
  fits: (items: readonly T[], omitted: readonly T[]) => boolean,
  maxParts: number = MAX_PARTS,
): Part<T>[] {
  const parts: Part<T>[] = [];
  let start = 0;
  while (start < items.length) {
    const last = parts.length === maxParts - 1;
    const take = (n: number) => fits(items.slice(start, start + n), last ? items.slice(start + n) : []);
    const n = largestFitting(items.length - start, take);
    if (last || n === 0) {
      parts.push({ items: items.slice(start, start + n), omitted: items.slice(start + n) });
      return parts;
    }
    parts.push({ items: items.slice(start, start + n), omitted: [] });
    start += n;
  }
  return parts;
}

/**
 * The largest n in [0, max] with take(n), assuming that a part which fits still fits with fewer
 * items. Galloping then bisecting: O(log n) measurements of at most twice the part's size.
 */
function largestFitting(max: number, take: (n: number) => boolean): number {
  let ok = 0; // fits (an empty part is assumed to)
  let bad = max + 1; // does not fit, or is past the end
  for (let step = 1; ok + step < bad; step *= 2) {
    if (!take(ok + step)) {
      bad = ok + step;
      break;
    }
    ok += step;
  }
  while (bad - ok > 1) {
    const mid = Math.floor((ok + bad) / 2);
    if (take(mid)) ok = mid;
    else bad = mid;
  }
  return ok;
}

/**
 * Packs `items` with `render` and `fits` (which checks one rendered part against the platform's
 * limits), then renders each part with its position. Measuring uses the widest position label
 * (`maxParts` of `maxParts`) and the first part's extras on every part, so a rendered part is never
 * larger than the one that was measured.
 */
export function renderParts<T, P>(
  items: readonly T[],
  render: (items: readonly T[], omitted: readonly T[], position: PartPosition) => P,
  fits: (payload: P) => boolean,
  maxParts: number = MAX_PARTS,
): P[] {
  const widest: PartPosition = { index: maxParts, of: maxParts, first: true };
  const parts = packParts(items, (its, omitted) => fits(render(its, omitted, widest)), maxParts);
  return parts.map((p, i) => render(p.items, p.omitted, { index: i + 1, of: parts.length, first: i === 0 }));
}

/** UTF-8 size of a JSON body. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
