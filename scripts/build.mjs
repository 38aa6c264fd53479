// Bundles the function (dist/index.js) and the CLI (dist/cli.js) into self-contained CommonJS files.
import { build } from 'esbuild';
import { chmod, readFile, rm } from 'node:fs/promises';
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
/**
 * axios, when loaded, reads the global FormData and calls its fetch adapter's factory: both load
 * Node's fetch implementation (undici), ~25 ms of every cold start, for what the SDK never uses
 * (it sends JSON through axios' `http` adapter). The patched axios looks FormData up by its tag and
 * builds the fetch adapter if it is ever asked for. The build fails if axios no longer matches.
 */
const AXIOS_PATCHES = [
  [/^getFetch\(\);$/m, ''],
  [/^const FormDataCtor = typeof G\.FormData !== 'undefined' \? G\.FormData : undefined;$/m, 'const FormDataCtor = undefined;'],
];
const axiosWithoutUndici = {
  name: 'axios-without-undici',
  setup(b) {
    b.onLoad({ filter: /axios[\\/]dist[\\/]node[\\/]axios\.cjs$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      for (const [pattern, replacement] of AXIOS_PATCHES) {
        if (!pattern.test(contents)) throw new Error(`${args.path}: ${pattern} not found (axios changed: review scripts/build.mjs)`);
        contents = contents.replace(pattern, replacement);
      }
      return { contents, loader: 'js' };
    });
  },
};
/**
 * mime-db (134 KiB of object literal to parse at every cold start) serves form-data's guess of a
 * file's type in axios multipart uploads, which the function never makes: the bundle gets an empty
 * table (an upload's type would fall back to application/octet-stream).
 */
const noMimeDb = {
  name: 'no-mime-db',
  setup(b) {
    b.onResolve({ filter: /^mime-db$/ }, () => ({ path: 'mime-db', namespace: 'empty-mime-db' }));
    b.onLoad({ filter: /.*/, namespace: 'empty-mime-db' }, () => ({ contents: '{}', loader: 'json' }));
  },
};
// The function: minified (a smaller file to read and parse at a cold start), without log4js.
await build({ ...common, entryPoints: { index: 'functions/watch.ts' }, outdir: 'dist', minify: true, plugins: [silentLog4js, axiosWithoutUndici, noMimeDb] });
await build({
  ...common,
  entryPoints: { cli: 'lib/cli.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
  // The demo's local OBS server is a devDependency, loaded only by `demo`.
  external: ['s3rver'],
});
await chmod('dist/cli.js', 0o755);
