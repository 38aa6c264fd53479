import { execFileSync } from 'node:child_process';

/** The integration tests run the built bundle, as FunctionGraph does: build it once before the suite. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
