/** Progress of a long scan. */
export interface Progress {
  update(done: number, total: number): void;
  /** Clears the line. */
  end(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export const NO_PROGRESS: Progress = { update() {}, end() {} };

/**
 * `reading history 120/312` on one rewritten line, only when the stream is a terminal, only once the scan
 * has taken `delayMs` (a short scan shows nothing), then at most every `intervalMs`.
 */
export function createProgress(stream: ProgressStream, label: string, now: () => number = Date.now, delayMs = 300, intervalMs = 100): Progress {
  if (!stream.isTTY) return NO_PROGRESS;
  const started = now();
  let last = -Infinity;
  let shown = false;
  return {
    update(done, total) {
      const t = now();
      if (!shown && (t - started < delayMs || done >= total)) return;
      if (done < total && t - last < intervalMs) return;
      last = t;
      shown = true;
      stream.write(`\r\x1b[K${label} ${done}/${total}`);
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
