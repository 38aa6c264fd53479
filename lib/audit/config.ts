import * as z from 'zod';
import type { Env } from '../config/config';
import { obsLocation, obsVariables } from '../config/obs-env';
import { required, text } from '../config/env-value';
import type { Credentials } from '../source/credentials';
import { ConfigError } from '../errors';
import type { RetryPolicy } from '../retry';
import { INTERACTIVE_OBS } from '../retry/policies';
import { Secret } from '../secret';


/** What the audit commands need: where the history is and the keys to read it. */
export interface AuditConfig {
  obs: { bucket: string; prefix: string; endpoint: string; timeoutSeconds: number; retry: RetryPolicy };
  credentials: Credentials;
}

/** The audit subset of DESIGN.md §3. Messages name the variable and never quote a value. */
const AuditEnv = z
  .object({
    ...obsVariables(': the bucket holding state.json and history/'),
    WATCH_REGION: text(),
    CLOUD_SDK_AK: required('CLOUD_SDK_AK is required (with CLOUD_SDK_SK): the CLI reads OBS with these keys'),
    CLOUD_SDK_SK: required('CLOUD_SDK_SK is required (with CLOUD_SDK_AK): the CLI reads OBS with these keys'),
    CLOUD_SDK_SECURITY_TOKEN: text(),
  })
  .refine((e) => e.OBS_ENDPOINT !== undefined || e.WATCH_REGION !== undefined, {
    error: 'OBS_ENDPOINT is required unless WATCH_REGION is set (the endpoint is then https://obs.{region}.myhuaweicloud.com, or .eu in EU regions)',
    path: ['OBS_ENDPOINT'],
    when: (payload) => payload.issues.every((i) => i.path?.[0] !== 'OBS_ENDPOINT'),
  });

/** Parses the audit configuration from the environment; throws one ConfigError listing every problem. */
export function parseAuditConfig(env: Env): AuditConfig {
  const parsed = AuditEnv.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message));
  const e = parsed.data;
  return {
    obs: {
      ...obsLocation(e, e.WATCH_REGION),
      timeoutSeconds: INTERACTIVE_OBS.timeoutSeconds,
      retry: { ...INTERACTIVE_OBS.retry },
    },
    credentials: {
      ak: new Secret(e.CLOUD_SDK_AK),
      sk: new Secret(e.CLOUD_SDK_SK),
      securityToken: e.CLOUD_SDK_SECURITY_TOKEN ? new Secret(e.CLOUD_SDK_SECURITY_TOKEN) : undefined,
      source: 'environment',
    },
  };
}
