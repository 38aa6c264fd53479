import { styleText } from 'node:util';
import { eastAsianWidth } from 'get-east-asian-width';
import type { Severity } from '../alerting/change';
import { showInvisible } from '../visible-text';

/** Terminal styling; every function is the identity when colour is off. */
export interface Style {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything but the empty string (no-color.org). */
export function colourEnabled(isTTY: boolean | undefined, env: Record<string, string | undefined>): boolean {
  return isTTY === true && !env.NO_COLOR;
}

const identity = (s: string) => s;
// Whether to colour is decided once (colourEnabled), not by styleText's look at process.stdout.
const paint = (format: Parameters<typeof styleText>[0]) => (s: string) => styleText(format, s, { validateStream: false });

export function createStyle(colour: boolean): Style {
  if (!colour) return { red: identity, green: identity, yellow: identity, blue: identity, dim: identity, bold: identity };
  return { red: paint('red'), green: paint('green'), yellow: paint('yellow'), blue: paint('blue'), dim: paint('dim'), bold: paint('bold') };
}

export function severityColour(style: Style, severity: Severity): (s: string) => string {
  return { critical: style.red, warning: style.yellow, resolved: style.green, info: style.blue }[severity];
}

export function statusColour(style: Style, status: string): (s: string) => string {
  if (status === 'RUNNING') return style.green;
  if (status === 'PAUSED' || status === 'WAITING' || status === 'CREATING') return style.yellow;
  return status === 'FAILED' || status === 'ERROR' ? style.red : identity;
}

/** Columns a string takes in a terminal: East Asian wide characters and emoji take two (get-east-asian-width). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    // Controls, combining marks, joiners and variation selectors take no column of their own.
    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x300 && c <= 0x36f) || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f)) continue;
    w += eastAsianWidth(c);
  }
  return w;
}

/** Pads to a display width (plain text: pad first, colour after). */
export function padTo(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** Cuts to a display width with an ellipsis. */
export function truncateTo(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  let out = '';
  for (const ch of s) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * Aligns rows of cells into lines; `colour[i]` styles column i after padding. The last column is not padded.
 * Cells hold untrusted names: bidi and invisible format characters are shown as `\uXXXX` escapes.
 */
export function alignRows(cells: readonly (readonly string[])[], colour: readonly ((cell: string, row: number) => string)[] = []): string[] {
  const rows = cells.map((row) => row.map(showInvisible));
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell))));
  return rows.map((row, r) =>
    row
      .map((cell, i) => {
        const text = i === row.length - 1 ? cell : padTo(cell, widths[i] ?? 0);
        const paint = colour[i];
        return paint ? paint(text, r) : text;
      })
      .join('  ')
      .trimEnd(),
  );
}
