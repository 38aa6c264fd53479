import { StringDecoder } from 'node:string_decoder';

/** JSON text that does not parse; `at` is the character offset where the parser stopped. */
export class JsonStreamError extends SyntaxError {
  constructor(message: string, readonly at: number) {
    super(`${message} at character ${at}`);
    this.name = 'JsonStreamError';
  }
}

/** Values up to this many characters are parsed by JSON.parse in one piece. */
const WINDOW = 256 * 1024;

type Container = Record<string, unknown> | unknown[];
/** Where a member sits: the keys and indexes from the root. */
export type JsonPath = readonly (string | number)[];
/** Sees each member of a container parsed member by member, and returns the value to keep in its place. */
export type OnMember = (path: JsonPath, value: unknown) => unknown;
type Expect = 'value' | 'value-or-end' | 'key' | 'key-or-end' | 'colon' | 'comma-or-end' | 'done';

/** Hands over the text of the value at `path` exactly as it was read: in pieces, in order, then `done`. */
export interface KeepText {
  path: JsonPath;
  piece(text: string): void;
  done(): void;
}

export interface ParseOptions {
  /** Values up to this many characters are parsed by JSON.parse in one piece (default 256 Ki). */
  window?: number;
  onMember?: OnMember;
  keep?: KeepText;
}

/**
 * Parses JSON arriving in chunks without ever holding the whole text: a container longer than
 * `window` characters is parsed member by member, anything shorter by JSON.parse in one piece.
 * A 20 MB state.json is never a 20 MB string, nor a 20 MB Buffer (unless `keep` asks for most of it).
 *
 * `onMember` sees each member of a container that is parsed member by member, as soon as it is
 * complete, and may replace it (e.g. by an equal value already held, so the parsed copy is garbage at
 * once). Members of values parsed in one piece are not visited. The containers holding `keep.path`
 * are always parsed member by member.
 */
export async function parseJsonStream(chunks: AsyncIterable<Buffer | string>, opts: ParseOptions = {}): Promise<unknown> {
  const parser = new ChunkedParser(opts.window ?? WINDOW, opts.onMember, opts.keep);
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) parser.feed(typeof chunk === 'string' ? chunk : decoder.write(chunk), false);
  parser.feed(decoder.end(), true);
  return parser.result();
}

class ChunkedParser {
  private text = '';
  private pos = 0;
  /** Characters dropped from the front of `text`, for error offsets. */
  private dropped = 0;
  private expect: Expect = 'value';
  private readonly stack: { value: Container; key: string }[] = [];
  private root: unknown;
  /** Where an unfinished `matchingEnd` stopped (offsets from the start of the whole text). */
  private scan: { start: number; at: number; depth: number } | undefined;
  /** Where the kept value's text not yet handed over starts in `text` (-1: not started, or done). */
  private keptFrom = -1;

  constructor(
    private readonly window: number,
    private readonly onMember: OnMember | undefined,
    private readonly keep: KeepText | undefined,
  ) {}

  feed(chunk: string, final: boolean): void {
    if (this.keptFrom >= 0) {
      if (this.keptFrom < this.pos) this.keep?.piece(this.text.slice(this.keptFrom, this.pos));
      this.keptFrom = 0;
    }
    this.dropped += this.pos;
    this.text = this.text.slice(this.pos) + chunk;
    this.pos = 0;
    while (this.step(final));
  }

  result(): unknown {
    if (this.expect !== 'done') throw this.error('unexpected end of the text');
    return this.root;
  }

