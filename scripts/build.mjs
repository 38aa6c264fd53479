// Bundles the function (dist/index.js) and the CLI (dist/cli.js) into self-contained CommonJS files.
import { build } from 'esbuild';
import { chmod, rm } from 'node:fs/promises';

await rm('dist', { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};
await build({ ...common, entryPoints: { index: 'functions/watch.ts' }, outdir: 'dist' });
await build({
  ...common,
  entryPoints: { cli: 'lib/cli.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
  // The demo's local OBS server is a devDependency, loaded only by `demo`.
  external: ['s3rver'],
});
await chmod('dist/cli.js', 0o755);
