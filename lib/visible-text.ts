/**
 * Bidirectional controls and invisible format characters in untrusted names (a task named
 * `invoice-` + U+202E + `gnp.exe` shows as "invoice-exe.png"): U+200B–U+200F, U+202A–U+202E,
 * U+2060–U+2069 and U+FEFF. A zero-width joiner inside an emoji sequence (👨‍👩‍👧) is what joins
 * it and hides nothing: it is kept.
 */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/gu;
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})/uy;

/** Shows every bidi or invisible format character as a visible `\uXXXX` escape. */
export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (c, offset: number) => {
    EMOJI_JOINER.lastIndex = offset;
    return c === '\u200D' && EMOJI_JOINER.test(text) ? c : `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
}
