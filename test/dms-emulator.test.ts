import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'node:querystring';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { KafkaClient, ListConnectorTasksRequest, ListInstancesRequest } from '@huaweicloud/huaweicloud-sdk-kafka';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { ClientRequestException } from '@huaweicloud/huaweicloud-sdk-core/exception/ClientRequestException';
import { ServerResponseException } from '@huaweicloud/huaweicloud-sdk-core/exception/ServerResponseException';
import { ServiceResponseException } from '@huaweicloud/huaweicloud-sdk-core/exception/ServiceResponseException';
import type { IncomingHttpHeaders } from 'node:http';
import { startDmsEmulator, type DmsEmulator } from '../lib/demo/dms-emulator';
import { verifySdkSignature } from '../lib/demo/sdk-signature';

// The SDK core logs the full request config (Authorization, X-Security-Token) on every error: silence it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('log4js') as { getLogger(): { level: string } }).getLogger().level = 'off';

const AK = 'EMULATORAK0123456789';
const SK = 'emulator-secret-key-do-not-log-0123456789';
const TOKEN = 'emulator-security-token-do-not-log';
const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const INSTANCE = 'f6c1d2e3-0000-4000-8000-000000000001';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures/list-connector-tasks.example.json'), 'utf8')) as {
  tasks: Record<string, unknown>[];
};
/** n realistic tasks: the seed example's three tasks repeated with unique names and ids. */
const makeTasks = (n: number): Record<string, unknown>[] =>
  Array.from({ length: n }, (_, i) => ({
    ...fixture.tasks[i % fixture.tasks.length],
    task_name: `task-${String(i).padStart(3, '0')}`,
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  }));

interface ClientOpts { ak?: string; sk?: string; token?: string; projectId?: string; endpoint?: string; timeout?: number }
function client(emu: DmsEmulator, o: ClientOpts = {}): KafkaClient {
  const cred = new BasicCredentials().withAk(o.ak ?? AK).withSk(o.sk ?? SK).withProjectId(o.projectId ?? PROJECT);
  if (o.token !== undefined) cred.withSecurityToken(o.token);
  return KafkaClient.newBuilder().withCredential(cred).withEndpoint(o.endpoint ?? emu.url)
    .withOptions({ axiosRequestConfig: { timeout: o.timeout ?? 2000 } }).build();
}
const listReq = (instanceId: string, offset?: number, limit?: number): ListConnectorTasksRequest => {
  const r = new ListConnectorTasksRequest().withInstanceId(instanceId);
  if (offset !== undefined) r.withOffset(offset);
  if (limit !== undefined) r.withLimit(limit);
  return r;
};
/** The SDK's typed response is not what it returns at runtime: a plain snake_case object. */
type RawList = { tasks?: Record<string, unknown>[]; total_number?: number; max_tasks?: number; quota_tasks?: number; httpStatusCode?: number };
const list = async (c: KafkaClient, id: string, offset?: number, limit?: number): Promise<RawList> =>
  (await c.listConnectorTasks(listReq(id, offset, limit))) as unknown as RawList;
const rejection = async (p: Promise<unknown>): Promise<ServiceResponseException> => {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(ServiceResponseException); return e as ServiceResponseException; }
  throw new Error('expected the SDK call to reject');
};

/** Signs a request with the SDK's own signer, returning headers as node would receive them. */
function sdkSigned(o: { host?: string; path: string; query: Record<string, string | number | string[]>; date: string; token?: string }): IncomingHttpHeaders {
  const cred = new BasicCredentials().withAk(AK).withSk(SK);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'X-Project-Id': PROJECT, 'X-Sdk-Date': o.date };
  if (o.token) headers['X-Security-Token'] = o.token;
  const signed = AKSKSigner.sign({ endpoint: `http://${o.host ?? '127.0.0.1:8443'}${o.path}`, method: 'GET', queryParams: o.query, headers }, cred) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

