import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest's default on 2 CPUs is one worker, running every file in turn; several integration files
    // mostly wait (for real seconds to pass, for a child process): three workers overlap the waits.
    maxWorkers: 3,
  },
});
