import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm start` with nothing configured: the demo, run by the built CLI (`node dist/cli.js demo`), shows
 * the alert lifecycle (DESIGN.md §10, issue #19 item 6) with short durations it says on screen: two
 * failures reminded in one message (`still_failing`), a task flapping, then stable again.
 */
const CLI = resolve(__dirname, '../dist/cli.js');
/** What the demo must never print: its own secrets (the SK it gives the SDK, the webhook and Feishu secrets). */
const SECRETS = ['demo-secret-key-never-printed', 'whsec_ZGVtby1zZWNyZXQtZm9yLXRoZS1sb2NhbC1yZWNlaXZlcg==', 'demo-feishu-signing-secret'];

let output = { code: -1, stdout: '', stderr: '' };
let dir = '';

/** The text of run `n`, from its header to the next one. */
function run(n: number): string {
  const start = output.stdout.indexOf(`── Run ${n}:`);
  const end = output.stdout.indexOf('── Run ', start + 1);
  return start < 0 ? '' : output.stdout.slice(start, end < 0 ? undefined : end);
}

describe('the demo shows the alert lifecycle', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scw-demo-test-'));
    output = await new Promise((done) => {
      execFile(process.execPath, [CLI, 'demo'], { env: { PATH: process.env.PATH ?? '', TMPDIR: dir }, timeout: 170_000 }, (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('ends with exit 0, says which durations it shortened, and leaves nothing behind', async () => {
    expect({ code: output.code, stderr: output.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run(7)).toMatch(/From here on this demo uses REMIND_EVERY=2s, FLAP_THRESHOLD=3, FLAP_WINDOW=(\d+)s \(defaults 4h, 4, 1h\)/);
    expect(output.stdout).toMatch(/Done\. Every service was local; nothing left running\.\n$/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a reminder: both failures of run 7, still failing after REMIND_EVERY, in one message (still_failing)', () => {
    expect(run(7)).toMatch(/🔴 critical staging \/ orders-dump-4: RUNNING → FAILED\n/);
    const reminders = run(8);
    expect(reminders).toMatch(/waited \d+\.\d s for REMIND_EVERY=2s to pass since run 7\n/);
    expect(reminders.match(/webhook: POST .*, 2 change\(s\), delivered\n/g)).toHaveLength(1);
    expect(reminders).toMatch(/🔴 critical staging \/ orders-dump-4: FAILED for \d+ s \(since \d\d:\d\d\)\n/);
    expect(reminders).toMatch(/🔴 critical prod \/ smart-connect-1571576841: FAILED for \d+ s \(since \d\d:\d\d\)\n/);
    expect(reminders).toContain('feishu: card "Smart Connect · staging, prod: 2 tasks still failing"');
  });

  it('flapping: the third status change within FLAP_WINDOW sends one flapping; the next is recorded, not sent; then stable again', () => {
    const window = /FLAP_WINDOW=(\d+)s/.exec(run(7))?.[1];
    expect(run(9)).toMatch(/🔴 critical staging \/ orders-dump-5: RUNNING → FAILED\n/);
    expect(run(10)).toMatch(/🟢 resolved staging \/ orders-dump-5: FAILED → RUNNING\n/);
    expect(run(11)).toContain(`🟠 warning  staging / orders-dump-5: status flapping: 3 status changes in ${window} s, now FAILED\n`);
    expect(run(11)).not.toMatch(/critical staging \/ orders-dump-5: RUNNING → FAILED/);
    expect(run(12)).toMatch(/webhook: no request\n {3}feishu: no card\n/);
    expect(run(12)).toMatch(/1 change\(s\)/);
    expect(run(13)).toMatch(new RegExp(`waited \\d+\\.\\d s for FLAP_WINDOW=${window}s to pass since run 12\\n`));
    expect(run(13)).toContain(`🟢 resolved staging / orders-dump-5: stable again: RUNNING, no status change for ${window} s\n`);
  });

  it('prints no secret', () => {
    for (const secret of SECRETS) expect(output.stdout + output.stderr).not.toContain(secret);
  });
});
