import { describe, expect, it } from 'vitest';
import { releaseId } from '../lib/alerting/quiet-hold';
import { State } from '../lib/store/state';
import { acceptedChanges, deliveryGaps, historyObjects } from './support/delivery-oracle';
import { type Harness, type Invocation, type TaskRecord, fixtureTasks, leakedSecrets } from './support/harness';
import type { ObsFaultProxy } from './support/obs-fault-proxy';
import { withFaultProxyHarness } from './support/fault-harness';

// Issue #20 item 3 with #15 (DESIGN.md §2, §6, §11): changes held for quiet hours survive a state
// reset, and a released quiet-hours message that may be undelivered is queued again after a reset
// under the same id. Through the built handler, s3rver behind the fault proxy, a webhook receiver.
// The bundle reads the real clock: the window is every minute but the one before this test's start
// (from = now, to = now − 1 min), so every run of the test is inside it; the release happens because
// the channel's quiet hours are then removed from the configuration (released at the next run).

const PROD = 'inst-prod-0001';
const ZONE = 'Asia/Shanghai';
const KEY = 'generic:oncall';

const shanghaiMinute = (ms: number) => {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return p.hour! * 60 + p.minute!;
};
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

describe('quiet hours across a state reset', () => {
  let h: Harness;
  let obs: ObsFaultProxy;
  let tasks: TaskRecord[];
  const prefix = 'quiet-reset/';
  const channels = (quiet: boolean) => {
    const now = shanghaiMinute(Date.now());
    const quiet_hours = { from: hhmm(now), to: hhmm((now + 1439) % 1440), time_zone: ZONE };
    const url = `${h.hook.url}?access_token=${h.secrets.urlToken}`;
    return JSON.stringify([{ type: 'generic', name: 'oncall', url, secret: h.secrets.webhookSecret, ...(quiet ? { quiet_hours } : {}) }]);
  };
  const run = async (quiet: boolean): Promise<Invocation> => {
    const inv = await h.invoke({ OBS_ENDPOINT: obs.url, OBS_PREFIX: prefix, NOTIFY_FIRST_RUN: 'true', WEBHOOK_URL: undefined, WEBHOOK_SECRET: undefined, WEBHOOKS: channels(quiet) });
    expect(leakedSecrets(h, inv)).toEqual([]);
    expect(inv.error).toBeUndefined();
    return inv;
  };
  const setStatus = (index: number, status: string) => {
    tasks = tasks.map((t, i) => (i === index ? { ...t, status } : t));
    h.dms.setInstance(PROD, tasks);
  };
  const corruptState = () => h.putObject(`${prefix}state.json`, '{"schema": "smart-connect-watch/state/v1", "quiet_hours": [trunc');
  const readState = async () => State.parse(JSON.parse((await h.getObject(`${prefix}state.json`))!));

  withFaultProxyHarness((started) => ({ h, obs } = started));

  it('restores the holds from the history, then queues a released message again under its id after a second reset', async () => {
    tasks = fixtureTasks();
    h.dms.setInstance(PROD, tasks);
    h.dms.setInstance('inst-bulk-0002', []);
    h.hook.setDefault({ status: 204 });
    await run(true); // the baseline: its task_added are held (nothing critical)
    setStatus(0, 'PAUSED');
    const held = await run(true);
    expect(held.report!.messages.delivered).toBe(0);
    const before = (await readState()).quiet_hours![KEY]!.changes.map((c) => c.id);
    const paused = (await historyObjects(h, prefix)).at(-1)!.changes.find((c) => c.to === 'PAUSED')!;
    expect(before).toContain(paused.id);

    // 1. A reset inside the window: what was held is held again, nothing sent now.
    await corruptState();
    const reset = await run(true);
    expect(reset.report).toMatchObject({ state_reset: true });
    const hold = (await readState()).quiet_hours?.[KEY];
    expect(hold?.changes.map((c) => c.id).slice(0, before.length)).toEqual(before);
    expect(h.hook.received).toHaveLength(0);
    expect(reset.report!.errors[0]).toMatch(new RegExp(`; ${before.length} change\\(s\\) held for quiet hours restored from the history`));
    expect(reset.report!.errors.filter((e) => /cannot be/.test(e))).toEqual([]);

    // 2. Quiet hours removed, a task fails, the receiver refuses: the release and the run's message stay pending.
    h.hook.setDefault({ status: 503 });
    setStatus(1, 'FAILED');
    const release = releaseId(KEY, hold!.changes);
    const refused = await run(false);
    expect(refused.report!.messages).toMatchObject({ delivered: 0, pending: 2 });
    expect((await readState()).outbox.map((e) => e.id)).toContain(release);

    // 3. A second reset: the released message is rebuilt from the history, under its id, with its changes.
    await corruptState();
    h.hook.reset();
    h.hook.setDefault({ status: 204 });
    const again = await run(false);
    expect(again.report).toMatchObject({ state_reset: true, messages: { pending: 0 } });
    expect(again.report!.errors.filter((e) => /cannot be/.test(e))).toEqual([]);
    const byId = new Map(acceptedChanges(h.hook.received).map((a) => [a.webhookId, [] as string[]]));
    for (const a of acceptedChanges(h.hook.received)) byId.get(a.webhookId)!.push(a.change.id);
    expect(byId.get(release)).toEqual(hold!.changes.map((c) => c.id));

    const gaps = deliveryGaps(await historyObjects(h, prefix), h.hook.received);
    expect(gaps.missing.map((c) => `${c.kind} ${c.task_name ?? ''} ${c.snapshot_id}`)).toEqual([]);
    expect(gaps.invented).toEqual([]);
  }, 180_000);
});
