import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../lib/alerting/change';
import { releaseId } from '../lib/alerting/quiet-hold';
import { LOCAL_OBS_ACCESS_KEY } from '../lib/demo/local-obs';
import { State } from '../lib/store/state';
import { type Harness, type Invocation, fixtureTasks, leakedSecrets, startHarness } from './support/harness';

// Issue #20 item 3, DESIGN.md §11: quiet hours through the built bundle, which reads the real clock.
// The window is chosen from the current minute in Asia/Shanghai: from = now + 2 min, to = now + 1 min,
// so that it runs through local midnight (from > to) and leaves out only the next minute. Runs 1–2 are
// inside it; the test then polls the clock until that minute comes (at most ~60 s: the one slow case
// of this file) and runs outside it. The midnight crossing at a fixed clock is in quiet-hold.test.ts.

const PROD = 'inst-prod-0001';
const ZONE = 'Asia/Shanghai';
const CLI_SK = 'sk-of-the-quiet-hours-test-0001';

interface Body {
  type: string;
  id: string;
  snapshot_id: string;
  changes: Change[];
}

const shanghai = (ms: number) => {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return { minute: p.hour! * 60 + p.minute!, second: p.second! };
};
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
/** Polls the clock (every 100 ms) until `done` holds; gives up after `limitMs`. */
async function until(done: () => boolean, limitMs: number): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > limitMs) throw new Error(`the clock did not get there in ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('quiet hours on a generic channel, across midnight in Asia/Shanghai', () => {
  let h: Harness;
  let cwd: string;
  let env: Record<string, string | undefined>;
  let outsideMinute = 0;
  const prefix = 'quiet-hours/';
  const run = async (): Promise<Invocation> => {
    const inv = await h.invoke(env);
    expect(leakedSecrets(h, inv)).toEqual([]);
    expect(inv.error).toBeUndefined();
    return inv;
  };
  /** The official Standard Webhooks verifier (not our signer) accepts the request, or throws. */
  const verified = (r: Harness['hook']['received'][number]) => new Webhook(h.secrets.webhookSecret).verify(r.body, r.headers) as Body;
  const readState = async () => State.parse(JSON.parse((await h.getObject(`${prefix}state.json`))!));
  const status = (): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((done) => {
      const cliEnv = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: h.obs.endpoint, OBS_BUCKET: h.obs.bucket, OBS_PREFIX: prefix, CLOUD_SDK_AK: LOCAL_OBS_ACCESS_KEY, CLOUD_SDK_SK: CLI_SK };
      execFile(process.execPath, [join(cwd, 'smart-connect-watch.js'), 'status', '--json'], { cwd, env: cliEnv, timeout: 30_000 }, (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });

  beforeAll(async () => {
    h = await startHarness();
    cwd = await mkdtemp(join(tmpdir(), 'scw-quiet-'));
    await copyFile(resolve(__dirname, '../dist/cli.js'), join(cwd, 'smart-connect-watch.js'));
  });
  afterAll(async () => {
    await h?.close();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('holds a warning and a recovery, sends a critical at once, then sends what it held after the window under a stable id', async () => {
    const tasks = fixtureTasks();
    h.dms.setInstance(PROD, tasks);
    h.dms.setInstance('inst-bulk-0002', []);
    // Room for two runs inside the window: start early in a minute, and not in the minute whose window would not cross midnight.
    await until(() => shanghai(Date.now()).second <= 45 && shanghai(Date.now()).minute !== 1438, 30_000);
    const now = shanghai(Date.now()).minute;
    outsideMinute = (now + 1) % 1440;
    const quiet = { from: hhmm((now + 2) % 1440), to: hhmm(outsideMinute), time_zone: ZONE };
    expect(quiet.from > quiet.to).toBe(true); // across local midnight
    const url = `${h.hook.url}?access_token=${h.secrets.urlToken}`;
    env = { OBS_PREFIX: prefix, WEBHOOK_URL: undefined, WEBHOOK_SECRET: undefined, WEBHOOKS: JSON.stringify([{ type: 'generic', name: 'oncall', url, secret: h.secrets.webhookSecret, quiet_hours: quiet }]) };
    await run(); // the baseline: nothing sent
    expect(h.hook.received).toHaveLength(0);

    // 1. Inside: one task paused (warning), one failed (critical), in one run.
    h.dms.setInstance(PROD, tasks.map((t, i) => (i === 0 ? { ...t, status: 'PAUSED' } : i === 1 ? { ...t, status: 'FAILED' } : t)));
    const first = await run();
    expect(first.report!.messages).toEqual({ delivered: 1, pending: 0, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0, quiet_hours: { oncall: 1 } });
    expect(h.hook.received).toHaveLength(1);
    const now1 = verified(h.hook.received[0]!);
    expect(h.hook.received[0]!.headers['webhook-id']).toBe(now1.id);
    expect(now1.changes.map((c) => [c.severity, c.to])).toEqual([['critical', 'FAILED']]);
    const history1 = JSON.parse((await h.getObject(first.report!.history_key!))!) as { changes: Change[] };
    const warning = history1.changes.find((c) => c.severity === 'warning')!;
    expect(warning).toMatchObject({ task_id: tasks[0]!.id, to: 'PAUSED' });

    // 2. Still inside: the failed task recovers (resolved): held too.
    h.dms.setInstance(PROD, tasks.map((t, i) => (i === 0 ? { ...t, status: 'PAUSED' } : t)));
    const second = await run();
    expect(second.report!.messages).toEqual({ delivered: 0, pending: 0, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0, quiet_hours: { oncall: 2 } });
    expect(h.hook.received).toHaveLength(1);
    const state2 = await readState();
    const [key, hold] = Object.entries(state2.quiet_hours ?? {})[0]!;
    expect(key).toBe('generic:oncall');
    expect(hold.changes.map((c) => [c.severity, c.to])).toEqual([['warning', 'PAUSED'], ['resolved', 'RUNNING']]);
    expect(state2.outbox).toEqual([]); // nothing in the outbox: nothing can expire during the window

    // `status` shows them, and when they go out; waiting for quiet hours is not a problem.
    const shown = await status();
    expect(shown.stderr).toBe('');
    for (const s of [CLI_SK, h.secrets.sk, h.secrets.token, h.secrets.webhookSecret, h.secrets.urlToken]) expect(shown.stdout).not.toContain(s);
    const view = JSON.parse(shown.stdout) as { healthy: boolean; pending: unknown[] };
    expect(view.healthy).toBe(true);
    expect(view.pending).toEqual([{ channel: 'generic:oncall', messages: 0, oldest_created_at: null, oldest_age_s: null, last_error: null, quiet_hours: { changes: 2, since: first.report!.started_at, until: hold.until } }]);
    expect(shanghai(Date.parse(hold.until))).toEqual({ minute: outsideMinute, second: 0 });

    // 3. The first run after the window, its release refused three times (503): kept, under its id.
    const waitStart = Date.now();
    await until(() => shanghai(Date.now()).minute === outsideMinute, 75_000);
    console.info(`quiet-hours integration: waited ${((Date.now() - waitStart) / 1000).toFixed(1)} s for the window to end`);
    h.hook.reset();
    h.hook.respondWith({ status: 503 }, { status: 503 }, { status: 503 });
    const third = await run();
    expect(third.report!.messages).toEqual({ delivered: 0, pending: 1, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 });
    const tried = h.hook.received.map(verified);
    expect(tried).toHaveLength(3);
    const id = releaseId(key, hold.changes);
    expect(tried.map((b) => b.id)).toEqual([id, id, id]);
    expect(h.hook.received.map((r) => r.headers['webhook-id'])).toEqual([id, id, id]);
    expect(tried[0]).toMatchObject({ type: 'smart_connect.task_changes', snapshot_id: second.report!.snapshot_id });
    expect(tried[0]!.changes.map((c) => c.id)).toEqual(hold.changes.map((c) => c.id));
    expect((await readState()).quiet_hours).toBeUndefined();

    // 4. The next run (inside the window again, or not): the retry keeps its id and content.
    h.hook.reset();
    const fourth = await run();
    expect(fourth.report!.messages).toEqual({ delivered: 1, pending: 0, expired: 0, held: { pending: 0, flapping: 0, silenced: 0 }, silenced: 0 });
    expect(h.hook.received.map((r) => r.headers['webhook-id'])).toEqual([id]);
    expect(verified(h.hook.received[0]!)).toEqual(tried[0]);
    expect((await readState()).outbox).toEqual([]);
  }, 180_000);
});
