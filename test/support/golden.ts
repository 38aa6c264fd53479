import { existsSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * `actual` is byte for byte the golden file `file` (vitest's `toMatchFileSnapshot`). To rewrite golden
 * files after an intended change: `npx vitest run <test file> -u` (after the file: `-u` takes an optional
 * value, and `-u test/x.test.ts` runs every test in update mode), then review the diff before committing.
 *
 * A missing golden file fails. vitest itself writes a missing file snapshot and passes, unless in CI
 * (`CI` set: its update mode is then 'none' and a missing snapshot fails); here it fails everywhere,
 * except under `-u`.
 */
export async function expectGolden(actual: string, file: string): Promise<void> {
  if (expect.getState().snapshotState.snapshotUpdateState !== 'all') {
    expect(existsSync(file), `golden file ${file} is missing: write it with \`npx vitest run <test file> -u\` and review it`).toBe(true);
  }
  await expect(actual).toMatchFileSnapshot(file);
}
