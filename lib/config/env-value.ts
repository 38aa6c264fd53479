import * as z from 'zod';
import { parseDuration } from './duration';

// Schemas of single environment values. Each value is trimmed (blank counts as unset); a bad one gives
// one problem naming the variable and the form it expects, and never quotes the value (a secret pasted
// into the wrong variable stays unprinted).

const blankIsUnset = (v: unknown) => (typeof v !== 'string' ? v : v.trim() === '' ? undefined : v.trim());

/** The trimmed text of a variable, undefined when unset or blank. */
export const text = () => z.preprocess(blankIsUnset, z.string().optional());

/** The trimmed text of a variable that must be set; `message` when it is not. */
export const required = (message: string) => z.preprocess(blankIsUnset, z.string({ error: message }));

/** A variable read by `read`, which names what is wrong through `problem` and still returns a value. */
export function variable<T>(read: (raw: string | undefined, problem: (message: string) => void) => T) {
  return text().transform((raw, ctx) => read(raw, (message) => ctx.issues.push({ code: 'custom', message, input: undefined })));
}

/**
 * A decimal integer within [min, max]: `0x10`, `1e1`, `+8` and `8.0` are refused, not read as numbers.
 * `refuse`: values within [min, max] that are still wrong (say so in `form`). */
export function integer(name: string, o: { dflt: number; min: number; max: number; example: number; refuse?: number[]; form?: string }) {
  return variable((raw, problem) => {
    if (raw === undefined) return o.dflt;
    const n = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
    if (n >= o.min && n <= o.max && !o.refuse?.includes(n)) return n;
    problem(`${name} must be ${o.form ?? `a decimal integer from ${o.min} to ${o.max}, such as ${o.example}`}`);
    return o.dflt;
  });
}

export interface DurationForm {
  dflt: string;
  minMs: number;
  form: string;
}

/** A duration with a unit (DESIGN.md §3): a bare number is an error, never milliseconds; so is a negative one. */
export function readDuration(name: string, raw: string | undefined, o: DurationForm, problem: (message: string) => void): number {
  const ms = parseDuration(raw ?? o.dflt);
  if (ms !== undefined && ms >= o.minMs) return ms;
  if (raw !== undefined && /^\d+(?:\.\d+)?$/.test(raw)) problem(`${name} has no unit: expected ${o.form} (a bare number is never milliseconds)`);
  else if (raw !== undefined && raw.startsWith('-') && parseDuration(raw.slice(1)) !== undefined) problem(`${name} is negative: expected ${o.form}`);
  else problem(`${name} must be ${o.form}`);
  return parseDuration(o.dflt)!;
}

export const duration = (name: string, o: DurationForm) => variable((raw, problem) => readDuration(name, raw, o, problem));

/** A duration, or `off` (null). */
export const durationOrOff = (name: string, o: DurationForm) =>
  variable((raw, problem) => (raw?.toLowerCase() === 'off' ? null : readDuration(name, raw, o, problem)));

export function bool(name: string, dflt: boolean) {
  return variable((raw, problem) => {
    if (raw === undefined) return dflt;
    const v = raw.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    problem(`${name} must be true or false`);
    return dflt;
  });
}

/** One of `values` (case-insensitive); the default when unset. */
export function choice<T extends string>(name: string, values: readonly T[], dflt: T) {
  return variable((raw, problem): T => {
    const v = (raw ?? dflt).toLowerCase();
    if ((values as readonly string[]).includes(v)) return v as T;
    problem(`${name} must be one of ${values.join(', ')}`);
    return dflt;
  });
}

/** An http(s) URL, or undefined when unset. */
export function httpUrl(message: string) {
  return variable((raw, problem) => {
    if (raw !== undefined && !isHttpUrl(raw)) problem(message);
    return raw;
  });
}

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** An IANA time zone Intl knows (`UTC`, `Asia/Shanghai`). */
export function isTimeZone(tz: string): boolean {
  if (tz === 'UTC') return true; // Intl's time zone data takes ~15 ms to load: not for the default.
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** `HH:MM`, 00:00 to 23:59. */
export function isClockTime(s: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(s);
}
