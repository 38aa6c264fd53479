// Makes docs/report-screenshot.png (see scripts/report-screenshot.ts): builds dist/, bundles the
// script, runs it. Needs Chromium at /usr/bin/chromium (Debian: apt-get install chromium) or CHROMIUM_PATH.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
await build({
  entryPoints: ['scripts/report-screenshot.ts'],
  outfile: 'dist/report-screenshot.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['playwright-core', 's3rver'],
  logLevel: 'warning',
});
execFileSync(process.execPath, ['dist/report-screenshot.js'], { stdio: 'inherit' });
