import { runFromEnvironment } from './app';
import { loadDotEnv } from './dotenv';
import { ConfigError, describeError } from './errors';

const USAGE = `usage: smart-connect-watch <command>

commands:
  run     one watch cycle with the configuration in the environment (or ./.env)
  start   \`run\` when WATCH_INSTANCES is set, else the offline demo
  demo    the offline demo: local DMS emulator, local OBS, local webhook receiver
  help    this text`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
