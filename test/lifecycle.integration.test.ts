import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK, PROD, type Runs, expectQuietThenReminder, recordedAt, startRuns, until } from './support/lifecycle-runs';

/**
 * DESIGN.md §10 through the built handler, over several runs with real time passing (durations in
 * seconds): the DMS emulator, s3rver behind a recording proxy, the generic webhook receiver. A run
 * that must come before a deadline is started at once after the previous one, with durations that
 * leave it many seconds; a run that must come after one waits for the deadline computed from the
 * recorded times (`until`), never a fixed guess.
 */
describe('the alert lifecycle through the built handler (DESIGN.md §10)', () => {
  let r: Runs;
  beforeAll(async () => {
    r = await startRuns();
  });
  afterAll(async () => r?.close());

  it('pending then sent: held while NOTIFY_AFTER has not passed, then sent as recorded (same change id)', async () => {
    r.scenario(['RUNNING', 'RUNNING'], { NOTIFY_AFTER: '3s' });
    await r.run();
    r.set(['RUNNING', 'FAILED']);
    const failed = await r.run();
    expect(failed.messages).toEqual([]);
    const recorded = failed.history!.changes.find((c) => c.kind === 'status_changed')!;
    expect(recorded).toMatchObject({ task_name: 'lc-dump-1', to: 'FAILED', held: 'pending' });
    expect(failed.report.messages).toMatchObject({ held: { pending: 1, flapping: 0, silenced: 0 }, silenced: 0 });

    const early = await r.run();
    expect(Date.parse(early.report.started_at)).toBeLessThan(Date.parse(recorded.detected_at) + 3_000);
    expect(early.messages).toEqual([]);
    expect(early.history).toBeNull();

    await until(Date.parse(recorded.detected_at) + 3_000);
    const due = await r.run();
    expect(due.messages).toEqual([['status_changed:lc-dump-1→FAILED']]);
    const { held: _held, ...asRecorded } = recorded;
    expect(due.changes).toEqual([asRecorded]);
    expect(due.history!.released).toEqual([asRecorded]);
    expect(due.history!.changes).toEqual([]);
    expect((await r.run()).messages).toEqual([]);

    // After a state reset, the message rebuilt from that object is the one its run sent (its released
    // change, under the same webhook-id), not one of its held or absent changes.
    await r.putState('not json');
    const reset = await r.run();
    expect(reset.messages).toEqual([['status_changed:lc-dump-1→FAILED'], ['state_reset:null']]);
    expect(reset.ids[0]).toBe(due.ids[0]);
    expect(reset.changes[0]).toEqual(asRecorded);
  }, 60_000);

  it('pending then recovered: neither the failure nor the recovery is sent; both are recorded held', async () => {
    r.scenario(['RUNNING', 'RUNNING'], { NOTIFY_AFTER: '30s' });
    await r.run();
    r.set(['RUNNING', 'FAILED']);
    const failed = await r.run();
    r.set(['RUNNING', 'RUNNING']);
    const recovered = await r.run();
    expect(Date.parse(recovered.report.started_at)).toBeLessThan(recordedAt(failed, 'status_changed') + 30_000);
    expect([...failed.messages, ...recovered.messages]).toEqual([]);
    expect(recovered.history!.changes).toMatchObject([{ kind: 'status_changed', to: 'RUNNING', held: 'pending' }]);
    expect((await r.state()).alerts).toEqual({ entries: {} });
  }, 60_000);

  it('recovery of a sent failure is sent; a quiet healthy run then reads state.json once and writes it once', async () => {
    r.scenario(['RUNNING', 'RUNNING']);
    await r.run();
    r.set(['FAILED', 'RUNNING']);
    expect((await r.run()).messages).toEqual([['status_changed:lc-dump-0→FAILED']]);
    r.set(['RUNNING', 'RUNNING']);
    const recovered = await r.run();
    expect(recovered.messages).toEqual([['status_changed:lc-dump-0→RUNNING']]);
    expect(recovered.changes[0]!.severity).toBe('resolved');
    const quiet = await r.run();
    expect([...quiet.obs].sort()).toEqual(['GET silences.json', 'GET state.json', 'PUT state.json']);
  }, 60_000);

  it('reminders at the right runs only, PAUSED never reminded; a failing run with nothing due writes no history object', async () => {
    r.scenario(['RUNNING', 'RUNNING', 'RUNNING'], { REMIND_EVERY: '5s' });
    await r.run();
    r.set(['FAILED', 'PAUSED', 'RUNNING']);
    const failed = await r.run();
    expect(failed.messages).toEqual([['status_changed:lc-dump-0→FAILED', 'status_changed:lc-dump-1→PAUSED']]);
    const notified = Date.parse(failed.report.started_at);

    const quiet = await r.run();
    expect(Date.parse(quiet.report.started_at)).toBeLessThan(notified + 5_000);
    expect(quiet.messages).toEqual([]);
    expect([...quiet.obs].sort()).toEqual(['GET silences.json', 'GET state.json', 'PUT state.json']);

    await until(notified + 5_000);
    const reminded = await r.run();
    expect(reminded.messages).toEqual([['still_failing:lc-dump-0→FAILED']]);
    expect(reminded.changes[0]).toMatchObject({ since: failed.report.started_at, severity: 'critical' });
    expect(reminded.history!.changes.map((c) => c.kind)).toEqual(['still_failing']);
    await expectQuietThenReminder(r, Date.parse(reminded.report.started_at), 5_000, [['still_failing:lc-dump-0→FAILED']]);
  }, 90_000);

  it('flapping: one flapping instead of the change that reaches FLAP_THRESHOLD, then silence, then flapping_ended after FLAP_WINDOW', async () => {
    r.scenario(['RUNNING'], { FLAP_THRESHOLD: '3', FLAP_WINDOW: '6s' });
    await r.run();
    const statuses = ['FAILED', 'RUNNING', 'FAILED', 'RUNNING'];
    const runs = [];
    for (const s of statuses) {
      r.set([s]);
      runs.push(await r.run());
    }
    const last = Date.parse(runs.at(-1)!.report.started_at);
    expect(last).toBeLessThan(Date.parse(runs[0]!.report.started_at) + 6_000);
    expect(runs.map((x) => x.messages)).toEqual([[['status_changed:lc-dump-0→FAILED']], [['status_changed:lc-dump-0→RUNNING']], [['flapping:lc-dump-0→FAILED']], []]);
    expect(runs[2]!.changes[0]).toMatchObject({ severity: 'warning', flap_count: 3 });
    expect(runs[2]!.history!.changes).toMatchObject([
      { kind: 'flapping', to: 'FAILED' },
      { kind: 'status_changed', to: 'FAILED', held: 'flapping' },
    ]);
    expect(runs[3]!.report.messages.held).toEqual({ pending: 0, flapping: 1, silenced: 0 });

    await until(last + 6_000);
    const ended = await r.run();
    expect(ended.messages).toEqual([['flapping_ended:lc-dump-0→RUNNING']]);
    expect(ended.changes[0]!.severity).toBe('resolved');
    expect((await r.run()).messages).toEqual([]);
  }, 90_000);

  it('already failing at baseline and on a newly watched instance: sent as still_failing; healthy tasks stay silent', async () => {
    r.scenario(['RUNNING', 'FAILED', 'RUNNING']);
    const baseline = await r.run();
    expect(baseline.messages).toEqual([['still_failing:lc-dump-1→FAILED']]);
    expect(baseline.history!.changes.filter((c) => c.kind === 'task_added')).toHaveLength(3);
    expect((await r.run()).messages).toEqual([]);

    r.set(['RUNNING', 'ERROR', 'RUNNING', 'RUNNING'], BULK);
    const added = await r.run({ WATCH_INSTANCES: `prod=${PROD},bulk=${BULK}` });
    expect(added.messages).toEqual([['instance_added:bulk', 'still_failing:lcb-dump-1→ERROR']]);
    expect((await r.run({ WATCH_INSTANCES: `prod=${PROD},bulk=${BULK}` })).messages).toEqual([]);
  }, 60_000);

  it('a state reset (corrupt state.json) does not resend what was sent, and forgets nothing failing', async () => {
    r.scenario(['RUNNING', 'RUNNING'], { REMIND_EVERY: '8s' });
    await r.run();
    r.set(['FAILED', 'RUNNING']);
    const failed = await r.run();
    expect(failed.messages).toEqual([['status_changed:lc-dump-0→FAILED']]);
    const notified = Date.parse(failed.report.started_at);

    await r.putState('{"schema": "smart-connect-watch/state/v1", "snapshot": ');
    const reset = await r.run();
    expect(Date.parse(reset.report.started_at)).toBeLessThan(notified + 8_000);
    expect(reset.report.state_reset).toBe(true);
    // At least once: the newest history object's own message may be undelivered, so it is queued again
    // under its id (receivers dedupe by webhook-id); nothing new about the failure is sent.
    expect(reset.messages).toEqual([['status_changed:lc-dump-0→FAILED'], ['state_reset:null']]);
    expect(reset.ids[0]).toBe(failed.ids[0]);
    expect(reset.history!.changes.map((c) => c.kind)).toEqual(['state_reset']);
    expect(reset.report.errors.join('\n')).toContain('quarantine');
    expect((await r.run()).messages).toEqual([]);

    await until(notified + 8_000);
    expect((await r.run()).messages).toEqual([['still_failing:lc-dump-0→FAILED']]);
  }, 90_000);

  it.each([
    { name: 'an upgrade: state.json written before alerts existed', alerts: undefined, error: null },
    { name: 'an invalid alert state', alerts: { entries: 'x' }, error: 'state.json alerts.entries is invalid' },
  ])('$name: rebuilt from the history, nothing resent, the failure still reminded', async ({ alerts, error }) => {
    r.scenario(['RUNNING', 'RUNNING'], { REMIND_EVERY: '8s' });
    await r.run();
    r.set(['RUNNING', 'FAILED']);
    const failed = await r.run();
    expect(failed.messages).toEqual([['status_changed:lc-dump-1→FAILED']]);
    const notified = Date.parse(failed.report.started_at);
    const { alerts: _kept, ...older } = await r.state();
    await r.putState(JSON.stringify(alerts === undefined ? older : { ...older, alerts }));

    const next = await r.run();
    expect(Date.parse(next.report.started_at)).toBeLessThan(notified + 8_000);
    expect(next.messages).toEqual([]);
    expect(next.report.state_reset).toBe(false);
    if (error) expect(next.report.errors).toEqual([expect.stringContaining(error)]);
    else expect(next.report.errors).toEqual([]);
    expect((await r.state()).alerts).toMatchObject({ entries: { [`${PROD}/${failed.changes[0]!.task_id}`]: { failure: { sent: true } } } });

    await until(notified + 8_000);
    expect((await r.run()).messages).toEqual([['still_failing:lc-dump-1→FAILED']]);
  }, 90_000);
});
