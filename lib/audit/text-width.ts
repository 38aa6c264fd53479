import { eastAsianWidth } from 'get-east-asian-width';
import { showInvisible } from '../visible-text';

let segmenter: Intl.Segmenter | undefined;
/** Graphemes, by a segmenter made on first use (not at import: every CLI command loads this module). */
const graphemes = (text: string) => (segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' })).segment(text);
const ZERO_WIDTH = /^(?:\p{Mn}|\p{Me}|\p{Cf})+$/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;

/**
 * Columns a string takes in a terminal, by grapheme: East Asian wide and fullwidth characters (get-east-asian-width)
 * and emoji take two, combining marks and format characters none; an emoji sequence joined by U+200D is one emoji.
 */
export function terminalWidth(text: string): number {
  let width = 0;
  for (const { segment } of graphemes(text)) {
    if (ZERO_WIDTH.test(segment)) continue;
    const first = segment.codePointAt(0) ?? 0;
    if (first < 0x20 || (first >= 0x7f && first < 0xa0)) continue;
    const emoji = segment.includes('\uFE0F') || (PICTOGRAPHIC.test(segment) && /\p{Emoji_Presentation}/u.test(segment));
    width += emoji ? 2 : eastAsianWidth(first, { ambiguousAsWide: false });
  }
  return width;
}

/** An untrusted name for a terminal: bidi and invisible characters as `\uXXXX` (showInvisible), control characters too. */
export function safeName(text: string): string {
  return showInvisible(text).replace(/[\u0000-\u001F\u007F-\u009F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Cuts to a width with an ellipsis, whole graphemes only. */
export function cutTo(text: string, width: number): string {
  if (terminalWidth(text) <= width) return text;
  let out = '';
  for (const { segment } of graphemes(text)) {
    if (terminalWidth(out + segment) > width - 1) break;
    out += segment;
  }
  return `${out}…`;
}

/** Pads to a width, on the right (left-aligned) or on the left (right-aligned). */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - terminalWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}
