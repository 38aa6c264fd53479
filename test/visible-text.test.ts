import { describe, expect, it } from 'vitest';
import { showInvisible } from '../lib/visible-text';

describe('showInvisible', () => {
  it.each([
    ['invoice-\u202Egnp.exe', 'invoice-\\u202Egnp.exe'],
    ['a\u200Bb\u200Fc', 'a\\u200Bb\\u200Fc'],
    ['\u2066x\u2069', '\\u2066x\\u2069'],
    ['\uFEFFbom', '\\uFEFFbom'],
    ['订单-同步 🚀', '订单-同步 🚀'],
    ['plain', 'plain'],
    ['👨\u200D👩\u200D👧 family', '👨\u200D👩\u200D👧 family'],
    ['👍🏽\u200D🔥', '👍🏽\u200D🔥'],
    ['a\u200Db', 'a\\u200Db'],
    ['👨\u200Dx', '👨\\u200Dx'],
    ['x\u200D👩', 'x\\u200D👩'],
  ])('%j → %j', (input, shown) => expect(showInvisible(input)).toBe(shown));
});

describe('showInvisible, for any text', () => {
  it('leaves no bidi or invisible character but a joiner between two pictographs', async () => {
    const fc = (await import('fast-check')).default;
    const shown = /[\u200B-\u200C\u200E-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/u;
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '👨', '\u200D', '\u202E', '\u2066', '\uFEFF', '\u200B', '长', '\uFE0F') }), (text) => {
        const out = showInvisible(text);
        expect(out).not.toMatch(shown);
        for (const m of out.matchAll(/\u200D/gu)) {
          expect(out.slice(0, m.index)).toMatch(/\p{Extended_Pictographic}\uFE0F?$/u);
          expect(out.slice(m.index + 1)).toMatch(/^\p{Extended_Pictographic}/u);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
