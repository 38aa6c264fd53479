import { inspect } from 'node:util';

const REDACTED = '<secret>';

/** A secret value that prints as `<secret>` in strings, JSON and console output. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The real value: call it only where the secret is used (signing, a client). */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * Removes every known secret (and every webhook URL) from a text.
 * Longer values first, so a URL is replaced before the token it contains.
 */
export class Redactor {
  readonly #values = new Set<string>();

  add(...values: (string | Secret | undefined)[]): void {
    for (const v of values) {
      const s = v instanceof Secret ? v.reveal() : v;
      if (s && s.length >= 4) this.#values.add(s);
    }
  }

  /** Registers a URL and the parts of it that carry tokens (path segments, query values). */
  addUrl(url: string): void {
    this.add(url);
    try {
      const u = new URL(url);
      for (const seg of u.pathname.split('/')) if (seg.length >= 12) this.add(seg);
      for (const v of u.searchParams.values()) this.add(v);
      if (u.password) this.add(u.password);
    } catch {
      // not a URL: the whole string is already registered
    }
  }

  redact(text: string): string {
    let out = text;
    for (const v of [...this.#values].sort((a, b) => b.length - a.length)) {
      if (out.includes(v)) out = out.split(v).join(REDACTED);
    }
    return out;
  }
}

/** `https://open.feishu.cn/…`: enough to tell which endpoint, never the token. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '<invalid url>';
  }
}
