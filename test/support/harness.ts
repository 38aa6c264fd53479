import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import ObsClient from 'esdk-obs-nodejs';
import { type DmsEmulator, startDmsEmulator } from '../../lib/demo/dms-emulator';
import { LOCAL_OBS_ACCESS_KEY, type LocalObs, startLocalObs } from '../../lib/demo/local-obs';
import { type WebhookReceiver, startWebhookReceiver } from '../../lib/demo/webhook-receiver';
import type { RunReport } from '../../lib/report';
import fixture from '../fixtures/list-connector-tasks.example.json';

export type TaskRecord = Record<string, unknown> & { id: string; task_name: string; status: string };

/** The secrets of a harness: none of them may ever appear in output. */
export interface Secrets {
  sk: string;
  token: string;
  webhookSecret: string;
  urlToken: string;
}

export interface Invocation {
  report: RunReport | undefined;
  error: Error | undefined;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (every line must parse). */
  logs: Record<string, unknown>[];
}

export interface Harness {
  dms: DmsEmulator;
  obs: LocalObs;
  hook: WebhookReceiver;
  secrets: Secrets;
  projectId: string;
  env: Record<string, string>;
  /** Calls the built dist/index.js handler as FunctionGraph does, capturing stdout and stderr. */
  invoke(extraEnv?: Record<string, string | undefined>, contextOverrides?: Record<string, () => unknown>): Promise<Invocation>;
  getObject(key: string): Promise<string | undefined>;
  putObject(key: string, body: string): Promise<void>;
  listKeys(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

const requireBundle = createRequire(__filename);

export const TIMER_EVENT = {
  version: 'v1.0',
  time: '2026-11-21T08:30:00+08:00',
  trigger_type: 'TIMER',
  trigger_name: 'every-5-minutes',
  user_event: '',
};

/**
 * The default time budget of an invocation: not a round number, as FunctionGraph's remaining time
 * never is (a round budget once hid every delivery failing at timeouts under two minutes).
 */
export const DEFAULT_BUDGET_MS = 59_873;

/** `getRemainingTimeInMilliSeconds` as FunctionGraph gives it: whole ms, shrinking as the run goes on. */
export function shrinkingBudget(budgetMs: number): () => number {
  const started = Date.now();
  return () => Math.max(0, budgetMs - (Date.now() - started));
}

export function fixtureTasks(): TaskRecord[] {
  return structuredClone(fixture.tasks) as TaskRecord[];
}

export function generatedTasks(n: number, prefix = 'bulk'): TaskRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    ...(structuredClone(fixture.tasks[1]) as Record<string, unknown>),
    id: `${prefix}-${String(i).padStart(4, '0')}-0000-0000-000000000000`,
    task_name: `${prefix}-dump-${i}`,
    status: 'RUNNING',
  }));
}

