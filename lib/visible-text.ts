/**
 * Bidirectional controls and invisible format characters in untrusted names (a task named
 * `invoice-` + U+202E + `gnp.exe` shows as "invoice-exe.png"): U+200B–U+200F, U+202A–U+202E,
 * U+2060–U+2069 and U+FEFF.
 */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/** Shows every bidi or invisible format character as a visible `\uXXXX` escape. */
export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}
