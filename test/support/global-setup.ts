import { execFileSync } from 'node:child_process';

/**
 * The integration tests run the built artifacts, as FunctionGraph and a user do: build the bundles
 * and the deployment zip once before the suite (no test rebuilds them).
 */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/package.mjs'], { stdio: 'inherit' });
}
