/**
 * Untrusted text (task and instance names, ids, statuses, field paths, source/sink types) as
 * literal text in each chat platform's markup. Anyone who may create a Smart Connect task writes
 * its name, and every chat member reads it: a name such as `*bold*[link](http://evil.example/phish)`
 * or `<at id=all></at>` must show as exactly those characters, never as a link, an image, a mention
 * or formatting. Each escaper takes one value that is already on one line (summary.ts flattens,
 * clips and shows invisible characters first) and escapes every character its platform could read
 * as markup inside a line; characters that only mean something at the start of a line (`#`, `-`,
 * `+`, digits) are left alone because a value never starts a line. Nothing is replaced by a
 * look-alike: what the reader sees is the value, character for character.
 *
 * A bare URL in a name (`http://…`) is not markup; a platform may still make it clickable, but then
 * it shows its own target, never a disguised label.
 */

/** Escapes one untrusted value for one platform's markup. */
export type Escape = (text: string) => string;

/** Text shown as it is (plain-text fields: Feishu's card header, DingTalk's notification title, Slack's header). */
export const asPlainText: Escape = (text) => text;

/** `&#NN;`: an HTML numeric character reference, as Feishu documents. */
const entity = (c: string) => `&#${c.charCodeAt(0)};`;
/** A backslash before the character: CommonMark's escape for ASCII punctuation. */
const backslash = (c: string) => `\\${c}`;

/**
 * The characters that start or end inline markup in CommonMark and its GFM extensions: code spans,
 * emphasis (`*`, `_`), strikethrough (`~`), links and images (`[`, `]`), autolinks and HTML (`<`,
 * `>`), entities (`&`), and `\` itself. Two are escaped only where they could act:
 * - `\` only before ASCII punctuation (anywhere else it is a plain character, so the visible
 *   escape `\u202E` of an invisible character stays as it is);
 * - a run of `_` only when it is not inside a word: between two letters or digits it can neither
 *   open nor close emphasis (CommonMark 6.2), so `REDIS_REPLICATOR_SOURCE` stays as it is.
 */
const INLINE_MARKUP = '`*~[]<>&';

/** An escaper that writes each of `chars` (and `\`, `_` by the rules above) with `write`. */
function escaper(chars: string, write: (c: string) => string): Escape {
  const listed = chars.replace(/[\\\]^-]/g, '\\$&');
  const re = new RegExp(`\\\\(?=[!-/:-@[-\`{-~])|_+|[${listed}]`, 'g');
  return (text) =>
    text.replace(re, (match: string, offset: number) => {
      if (match[0] !== '_') return write(match);
      const inWord = WORD.test(text[offset - 1] ?? '') && WORD.test(text[offset + match.length] ?? '');
      return inWord ? match : [...match].map(write).join('');
    });
}
const WORD = /^[\p{L}\p{N}]$/u;

/**
 * Feishu / Lark card `markdown` (lark_md): Feishu's card documentation says to write a special
 * character as an HTML numeric reference (`&#42;` for `*`, `&#91;` for `[`, `&#60;` for `<`, …);
 * backslash escapes are not documented there. Besides the inline markup above, `:` is escaped
 * because `:KEY:` is a Feishu emoji. `<at id=all>` and `<font>` need `<`, so no name can mention
 * anyone or colour text.
 */
export const escapeFeishu: Escape = escaper(`${INLINE_MARKUP}:`, entity);

/**
 * DingTalk robot markdown: backslash escapes, the CommonMark mechanism, which DingTalk's markdown
 * honours (prometheus-webhook-dingtalk's `markdown` template function escapes `_`, `*` and
 * `` ` `` this way). DingTalk calls people only through the body's `at` field (with `@mobile` in
 * the text for a mobile in `at.atMobiles`), so `@all` in a name calls nobody.
 */
export const escapeDingTalk: Escape = escaper(INLINE_MARKUP, backslash);

/**
 * WeCom group robot `markdown`: its documented syntax is headings, `**bold**`, links, `` `code` ``,
 * quotes, `<font color>` and the `<@userid>` mention; no escape mechanism is documented. Markup
 * characters are written as HTML numeric references (as for Feishu): a renderer that decodes them
 * shows the character, one that does not shows the reference, and neither makes a link or a
 * mention of it (a backslash that such a renderer ignored would leave `[a](b)` a link). Names made
 * of letters, digits, `-`, `.` and inner `_` (the usual ones) contain none of them.
 */
export const escapeWeCom: Escape = escaper(INLINE_MARKUP, entity);

/**
 * WeCom `text` messages (the message that calls people) read `<@userid>` as a mention and have no
 * markup to escape it with: there `<` is shown as the visible escape `\u003C`, like the invisible
 * characters (lib/visible-text.ts).
 */
export function escapeWeComText(text: string): string {
  return text.replace(/</g, '\\u003C');
}

/**
 * Microsoft Teams Adaptive Card `TextBlock` markdown (bold, italic, lists, links): backslash
 * escapes, the CommonMark mechanism the Adaptive Cards renderers implement. Teams mentions need
 * `msteams.entities`, which the card never has.
 */
export const escapeTeams: Escape = escaper(INLINE_MARKUP, backslash);

/**
 * Slack mrkdwn: Slack's documented escaping is `&amp;`, `&lt;` and `&gt;`, which is what links
 * (`<url|label>`) and mentions (`<!channel>`, `<@U…>`) need; `*`, `_`, `~` and `` ` `` have no escape
 * in mrkdwn and may style a name, never link it. `@channel` as text is no mention in blocks.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
