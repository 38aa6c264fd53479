// The DMS emulator's gates (lib/demo/dms-faults.ts): a barrier a test opens, so that integration tests
// synchronise on requests instead of on latencies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient, ListConnectorTasksRequest } from '@huaweicloud/huaweicloud-sdk-kafka';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { startDmsEmulator, type DmsEmulator } from '../lib/demo/dms-emulator';
import { generatedTasks } from './support/harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('log4js') as { getLogger(): { level: string } }).getLogger().level = 'off';

const CREDENTIALS = { ak: 'GATEAK0123456789', sk: 'gate-secret-key-0123456789' };
const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

describe('DMS emulator gates', () => {
  let emu: DmsEmulator;
  let sdk: KafkaClient;
  /** The HTTP status of one ListConnectorTasks call (the SDK's, or the exception's). */
  const status = (instanceId: string, offset: number): Promise<number | undefined> =>
    sdk.listConnectorTasks(new ListConnectorTasksRequest().withInstanceId(instanceId).withOffset(offset).withLimit(5))
      .then((r) => (r as { httpStatusCode?: number }).httpStatusCode, (e: { httpStatusCode?: number }) => e.httpStatusCode);

  beforeAll(async () => {
    emu = await startDmsEmulator({ credentials: CREDENTIALS, projectId: PROJECT });
    emu.setInstance('held', generatedTasks(20, 'held'));
    emu.setInstance('free', generatedTasks(3, 'free'));
    sdk = KafkaClient.newBuilder().withCredential(new BasicCredentials().withAk(CREDENTIALS.ak).withSk(CREDENTIALS.sk).withProjectId(PROJECT))
      .withEndpoint(emu.url).withOptions({ axiosRequestConfig: { timeout: 20_000 } }).build();
  });
  afterAll(async () => emu?.close());

  it('holds the first `count` matching requests until released, lets the others through, and applies a fault set meanwhile', async () => {
    const gate = emu.gate((r) => r.instanceId === 'held', 2);
    const held = [status('held', 0), status('held', 5)];
    const records = await gate.reached;
    expect(records.map((r) => [r.offset, r.status]).sort()).toEqual([[0, null], [5, null]]);
    // The gate is full: another matching request passes, and so does one it does not match.
    expect(await status('held', 10)).toBe(200);
    expect(await status('free', 0)).toBe(200);
    emu.setFault('held', { kind: 'status', status: 503, times: 1 });
    gate.release();
    expect((await Promise.all(held)).sort()).toEqual([200, 503]);
    expect(await status('held', 15)).toBe(200);
  });

  it('checks the signature before the gate: a request it refuses is answered at once', async () => {
    const gate = emu.gate(() => true);
    const bad = KafkaClient.newBuilder().withCredential(new BasicCredentials().withAk(CREDENTIALS.ak).withSk('wrong').withProjectId(PROJECT))
      .withEndpoint(emu.url).build();
    await expect(bad.listConnectorTasks(new ListConnectorTasksRequest().withInstanceId('held'))).rejects.toMatchObject({ httpStatusCode: 401 });
    const pending = status('free', 0);
    expect((await gate.reached).map((r) => r.instanceId)).toEqual(['free']);
    gate.release();
    expect(await pending).toBe(200);
  });
});
