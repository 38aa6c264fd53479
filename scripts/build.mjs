// Bundles the function (dist/index.js) and the CLI (dist/cli.js) into self-contained CommonJS files.
import { build } from 'esbuild';
import { chmod, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

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
/** log4js (the SDKs' logger, which prints request headers) is replaced by a silent stand-in. */
const silentLog4js = {
  name: 'silent-log4js',
  setup(b) {
    b.onResolve({ filter: /^log4js$/ }, () => ({ path: fileURLToPath(new URL('./log4js-silent.cjs', import.meta.url)) }));
  },
};
// The function: minified (a smaller file to read and parse at a cold start), without log4js.
await build({ ...common, entryPoints: { index: 'functions/watch.ts' }, outdir: 'dist', minify: true, plugins: [silentLog4js] });
await build({
  ...common,
  entryPoints: { cli: 'lib/cli.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
  // The demo's local OBS server is a devDependency, loaded only by `demo`.
  external: ['s3rver'],
});
await chmod('dist/cli.js', 0o755);
