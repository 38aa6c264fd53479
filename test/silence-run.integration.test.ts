import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OBS_ACCESS_KEY } from '../lib/demo/local-obs';
import { type Runs, expectQuietThenReminder, recordedAt, startRuns, until } from './support/lifecycle-runs';

/**
 * DESIGN.md §11, the run's side: silences added, expired and listed with the built CLI (`dist/cli.js`),
 * runs of the built handler (`dist/index.js`) against the same local OBS, with real seconds passing.
 * A run that must come before a deadline is started at once and asserts it did; a run that must come
 * after one waits for the deadline computed from the recorded times (`until`), never a fixed guess.
 */
const CLI = resolve(__dirname, '../dist/cli.js');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

describe('silences in the run (built CLI and built handler, local OBS)', () => {
  let r: Runs;
  let cliCalls = 0;
  beforeAll(async () => {
    r = await startRuns();
  });
  afterAll(async () => r?.close());

  /** The built CLI on the current scenario's prefix; none of the harness secrets may appear in its output. */
  function cli(...args: string[]): Promise<Ran> {
    const env = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: r.h.obs.endpoint, OBS_BUCKET: r.h.obs.bucket, OBS_PREFIX: r.prefix, CLOUD_SDK_AK: LOCAL_OBS_ACCESS_KEY, CLOUD_SDK_SK: r.h.secrets.sk };
    return new Promise((done) => {
      execFile(process.execPath, [CLI, ...args], { env }, (err, stdout, stderr) => {
        cliCalls++;
        const { sk, token, webhookSecret, urlToken } = r.h.secrets;
        expect([sk, token, webhookSecret, urlToken].filter((s) => `${stdout}\n${stderr}`.includes(s))).toEqual([]);
        done({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }
  /** `silence add …`, expected to succeed: the new silence as `silence list --json` prints it. */
  async function addSilence(...args: string[]): Promise<{ id: string; starts_at: string; ends_at: string }> {
    const added = await cli('silence', 'add', ...args);
    expect(added.code, added.stderr).toBe(0);
    const id = added.stdout.split('\n')[0]!;
    const listed = (await cli('silence', 'list', '--json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; starts_at: string; ends_at: string });
    return listed.find((s) => s.id === id)!;
  }
  const sorted = (xs: string[]) => [...xs].sort();

  it('a silenced failure is not sent, another task\'s is; history (--json and text) shows it held and names the silence', async () => {
    r.scenario(['RUNNING', 'RUNNING']);
    expect((await r.run()).messages).toEqual([]);
    const { id } = await addSilence('--task', 'lc-dump-0', '--for', '1h', '--comment', 'upgrade CHG-1042', '--by', 'alice');

    r.set(['FAILED', 'FAILED']);
    const failed = await r.run();
    expect(failed.messages).toEqual([['status_changed:lc-dump-1→FAILED']]);
    expect(failed.report.messages).toMatchObject({ silenced: 1 });
    expect(failed.report.errors).toEqual([]);
    expect(failed.history!.changes.find((c) => c.task_name === 'lc-dump-0')).toMatchObject({ kind: 'status_changed', to: 'FAILED', held: 'silenced', silenced_by: [id] });
    expect(failed.obs.filter((q) => q === 'GET silences.json')).toHaveLength(1);

    const json = await cli('history', '--json');
    expect(json.code, json.stderr).toBe(0);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((c) => c.kind === 'status_changed')).toEqual([
      expect.objectContaining({ task_name: 'lc-dump-0', to: 'FAILED', held: 'silenced', silenced_by: [id] }),
      expect.not.objectContaining({ held: expect.anything() }),
    ]);
    const text = await cli('history', '--task', 'lc-dump-0');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n').filter((l) => l.includes('FAILED'))).toEqual([expect.stringContaining(`[silenced by ${id} "upgrade CHG-1042"]`)]);
    expect((await cli('history', '--task', 'lc-dump-1')).stdout).not.toContain('[silenced');

    // Cost (DESIGN.md §11): a quiet run reads state.json and silences.json once each (concurrently) and writes state.json.
    const quiet = await r.run();
    expect(quiet.messages).toEqual([]);
    expect(sorted(quiet.obs)).toEqual(['GET silences.json', 'GET state.json', 'PUT state.json']);
  }, 90_000);

  it('a quiet run without silences.json costs the same one more GET (a 404), and nothing is reported', async () => {
    r.scenario(['RUNNING', 'RUNNING']);
    await r.run();
    const quiet = await r.run();
    expect(sorted(quiet.obs)).toEqual(['GET silences.json', 'GET state.json', 'PUT state.json']);
    expect(quiet.report.errors).toEqual([]);
  }, 60_000);

  it.each([
    { how: 'expired with `silence expire`', args: ['--for', '1h'] },
    { how: 'lapsed at its recorded end (--for 9s)', args: ['--for', '9s'] },
  ])('$how while the task still fails: one still_failing at the next run, none after until REMIND_EVERY', async ({ args }) => {
    r.scenario(['RUNNING', 'RUNNING'], { REMIND_EVERY: '8s' });
    await r.run();
    const silence = await addSilence('--task', 'lc-dump-*', ...args, '--comment', 'migration');
    r.set(['FAILED', 'RUNNING']);
    const silenced = await r.run();
    expect(Date.parse(silenced.report.started_at)).toBeLessThan(Date.parse(silence.ends_at));
    expect(silenced.messages).toEqual([]);
    expect(silenced.history!.changes).toMatchObject([{ task_name: 'lc-dump-0', held: 'silenced', silenced_by: [silence.id] }]);

    if (args[1] === '1h') {
      // While silenced, a reminder that would be due is not sent either.
      await until(recordedAt(silenced, 'status_changed') + 8_000);
      const held = await r.run();
      expect(held.messages).toEqual([]);
      const expired = await cli('silence', 'expire', silence.id);
      expect(expired.code, expired.stderr).toBe(0);
    } else {
      await until(Date.parse(silence.ends_at));
    }
    const ended = await r.run();
    expect(ended.messages).toEqual([['still_failing:lc-dump-0→FAILED']]);
    expect(ended.changes[0]).toMatchObject({ severity: 'critical', since: silenced.report.started_at });
    expect(ended.history!.changes).toEqual([expect.not.objectContaining({ held: expect.anything() })]);
    await expectQuietThenReminder(r, Date.parse(ended.report.started_at), 8_000, [['still_failing:lc-dump-0→FAILED']]);
  }, 120_000);

  it('a future window (--starts): a failure before it is sent, one inside it is held', async () => {
    r.scenario(['RUNNING', 'RUNNING']);
    await r.run();
    const window = await addSilence('--task', 'lc-dump-*', '--starts', '8s', '--for', '1h', '--comment', 'maintenance window');
    expect((await cli('silence', 'list')).stdout).toMatch(new RegExp(`${window.id}\\s+future`));

    r.set(['FAILED', 'RUNNING']);
    const before = await r.run();
    expect(Date.parse(before.report.started_at)).toBeLessThan(Date.parse(window.starts_at));
    expect(before.messages).toEqual([['status_changed:lc-dump-0→FAILED']]);
    expect(before.report.messages).toMatchObject({ silenced: 0 });

    await until(Date.parse(window.starts_at));
    r.set(['FAILED', 'FAILED']);
    const inside = await r.run();
    expect(inside.messages).toEqual([]);
    expect(inside.report.messages).toMatchObject({ silenced: 1 });
    expect(inside.history!.changes).toMatchObject([{ task_name: 'lc-dump-1', to: 'FAILED', held: 'silenced', silenced_by: [window.id] }]);
  }, 90_000);

  const noMatcher = (now: number) =>
    JSON.stringify({
      schema: 'smart-connect-watch/silences/v1',
      silences: [{ id: 'sil_00000000000000aa', instance: null, task: null, kind: null, starts_at: new Date(now - 60_000).toISOString(), ends_at: new Date(now + 3_600_000).toISOString(), created_at: new Date(now - 60_000).toISOString(), created_by: 'x', comment: 'mutes everything' }],
    });
  it.each([
    { name: 'truncated JSON', bad: (good: string) => good.slice(0, Math.floor(good.length / 2)) },
    { name: 'bytes that are not JSON', bad: () => '\u0000\ufffd\u202e{silences' },
    { name: 'a silence with every matcher null', bad: () => noMatcher(Date.now()) },
  ])('a corrupt silences.json ($name): the failure is sent (fail open), errors name it every run until it is fixed', async ({ bad }) => {
    r.scenario(['RUNNING', 'RUNNING']);
    await r.run();
    await addSilence('--task', 'lc-dump-0', '--for', '1h', '--comment', 'would hide it');
    const key = `${r.prefix}silences.json`;
    const good = (await r.h.getObject(key))!;
    await r.h.putObject(key, bad(good));

    r.set(['FAILED', 'RUNNING']);
    const failed = await r.run();
    expect(failed.messages).toEqual([['status_changed:lc-dump-0→FAILED']]);
    expect(failed.report.messages).toMatchObject({ silenced: 0 });
    expect(failed.report.errors).toEqual([expect.stringMatching(new RegExp(`^${key}: .*: nothing is silenced until it is fixed$`))]);
    // The file's bytes quoted in the error show bidi controls as escapes (a U+202E would reorder the line).
    expect(failed.report.errors[0]).not.toMatch(/[\u202A-\u202E]/);
    expect(failed.history!.changes).toEqual([expect.not.objectContaining({ held: expect.anything() })]);
    const again = await r.run();
    expect(again.report.errors).toEqual([expect.stringContaining(key)]);
    expect(sorted(again.obs)).toEqual(['GET silences.json', 'GET state.json', 'PUT state.json']);

    await r.h.putObject(key, good);
    const fixed = await r.run();
    expect(fixed.report.errors).toEqual([]);
    expect(fixed.messages).toEqual([]);
  }, 90_000);

  it('the CLI was driven (its outputs checked for secrets as they came)', () => {
    expect(cliCalls).toBeGreaterThan(15);
  });
});
