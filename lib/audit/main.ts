import { createObsStore } from '../store/obs-store';
import { ConfigError, describeError } from '../errors';
import { Redactor } from '../secret';
import { type AuditCommand, type AuditIo, type AuditStore, HelpRequest, formatHelp } from './commands/common';
import { diffCommand, showCommand } from './commands/show';
import { availabilityCommand } from './commands/availability';
import { historyCommand } from './commands/history';
import { reportCommand } from './commands/report';
import { verifyCommand } from './commands/verify';
import { doctorCommand } from './commands/doctor';
import { statusCommand } from './commands/status';
import { silenceCommand } from './commands/silence';
import { parseAuditConfig, type AuditConfig } from './config';
import { createProgress } from './progress';
import { colourEnabled, createStyle } from './style';
import { UsageError } from './usage-error';

/** A command of any option type: each command's `parse` feeds only its own `run`. */
type AnyCommand = AuditCommand<any>;

export const AUDIT_COMMANDS: readonly AnyCommand[] = [historyCommand, showCommand, diffCommand, verifyCommand, reportCommand, availabilityCommand, statusCommand, silenceCommand, doctorCommand];

export function findAuditCommand(name: string | undefined): AnyCommand | undefined {
  return AUDIT_COMMANDS.find((c) => c.name === name);
}

const ENVIRONMENT = 'Reads OBS_BUCKET, OBS_PREFIX, OBS_ENDPOINT (or WATCH_REGION) and CLOUD_SDK_AK/CLOUD_SDK_SK\n(the environment or ./.env); gives up on OBS after 15 s without an answer (twice).';

/** What `<command> --help` and `help <command>` print for an audit command. */
export function auditHelp(command: AnyCommand): string {
  return formatHelp(command, ENVIRONMENT);
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
  if (options === 'help' || options instanceof HelpRequest) {
    io.out(options === 'help' ? auditHelp(command) : options.text);
    return 0;
  }
  const redactor = new Redactor();
  let store: AuditStore | undefined;
  try {
    const config = parseAuditConfig(io.env);
    redactor.add(config.credentials.ak, config.credentials.sk, config.credentials.securityToken);
    store = await (deps.openStore ?? ((c: AuditConfig) => createObsStore({ ...c.obs, credentials: c.credentials })))(config);
    const style = createStyle(colourEnabled(io.stdoutIsTTY, io.env));
    const stderr = { isTTY: io.stderrIsTTY, write: (t: string) => io.err(t) };
    return await command.run({ store, io, style, now, progress: (label) => createProgress(stderr, label) }, options);
  } catch (err) {
    // The message alone: no class name (StoreError, AuditFailure) reaches the user.
    if (err instanceof ConfigError) io.err(`${name}: invalid configuration:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    else io.err(`${name}: ${redactor.redact(describeError(err))}\n`);
    return 1;
  } finally {
    store?.close?.();
  }
}