export async function startHarness(opts: { channel?: boolean; otherProjects?: string[] } = {}): Promise<Harness> {
  const secrets: Secrets = {
    sk: `SK-${randomBytes(12).toString('hex')}`,
    token: `TOKEN-${randomBytes(24).toString('hex')}`,
    webhookSecret: `whsec_${randomBytes(24).toString('base64')}`,
    urlToken: `qtok${randomBytes(10).toString('hex')}`,
  };
  const projectId = '0b5f2c9e8d7a4c3b9e1f6a2d4c8b7e01';
  const [dms, obs, hook] = await Promise.all([
    startDmsEmulator({ credentials: { ak: LOCAL_OBS_ACCESS_KEY, sk: secrets.sk }, projectId, securityToken: secrets.token, otherProjects: opts.otherProjects }),
    startLocalObs(),
    startWebhookReceiver({ secret: secrets.webhookSecret }),
  ]);
  const env: Record<string, string> = {
    WATCH_INSTANCES: 'prod=inst-prod-0001,bulk=inst-bulk-0002',
    WATCH_REGION: 'cn-north-4',
    DMS_ENDPOINT: dms.url,
    OBS_ENDPOINT: obs.endpoint,
    OBS_BUCKET: obs.bucket,
    LOG_LEVEL: 'debug',
    ...(opts.channel === false
      ? {}
      : { WEBHOOK_URL: `${hook.url}?access_token=${secrets.urlToken}`, WEBHOOK_SECRET: secrets.webhookSecret }),
  };
  const context = {
    getRequestID: () => `req-${randomBytes(4).toString('hex')}`,
    getSecurityAccessKey: () => LOCAL_OBS_ACCESS_KEY,
    getSecuritySecretKey: () => secrets.sk,
    getSecurityToken: () => secrets.token,
    getProjectID: () => projectId,
    getUserData: () => undefined,
    getFunctionName: () => 'smart-connect-watch',
    getLogger: () => console,
  };
  const client = new ObsClient({ access_key_id: LOCAL_OBS_ACCESS_KEY, secret_access_key: 'S3RVER', server: obs.endpoint });
  await new Promise((r) => setImmediate(r));

  const harness: Harness = {
    dms,
    obs,
    hook,
    secrets,
    projectId,
    env,
    async invoke(extraEnv = {}, contextOverrides = {}) {
      const { handler } = requireBundle(join(__dirname, '../../dist/index.js')) as {
        handler: (event: unknown, ctx: unknown) => Promise<RunReport>;
      };
      const saved = { ...process.env };
      const out: string[] = [];
      const err: string[] = [];
      const { write: stdoutWrite } = process.stdout;
      const { write: stderrWrite } = process.stderr;
      const capture = (sink: string[]) => ((chunk: string | Uint8Array) => {
        sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      }) as typeof process.stdout.write;
      for (const key of Object.keys(process.env)) if (/^(WATCH_|OBS_|DMS_|WEBHOOK|NOTIFY_|CLOUD_SDK_|LOG_LEVEL|OUTBOX_|CONCURRENCY)/.test(key)) delete process.env[key];
      for (const [k, v] of Object.entries({ ...env, ...extraEnv })) if (v !== undefined) process.env[k] = v;
      process.stdout.write = capture(out);
      process.stderr.write = capture(err);
      let report: RunReport | undefined;
      let error: Error | undefined;
      try {
        report = await handler(TIMER_EVENT, { ...context, getRemainingTimeInMilliSeconds: shrinkingBudget(DEFAULT_BUDGET_MS), ...contextOverrides });
      } catch (e) {
        error = e as Error;
      } finally {
        process.stdout.write = stdoutWrite;
        process.stderr.write = stderrWrite;
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
      }
      const stdout = out.join('');
      const logs = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      return { report, error, stdout, stderr: err.join(''), logs };
    },
    async getObject(key) {
      const r = await client.getObject({ Bucket: obs.bucket, Key: key });
      if (r.CommonMsg.Status === 404) return undefined;
      if (!r.InterfaceResult) throw new Error(`getObject ${key}: ${r.CommonMsg.Status} ${r.CommonMsg.Code}`);
      return r.InterfaceResult.Content;
    },
    async putObject(key, body) {
      const r = await client.putObject({ Bucket: obs.bucket, Key: key, Body: body });
      if (r.CommonMsg.Status >= 300) throw new Error(`putObject ${key}: ${r.CommonMsg.Status}`);
    },
    async listKeys(prefix) {
      const keys: string[] = [];
      let marker: string | undefined;
      for (;;) {
        const r = await client.listObjects({ Bucket: obs.bucket, Prefix: prefix, MaxKeys: 1000, ...(marker ? { Marker: marker } : {}) });
        const contents = r.InterfaceResult?.Contents ?? [];
        keys.push(...contents.map((c) => c.Key));
        if (r.InterfaceResult?.IsTruncated !== 'true' || contents.length === 0) return keys.sort();
        marker = contents.at(-1)?.Key;
      }
    },
    async close() {
      client.close();
      await Promise.all([dms.close(), hook.close()]);
      await obs.close();
    },
  };
  return harness;
}

/** The harness secrets (and the webhook URL's path token) found in an invocation's output, report or error. */
export function leakedSecrets(h: Harness, inv: Invocation): string[] {
  const text = [inv.stdout, inv.stderr, inv.error?.message ?? '', inv.error?.stack ?? '', JSON.stringify(inv.report ?? null)].join('\n');
  const values = [h.secrets.sk, h.secrets.token, h.secrets.webhookSecret, h.secrets.urlToken, new URL(h.hook.url).pathname.split('/').pop()!];
  return values.filter((v) => text.includes(v));
}
