// What `doctor` reads about a deployed function, as the FunctionGraph API answers it (snake_case JSON):
// ShowFunctionConfig, ListFunctionTriggers and ShowFunctionAsyncInvokeConfig
// (@huaweicloud/huaweicloud-sdk-functiongraph 3.1.211, FunctionGraphClient: showFunctionConfig,
// listFunctionTriggers, showFunctionAsyncInvokeConfig). Unknown fields are kept and ignored.
import * as z from 'zod';

const nullableString = z.string().nullish();

/** GET /v2/{project_id}/fgs/functions/{function_urn}/config (the fields the checks use). */
export const FunctionConfig = z.looseObject({
  func_urn: nullableString,
  func_name: z.string(),
  runtime: z.string(),
  timeout: z.number(),
  memory_size: z.number(),
  xrole: nullableString,
  /** JSON text of the plain environment variables. */
  user_data: nullableString,
  /** JSON text of the encrypted environment variables: only its names are ever used. */
  encrypted_user_data: nullableString,
  strategy_config: z.looseObject({ concurrency: z.number().nullish(), concurrent_num: z.number().nullish() }).nullish(),
  last_modified: nullableString,
});
export type FunctionConfig = z.infer<typeof FunctionConfig>;

/** One entry of GET /v2/{project_id}/fgs/triggers/{function_urn} (a JSON array). */
export const Trigger = z.looseObject({
  trigger_id: z.string(),
  trigger_type_code: z.string(),
  trigger_status: z.string(),
  event_data: z.looseObject({ name: nullableString, schedule: nullableString, schedule_type: nullableString }).nullish(),
  last_updated_time: nullableString,
});
export type Trigger = z.infer<typeof Trigger>;
export const Triggers = z.array(Trigger);

/** GET /v2/{project_id}/fgs/functions/{function_urn}/async-invoke-config; null when never configured. */
export const AsyncConfig = z.looseObject({
  max_async_retry_attempts: z.number().nullish(),
  max_async_event_age_in_seconds: z.number().nullish(),
});
export type AsyncConfig = z.infer<typeof AsyncConfig>;

export interface Deployment {
  config: FunctionConfig;
  triggers: Trigger[];
  asyncConfig: AsyncConfig | null;
}

/** What state.json tells about the last run (read loosely: one GET of the raw object). */
export type LastRun =
  | { kind: 'ok'; checkedAt: Date; durationMs: number | null }
  | { kind: 'missing' }
  | { kind: 'unreadable'; reason: string };

const StateFields = z.looseObject({
  checked_at: z.iso.datetime({ offset: true }),
  last_run: z.looseObject({ duration_ms: z.number().nonnegative() }).nullish(),
});

/** state.json's text (undefined when missing) → when the last run checked, and how long it took when recorded. */
export function parseLastRun(text: string | undefined): LastRun {
  if (text === undefined) return { kind: 'missing' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', reason: 'state.json is not JSON' };
  }
  const parsed = StateFields.safeParse(raw);
  if (!parsed.success) return { kind: 'unreadable', reason: 'state.json has no valid checked_at' };
  return { kind: 'ok', checkedAt: new Date(parsed.data.checked_at), durationMs: parsed.data.last_run?.duration_ms ?? null };
}
