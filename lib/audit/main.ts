import { createObsStore } from '../obs-store';
import { ConfigError, describeError } from '../errors';
import { Redactor } from '../secret';
import { usageLine } from './args';
import { type AuditCommand, type AuditIo, type AuditStore, AuditFailure } from './commands/common';
import { diffCommand, showCommand } from './commands/show';
import { availabilityCommand } from './commands/availability';
import { historyCommand } from './commands/history';
import { reportCommand } from './commands/report';
import { verifyCommand } from './commands/verify';
import { doctorCommand } from './commands/doctor';
import { statusCommand } from './commands/status';
import { parseAuditConfig, type AuditConfig } from './config';
import { createProgress } from './progress';
import { colourEnabled, createStyle } from './style';
import { UsageError } from './usage-error';

/** A command of any option type: each command's `parse` feeds only its own `run`. */
type AnyCommand = AuditCommand<any>;

export const AUDIT_COMMANDS: readonly AnyCommand[] = [historyCommand, showCommand, diffCommand, verifyCommand, reportCommand, availabilityCommand, statusCommand, doctorCommand];

export function findAuditCommand(name: string | undefined): AnyCommand | undefined {
  return AUDIT_COMMANDS.find((c) => c.name === name);
}

export interface AuditDeps {
  /** Opens the store; the CLI passes createObsStore, tests may pass a fake. */
  openStore?: (config: AuditConfig) => Promise<AuditStore>;
}

/**
 * Runs one audit command: arguments (exit 2 with the usage line), configuration (exit 1 listing the
 * problems), the command (exit 0, or 1 on a failure it names). Every message is redacted of the keys.
 */
export async function runAuditCommand(command: AnyCommand, argv: readonly string[], io: AuditIo, deps: AuditDeps = {}): Promise<number> {
  const now = io.now();
  const name = `smart-connect-watch ${command.name}`;
  let options: unknown;
  try {
    options = command.parse(argv, now);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`smart-connect-watch: ${err.message}\n${err.usage}\n`);
    return 2;
  }
  if (options === 'help') {
    io.out(`${usageLine(command)}\n  ${command.summary}\n`);
    return 0;
  }
  const redactor = new Redactor();
  try {
    const config = parseAuditConfig(io.env);
    redactor.add(config.credentials.ak, config.credentials.sk, config.credentials.securityToken);
    const store = await (deps.openStore ?? ((c: AuditConfig) => createObsStore({ ...c.obs, credentials: c.credentials })))(config);
    const style = createStyle(colourEnabled(io.stdoutIsTTY, io.env));
    const stderr = { isTTY: io.stderrIsTTY, write: (t: string) => io.err(t) };
    return await command.run({ store, io, style, now, progress: (label) => createProgress(stderr, label) }, options);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`${name}: invalid configuration:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    } else {
      const kind = err instanceof AuditFailure ? '' : `${err instanceof Error ? err.name : 'error'}: `;
      io.err(`${name}: ${kind}${redactor.redact(describeError(err))}\n`);
    }
    return 1;
  }
}
