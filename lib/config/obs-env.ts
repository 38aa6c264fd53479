import * as z from 'zod';
import { httpUrl, required } from './env-value';
import { obsEndpoint } from '../source/dms-region';

// The OBS variables (DESIGN.md §3), shared by the function's configuration and the audit commands'.

export const DEFAULT_OBS_PREFIX = 'smart-connect-watch/';

/** `OBS_BUCKET`, `OBS_PREFIX`, `OBS_ENDPOINT`; `bucketFor` ends the message of a missing bucket. */
export function obsVariables(bucketFor: string) {
  return {
    OBS_BUCKET: required(`OBS_BUCKET is required${bucketFor}`),
    // Not trimmed to unset: an empty prefix is a valid one.
    OBS_PREFIX: z.string().optional(),
    OBS_ENDPOINT: httpUrl('OBS_ENDPOINT must be an http(s) URL, such as https://obs.cn-north-4.myhuaweicloud.com'),
  };
}

/** Bucket, prefix (default `smart-connect-watch/`) and endpoint (default from the region, when one is known). */
export function obsLocation(e: { OBS_BUCKET?: string | undefined; OBS_PREFIX?: string | undefined; OBS_ENDPOINT?: string | undefined }, region: string | undefined) {
  return {
    bucket: e.OBS_BUCKET!,
    prefix: e.OBS_PREFIX === undefined ? DEFAULT_OBS_PREFIX : normalisePrefix(e.OBS_PREFIX.trim()),
    endpoint: e.OBS_ENDPOINT ?? (region ? obsEndpoint(region) : ''),
  };
}

/** No leading slash, a trailing one unless empty. */
export function normalisePrefix(p: string): string {
  const trimmed = p.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}
