import { parseArgs as parseTokens } from 'node:util';
import { UsageError } from './usage-error';

export type FlagKind = 'string' | 'boolean';

export interface CommandSpec<F extends Record<string, FlagKind>> {
  name: string;
  /** Everything after the command name, e.g. `[--json] <snapshot_id> <snapshot_id>`. */
  synopsis: string;
  flags: F;
  positionals: { min: number; max: number };
}

export type Flags<F extends Record<string, FlagKind>> = { [K in keyof F]?: F[K] extends 'string' ? string : boolean };

export interface ParsedArgs<F extends Record<string, FlagKind>> {
  flags: Flags<F>;
  positionals: string[];
  /** `--help` or `-h` was given: print the usage line and stop. */
  help: boolean;
}

export function usageLine(spec: { name: string; synopsis: string }): string {
  return `usage: smart-connect-watch ${spec.name}${spec.synopsis ? ` ${spec.synopsis}` : ''}`;
}

/**
 * Strict argument parsing over `node:util` parseArgs: `--flag value`, `--flag=value`, `--` ends the
 * flags, `-h`/`--help` anywhere asks for help. Unknown flags, a missing value, a value given to a boolean
 * flag, a flag given twice and a wrong number of positionals are UsageErrors with our own wording.
 */
export function parseArgs<F extends Record<string, FlagKind>>(spec: CommandSpec<F>, argv: readonly string[]): ParsedArgs<F> {
  const fail = (message: string): never => {
    throw new UsageError(message, usageLine(spec));
  };
  const options = Object.fromEntries(Object.entries(spec.flags).map(([name, type]) => [name, { type }]));
  // Not strict: every token comes back, and the checks below word the problems.
  const { tokens } = parseTokens({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: false, allowPositionals: true, tokens: true });
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    if (token.name === 'help') {
      help = true;
      continue;
    }
    const kind = Object.hasOwn(spec.flags, token.name) && token.rawName.startsWith('--') ? spec.flags[token.name] : undefined;
    if (!kind) fail(`unknown option ${token.rawName} for ${spec.name}`);
    if (Object.hasOwn(flags, token.name)) fail(`--${token.name} given twice`);
    if (kind === 'boolean') {
      if (token.inlineValue) fail(`--${token.name} takes no value`);
      flags[token.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || value === '' || (!token.inlineValue && value.startsWith('--'))) fail(`--${token.name} needs a value`);
    flags[token.name] = value as string;
  }
  if (!help && positionals.length < spec.positionals.min) fail(`${spec.name}: missing argument`);
  if (!help && positionals.length > spec.positionals.max) fail(`${spec.name}: unexpected argument ${positionals[spec.positionals.max]}`);
  return { flags: flags as Flags<F>, positionals, help };
}
