import type { Redactor } from './secret';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  level: LogLevel;
  requestId?: string;
  redactor?: Redactor;
  /** Where a finished line goes; default stdout. */
  write?: (line: string) => void;
  now?: () => Date;
}

/** One JSON object per line: `time`, `level`, `msg`, `request_id`, then the fields. Secrets are redacted. */
export function createLogger(opts: LoggerOptions): Logger {
  const min = LOG_LEVELS.indexOf(opts.level);
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = opts.now ?? (() => new Date());
  const emit = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(level) < min) return;
    const line = JSON.stringify({
      time: now().toISOString(),
      level,
      msg,
      request_id: opts.requestId,
      ...fields,
    });
    write(opts.redactor ? opts.redactor.redact(line) : line);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
