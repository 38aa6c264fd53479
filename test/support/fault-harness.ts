import { afterAll, beforeAll } from 'vitest';
import { type Harness, startHarness } from './harness';
import { type ObsFaultProxy, startObsFaultProxy } from './obs-fault-proxy';

/**
 * For the enclosing describe: a harness whose OBS is reached through a fault proxy, started before
 * its tests (`started` receives both) and stopped after them.
 */
export function withFaultProxyHarness(started: (env: { h: Harness; obs: ObsFaultProxy }) => void): void {
  let h: Harness | undefined;
  let obs: ObsFaultProxy | undefined;
  beforeAll(async () => {
    h = await startHarness();
    obs = await startObsFaultProxy(h.obs.endpoint);
    started({ h, obs });
  });
  afterAll(async () => {
    await obs?.close();
    await h?.close();
  });
}
