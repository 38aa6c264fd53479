import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Invocation, fixtureTasks, generatedTasks, startHarness } from './support/harness';

const PROD = 'inst-prod-0001';
const BULK = 'inst-bulk-0002';

/**
 * Every scenario, with LOG_LEVEL=debug: no secret key, security token, webhook secret or URL token
 * may reach stdout, stderr, a thrown error or the run report.
 */
describe('no secret reaches any output', () => {
  let h: Harness;
  const outputs: { name: string; text: string }[] = [];
  const secretValues = () => [h.secrets.sk, h.secrets.token, h.secrets.webhookSecret, h.secrets.urlToken, new URL(h.hook.url).pathname.split('/').pop()!];
  const record = (name: string, inv: Invocation) => {
    const text = [inv.stdout, inv.stderr, inv.error?.message ?? '', inv.error?.stack ?? '', JSON.stringify(inv.report ?? null)].join('\n');
    outputs.push({ name, text });
    return inv;
  };

  beforeAll(async () => {
    h = await startHarness();
    h.dms.setInstance(PROD, fixtureTasks());
    h.dms.setInstance(BULK, generatedTasks(60));
  });
  afterAll(async () => h?.close());

  const scenarios: [string, () => Promise<void>][] = [
    ['baseline', async () => void record('baseline', await h.invoke())],
    ['a change delivered', async () => {
      h.dms.setInstance(PROD, fixtureTasks().map((t) => ({ ...t, status: 'PAUSED' })));
      const inv = record('delivered', await h.invoke());
      expect(inv.report?.messages.delivered).toBe(1);
    }],
    ['DMS rejects the signature (the SDK would log the request headers)', async () => {
      const inv = record('wrong sk', await h.invoke({}, { getSecuritySecretKey: () => `${h.secrets.sk}-rotated` }));
      expect(inv.report?.errors.join('\n')).toContain('APIGW.0301');
    }],
    ['DMS answers 5xx and a non-JSON 200', async () => {
      h.dms.setFault(PROD, { kind: 'status', status: 500 });
      h.dms.setFault(BULK, { kind: 'not-json' });
      const inv = record('dms faults', await h.invoke());
      expect(inv.report?.instances.failed).toBe(2);
      h.dms.setFault(PROD, null);
      h.dms.setFault(BULK, null);
    }],
    ['the webhook rejects and fails', async () => {
      h.hook.respondWith({ status: 401, body: { error: 'bad token' } });
      h.dms.setInstance(PROD, fixtureTasks());
      const inv = record('webhook 401', await h.invoke());
      expect(inv.report?.messages.pending).toBe(1);
      h.hook.respondWith({ status: 500 }, { status: 500 }, { status: 500 });
      record('webhook 500', await h.invoke());
    }],
    ['the webhook is unreachable', async () => {
      h.dms.setInstance(PROD, fixtureTasks().map((t) => ({ ...t, status: 'FAILED' })));
      const inv = record('webhook down', await h.invoke({ WEBHOOK_URL: `http://127.0.0.1:1/hook/${h.secrets.urlToken}` }));
      expect(inv.report?.errors.join('\n')).toContain('network error');
    }],
    ['credentials from CLOUD_SDK_* outside FunctionGraph', async () => {
      const inv = record('env credentials', await h.invoke(
        { CLOUD_SDK_AK: 'S3RVER', CLOUD_SDK_SK: h.secrets.sk, CLOUD_SDK_SECURITY_TOKEN: h.secrets.token },
        { getSecurityAccessKey: () => undefined, getSecuritySecretKey: () => undefined, getSecurityToken: () => undefined },
      ));
      expect(inv.error).toBeUndefined();
    }],
    ['bad configuration holding secrets', async () => {
      const broken = `[{"type":"generic","url":"${h.hook.url}?access_token=${h.secrets.urlToken}","secret":"${h.secrets.webhookSecret}",`;
      const unknownType = `[{"type":"pager","url":"${h.hook.url}","secret":"${h.secrets.webhookSecret}"}]`;
      const badUrl = `[{"type":"generic","url":"ftp://${h.secrets.urlToken}","secret":"${h.secrets.webhookSecret}"}]`;
      // Issue #14.4's messages: a secret pasted as a key, an entry, an event, a region or a number.
      const secretKey = `[{"type":"generic","url":"${h.hook.url}","${h.secrets.webhookSecret}":true}]`;
      const secretItems = `["${h.secrets.urlToken}",{"type":"generic","url":"${h.hook.url}","events":["${h.secrets.webhookSecret}"],"mention":["${h.secrets.sk}",""]}]`;
      for (const WEBHOOKS of [broken, unknownType, badUrl, secretKey, secretItems]) {
        const inv = record('bad config', await h.invoke({ WEBHOOKS, WEBHOOK_URL: undefined }));
        expect(inv.error?.name).toBe('ConfigError');
      }
      const misplaced = record('bad config', await h.invoke({ DMS_ENDPOINT: undefined, WATCH_REGION: h.secrets.token, CONCURRENCY: h.secrets.sk, OUTBOX_MAX_AGE: h.secrets.urlToken }));
      expect(misplaced.error?.message).toMatch(/WATCH_REGION is not a region.*OUTBOX_MAX_AGE must be.*CONCURRENCY must be/);
    }],
    ['OBS rejects: a missing bucket', async () => {
      const inv = record('no bucket', await h.invoke({ OBS_BUCKET: 'no-such-bucket' }));
      expect(inv.error?.message).toContain('no-such-bucket');
    }],
    ['a corrupt state.json', async () => {
      await h.putObject('smart-connect-watch/state.json', `{"secretless": "but broken"`);
      const inv = record('corrupt state', await h.invoke());
      expect(inv.report?.state_reset).toBe(true);
    }],
  ];

  it.each(scenarios)('%s', async (_name, run) => {
    const from = outputs.length;
    await run();
    const mine = outputs.slice(from);
    expect(mine.length).toBeGreaterThan(0);
    for (const { text } of mine) {
      // The capture is real: the product's own log lines are in it.
      expect(text).toMatch(/"level":"(info|debug|error)"/);
      for (const secret of secretValues()) expect(text).not.toContain(secret);
    }
  });

  it('covered every scenario (some invoke the handler more than once)', () => {
    expect(outputs.length).toBe(scenarios.length + 6);
  });
});

describe('control: the Kafka SDK leaks secrets when it is not silenced', () => {
  it('logs the security token of a rejected request to stdout', async () => {
    // The unbundled SDK from node_modules, without the product's silencing (this file never imports lib/dms-source).
    const req = createRequire(__filename);
    const { KafkaClient, ListConnectorTasksRequest } = req('@huaweicloud/huaweicloud-sdk-kafka');
    const { BasicCredentials } = req('@huaweicloud/huaweicloud-sdk-core');
    const h = await startHarness({ channel: false });
    const captured: string[] = [];
    const original = process.stdout.write;
    process.stdout.write = ((chunk: string) => (captured.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      const client = KafkaClient.newBuilder()
        .withCredential(new BasicCredentials().withAk('S3RVER').withSk('wrong').withSecurityToken(h.secrets.token).withProjectId(h.projectId))
        .withEndpoint(h.dms.url)
        .build();
      await expect(client.listConnectorTasks(new ListConnectorTasksRequest().withInstanceId('x').withLimit(50))).rejects.toMatchObject({ httpStatusCode: 401 });
    } finally {
      process.stdout.write = original;
      await h.close();
    }
    expect(captured.join('')).toContain(h.secrets.token);
  });
});
