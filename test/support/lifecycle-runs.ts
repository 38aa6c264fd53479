import { expect } from 'vitest';
import { Change } from '../../lib/alerting/change';
import type { RunReport } from '../../lib/report';
import { Snapshot } from '../../lib/store/snapshot';
import { State } from '../../lib/store/state';
import { type Harness, type TaskRecord, generatedTasks, leakedSecrets, startHarness } from './harness';
import { type ObsFaultProxy, startObsFaultProxy } from './obs-fault-proxy';

/**
 * Runs of the built handler for the alert lifecycle (DESIGN.md §10) with real time passing: each
 * scenario has its own OBS prefix (a fresh state), one instance of tasks `lc-dump-0…`, the generic
 * webhook receiver, and OBS through a recording proxy (to count what a run reads and writes).
 */

export const PROD = 'inst-prod-0001';
export const BULK = 'inst-bulk-0002';

export interface LifecycleRun {
  report: RunReport;
  /** The messages received during the run, each as `kind:task→to` labels. */
  messages: string[][];
  /** The changes received, as they arrived. */
  changes: Change[];
  /** webhook-id of each message received. */
  ids: string[];
  /** OBS requests of the run, `METHOD key-without-prefix`. */
  obs: string[];
  /** The history object the run wrote, if any. */
  history: Snapshot | null;
}

export const label = (c: Pick<Change, 'kind' | 'task_name' | 'instance_name' | 'to'>) => `${c.kind}:${c.task_name ?? c.instance_name}${c.to !== null ? `→${c.to}` : ''}`;

export interface Runs {
  h: Harness;
  obs: ObsFaultProxy;
  /** The OBS prefix of the current scenario (`lc-N/`). */
  readonly prefix: string;
  /** Starts a scenario: a fresh prefix, `tasks` published on PROD (statuses by index), only PROD watched. */
  scenario(statuses: string[], env?: Record<string, string>): void;
  /** Sets the statuses of PROD's tasks (by index) in the emulator. */
  set(statuses: string[], instance?: string): void;
  run(env?: Record<string, string>): Promise<LifecycleRun>;
  state(): Promise<State>;
  putState(text: string): Promise<void>;
  close(): Promise<void>;
}

/** Env of every scenario: the lifecycle off except what the scenario turns on. */
const OFF = { NOTIFY_AFTER: '0s', REMIND_EVERY: 'off', FLAP_THRESHOLD: '0', FLAP_WINDOW: '1h' };

export async function startRuns(): Promise<Runs> {
  const h = await startHarness();
  const obs = await startObsFaultProxy(h.obs.endpoint);
  let n = 0;
  let prefix = '';
  let env: Record<string, string> = {};
  const lists = new Map<string, TaskRecord[]>();
  const set = (statuses: string[], instance = PROD) => {
    const list = lists.get(instance) ?? generatedTasks(statuses.length, instance === PROD ? 'lc' : 'lcb');
    statuses.forEach((s, i) => (list[i]!.status = s));
    lists.set(instance, list);
    h.dms.setInstance(instance, list);
  };
  return {
    h,
    obs,
    get prefix() {
      return prefix;
    },
    scenario(statuses, scenarioEnv = {}) {
      prefix = `lc-${++n}/`;
      env = { ...OFF, WATCH_INSTANCES: `prod=${PROD}`, ...scenarioEnv };
      lists.clear();
      h.dms.setInstance(BULK, []);
      set(statuses);
    },
    set,
    async run(extra = {}) {
      const received = h.hook.received.length;
      const requests = obs.requests.length;
      const inv = await h.invoke({ OBS_ENDPOINT: obs.url, OBS_PREFIX: prefix, ...env, ...extra });
      expect(inv.error).toBeUndefined();
      expect(leakedSecrets(h, inv)).toEqual([]);
      const got = h.hook.received.slice(received);
      for (const r of got) expect(r.signature).toBe('valid');
      const bodies = got.map((r) => (r.json as { changes: unknown[] }).changes.map((c) => Change.parse(c)));
      const report = inv.report!;
      const history = report.history_key ? Snapshot.parse(JSON.parse((await h.getObject(report.history_key))!)) : null;
      return {
        report,
        messages: bodies.map((b) => b.map(label)),
        changes: bodies.flat(),
        ids: got.map((r) => r.headers['webhook-id']!),
        obs: obs.requests.slice(requests).map((r) => `${r.method} ${r.key.startsWith(prefix) ? r.key.slice(prefix.length) : r.key}`),
        history,
      };
    },
    async state() {
      return State.parse(JSON.parse((await h.getObject(`${prefix}state.json`))!));
    },
    async putState(text) {
      await h.putObject(`${prefix}state.json`, text);
    },
    async close() {
      await obs.close();
      await h.close();
    },
  };
}

/** Waits until the wall clock reaches `ms` (a deadline computed from recorded times): that time passing is what is tested. */
export async function until(ms: number): Promise<void> {
  const wait = ms - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/** `detected_at` (epoch ms) of the recorded change of `kind` in a run's history object. */
export function recordedAt(run: LifecycleRun, kind: string): number {
  const c = run.history?.changes.find((x) => x.kind === kind);
  if (!c) throw new Error(`no ${kind} recorded in ${run.report.history_key}`);
  return Date.parse(c.detected_at);
}

/**
 * After the run that started at `sentAt` sent something: a run before `sentAt + everyMs` sends nothing and
 * writes no history object; one at that deadline sends `reminder` (REMIND_EVERY = `everyMs`).
 */
export async function expectQuietThenReminder(r: Runs, sentAt: number, everyMs: number, reminder: string[][]): Promise<void> {
  const soon = await r.run();
  expect(Date.parse(soon.report.started_at)).toBeLessThan(sentAt + everyMs);
  expect(soon.messages).toEqual([]);
  expect(soon.history).toBeNull();
  await until(sentAt + everyMs);
  expect((await r.run()).messages).toEqual(reminder);
}
