import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalChunks, canonicalJson, sortedCopy } from '../lib/store/canonical-json';

// canonicalJson against the `canonicalize` package (RFC 8785, the JSON Canonicalization Scheme; by the
// RFC's author) as the oracle. For JSON values the two agree byte for byte: both sort keys by UTF-16
// code units and write strings and numbers as ECMAScript's JSON.stringify does, which is what RFC 8785
// prescribes (-0 is written 0 by both, RFC 8785 §3.2.2.3). Documented differences, outside JSON values:
// NaN and ±Infinity make canonicalize throw (RFC 8785 has no such numbers) while canonicalJson writes
// null as JSON.stringify does; lone surrogates, which RFC 8785 rejects, both escape as \udxxx.

const stringUnit = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('"', '\\', 'é', '签', '😀', '\u2028', '\u007f'));
/** Keys that sort differently by code unit, by code point and by number: a, B, é, 10, 9, astral, __proto__. */
const key = fc.oneof(fc.string({ unit: stringUnit, maxLength: 4 }), fc.constantFrom('a', 'B', 'é', '10', '9', '😀', '\uffff', '__proto__'));
const value = fc.letrec((tie) => ({
  json: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('array'), tie('object')),
  leaf: fc.oneof(fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.string({ unit: stringUnit })),
  array: fc.array(tie('json'), { maxLength: 5 }),
  object: fc.dictionary(key, tie('json'), { maxKeys: 6 }),
})).json;

/** `v` with every object's keys in reverse order ("__proto__" kept as an own key). */
const reversed = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(reversed) : v !== null && typeof v === 'object' ? ownObject(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
const ownObject = (entries: [string, unknown][]) => {
  const out = {};
  for (const [k, x] of entries) Object.defineProperty(out, k, { value: x, writable: true, enumerable: true, configurable: true });
  return out;
};

/** Whether an object in `v` has a key like "0" or "10", which JavaScript puts before every other key. */
const hasIndexKey = (v: unknown): boolean =>
  v !== null && typeof v === 'object' && (Array.isArray(v) ? v.some(hasIndexKey) : Object.entries(v).some(([k, x]) => /^(0|[1-9]\d*)$/.test(k) || hasIndexKey(x)));

const RUNS = { numRuns: 500 };

describe('canonicalJson against RFC 8785 canonicalize (fast-check)', () => {
  it.each([
    ['fc.jsonValue()', fc.jsonValue()],
    ['values with hard keys and strings', value],
  ] as const)('the same bytes for %s, in any key order, by every way of writing it', (_name, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, fc.integer({ min: 0, max: 4 }), (v, depth) => {
        const expected = canonicalize(v);
        expect(canonicalJson(v)).toBe(expected);
        expect(canonicalJson(reversed(v))).toBe(expected);
        expect(Buffer.concat([...canonicalChunks(reversed(v), depth)]).toString('utf8')).toBe(expected);
        expect(canonicalJson(sortedCopy(reversed(v)))).toBe(expected);
        if (!hasIndexKey(v)) expect(JSON.stringify(sortedCopy(reversed(v)))).toBe(expected);
      }),
      RUNS,
    );
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity in an object', { a: Number.NEGATIVE_INFINITY }],
  ])('documented difference: %s is null here (as JSON.stringify), an error for RFC 8785', (_name, v) => {
    expect(canonicalJson(v)).toBe(JSON.stringify(v));
    expect(() => canonicalize(v)).toThrow(/not allowed/);
  });

  // Found by this test: sortedCopy's promise "plain JSON.stringify gives canonicalJson" cannot hold for
  // index-like keys, which any JavaScript object lists first. canonicalJson is still right: it checks the
  // order (isSorted) and writes such an object member by member.
  it.each([
    ['an empty key and "0"', { '': 1, 0: 2 }, '{"":1,"0":2}'],
    ['"10" and "9"', { 9: 'b', 10: 'a' }, '{"10":"a","9":"b"}'],
  ])('sortedCopy with index-like keys (%s): JSON.stringify of it is not canonical, canonicalJson of it is', (_name, v, expected) => {
    expect(canonicalize(v)).toBe(expected);
    expect(JSON.stringify(sortedCopy(v))).not.toBe(expected);
    expect(canonicalJson(sortedCopy(v))).toBe(expected);
  });

  it('-0 is written 0 by both', () => {
    expect([canonicalJson({ z: -0 }), canonicalize({ z: -0 })]).toEqual(['{"z":0}', '{"z":0}']);
  });
});
