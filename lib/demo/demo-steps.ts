import fixture from '../../test/fixtures/list-connector-tasks.example.json';
import type { Env } from '../config/config';
import type { RunReport } from '../report';
import { idTime } from '../store/snapshot-id';
import type { startDmsEmulator } from './dms-emulator';
import type { startWebhookReceiver } from './webhook-receiver';

export type TaskRecord = Record<string, unknown> & { id: string; task_name: string; status: string };

export const PROD = '59f6d088-demo-4a1b-9c3e-prod00000001';
export const ANALYTICS = '7c2e11aa-demo-4f0d-8b6a-analytics0001';
export const STAGING = '3b9d5e21-demo-4c7a-9e2f-staging00001';

/** The emulated cloud the steps change between runs. */
export interface World {
  prod: TaskRecord[];
  analytics: TaskRecord[];
  staging: TaskRecord[];
  setStatus(list: TaskRecord[], name: string, status: string): string;
  dms: Awaited<ReturnType<typeof startDmsEmulator>>;
  hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
}

/** What a step may read of the runs before it. */
export interface Past {
  reports: readonly RunReport[];
  /** The variables of the run before this step: the lifecycle's durations, e.g. */
  env: Env;
}

export interface Step {
  title: string;
  /** WATCH_INSTANCES from this run on. */
  watch?: string;
  /** Variables set from this run on, computed from the runs before (the lifecycle's short durations). */
  env?(past: Past): Env;
  /** Real time that must pass before this run (a REMIND_EVERY or FLAP_WINDOW), as a deadline (epoch ms) and why. */
  waitUntil?(past: Past): { at: number; why: string };
  /** Printed once before the run, e.g. which variables the demo shortened. */
  note?(env: Env): string;
  /** What changes in the emulated cloud before this run. */
  act(world: World): string[];
  /** The run whose Feishu card the demo prints in full. */
  fullCard?: boolean;
}

export const obsSink = (n: number, status = 'RUNNING'): TaskRecord => ({
  ...(fixture.tasks[1] as Record<string, unknown>),
  id: `a11ce5${n}0-demo-4e5f-9a0b-0000000000${n}0`,
  task_name: `orders-dump-${n}`,
  status,
});

const FLAPPER = 'smart-connect-121248117';
/** Tasks whose status the first six runs leave alone: their status changes in the lifecycle runs are the only ones in FLAP_WINDOW. */
const STEADY = 'smart-connect-1571576841';
const BOUNCER = 'orders-dump-5';

/** When the newest run took its snapshot: its changes' time, from which REMIND_EVERY and FLAP_WINDOW are measured. */
function lastRunAt(past: Past): number {
  const last = past.reports.at(-1);
  return (last && idTime(last.snapshot_id)?.getTime()) ?? Date.now();
}

const seconds = (value: string | undefined): number => Number(/^(\d+)s$/.exec(value ?? '')?.[1] ?? Number.NaN) * 1000;

/**
 * DESIGN.md §10 in seconds: REMIND_EVERY=2s, FLAP_THRESHOLD=3 and a FLAP_WINDOW that holds three runs
 * of this machine with room to spare (at least 6 s: four times the slowest run so far, plus 2 s), so
 * that a task bouncing over three consecutive runs is flapping here, as it would be over minutes.
 */
function lifecycleEnv(past: Past): Env {
  const slowest = Math.max(0, ...past.reports.map((r) => r.duration_ms));
  const window = Math.max(6, Math.ceil((4 * slowest) / 1000) + 2);
  return { REMIND_EVERY: '2s', NOTIFY_AFTER: '0s', FLAP_THRESHOLD: '3', FLAP_WINDOW: `${window}s` };
}

