import * as z from 'zod';
import { type Env, isHttpUrl, normalisePrefix } from '../config/config';
import type { Credentials } from '../source/credentials';
import { ConfigError } from '../errors';
import { obsEndpoint } from '../source/dms-region';
import type { RetryPolicy } from '../retry';
import { INTERACTIVE_OBS } from '../retry/policies';
import { Secret } from '../secret';


/** What the audit commands need: where the history is and the keys to read it. */
export interface AuditConfig {
  obs: { bucket: string; prefix: string; endpoint: string; timeoutSeconds: number; retry: RetryPolicy };
  credentials: Credentials;
}

const blankIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);
const optional = z.preprocess(blankIsUnset, z.string().optional());
const required = (name: string, why: string) => z.preprocess(blankIsUnset, z.string({ error: `${name} is required${why}` }));
const httpUrl = (name: string) =>
  z.preprocess(blankIsUnset, z.string().refine(isHttpUrl, { error: `${name} must be an http(s) URL` }).optional());

/** The audit subset of DESIGN.md §3. Messages name the variable and never quote a value. */
const AuditEnv = z
  .object({
    OBS_BUCKET: required('OBS_BUCKET', ': the bucket holding state.json and history/'),
    OBS_PREFIX: z.string().optional(),
    OBS_ENDPOINT: httpUrl('OBS_ENDPOINT'),
    WATCH_REGION: optional,
    CLOUD_SDK_AK: required('CLOUD_SDK_AK', ' (with CLOUD_SDK_SK): the CLI reads OBS with these keys'),
    CLOUD_SDK_SK: required('CLOUD_SDK_SK', ' (with CLOUD_SDK_AK): the CLI reads OBS with these keys'),
    CLOUD_SDK_SECURITY_TOKEN: optional,
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
      bucket: e.OBS_BUCKET,
      prefix: e.OBS_PREFIX === undefined ? 'smart-connect-watch/' : normalisePrefix(e.OBS_PREFIX.trim()),
      endpoint: e.OBS_ENDPOINT ?? obsEndpoint(e.WATCH_REGION!),
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
