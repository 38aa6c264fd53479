import { expect } from 'vitest';
import { type Env, parseConfig } from '../../lib/config/config';
import { ConfigError } from '../../lib/errors';

/** The problems parseConfig reports for `e` (none when it parses); anything but a ConfigError fails the test. */
export function configProblems(e: Env): string[] {
  try {
    parseConfig(e);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  return [];
}
