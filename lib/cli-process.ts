/**
 * The CLI's process edge: it ends as soon as its output is written, ends quietly (exit 0) when its
 * reader goes away (`| head`), and on Ctrl-C or SIGTERM runs the registered cleanups (the demo's
 * local store and its temp directory) before it exits.
 */

type Cleanup = () => Promise<void> | void;

export interface CliProcess {
  /** Registers a cleanup for an early exit; returns its removal (call it once the work closed it itself). */
  onCleanup(fn: Cleanup): () => void;
  /**
   * Resolves at the first Ctrl-C (SIGINT) or SIGTERM, for a command that runs until stopped: while one
   * waits, the signal ends the wait instead of the process.
   */
  untilInterrupted(): Promise<void>;
  /** Writes the output, then exits with `code` (cleanups first). */
  finish(code: number): Promise<never>;
}

const CLEANUP_LIMIT_MS = 5_000;

export function createCliProcess(proc: NodeJS.Process = process): CliProcess {
  const cleanups = new Set<Cleanup>();
  let waiters: (() => void)[] = [];
  let exiting = false;

  const runCleanups = async () => {
    const all = [...cleanups].map(async (fn) => {
      try {
        await fn();
      } catch {
        // cleaning up on the way out: nothing more to do about it
      }
    });
    cleanups.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(all), new Promise((r) => (timer = setTimeout(r, CLEANUP_LIMIT_MS).unref()))]);
    clearTimeout(timer);
  };
  const exit = async (code: number): Promise<never> => {
    if (!exiting) {
      exiting = true;
      await runCleanups();
      // Both streams flushed (a pipe on Linux is written synchronously; a file or slow terminal may not be).
      await Promise.all([proc.stdout, proc.stderr].map((s) => new Promise<void>((r) => (s.destroyed || s.writableLength === 0 ? r() : s.write('', () => r())))));
      proc.exit(code);
    }
    return new Promise<never>(() => {});
  };

  // The reader went away (`| head`): what it did not read is not wanted. Quietly, with exit 0.
  const onStreamError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') void exit(0);
    else void exit(1);
  };
  proc.stdout.on('error', onStreamError);
  proc.stderr.on('error', onStreamError);

  const onSignal = (signal: NodeJS.Signals) => {
    if (waiters.length > 0) {
      const wake = waiters;
      waiters = [];
      for (const w of wake) w();
      return;
    }
    void exit(signal === 'SIGINT' ? 130 : 143);
  };
  proc.on('SIGINT', onSignal);
  proc.on('SIGTERM', onSignal);

  return {
    onCleanup(fn) {
      cleanups.add(fn);
      return () => cleanups.delete(fn);
    },
    untilInterrupted() {
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    finish: exit,
  };
}

/** Whether an error is a write into a pipe whose reader has gone. */
export function isBrokenPipe(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EPIPE';
}
