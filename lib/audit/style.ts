import type { Severity } from '../change';

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

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const identity = (s: string) => s;

export function createStyle(colour: boolean): Style {
  if (!colour) return { red: identity, green: identity, yellow: identity, blue: identity, dim: identity, bold: identity };
  return { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), blue: sgr(34, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

export function severityColour(style: Style, severity: Severity): (s: string) => string {
  return { critical: style.red, warning: style.yellow, resolved: style.green, info: style.blue }[severity];
}

export function statusColour(style: Style, status: string): (s: string) => string {
  if (status === 'RUNNING') return style.green;
  if (status === 'PAUSED' || status === 'WAITING' || status === 'CREATING') return style.yellow;
  return status === 'FAILED' || status === 'ERROR' ? style.red : identity;
}

/** Columns a string takes in a terminal: East Asian wide characters and most emoji take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || (c >= 0x300 && c <= 0x36f) || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f)) continue;
    w += isWide(c) ? 2 : 1;
  }
  return w;
}

function isWide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1faff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  );
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

/** Aligns rows of cells into lines; `colour[i]` styles column i after padding. The last column is not padded. */
export function alignRows(rows: readonly (readonly string[])[], colour: readonly ((cell: string, row: number) => string)[] = []): string[] {
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
