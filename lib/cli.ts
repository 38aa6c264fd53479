import { writeFile } from 'node:fs/promises';
import { version } from '../package.json';
import { runFromEnvironment } from './app';
import { parseArgs } from './audit/args';
import { AUDIT_COMMANDS, auditHelp, findAuditCommand, runAuditCommand } from './audit/main';
import { type HelpText, formatHelp } from './audit/commands/common';
import { UsageError } from './audit/usage-error';
import { type CliProcess, createCliProcess, isBrokenPipe } from './cli-process';
import { loadDotEnv } from './config/dotenv';
import { ConfigError, describeError } from './errors';

/** A command of the process itself (not an audit command): its help and how it runs. */
interface LocalCommand extends HelpText {
  flags: Record<string, 'boolean'>;
  run(flags: Record<string, boolean | undefined>, proc: CliProcess): Promise<number>;
}

const LOCAL_COMMANDS: readonly LocalCommand[] = [
  {
    name: 'run',
    synopsis: '',
    summary: 'one watch cycle with the configuration in the environment (or ./.env); prints the run report',
    details: 'Logs are JSON lines on stderr. Exit 1 when the run could not do its job (configuration, OBS).',
    flags: {},
    run: () => run(),
  },
  {
    name: 'start',
    synopsis: '',
    summary: '`run` when WATCH_INSTANCES is set, else the offline demo',
    flags: {},
    run: (_flags, proc) => {
      loadDotEnv('.env', process.env);
      return process.env.WATCH_INSTANCES?.trim() ? run() : demo(false, proc);
    },
  },
  {
    name: 'demo',
    synopsis: '[--keep]',
    summary: 'the offline demo: local DMS emulator, local OBS, local webhook and Feishu receivers',
    details:
      '--keep leaves the local OBS store running after the demo and prints the OBS_* and CLOUD_SDK_* lines\n' +
      'to paste into another terminal, to try history, show, diff, verify and report on it; Ctrl-C stops it.',
    flags: { keep: 'boolean' },
    run: (flags, proc) => demo(flags.keep === true, proc),
  },
];

const ALL: readonly HelpText[] = [...LOCAL_COMMANDS, ...AUDIT_COMMANDS];

const USAGE = `usage: smart-connect-watch <command> [options]

commands:
${ALL.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}
  help     this text; \`help <command>\` or \`<command> --help\`: that command's usage

The audit commands read OBS_BUCKET, OBS_PREFIX, OBS_ENDPOINT (or WATCH_REGION) and CLOUD_SDK_AK/SK.
<time> is an ISO date or time (UTC unless it names a zone), or a duration back from now: 7d, 12h, 30m.
--version prints the version.`;

async function main(argv: string[], proc: CliProcess): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V' || command === 'version') {
    process.stdout.write(`smart-connect-watch ${version}\n`);
    return 0;
  }
  if (command === undefined) return usage('missing command');
  if (command === 'help' || command === '--help' || command === '-h') {
    const topic = command === 'help' ? rest[0] : undefined;
    if (topic === undefined) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const audit = findAuditCommand(topic);
    const local = LOCAL_COMMANDS.find((c) => c.name === topic);
    if (!audit && !local) return usage(`help: no command ${topic}`);
    process.stdout.write(audit ? auditHelp(audit) : formatHelp(local as LocalCommand));
    return 0;
  }
  const audit = findAuditCommand(command);
  if (audit) return runAudit(audit, rest, proc);
  const local = LOCAL_COMMANDS.find((c) => c.name === command);
  if (!local) return usage(`unknown command: ${command}`);
  try {
    const { flags, help } = parseArgs({ ...local, positionals: { min: 0, max: 0 } }, rest);
    if (help) {
      process.stdout.write(formatHelp(local));
      return 0;
    }
    return await local.run(flags, proc);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`smart-connect-watch: ${err.message}\n${err.usage}\n`);
    return 2;
  }
}

async function run(): Promise<number> {
  loadDotEnv('.env', process.env);
  try {
    // Logs are JSON lines on stderr; the run report is the output.
    const report = await runFromEnvironment(process.env, undefined, { write: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems.map((p) => `  - ${p}`).join('\n') : `  ${describeError(err)}`;
    process.stderr.write(`smart-connect-watch: run failed:\n${problems}\n`);
    return 1;
  }
}

async function runAudit(command: NonNullable<ReturnType<typeof findAuditCommand>>, argv: string[], proc: CliProcess): Promise<number> {
  loadDotEnv('.env', process.env);
  return runAuditCommand(command, argv, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    now: () => new Date(),
    writeFile: async (path, text) => {
      try {
        await writeFile(path, text, 'utf8');
      } catch (err) {
        // `report --html /dev/stdout | head`: the reader has gone, as with stdout.
        if (isBrokenPipe(err)) await proc.finish(0);
        throw err;
      }
    },
  });
}

async function demo(keep: boolean, proc: CliProcess): Promise<number> {
  const { runDemo } = await import('./demo/demo');
  return runDemo({ out: (text) => process.stdout.write(text), onCleanup: proc.onCleanup, untilInterrupted: proc.untilInterrupted }, { keep });
}

function usage(problem: string): number {
  process.stderr.write(`smart-connect-watch: ${problem}\n${USAGE}\n`);
  return 2;
}

const proc = createCliProcess();
main(process.argv.slice(2), proc).then(
  (code) => proc.finish(code),
  (err: unknown) => {
    process.stderr.write(`smart-connect-watch: ${describeError(err)}\n`);
    return proc.finish(1);
  },
);
