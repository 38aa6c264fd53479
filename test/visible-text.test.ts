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
  ])('%j → %j', (input, shown) => expect(showInvisible(input)).toBe(shown));
});