  /** One token or one whole small value; false when more text is needed (or all is read). */
  private step(final: boolean): boolean {
    const { text } = this;
    while (this.pos < text.length && isSpace(text.charCodeAt(this.pos))) this.pos++;
    if (this.pos >= text.length) return false;
    const c = text[this.pos];
    const top = this.stack.at(-1);
    switch (this.expect) {
      case 'done':
        throw this.error('unexpected text after the end');
      case 'colon':
        if (c !== ':') throw this.error(`expected ':' but found '${c}'`);
        this.pos++;
        this.expect = 'value';
        return true;
      case 'comma-or-end':
        if (c === ',') {
          this.pos++;
          this.expect = Array.isArray(top?.value) ? 'value' : 'key';
          return true;
        }
        if (c === (Array.isArray(top?.value) ? ']' : '}')) return this.close();
        throw this.error(`expected ',' or the end of the ${Array.isArray(top?.value) ? 'array' : 'object'} but found '${c}'`);
      case 'key-or-end':
      case 'key': {
        if (c === '}' && this.expect === 'key-or-end') return this.close();
        if (c !== '"') throw this.error(`expected a key but found '${c}'`);
        const end = stringEnd(text, this.pos);
        if (end < 0) return this.needMore(final);
        (top as { key: string }).key = this.parse(this.pos, end + 1) as string;
        this.expect = 'colon';
        return true;
      }
      case 'value-or-end':
      case 'value': {
        if (c === ']' && this.expect === 'value-or-end') return this.close();
        if (this.keptFrom < 0 && this.atKeptPath()) this.keptFrom = this.pos;
        if (c === '{' || c === '[') {
          // A container holding the kept value is read member by member, so that the parser reaches it.
          const end = this.atKeptPath(true) ? TOO_LONG : this.matchingEnd();
          if (end >= 0) return this.put(this.parse(this.pos, end + 1));
          if (end === NEED_MORE) return this.needMore(final);
          this.stack.push({ value: c === '{' ? {} : [], key: '' });
          this.pos++;
          this.expect = c === '{' ? 'key-or-end' : 'value-or-end';
          return true;
        }
        if (c === '"') {
          const end = stringEnd(text, this.pos);
          return end < 0 ? this.needMore(final) : this.put(this.parse(this.pos, end + 1));
        }
        const end = primitiveEnd(text, this.pos);
        if (end === this.pos) throw this.error(`unexpected '${c}'`);
        // A number may go on in the next chunk.
        return end === text.length && !final ? false : this.put(this.parse(this.pos, end));
      }
    }
  }

  /**
   * Index of the bracket closing the container that opens at `pos`, NEED_MORE, or TOO_LONG past the
   * window. A scan cut short by the end of the text resumes where it stopped when more arrives.
   */
  private matchingEnd(): number {
    const { text, pos: start, window } = this;
    const resume = this.scan?.start === this.dropped + start ? this.scan : undefined;
    let depth = resume?.depth ?? 0;
    this.scan = undefined;
    const stop = Math.min(text.length, start + window);
    let i = resume ? resume.at - this.dropped : start;
    for (; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        const end = stringEnd(text, i);
        if (end < 0) break;
        i = end;
      } else if (c === 0x7b || c === 0x5b) depth++;
      else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i;
    }
    if (stop - start >= window) return TOO_LONG;
    this.scan = { start: this.dropped + start, at: this.dropped + Math.min(i, stop), depth };
    return NEED_MORE;
  }

  private needMore(final: boolean): false {
    if (final) throw this.error('unexpected end of the text');
    return false;
  }

  private parse(from: number, to: number): unknown {
    try {
      return JSON.parse(this.text.slice(from, to));
    } catch {
      // JSON.parse's message quotes the text: say where instead.
      throw this.error('invalid JSON in the value starting');
    } finally {
      this.pos = to;
    }
  }

  private close(): true {
    this.pos++;
    return this.put((this.stack.pop() as { value: Container }).value);
  }

  /** Whether the value about to be read (or just read) is the one to keep, or (`above`) holds it. */
  private atKeptPath(above = false): boolean {
    const path = this.keep?.path;
    if (path === undefined || (above ? path.length <= this.stack.length : path.length !== this.stack.length)) return false;
    return this.stack.every((f, i) => (Array.isArray(f.value) ? f.value.length : f.key) === path[i]);
  }

  private put(parsed: unknown): true {
    if (this.keptFrom >= 0 && this.atKeptPath()) {
      this.keep?.piece(this.text.slice(this.keptFrom, this.pos));
      this.keep?.done();
      this.keptFrom = -1;
    }
    const top = this.stack.at(-1);
    const value = top && this.onMember ? this.onMember(this.stack.map((f) => (Array.isArray(f.value) ? f.value.length : f.key)), parsed) : parsed;
    if (!top) {
      this.root = value;
      this.expect = 'done';
    } else {
      if (Array.isArray(top.value)) top.value.push(value);
      // As JSON.parse does: "__proto__" is an own property, never the prototype.
      else Object.defineProperty(top.value, top.key, { value, writable: true, enumerable: true, configurable: true });
      this.expect = 'comma-or-end';
    }
    return true;
  }

  private error(message: string): JsonStreamError {
    return new JsonStreamError(message, this.dropped + this.pos);
  }
}

const NEED_MORE = -1;
const TOO_LONG = -2;

/** Index of the quote closing the string opened at `start`, or -1 when it is not in `s` yet. */
function stringEnd(s: string, start: number): number {
  for (let i = s.indexOf('"', start + 1); i >= 0; i = s.indexOf('"', i + 1)) {
    let backslashes = 0;
    while (s.charCodeAt(i - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
  return -1;
}

/** End of a number, true, false or null (JSON.parse then checks it). */
function primitiveEnd(s: string, start: number): number {
  let i = start;
  while (i < s.length && !isSpace(s.charCodeAt(i)) && !',]}:'.includes(s[i] as string)) i++;
  return i;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
