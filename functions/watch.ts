import { type RuntimeContext, runFromEnvironment } from '../lib/app';
import type { RunReport } from '../lib/report';

/**
 * The FunctionGraph handler (`index.handler`), started by a TIMER trigger. Thin: the event is not
 * needed (every run lists everything), the context supplies credentials, request id and time left.
 */
export async function handler(_event: unknown, context?: RuntimeContext): Promise<RunReport> {
  return runFromEnvironment(process.env, context);
}
