import { writeFile } from 'node:fs/promises';
import { runFromEnvironment } from './app';
import { AUDIT_COMMANDS, findAuditCommand, runAuditCommand } from './audit/main';
import { loadDotEnv } from './dotenv';
import { ConfigError, describeError } from './errors';

const USAGE = `usage: smart-connect-watch <command> [options]

commands:
  run      one watch cycle with the configuration in the environment (or ./.env)
  start    \`run\` when WATCH_INSTANCES is set, else the offline demo
  demo     the offline demo: local DMS emulator, local OBS, local webhook receiver
${AUDIT_COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}\n           ${c.name} ${c.synopsis}`).join('\n')}
  help     this text

The audit commands read OBS_BUCKET, OBS_PREFIX, OBS_ENDPOINT (or WATCH_REGION) and CLOUD_SDK_AK/SK.
<time> is an ISO date or time (UTC unless it names a zone), or a duration back from now: 7d, 12h, 30m.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const audit = findAuditCommand(command);
  if (audit) return runAudit(audit, rest);
  if (rest.length > 0 && command !== 'help') return usage(`unexpected argument: ${rest[0]}`);
  switch (command) {
    case 'run':
      return run();
    case 'start':
      loadDotEnv('.env', process.env);
      return process.env.WATCH_INSTANCES?.trim() ? run() : demo();
    case 'demo':
      return demo();
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      return usage(command ? `unknown command: ${command}` : 'missing command');
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

async function runAudit(command: NonNullable<ReturnType<typeof findAuditCommand>>, argv: string[]): Promise<number> {
  loadDotEnv('.env', process.env);
  return runAuditCommand(command, argv, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    now: () => new Date(),
    writeFile: (path, text) => writeFile(path, text, 'utf8'),
  });
}

async function demo(): Promise<number> {
  const { runDemo } = await import('./demo/demo');
  return runDemo({ out: (text) => process.stdout.write(text) });
}

function usage(problem: string): number {
  process.stderr.write(`smart-connect-watch: ${problem}\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`smart-connect-watch: ${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
