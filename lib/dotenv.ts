import { existsSync, readFileSync } from 'node:fs';

/** `KEY=value` lines of a `.env` file (comments, `export`, quotes); variables already set win. */
export function loadDotEnv(path: string, env: NodeJS.ProcessEnv): number {
  if (!existsSync(path)) return 0;
  let loaded = 0;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    const [, key, raw = ''] = m;
    if (!key || env[key] !== undefined) continue;
    const quoted = /^(["'])(.*?)\1\s*(?:#.*)?$/.exec(raw);
    env[key] = quoted ? (quoted[2] ?? '') : raw.replace(/\s+#.*$/, '');
    loaded++;
  }
  return loaded;
}
