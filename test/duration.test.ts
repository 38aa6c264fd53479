import { describe, expect, it } from 'vitest';
import { parseDuration } from '../lib/config/duration';

describe('parseDuration', () => {
  it.each<[string, number | undefined]>([
    ['500ms', 500],
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['1.5h', 5_400_000],
    [' 7d ', 604_800_000],
    ['7 d', 604_800_000],
    ['0s', 0],
    ['soon', undefined],
    ['', undefined],
    ['7', undefined],
    ['d', undefined],
    ['-1d', undefined],
    ['7D', undefined],
    ['7days', undefined],
    ['1h30m', undefined],
    ['1e3s', undefined],
  ])('%j → %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
