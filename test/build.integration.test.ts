/**
 * The build replaces dist/ atomically: while `scripts/build.mjs` runs, dist/index.js and dist/cli.js
 * stay whole (the previous build's bytes, then the new one's), never missing or half-written, so a test
 * or a running CLI never sees a broken bundle.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');
const FILES = ['dist/index.js', 'dist/cli.js'].map((f) => resolve(ROOT, f));

describe('the build', () => {
  it('never leaves dist/index.js or dist/cli.js missing or partly written while it runs', { timeout: 300_000 }, async () => {
    // The same sources give the same bytes: every read during the build must see a whole file of that size.
    const sizes = FILES.map((f) => readFileSync(f).length);
    const build = spawn(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    build.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let running = true;
    const done = new Promise<number | null>((r) => build.on('close', (code) => ((running = false), r(code))));
    let reads = 0;
    while (running) {
      FILES.forEach((f, i) => expect(readFileSync(f).length, f).toBe(sizes[i]));
      reads++;
      await new Promise(setImmediate);
    }
    expect(await done, stderr).toBe(0);
    expect(reads).toBeGreaterThan(1);
    expect(readdirSync(resolve(ROOT, 'dist')).filter((f) => f.startsWith('.build-'))).toEqual([]);
    FILES.forEach((f, i) => expect(readFileSync(f).length).toBe(sizes[i]));
  });
});
