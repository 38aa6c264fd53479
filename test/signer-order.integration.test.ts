// The order of the signed headers (issue #17 item 6). API Gateway builds the canonical request itself,
// with the signed header names lowercase in character-code order; scripts/build.mjs changes how the
// SDK signer of the function bundle sorts them. The emulator must hold every signer to that order, so a
// signer that is consistent with itself in another order is refused, and the bundle's signer still passes.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KafkaClient, ListConnectorTasksRequest } from '@huaweicloud/huaweicloud-sdk-kafka';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { ClientRequestException } from '@huaweicloud/huaweicloud-sdk-core/exception/ClientRequestException';
import { startDmsEmulator, type DmsEmulator } from '../lib/demo/dms-emulator';
import { verifySdkSignature } from '../lib/demo/sdk-signature';
import { fixtureTasks, generatedTasks, startHarness } from './support/harness';

// The SDK core logs the full request config (Authorization included) on every error: silence it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('log4js') as { getLogger(): { level: string } }).getLogger().level = 'off';

const AK = 'ORDERAK0123456789';
const SK = 'order-secret-key-do-not-log-0123456789';
const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const INSTANCE = 'f6c1d2e3-0000-4000-8000-000000000001';

// The signer's own lodash (AKSKSigner.sign names the SignedHeaders with its sortBy) and canonical headers.
const sdkLodash = createRequire(createRequire(__filename).resolve('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner'))('lodash') as {
  sortBy<T>(items: T[], key: (x: T) => string): T[];
};
const signer = AKSKSigner as unknown as { buildCanonicalHeaders(all: Record<string, unknown>): string };

/** The SDK signer, its header order changed in both SignedHeaders and CanonicalHeaders: consistent with itself, not with the gateway. */
type Reorder = (names: string[]) => string[];
const ORDERS: [string, Reorder][] = [
  ['reversed', (names) => [...names].reverse()],
  ['X-Sdk-Date first', (names) => [...names.filter((n) => /x-sdk-date/i.test(n)), ...names.filter((n) => !/x-sdk-date/i.test(n))]],
];
async function signedInOrder<T>(reorder: Reorder, call: () => Promise<T>): Promise<T> {
  const sortBy = sdkLodash.sortBy.bind(sdkLodash);
  const canonical = signer.buildCanonicalHeaders.bind(signer);
  const names = vi.spyOn(sdkLodash, 'sortBy').mockImplementation((items, key) => reorder(sortBy(items, key) as string[]) as typeof items);
  const lines = vi.spyOn(signer, 'buildCanonicalHeaders').mockImplementation((all) => {
    const byName = new Map(canonical(all).split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')), l]));
    return reorder([...byName.keys()]).map((n) => `${byName.get(n)}\n`).join('');
  });
  try {
    return await call();
  } finally {
    names.mockRestore();
    lines.mockRestore();
  }
}

/** Headers signed by the SDK's signer, as node would receive them. */
function sdkSigned(path: string, date: string): Record<string, string> {
  const headers = { 'content-type': 'application/json', 'X-Project-Id': PROJECT, 'X-Sdk-Date': date };
  const signed = AKSKSigner.sign({ endpoint: `http://127.0.0.1:8443${path}`, method: 'GET', queryParams: { limit: 50, offset: 0 }, headers }, new BasicCredentials().withAk(AK).withSk(SK)) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

describe('verifySdkSignature holds the signer to the gateway\'s header order', () => {
  const path = `/v2/${PROJECT}/instances/${INSTANCE}/connector/tasks`;
  const date = '20261121T083000Z';
  const verify = (headers: Record<string, string>) =>
    verifySdkSignature({ method: 'GET', path, query: 'limit=50&offset=0', headers, body: '' }, { ak: AK, sk: SK }, new Date('2026-11-21T08:31:00Z'));

  it('accepts the SDK signer as shipped: SignedHeaders lowercase, in character-code order', () => {
    const headers = sdkSigned(path, date);
    expect(headers.authorization).toContain('SignedHeaders=content-type;host;x-project-id;x-sdk-date,');
    expect(verify(headers)).toEqual({ ok: true });
  });

  it.each(ORDERS)('refuses a signer that orders the headers %s, though its signature matches its own order', async (_name, reorder) => {
    const headers = await signedInOrder(reorder, async () => sdkSigned(path, date));
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(headers.authorization ?? '')?.[1];
    expect(signedHeaders).toBe(reorder(['content-type', 'host', 'x-project-id', 'x-sdk-date']).join(';'));
    expect(verify(headers)).toEqual({ ok: false, reason: 'SignedHeaders is not lowercase names in character-code order, each once' });
  });

  it.each([
    ['upper-case names', (h: Record<string, string>) => h.authorization!.replace('content-type;host', 'Content-Type;Host')],
    ['a name twice', (h: Record<string, string>) => h.authorization!.replace('host;', 'host;host;')],
  ])('refuses a SignedHeaders list with %s', (_name, change) => {
    const headers = sdkSigned(path, date);
    expect(verify({ ...headers, authorization: change(headers) })).toEqual({ ok: false, reason: 'SignedHeaders is not lowercase names in character-code order, each once' });
  });
});

describe('the DMS emulator answers a signer in another order as API Gateway does', () => {
  let emu: DmsEmulator;
  const client = () => KafkaClient.newBuilder().withCredential(new BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT))
    .withEndpoint(emu.url).withOptions({ axiosRequestConfig: { timeout: 10_000 } }).build();
  const list = (c: KafkaClient) => c.listConnectorTasks(new ListConnectorTasksRequest().withInstanceId(INSTANCE).withLimit(50));

  beforeAll(async () => {
    emu = await startDmsEmulator({ credentials: { ak: AK, sk: SK }, projectId: PROJECT });
    emu.setInstance(INSTANCE, fixtureTasks());
  });
  afterAll(async () => emu?.close());

  it.each(ORDERS)('headers ordered %s: 401 APIGW.0301, which the SDK throws as ClientRequestException', async (_name, reorder) => {
    const c = client();
    expect(await list(c)).toMatchObject({ httpStatusCode: 200 });
    const e = await signedInOrder(reorder, () => list(c).then(() => undefined, (err: unknown) => err));
    expect(e).toBeInstanceOf(ClientRequestException);
    const { httpStatusCode, errorCode, errorMsg, requestId } = e as ClientRequestException;
    expect({ httpStatusCode, errorCode, errorMsg }).toEqual({ httpStatusCode: 401, errorCode: 'APIGW.0301', errorMsg: 'Incorrect IAM authentication information: verify aksk signature fail' });
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(emu.requests.map((r) => r.status).slice(-2)).toEqual([200, 401]);
  });
});

describe('the function bundle\'s signer (scripts/build.mjs orders its headers by code point)', () => {
  it('signs every request of a run in the gateway\'s order: the emulator answers each with 200', async () => {
    const h = await startHarness({ channel: false });
    try {
      h.dms.setInstance('inst-prod-0001', fixtureTasks());
      h.dms.setInstance('inst-bulk-0002', generatedTasks(60));
      const { report, error } = await h.invoke();
      expect(error).toBeUndefined();
      expect(report).toMatchObject({ instances: { ok: 2, failed: 0 }, errors: [] });
      expect(h.dms.requests.map((r) => r.status)).toEqual([200, 200, 200]);
    } finally {
      await h.close();
    }
  });
});