describe('verifySdkSignature against the SDK signer', () => {
  const path = `/v2/${PROJECT}/instances/${INSTANCE}/connector/tasks`;
  // Unsorted, repeated and RFC 3986-reserved query values exercise the canonical query rules.
  const query = { offset: 50, limit: 50, name: "a b*(~)!'é+/", tag: ['z', 'a'] };
  const wire = stringify(query); // as the SDK puts it on the wire: `tag=z&tag=a`, unsorted
  const date = '20261121T083000Z';
  const now = new Date('2026-11-21T08:31:00Z');
  const headers = sdkSigned({ path, query: structuredClone(query), date }); // (the signer sorts arrays in place)
  const good = { method: 'GET', path, query: wire, headers, body: '' };
  const creds = { ak: AK, sk: SK };

  it('accepts a request signed by the SDK (query given as a raw string or as URLSearchParams)', () => {
    expect(headers.authorization).toMatch(/^SDK-HMAC-SHA256 Access=EMULATORAK0123456789, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/);
    expect(verifySdkSignature(good, creds, now)).toEqual({ ok: true });
    expect(verifySdkSignature({ ...good, query: new URLSearchParams(wire) }, creds, now)).toEqual({ ok: true });
    expect(verifySdkSignature({ ...good, headers: { ...headers, 'user-agent': 'unsigned headers may change' } }, creds, now)).toEqual({ ok: true });
  });

  it.each([
    ['another path', { path: path.replace(INSTANCE, 'another-instance') }, 'signature mismatch'],
    ['a changed query value', { query: wire.replace('limit=50', 'limit=49') }, 'signature mismatch'],
    ['an extra query param', { query: `${wire}&x=1` }, 'signature mismatch'],
    ['another method', { method: 'DELETE' }, 'signature mismatch'],
    ['a body', { body: '{}' }, 'signature mismatch'],
    ['a changed signed header', { headers: { ...headers, 'x-project-id': 'someone-else' } }, 'signature mismatch'],
    ['another host', { headers: { ...headers, host: 'evil.example:8443' } }, 'signature mismatch'],
    ['an X-Sdk-Date 1 s later', { headers: { ...headers, 'x-sdk-date': '20261121T083001Z' } }, 'signature mismatch'],
    ['a signed header removed', { headers: { ...headers, 'x-project-id': undefined } }, 'signed header missing: x-project-id'],
    ['no X-Sdk-Date', { headers: { ...headers, 'x-sdk-date': undefined } }, 'missing X-Sdk-Date'],
    ['a malformed X-Sdk-Date', { headers: { ...headers, 'x-sdk-date': '2026-11-21T08:30:00Z' } }, 'malformed X-Sdk-Date'],
    ['no Authorization', { headers: { ...headers, authorization: undefined } }, 'missing or malformed SDK-HMAC-SHA256 Authorization header'],
  ])('rejects a request with %s', (_what, change, reason) => {
    expect(verifySdkSignature({ ...good, ...change }, creds, now)).toEqual({ ok: false, reason });
  });

  it.each([
    ['a wrong SK', { ak: AK, sk: 'wrong' }, 'signature mismatch'],
    ['an unknown AK', { ak: 'OTHERAK', sk: SK }, 'unknown access key'],
  ])('rejects %s without revealing the SK', (_what, c, reason) => {
    const r = verifySdkSignature(good, c, now);
    expect(r).toEqual({ ok: false, reason });
    expect(JSON.stringify(r)).not.toContain(SK);
  });

  it.each([
    ['14 min before', true, -14],
    ['14 min after', true, 14],
    ['16 min before', false, -16],
    ['16 min after', false, 16],
  ])('server clock %s the signed date: accepted=%s', (_what, ok, minutes) => {
    const at = new Date(Date.parse('2026-11-21T08:30:00Z') + minutes * 60_000);
    expect(verifySdkSignature(good, creds, at)).toEqual(ok ? { ok: true } : { ok: false, reason: 'date skew > 15 min' });
  });
});

