import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../errors';

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=[ \t]*(.*)$/;

/**
 * `KEY=value` lines of a `.env` file (comments, `export`, quotes); variables already set win.
 * A value in '…', "…" or `…` quotes may span lines, as with dotenv (so a pasted multi-line JSON
 * works); its text is kept as written, line ends as `\n`. An unclosed quote is a ConfigError
 * naming the line and variable, never the value.
 */
export function loadDotEnv(path: string, env: NodeJS.ProcessEnv): number {
  if (!existsSync(path)) return 0;
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  let loaded = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = LINE.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    const [, key = '', rest = ''] = m;
    const raw = rest.trimEnd();
    const quote = /^["'`]/.exec(raw)?.[0];
    let value: string;
    const oneLine = quote ? new RegExp(`^${quote}(.*?)${quote}\\s*(?:#.*)?$`).exec(raw) : null;
    if (oneLine) {
      value = oneLine[1] ?? '';
    } else if (quote && !raw.includes(quote, 1)) {
      const first = i + 1;
      const parts = [rest.slice(1)];
      for (;;) {
        if (++i >= lines.length) throw new ConfigError([`.env line ${first}: ${key} opens a ${quote} quote that is never closed: expected the value to end with ${quote}`]);
        const at = lines[i]!.indexOf(quote);
        if (at < 0) {
          parts.push(lines[i]!);
          continue;
        }
        parts.push(lines[i]!.slice(0, at));
        if (!/^\s*(?:#.*)?$/.test(lines[i]!.slice(at + 1))) {
          throw new ConfigError([`.env line ${i + 1}: ${key} has text after its closing ${quote}: expected nothing or a # comment`]);
        }
        break;
      }
      value = parts.join('\n');
    } else {
      value = raw.replace(/\s+#.*$/, '');
    }
    if (env[key] !== undefined) continue;
    env[key] = value;
    loaded++;
  }
  return loaded;
}
