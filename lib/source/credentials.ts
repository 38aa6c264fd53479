import type { Env } from '../config/config';
import { ConfigError } from '../errors';
import { Secret } from '../secret';

export interface Credentials {
  ak: Secret;
  sk: Secret;
  securityToken: Secret | undefined;
  /** Where they came from, for the log: never the values. */
  source: 'agency' | 'environment';
}

/** The part of the FunctionGraph context that carries the agency's temporary credentials. */
export interface CredentialContext {
  getSecurityAccessKey?(): string | undefined;
  getSecuritySecretKey?(): string | undefined;
  getSecurityToken?(): string | undefined;
}

/** The function's agency credentials first (FunctionGraph), then CLOUD_SDK_AK/SK/SECURITY_TOKEN. */
export function resolveCredentials(env: Env, context: CredentialContext | undefined): Credentials {
  const ak = call(context, 'getSecurityAccessKey');
  const sk = call(context, 'getSecuritySecretKey');
  if (ak && sk) {
    const token = call(context, 'getSecurityToken');
    return { ak: new Secret(ak), sk: new Secret(sk), securityToken: token ? new Secret(token) : undefined, source: 'agency' };
  }
  const envAk = env.CLOUD_SDK_AK?.trim();
  const envSk = env.CLOUD_SDK_SK?.trim();
  if (envAk && envSk) {
    const token = env.CLOUD_SDK_SECURITY_TOKEN?.trim();
    return { ak: new Secret(envAk), sk: new Secret(envSk), securityToken: token ? new Secret(token) : undefined, source: 'environment' };
  }
  throw new ConfigError([
    'no credentials: give the function an agency (FunctionGraph passes its temporary keys in the context) or set CLOUD_SDK_AK and CLOUD_SDK_SK',
  ]);
}

function call(context: CredentialContext | undefined, method: keyof CredentialContext): string | undefined {
  const fn = context?.[method];
  if (typeof fn !== 'function') return undefined;
  const value = fn.call(context);
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}
