// `node scripts/report-screenshot.mjs`: makes docs/report-screenshot.png. The built CLI (dist/cli.js)
// writes a report from a generated history in local OBS (12 instances, hostile names, 45 minutes),
// headless Chromium opens it at 1,280 px, checks it (no overflow, no console error, no request beyond
// the file) and takes the screenshot. Also prints the size of a report for 1,000 instances × 18 tasks
// over 30 days (the README's figure).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildTimelines } from '../lib/audit/bands';
import { renderReport } from '../lib/audit/report-html';
import { startLocalObs } from '../lib/demo/local-obs';
import { generateFleet } from '../test/fixtures/audit/fleet';
import { Bucket } from '../test/fixtures/audit/history';
import { launchChromium } from '../test/support/browser';
import { hostileHistory } from '../test/support/report-sample';

const OUT = resolve('docs/report-screenshot.png');

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'scw-screenshot-'));
  const obs = await startLocalObs();
  const browser = await launchChromium().catch(async (err) => {
    await obs.close();
    throw err;
  });
  try {
    const bucket = await Bucket.open(obs.endpoint, obs.bucket, obs.accessKey, obs.secretKey);
    await bucket.upload(hostileHistory(new Date('2026-11-21T07:00:00Z'), 'smart-connect-watch/', { instances: 12, minutes: 45, everyMinutes: 3 }));
    bucket.close();
    const file = join(dir, 'report.html');
    const env = { PATH: process.env.PATH ?? '', OBS_ENDPOINT: obs.endpoint, OBS_BUCKET: obs.bucket, CLOUD_SDK_AK: obs.accessKey, CLOUD_SDK_SK: 'sk-of-the-screenshot-script' };
    // Not execFileSync: the local OBS answers from this process's event loop.
    const { stdout } = await promisify(execFile)(process.execPath, ['dist/cli.js', 'report', '--html', file, '--since', '2026-11-21T06:10Z', '--until', '2026-11-21T07:01Z'], { env });
    process.stdout.write(stdout);
    const opened = await browser.open(file);
    await opened.page.screenshot({ path: OUT, fullPage: false });
    const overflow = await opened.overflowPx();
    if (overflow > 0 || opened.errors.length > 0 || opened.requests.length !== 1 || opened.requests[0] !== pathToFileURL(file).href) {
      throw new Error(`the report does not pass: overflow ${overflow} px, errors ${JSON.stringify(opened.errors)}, requests ${JSON.stringify(opened.requests)}`);
    }
    console.log(`${OUT}: ${(await stat(OUT)).size} bytes (1280 × 900, from ${(await stat(file)).size} bytes of HTML)`);

    const end = new Date('2026-11-21T07:00:00Z');
    const snapshots = generateFleet({ instances: 1000, tasks: 18, days: 30, end });
    const start = new Date(snapshots[0]!.taken_at).getTime();
    const changes = snapshots.flatMap((s) => s.changes);
    const html = renderReport({ location: 'obs://bucket/smart-connect-watch/', start, end: end.getTime(), generatedAt: end, snapshots: snapshots.length, timelines: buildTimelines(snapshots, start, end.getTime()), changes, skipped: [], baselineSnapshots: [snapshots[0]!.id] });
    const fleet = join(dir, 'fleet.html');
    await writeFile(fleet, html);
    console.log(`1,000 instances × 18 tasks over 30 days (${snapshots.length} snapshots, ${changes.length} changes): ${(Buffer.byteLength(html) / 1024 / 1024).toFixed(1)} MiB of HTML`);
  } finally {
    await browser.close();
    await obs.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