export const STEPS: Step[] = [
  { title: 'first run: records the baseline, sends nothing (NOTIFY_FIRST_RUN=false)', act: () => [] },
  {
    title: 'a task is paused, one fails, one is created',
    fullCard: true,
    act: (w) => {
      w.analytics.push(obsSink(3, 'CREATING'));
      return [w.setStatus(w.prod, 'smart-connect-1', 'PAUSED'), w.setStatus(w.prod, FLAPPER, 'FAILED'), 'analytics: new task orders-dump-3 (CREATING)'];
    },
  },
  {
    title: 'the analytics instance answers 503 and the webhook is down',
    act: (w) => {
      w.dms.setFault(ANALYTICS, { kind: 'status', status: 503 });
      w.hook.respondWith({ status: 503 }, { status: 503 }, { status: 503 });
      return [w.setStatus(w.prod, 'smart-connect-1', 'RUNNING'), 'analytics: every request answers HTTP 503', 'webhook: answers HTTP 503'];
    },
  },
  {
    title: 'everything recovers: the pending message goes out first, with its original webhook-id',
    act: (w) => {
      w.dms.setFault(ANALYTICS, null);
      w.analytics.splice(0, 1);
      return [w.setStatus(w.prod, FLAPPER, 'RUNNING'), 'analytics: reachable again; orders-dump-1 was deleted meanwhile', 'webhook: back up'];
    },
  },
  {
    title: 'discovery (WATCH_INSTANCES=prod=…,*): a new instance appears, analytics turns Smart Connect off',
    watch: `prod=${PROD},*`,
    act: (w) => {
      w.staging.push(obsSink(4), obsSink(5));
      w.dms.setInstance(STAGING, w.staging, { name: 'staging' });
      w.dms.setInstance(ANALYTICS, w.analytics, { connector_enable: false });
      return ['staging: new instance, Smart Connect on, tasks orders-dump-4 and orders-dump-5', 'analytics: Smart Connect turned off'];
    },
  },
  { title: 'a quiet run: nothing changed, so no message and no history object', act: () => [] },
  {
    title: 'alert lifecycle: two tasks fail',
    env: lifecycleEnv,
    note: (env) =>
      `   From here on this demo uses REMIND_EVERY=${env.REMIND_EVERY}, FLAP_THRESHOLD=${env.FLAP_THRESHOLD}, FLAP_WINDOW=${env.FLAP_WINDOW} ` +
      '(defaults 4h, 4, 1h) so that reminders and flapping show in seconds.\n',
    act: (w) => [w.setStatus(w.prod, STEADY, 'FAILED'), `staging: ${w.setStatus(w.staging, 'orders-dump-4', 'FAILED')}`],
  },
  {
    title: 'REMIND_EVERY has passed and both are still failing: one message reminds of both (still_failing)',
    fullCard: true,
    waitUntil: (past) => ({ at: lastRunAt(past) + seconds(past.env.REMIND_EVERY), why: `REMIND_EVERY=${past.env.REMIND_EVERY}` }),
    act: () => [],
  },
  {
    title: 'both recover (their failures were sent, so the recoveries are too); another task fails',
    act: (w) => [w.setStatus(w.prod, STEADY, 'RUNNING'), ...[w.setStatus(w.staging, 'orders-dump-4', 'RUNNING'), w.setStatus(w.staging, BOUNCER, 'FAILED')].map((a) => `staging: ${a}`)],
  },
  { title: 'it is RUNNING again', act: (w) => [`staging: ${w.setStatus(w.staging, BOUNCER, 'RUNNING')}`] },
  {
    title: 'and FAILED again: a third status change within FLAP_WINDOW, so one flapping is sent instead',
    act: (w) => [`staging: ${w.setStatus(w.staging, BOUNCER, 'FAILED')}`],
  },
  { title: 'while flapping its status changes are recorded, not sent', act: (w) => [`staging: ${w.setStatus(w.staging, BOUNCER, 'RUNNING')}`] },
  {
    title: 'no status change for FLAP_WINDOW: stable again (flapping_ended)',
    waitUntil: (past) => ({ at: lastRunAt(past) + seconds(past.env.FLAP_WINDOW), why: `FLAP_WINDOW=${past.env.FLAP_WINDOW}` }),
    act: () => [],
  },
];
