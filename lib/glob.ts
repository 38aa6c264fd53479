// Name globs of discover entries (DESIGN.md §9): `*` any run of characters, `?` exactly one; the whole
// name, case-sensitive. No other character is special: `[`, `{` and `\` are refused rather than taken literally.

/** What a valid glob looks like, for configuration messages. */
export const GLOB_FORM =
  'expected a name glob of letters, digits, ".", "-" and "_", with * (any run of characters) and ? (one character), at most 64 characters, such as * or prod-*';

const ALLOWED = /^[\p{L}\p{N}._*?-]+$/u;
const MAX_LENGTH = 64;

/** Why `glob` is not a valid name glob (`is empty`, `has a character other than …`), or undefined. */
export function globProblem(glob: string): string | undefined {
  if (glob.length === 0) return 'is an empty glob';
  if ([...glob].length > MAX_LENGTH) return `is a glob longer than ${MAX_LENGTH} characters`;
  if (!ALLOWED.test(glob)) return 'is not a valid name glob (only * and ? are wildcards; brackets, braces, spaces and backslashes are not allowed)';
  return undefined;
}

/** A matcher for a valid glob: the whole name, case-sensitive, `*` any run (empty included), `?` one character. */
export function globMatcher(glob: string): (name: string) => boolean {
  const source = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c === '.' ? '\\.' : c)).join('');
  const re = new RegExp(`^${source}$`, 'su');
  return (name) => re.test(name);
}
