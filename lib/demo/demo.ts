import fixture from '../../test/fixtures/list-connector-tasks.example.json';
import { runFromEnvironment } from '../app';
import { Change } from '../alerting/change';
import type { Env } from '../config/config';
import type { RunReport } from '../report';
import { changeLine } from '../notify/render';
import { type ChatReceived, startChatReceiver } from './chat-receiver';
import { startDmsEmulator } from './dms-emulator';
import { LOCAL_OBS_ACCESS_KEY, LOCAL_OBS_SECRET_KEY, type LocalObs, startLocalObs } from './local-obs';
import { ANALYTICS, PROD, STAGING, STEPS, type TaskRecord, type World, obsSink } from './demo-steps';
import { type Received, startWebhookReceiver } from './webhook-receiver';

const PROJECT_ID = 'demo0000project0000000000000000';
const WEBHOOK_SECRET = 'whsec_ZGVtby1zZWNyZXQtZm9yLXRoZS1sb2NhbC1yZWNlaXZlcg==';
const FEISHU_SECRET = 'demo-feishu-signing-secret';

export interface DemoIo {
  out(text: string): void;
  /** Registers what to close if the process must end early (Ctrl-C, a closed pipe); returns its removal. */
  onCleanup?(fn: () => Promise<void>): () => void;
  /** Resolves at Ctrl-C: how `--keep` waits. */
  untilInterrupted?(): Promise<void>;
}

/** Waits until `at` (epoch ms) has passed; returns how long it waited. */
async function waitUntil(at: number): Promise<number> {
  const ms = Math.max(0, at - Date.now() + 1);
  await new Promise<void>((resolve) => setTimeout(resolve, ms));
  return ms;
}

/** The port `--keep` asks for first (s3rver's own default), so that the lines to paste stay the same. */
const KEEP_PORT = 4568;

/**
 * The offline demo of `npm start`: every service on loopback, a few runs, what a user would see.
 * With `keep`, the local OBS store stays up afterwards (until Ctrl-C) for the audit commands.
 */
export async function runDemo(io: DemoIo, opts: { keep?: boolean } = {}): Promise<number> {
  const { out } = io;
  const guard = <T extends { close(): Promise<void> }>(service: T): T => {
    io.onCleanup?.(() => service.close());
    return service;
  };
  const obs = guard(opts.keep ? await startLocalObs({ port: KEEP_PORT }).catch(() => startLocalObs()) : await startLocalObs());
  const sk = 'demo-secret-key-never-printed';
  const dms = guard(await startDmsEmulator({ credentials: { ak: LOCAL_OBS_ACCESS_KEY, sk }, projectId: PROJECT_ID }));
  const hook = guard(await startWebhookReceiver({ secret: WEBHOOK_SECRET }));
  const feishu = guard(await startChatReceiver('feishu', { secret: FEISHU_SECRET }));
  try {
    const world: World = {
      prod: (fixture.tasks as TaskRecord[]).map((t) => ({ ...t })),
      analytics: [obsSink(1), obsSink(2)],
      staging: [],
      setStatus(list, name, status) {
        const task = list.find((t) => t.task_name === name);
        if (!task) throw new Error(`demo: no task ${name}`);
        const line = `${name}: ${task.status} → ${status}`;
        task.status = status;
        return line;
      },
      dms,
      hook,
    };
    const env: Env = {
      WATCH_INSTANCES: `prod=${PROD},analytics=${ANALYTICS}`,
      WATCH_REGION: 'cn-north-4',
      WATCH_PROJECT_ID: PROJECT_ID,
      DMS_ENDPOINT: dms.url,
      OBS_ENDPOINT: obs.endpoint,
      OBS_BUCKET: obs.bucket,
      WEBHOOK_URL: hook.url,
      WEBHOOK_SECRET,
      // A Feishu group robot too (signed), to show what people read in their chat.
      WEBHOOKS: JSON.stringify([{ type: 'feishu', name: 'team-feishu', url: feishu.url, secret: FEISHU_SECRET, mention: ['all'] }]),
      CLOUD_SDK_AK: LOCAL_OBS_ACCESS_KEY,
      CLOUD_SDK_SK: sk,
      LOG_LEVEL: 'warn',
    };
    out(`smart-connect-watch demo: DMS emulator ${dms.url}, local OBS ${obs.endpoint} (bucket ${obs.bucket}), webhook and Feishu receivers on 127.0.0.1\n`);
    out('Set WATCH_INSTANCES (see README) to watch your real instances instead.\n');
    const reports: RunReport[] = [];
    for (const [i, step] of STEPS.entries()) {
      if (step.env) Object.assign(env, step.env({ reports, env }));
      const wait = step.waitUntil?.({ reports, env });
      const actions = step.act(world);
      if (step.watch) env.WATCH_INSTANCES = step.watch;
      dms.setInstance(PROD, world.prod, { name: 'prod' });
      dms.setInstance(ANALYTICS, world.analytics, { name: 'analytics' });
      if (world.staging.length > 0) dms.setInstance(STAGING, world.staging, { name: 'staging' });
      // Real time passing is what this step shows: wait for the deadline computed from the last run's time.
      const waitedMs = wait ? await waitUntil(wait.at) : 0;
      const before = hook.received.length;
      const cardsBefore = feishu.received.length;
      const logs: string[] = [];
      const report = await runFromEnvironment(env, { getRequestID: () => `demo-run-${i + 1}` }, { write: (l) => logs.push(l) });
      reports.push(report);
      out(`\n── Run ${i + 1}: ${step.title}\n`);
      if (step.note) out(step.note(env));
      if (wait) out(`   waited ${(waitedMs / 1000).toFixed(1)} s for ${wait.why} to pass since run ${i}\n`);
      for (const a of actions) out(`   cloud: ${a}\n`);
      printMessages(out, hook.received.slice(before));
      printCards(out, feishu.received.slice(cardsBefore), step.fullCard === true);
      printReport(out, report, logs);
    }
    if (!opts.keep) {
      out('\nDone. Every service was local; nothing left running.\n');
      return 0;
    }
    keepRunning(out, obs);
    await io.untilInterrupted?.();
    out('\nStopping: the local OBS store and its files are deleted.\n');
    return 0;
  } finally {
    await Promise.all([dms.close(), hook.close(), feishu.close()]);
    await obs.close();
  }
}

