import { WatchError } from '../errors';

/** A bad command line: unknown command or flag, a missing or malformed value. The CLI exits 2 with `usage`. */
export class UsageError extends WatchError {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command's usage line, e.g. `usage: smart-connect-watch show [latest|<snapshot_id>] [--json]`. */
    readonly usage: string,
  ) {
    super(message);
  }
}
