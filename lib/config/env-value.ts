import { parseDuration } from './duration';

// Readers of single environment values. Each pushes one problem naming the variable and the form it
// expects, and never quotes the value (a secret pasted into the wrong variable stays unprinted).

/** A decimal integer within [min, max]: `0x10`, `1e1`, `+8` and `8.0` are refused, not read as numbers. */
export function readInteger(name: string, raw: string | undefined, o: { dflt: number; min: number; max: number; example: number }, problems: string[]): number {
  if (raw === undefined) return o.dflt;
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (n >= o.min && n <= o.max) return n;
  problems.push(`${name} must be a decimal integer from ${o.min} to ${o.max}, such as ${o.example}`);
  return o.dflt;
}

/** A duration with a unit (DESIGN.md §3): a bare number is an error, never milliseconds. */
export function readDuration(name: string, raw: string | undefined, o: { dflt: string; minMs: number; form: string }, problems: string[]): number {
  const ms = parseDuration(raw ?? o.dflt);
  if (ms !== undefined && ms >= o.minMs) return ms;
  if (raw !== undefined && /^\s*\d+(?:\.\d+)?\s*$/.test(raw)) problems.push(`${name} has no unit: expected ${o.form} (a bare number is never milliseconds)`);
  else problems.push(`${name} must be ${o.form}`);
  return parseDuration(o.dflt)!;
}

export function readBool(name: string, raw: string | undefined, dflt: boolean, problems: string[]): boolean {
  if (raw === undefined) return dflt;
  const v = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  problems.push(`${name} must be true or false`);
  return dflt;
}

/** One of `values` (case-insensitive); the default when unset. */
export function readChoice<T extends string>(name: string, raw: string | undefined, values: readonly T[], dflt: T, problems: string[]): T {
  const v = (raw ?? dflt).toLowerCase();
  if ((values as readonly string[]).includes(v)) return v as T;
  problems.push(`${name} must be one of ${values.join(', ')}`);
  return dflt;
}