/** What `--keep` prints: the store's address and the exact lines to paste for the audit commands. */
function keepRunning(out: (t: string) => void, obs: LocalObs): void {
  out(`\nDone. The local OBS store is still running at ${obs.endpoint}, with this demo's history and state.json.\n`);
  out('To read it with the audit commands, paste these lines into another terminal (in this directory):\n\n');
  // s3rver knows one key pair and never checks the secret: these are not credentials of anything else.
  for (const [name, value] of [
    ['OBS_ENDPOINT', obs.endpoint],
    ['OBS_BUCKET', obs.bucket],
    ['OBS_PREFIX', 'smart-connect-watch/'],
    ['CLOUD_SDK_AK', LOCAL_OBS_ACCESS_KEY],
    ['CLOUD_SDK_SK', LOCAL_OBS_SECRET_KEY],
  ]) out(`export ${name}=${value}\n`);
  out('\nthen: node dist/cli.js history    (or show latest, verify, diff, report --html report.html)\n');
  out(`Press Ctrl-C here to stop the store; its files (${obs.directory}) are deleted.\n`);
}

function printMessages(out: (t: string) => void, received: Received[]): void {
  if (received.length === 0) out('   webhook: no request\n');
  for (const r of received) {
    const changes = ((r.json as { changes?: unknown[] } | undefined)?.changes ?? []).map((c) => Change.parse(c));
    const verdict = r.answered < 300 ? 'delivered' : `answered HTTP ${r.answered}`;
    out(`   webhook: POST webhook-id ${r.headers['webhook-id']}, signature ${r.signature}, ${changes.length} change(s), ${verdict}\n`);
    if (r.answered < 300) for (const c of changes) out(`      ${changeLine(c)}\n`);
  }
}

interface DemoCard {
  header: { template: string; title: { content: string } };
  elements: { tag: string; content?: string; elements?: { content: string }[] }[];
}

/** What the Feishu group shows: one line per card, and one card in full, as text. */
function printCards(out: (t: string) => void, received: ChatReceived[], full: boolean): void {
  if (received.length === 0) out('   feishu: no card\n');
  for (const r of received) {
    const card = (r.json as { card?: DemoCard } | undefined)?.card;
    const verdict = r.accepted ? 'shown in the group' : `refused (HTTP ${r.status})`;
    out(`   feishu: card "${card?.header.title.content ?? '?'}", signature ${r.signature}, ${verdict}\n`);
    if (!full || !card) continue;
    out(`      ┌─ ${card.header.title.content}  (${card.header.template} header)\n`);
    for (const e of card.elements) {
      const texts = e.tag === 'markdown' ? (e.content ?? '').split('\n') : (e.elements ?? []).map((x) => x.content);
      for (const t of texts) out(`      │ ${t.replace(/\*\*/g, '').replace(/<at id=all><\/at>/g, '@all').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')}\n`);
    }
    out('      └─\n');
  }
}

function printReport(out: (t: string) => void, r: RunReport, logs: string[]): void {
  out(
    `   report: ${r.instances.ok}/${r.instances.total} instances listed, ${r.tasks} tasks, ${r.changes} change(s), ` +
      `messages delivered ${r.messages.delivered} / pending ${r.messages.pending} / expired ${r.messages.expired}, ${r.duration_ms} ms\n`,
  );
  out(`   history: ${r.history_key ?? '(unchanged: none written)'}\n`);
  for (const e of r.errors) out(`   error: ${e}\n`);
  out(`   logs: ${logs.length} JSON line(s) at warn or above\n`);
}
