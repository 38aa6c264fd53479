import type * as z from 'zod';

/**
 * What each part of a JSON variable expects, by its path below one entry: `''` the whole variable,
 * `'[]'` one entry, `field` a field of an entry, `field[]` an item of an array field, `field.sub` a field of an object field.
 */
export type Forms = Record<string, string>;

/**
 * `WEBHOOKS[0].url is missing: expected an http(s) URL`: a zod issue of a JSON array variable as a
 * problem naming the variable, the path, what is wrong and the form expected; never zod's own
 * wording, never a value (a key is quoted only when it looks like a field name).
 * Parse with `reportInput: true`, so that a missing value can be told from a wrong one.
 */
export function describeIssue(variable: string, issue: z.core.$ZodIssue, forms: Forms): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const key = issue.path.length === 0 ? '' : issue.path.length === 1 ? '[]' : issue.path.slice(1).map((p, k) => (typeof p === 'number' ? '[]' : k === 0 ? String(p) : `.${String(p)}`)).join('');
  return `${variable}${path} ${whatIsWrong(issue)}: ${forms[key] ?? forms['']}`;
}

/** The same for a variable holding one value (`WEBHOOK_TYPE is not a known value: expected one of …`). */
export function describeValueIssue(variable: string, issue: z.core.$ZodIssue, form: string | undefined): string {
  return `${variable} ${whatIsWrong(issue)}: ${form}`;
}

function whatIsWrong(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is missing' : `is ${typeName(issue.input)}`;
    case 'too_small':
      return 'is empty';
    case 'invalid_value':
      return issue.input === undefined ? 'is missing' : 'is not a known value';
    case 'unrecognized_keys': {
      const named = issue.keys.filter(isWordLike).map((k) => `"${k}"`);
      const others = issue.keys.length - named.length;
      const list = [...named, ...(others > 0 ? [`${others} other${others > 1 ? 's' : ''}`] : [])].join(', ');
      return issue.keys.length === 1 ? `has an unknown key${named.length ? ` ${list}` : ''}` : `has unknown keys (${list})`;
    }
    case 'custom':
      return issue.message;
    default:
      return 'is invalid';
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : `a ${t}`;
}

/**
 * Whether a key or word the user typed may be quoted in a message: lower-case words joined by `_`,
 * at most 24 characters (`nmae`, `sign_secret`). A secret pasted in its place (mixed case, digits,
 * long) is never quoted.
 */
export function isWordLike(text: string): boolean {
  return text.length <= 24 && /^[a-z]+(?:_[a-z]+)*$/.test(text);
}
