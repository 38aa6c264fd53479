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
 * Strict argument parsing: `--flag value`, `--flag=value`, `--` ends the flags. Unknown flags, a missing
 * value, a value given to a boolean flag, a flag given twice and a wrong number of positionals are UsageErrors.
 */
export function parseArgs<F extends Record<string, FlagKind>>(spec: CommandSpec<F>, argv: readonly string[]): ParsedArgs<F> {
  const fail = (message: string): never => {
    throw new UsageError(message, usageLine(spec));
  };
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : '';
    const kind = Object.hasOwn(spec.flags, name) ? spec.flags[name] : undefined;
    if (!kind) fail(`unknown option ${eq < 0 ? arg : arg.slice(0, eq)} for ${spec.name}`);
    if (Object.hasOwn(flags, name)) fail(`--${name} given twice`);
    if (kind === 'boolean') {
      if (eq >= 0) fail(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) fail(`--${name} needs a value`);
    flags[name] = value as string;
  }
  if (!help && positionals.length < spec.positionals.min) fail(`${spec.name}: missing argument`);
  if (!help && positionals.length > spec.positionals.max) fail(`${spec.name}: unexpected argument ${positionals[spec.positionals.max]}`);
  return { flags: flags as Flags<F>, positionals, help };
}