describe('DMS emulator driven by the real Huawei SDK', () => {
  let emu: DmsEmulator;
  const logs: string[] = [];
  const tasks = makeTasks(120);

  beforeAll(async () => {
    emu = await startDmsEmulator({ credentials: { ak: AK, sk: SK }, projectId: PROJECT, log: (l) => logs.push(l) });
  });
  beforeEach(() => {
    emu.setInstance(INSTANCE, tasks);
    emu.setFault(INSTANCE, null);
    emu.reset();
  });
  afterAll(async () => {
    await emu.close();
    // Nothing the emulator logged during the whole suite may contain the SK.
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(SK);
  });

  it('pages through a seeded instance with signed requests and records every request', async () => {
    const c = client(emu);
    const pages = [await list(c, INSTANCE, 0, 50), await list(c, INSTANCE, 50, 50), await list(c, INSTANCE, 100, 50)];
    expect(pages.map((p) => p.tasks?.length)).toEqual([50, 50, 20]);
    expect(pages.map((p) => [p.total_number, p.max_tasks, p.quota_tasks, p.httpStatusCode])).toEqual(Array(3).fill([120, 18, 18, 200]));
    expect(pages.flatMap((p) => p.tasks ?? [])).toEqual(tasks); // order kept, every field (incl. quirks) intact
    expect(emu.requests.map(({ instanceId, offset, limit, status }) => ({ instanceId, offset, limit, status }))).toEqual(
      [0, 50, 100].map((offset) => ({ instanceId: INSTANCE, offset, limit: 50, status: 200 })),
    );
    expect(emu.requests.every((r) => r.at instanceof Date)).toBe(true);
    emu.reset();
    expect(emu.requests).toEqual([]);
  });

  it('defaults to offset 0 / limit 10 and uses the given max_tasks / quota_tasks', async () => {
    emu.setInstance('small', makeTasks(12), { max_tasks: 30, quota_tasks: 25 });
    const r = await list(client(emu), 'small');
    expect(r.tasks?.map((t) => t.task_name)).toEqual(makeTasks(10).map((t) => t.task_name));
    expect([r.total_number, r.max_tasks, r.quota_tasks]).toEqual([12, 30, 25]);
    expect(emu.requests[0]).toMatchObject({ offset: null, limit: null, query: '' });
  });

  it.each<[string, ClientOpts, string, number, string]>([
    ['a wrong SK', { sk: 'not-the-secret' }, INSTANCE, 401, 'APIGW.0301'],
    ['an unknown AK', { ak: 'SOMEONEELSE' }, INSTANCE, 401, 'APIGW.0301'],
    ['another project', { projectId: 'ffffffffffffffffffffffffffffffff' }, INSTANCE, 403, 'DMS.00403000'],
    ['an unknown instance', {}, 'no-such-instance', 404, 'DMS.00404022'],
  ])('rejects %s', async (_what, opts, instanceId, status, code) => {
    const e = await rejection(list(client(emu, opts), instanceId, 0, 50));
    expect(e).toBeInstanceOf(ClientRequestException);
    expect([e.httpStatusCode, e.errorCode]).toEqual([status, code]);
    expect(e.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(emu.requests.at(-1)?.status).toBe(status);
  });

  it.each([
    ['limit 51', 0, 51],
    ['limit 0', 0, 0],
    ['limit 2.5', 0, 2.5],
    ['offset -1', -1, 10],
  ])('rejects %s with 400 DMS.00400002', async (_what, offset, limit) => {
    const e = await rejection(list(client(emu), INSTANCE, offset, limit));
    expect([e.httpStatusCode, e.errorCode, e.errorMsg]).toEqual([400, 'DMS.00400002', 'Invalid parameter']);
  });

  it('accepts the limits 1 and 50 and an offset past the end', async () => {
    const c = client(emu);
    expect((await list(c, INSTANCE, 0, 1)).tasks).toHaveLength(1);
    expect((await list(c, INSTANCE, 119, 50)).tasks).toHaveLength(1);
    expect(await list(c, INSTANCE, 500, 50)).toMatchObject({ tasks: [], total_number: 120 });
  });

  it('a 503 status fault surfaces as ServerResponseException and clears itself after `times`', async () => {
    emu.setFault(INSTANCE, { kind: 'status', status: 503, times: 2 });
    const c = client(emu);
    for (let i = 0; i < 2; i++) {
      const e = await rejection(list(c, INSTANCE, 0, 50));
      expect(e).toBeInstanceOf(ServerResponseException);
      expect([e.httpStatusCode, e.errorCode, e.errorMsg]).toEqual([503, 'DMS.00500000', 'Internal error']);
    }
    expect((await list(c, INSTANCE, 0, 50)).tasks).toHaveLength(50);
    expect(emu.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('a status fault with a custom body and headers (throttling) stays until cleared', async () => {
    emu.setFault(INSTANCE, { kind: 'status', status: 429, body: { error_code: 'APIG.0308', error_msg: 'The throttling threshold has been reached' }, headers: { 'retry-after': '2' } });
    const c = client(emu);
    for (let i = 0; i < 3; i++) expect((await rejection(list(c, INSTANCE))).errorCode).toBe('APIG.0308');
    emu.setFault(INSTANCE, null);
    expect((await list(c, INSTANCE)).tasks).toHaveLength(10);
  });

  it('checks are made before faults: a bad signature still gets 401, not the fault', async () => {
    emu.setFault(INSTANCE, { kind: 'status', status: 503 });
    expect((await rejection(list(client(emu, { sk: 'bad' }), INSTANCE))).httpStatusCode).toBe(401);
  });

  it('a not-json fault makes the SDK RESOLVE {httpStatusCode: 200} without `tasks`: callers must treat that as a failure', async () => {
    emu.setFault(INSTANCE, { kind: 'not-json', times: 1 });
    const r = await list(client(emu), INSTANCE, 0, 50);
    // The SDK swallows a non-JSON 200 body: no error, no tasks, no total_number.
    expect(r).toEqual({ httpStatusCode: 200 });
    expect(Array.isArray(r.tasks)).toBe(false);
    expect((await list(client(emu), INSTANCE, 0, 50)).tasks).toHaveLength(50);
  });

  it('a latency fault delays the answer', async () => {
    emu.setFault(INSTANCE, { kind: 'latency', ms: 150 });
    const started = Date.now();
    expect((await list(client(emu), INSTANCE, 0, 5)).tasks).toHaveLength(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('a hang fault is only ended by the client timeout (the SDK has none by default)', async () => {
    emu.setFault(INSTANCE, { kind: 'hang', times: 1 });
    const e = await rejection(list(client(emu, { timeout: 200 }), INSTANCE, 0, 50));
    expect(e.httpStatusCode).toBeUndefined();
    expect(e.errorMsg).toMatch(/timeout/i);
    expect(emu.requests[0]?.status).toBeNull();
    expect((await list(client(emu), INSTANCE, 0, 50)).tasks).toHaveLength(50);
  });

  it('removeInstance makes the instance unknown', async () => {
    emu.setInstance('temp', makeTasks(1));
    expect((await list(client(emu), 'temp')).tasks).toHaveLength(1);
    emu.removeInstance('temp');
    expect((await rejection(list(client(emu), 'temp'))).errorCode).toBe('DMS.00404022');
  });

  it.each([
    ['another API path', 'GET', `/v2/${PROJECT}/instances/${INSTANCE}/connector/tasks/x`],
    ['another method', 'POST', `/v2/${PROJECT}/instances/${INSTANCE}/connector/tasks`],
    ['the root', 'GET', '/'],
  ])('answers 404 APIGW.0101 for %s', async (_what, method, path) => {
    const res = await fetch(`${emu.url}${path}`, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(await res.json()).toEqual({ error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment' });
  });

  it('never echoes the SK, even when a client puts it in the path', async () => {
    const e = await rejection(list(client(emu), SK, 0, 50));
    expect(e.httpStatusCode).toBe(404);
    expect(JSON.stringify(e)).not.toContain(SK);
    expect(logs.join('\n')).toContain('[redacted]');
  });
});

describe('DMS emulator with a security token and a skewed clock', () => {
  const path = `/v2/${PROJECT}/instances/${INSTANCE}/connector/tasks`;
  let emu: DmsEmulator;
  const logs: string[] = [];
  beforeAll(async () => {
    emu = await startDmsEmulator({ credentials: { ak: AK, sk: SK }, projectId: PROJECT, securityToken: TOKEN, log: (l) => logs.push(l) });
    emu.setInstance(INSTANCE, makeTasks(3));
  });
  afterAll(async () => {
    await emu.close();
    expect(logs.join('\n')).not.toContain(TOKEN);
    expect(logs.join('\n')).not.toContain(SK);
  });

  it('accepts the right token', async () => {
    expect((await list(client(emu, { token: TOKEN }), INSTANCE)).tasks).toHaveLength(3);
  });

  it.each([
    ['a missing token', undefined],
    ['a wrong token', 'not-the-token'],
  ])('rejects %s with 401 APIGW.0301', async (_what, token) => {
    const e = await rejection(list(client(emu, token === undefined ? {} : { token }), INSTANCE));
    expect([e.httpStatusCode, e.errorCode]).toEqual([401, 'APIGW.0301']);
    expect(JSON.stringify(e)).not.toContain(TOKEN);
  });

  it('rejects the right token when it is not among the signed headers', async () => {
    const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const host = new URL(emu.url).host;
    const send = ({ host: _host, ...headers }: IncomingHttpHeaders) => fetch(`${emu.url}${path}`, { headers: headers as Record<string, string> });
    const signedWith = sdkSigned({ host, path, query: {}, date, token: TOKEN });
    expect(signedWith.authorization).toContain('x-security-token');
    expect((await send(signedWith)).status).toBe(200);

    const signedWithout = sdkSigned({ host, path, query: {}, date });
    expect(signedWithout.authorization).not.toContain('x-security-token');
    const res = await send({ ...signedWithout, 'x-security-token': TOKEN });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error_code: 'APIGW.0301' });
  });

  it('rejects a request whose X-Sdk-Date is 16 min off the emulator clock', async () => {
    const skewed = await startDmsEmulator({
      credentials: { ak: AK, sk: SK }, projectId: PROJECT, now: () => new Date(Date.now() + 16 * 60_000),
    });
    try {
      skewed.setInstance(INSTANCE, makeTasks(1));
      const e = await rejection(list(client(skewed), INSTANCE));
      expect([e.httpStatusCode, e.errorCode]).toEqual([401, 'APIGW.0301']);
      expect(e.errorMsg).toMatch(/15 minutes/);
    } finally {
      await skewed.close();
    }
  });

  it('close() resolves while a request hangs, and the hanging client gets a network error', async () => {
    const h = await startDmsEmulator({ credentials: { ak: AK, sk: SK }, projectId: PROJECT });
    h.setInstance(INSTANCE, []);
    h.setFault(INSTANCE, { kind: 'hang' });
    const pending = rejection(list(client(h, { timeout: 10_000 }), INSTANCE));
    await vi.waitFor(() => expect(h.requests).toHaveLength(1));
    await h.close();
    const e = await pending;
    expect(e.httpStatusCode).toBeUndefined();
  });
});

describe('DMS emulator: ListInstances through the real SDK (#18)', () => {
  const OTHER = 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf';
  let emu: DmsEmulator;
  const logs: string[] = [];
  type RawInstances = { instances?: { instance_id: string; name: string; connector_enable: boolean }[]; instance_num?: number };
  const instances = async (c: KafkaClient, offset?: number, limit?: number, engine = 'kafka'): Promise<RawInstances> => {
    const r = new ListInstancesRequest().withEngine(engine);
    if (offset !== undefined) r.withOffset(String(offset));
    if (limit !== undefined) r.withLimit(String(limit));
    return (await c.listInstances(r)) as unknown as RawInstances;
  };

  beforeAll(async () => {
    emu = await startDmsEmulator({ credentials: { ak: AK, sk: SK }, projectId: PROJECT, otherProjects: [OTHER], log: (l) => logs.push(l) });
    for (let i = 0; i < 73; i++) emu.setInstance(`inst-${String(i).padStart(3, '0')}`, makeTasks(1), { name: `kafka-${i}`, connector_enable: i % 10 !== 0 });
    emu.setInstance('inst-other', makeTasks(2), { name: 'elsewhere', project_id: OTHER });
  });
  afterAll(async () => {
    await emu.close();
    expect(logs.join('\n')).not.toContain(SK);
  });

  it('pages newest first with instance_num, connector_enable as set, each project its own instances', async () => {
    const c = client(emu);
    const pages = [await instances(c, 0, 50), await instances(c, 50, 50)];
    expect(pages.map((p) => [p.instances?.length, p.instance_num])).toEqual([[50, 73], [23, 73]]);
    const all = pages.flatMap((p) => p.instances ?? []);
    expect(all[0]).toMatchObject({ instance_id: 'inst-072', name: 'kafka-72', connector_enable: true });
    expect(all.filter((i) => !i.connector_enable).map((i) => i.name).sort()).toEqual(['kafka-0', 'kafka-10', 'kafka-20', 'kafka-30', 'kafka-40', 'kafka-50', 'kafka-60', 'kafka-70']);
    const other = await instances(client(emu, { projectId: OTHER }));
    expect(other).toMatchObject({ instance_num: 1, instances: [{ instance_id: 'inst-other', name: 'elsewhere' }] });
    expect(emu.requests.filter((r) => r.listProject !== undefined).map((r) => [r.listProject, r.offset, r.limit])).toEqual([[PROJECT, 0, 50], [PROJECT, 50, 50], [OTHER, null, null]]);
  });

  it.each<[string, ClientOpts, string, number, string]>([
    ['a wrong SK', { sk: 'not-the-secret' }, 'kafka', 401, 'APIGW.0301'],
    ['an unknown project', { projectId: 'ffffffffffffffffffffffffffffffff' }, 'kafka', 403, 'DMS.00403000'],
    ['another engine', {}, 'rabbitmq', 400, 'DMS.00400002'],
  ])('rejects %s', async (_what, opts, engine, status, code) => {
    const e = await rejection(instances(client(emu, opts), 0, 50, engine));
    expect([e.httpStatusCode, e.errorCode]).toEqual([status, code]);
  });

  it('an instance of another project is not found through this one; one with Smart Connect off answers that it is not enabled', async () => {
    const notHere = await rejection(list(client(emu), 'inst-other', 0, 50));
    expect([notHere.httpStatusCode, notHere.errorCode]).toEqual([404, 'DMS.00404022']);
    const off = await rejection(list(client(emu), 'inst-000', 0, 50));
    expect([off.httpStatusCode, off.errorMsg]).toEqual([400, 'Smart Connect is not enabled on this instance.']);
  });

  it('a page fault hits only its offset and clears after `times`', async () => {
    emu.setListFault(PROJECT, { kind: 'status', status: 503, atOffset: 50, times: 1 });
    const c = client(emu);
    expect((await instances(c, 0, 50)).instances).toHaveLength(50);
    const e = await rejection(instances(c, 50, 50));
    expect(e.httpStatusCode).toBe(503);
    expect((await instances(c, 50, 50)).instances).toHaveLength(23);
  });
});
