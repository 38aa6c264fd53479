// Bundles the function (dist/index.js) and the CLI (dist/cli.js) into self-contained CommonJS files.
import { build } from 'esbuild';
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

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
 * Guarded edits of vendor files in the function bundle; each pattern must match once, or the build
 * fails (the vendor changed: review scripts/build.mjs).
 * - axios, when loaded, reads the global FormData and calls its fetch adapter's factory: both load
 *   Node's fetch implementation (undici), ~25 ms of every cold start, for what the SDK never uses (it
 *   sends JSON through axios' `http` adapter). The patched axios builds the fetch adapter if it is
 *   ever asked for.
 * - The SDK core formats a debug line for every request (its headers, Authorization included) and
 *   every response (the whole body through JSON.stringify, only to print its length) before
 *   handing it to a logger that is off: at 1,000 responses, CPU and garbage for nothing.
 * - The signer orders header names with localeCompare, whose first call loads ICU's collation
 *   (~8 ms of every run's first request). For names of a-z, 0-9 and '-' (HTTP header names as the
 *   SDK sends them) code-point order is the same order (test/sdk-lite.test.ts). The DMS emulator
 *   orders the signed headers itself, as API Gateway does, and refuses any other order, so the
 *   bundle's signer is checked against the gateway's order (test/signer-order.integration.test.ts).
 */
const EDITS = [
  {
    file: /axios[\\/]dist[\\/]node[\\/]axios\.cjs$/,
    edits: [
      [/^getFetch\(\);$/m, ''],
      [/^const FormDataCtor = typeof G\.FormData !== 'undefined' \? G\.FormData : undefined;$/m, 'const FormDataCtor = undefined;'],
    ],
  },
  {
    file: /huaweicloud-sdk-core[\\/]http[\\/]DefaultHttpClient\.js$/,
    edits: [
      [/^ *this\._logger\.debug\(`Request: .*`\);$/m, ''],
      [/^ *this\.buildResLog\(response\);$/m, ''],
    ],
  },
  {
    file: /huaweicloud-sdk-core[\\/]auth[\\/]AKSKSigner\.js$/,
    edits: [[/a\.key\.toLocaleLowerCase\(\)\.localeCompare\(b\.key\.toLocaleLowerCase\(\)\)/, '(a.key.toLowerCase() < b.key.toLowerCase() ? -1 : a.key.toLowerCase() > b.key.toLowerCase() ? 1 : 0)']],
  },
];
function edited(path, contents) {
  let out = contents;
  for (const [pattern, replacement] of EDITS.find((e) => e.file.test(path))?.edits ?? []) {
    if (out.match(new RegExp(pattern, 'gm'))?.length !== 1) throw new Error(`${path}: ${pattern} does not match once (the vendor changed: review scripts/build.mjs)`);
    out = out.replace(pattern, replacement);
  }
  return out;
}
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
/**
 * lodash and moment (135 KiB to parse at every cold start) serve the SDK core's request signer and
 * region lookup in three calls and one date format: the function bundle gets small stand-ins
 * (scripts/lodash-lite.cjs, scripts/moment-lite.cjs). The build fails if the core uses either another way.
 */
const LITE = {
  lodash: { file: './lodash-lite.cjs', uses: /\b(?:_|lodash_1)\.(\w+)/g, allowed: new Set(['sortBy', 'includes', 'filter']) },
  // Every use of moment, up to the end of its statement, must be this call.
  moment: { file: './moment-lite.cjs', uses: /\bmoment_1\b(?! = )([^;]*)/g, allowed: new Set(['.default)(dateTimeStamp).utcOffset(0).format(this.BasicDateFormat)', '.default)().utcOffset(0).format(this.BasicDateFormat)']) },
};
const vendorEdits = {
  name: 'vendor-edits',
  setup(b) {
    b.onResolve({ filter: /^(lodash|moment)$/ }, (args) => {
      if (!/huaweicloud-sdk-core/.test(args.importer)) throw new Error(`${args.importer} imports ${args.path}: only the SDK core is expected to (review scripts/build.mjs)`);
      return { path: fileURLToPath(new URL(LITE[args.path].file, import.meta.url)) };
    });
    b.onLoad({ filter: /axios[\\/]dist[\\/]node[\\/]axios\.cjs$/ }, async (args) => ({ contents: edited(args.path, await readFile(args.path, 'utf8')), loader: 'js' }));
    b.onLoad({ filter: /huaweicloud-sdk-core[\\/].*\.js$/ }, async (args) => {
      const contents = edited(args.path, await readFile(args.path, 'utf8'));
      for (const [name, lite] of Object.entries(LITE)) {
        if (!contents.includes(`require("${name}")`)) continue;
        for (const m of contents.matchAll(lite.uses)) {
          if (!lite.allowed.has(m[1] ?? '')) throw new Error(`${args.path}: ${m[0]} is not covered by ${lite.file} (the SDK core changed: review scripts/build.mjs)`);
        }
      }
      return { contents, loader: 'js' };
    });
  },
};
/**
 * esdk-obs-nodejs describes every OBS operation in two tables (OBS and S3 protocol, 230 KiB to parse
 * at every cold start). The function bundle keeps the operations listed in lib/store/obs-operations.ts
 * (and the client's protocol negotiation), as JSON; the build fails if the list and the `client.<op>(`
 * calls in lib/store/*.ts disagree, or if a model is missing or does not survive JSON.
 */
async function obsOperations() {
  const file = fileURLToPath(new URL('../lib/store/obs-operations.ts', import.meta.url));
  const { outputFiles } = await build({ ...common, entryPoints: [file], write: false, logLevel: 'error' });
  const module = { exports: {} };
  new Function('module', 'exports', outputFiles[0].text)(module, module.exports);
  const { OBS_OPERATIONS, checkObsOperations } = module.exports;
  const dir = fileURLToPath(new URL('../lib/store/', import.meta.url));
  const names = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const sources = Object.fromEntries(await Promise.all(names.map(async (f) => [`lib/store/${f}`, await readFile(dir + f, 'utf8')])));
  const problems = checkObsOperations(OBS_OPERATIONS, sources);
  if (problems.length > 0) throw new Error(`lib/store/obs-operations.ts: ${problems.join('; ')}`);
  return OBS_OPERATIONS;
}
const OBS_OPERATIONS = await obsOperations();
const obsModels = {
  name: 'obs-models',
  setup(b) {
    b.onLoad({ filter: /esdk-obs-nodejs[\\/]lib[\\/](obs|v2)Model\.js$/ }, async (args) => {
      const called = OBS_OPERATIONS.map((m) => m[0].toUpperCase() + m.slice(1));
      const all = createRequire(import.meta.url)(args.path);
      const kept = {};
      for (const op of new Set([...called, 'HeadApiVersion'])) {
        if (!all[op]) throw new Error(`${args.path}: no model for ${op} (review scripts/build.mjs)`);
        for (const name of [op, `${op}Output`]) if (all[name]) kept[name] = all[name];
      }
      const json = JSON.stringify(kept);
      if (!isDeepStrictEqual(JSON.parse(json), kept)) throw new Error(`${args.path}: the kept models are not plain JSON (review scripts/build.mjs)`);
      return { contents: `module.exports = JSON.parse(${JSON.stringify(json)});`, loader: 'js' };
    });
  },
};
// Atomic: the bundles are written to a temp directory inside dist/, then each is renamed into place.
// A test or a running CLI never sees a half-written or missing dist/index.js or dist/cli.js.
await mkdir('dist', { recursive: true });
const out = await mkdtemp('dist/.build-');
// The function: minified (a smaller file to read and parse at a cold start), without log4js.
try {
  await build({ ...common, entryPoints: { index: 'functions/watch.ts' }, outdir: out, minify: true, plugins: [silentLog4js, noMimeDb, vendorEdits, obsModels] });
  await build({
    ...common,
    entryPoints: { cli: 'lib/cli.ts' },
    outdir: out,
    banner: { js: '#!/usr/bin/env node' },
    // The demo's local OBS server is a devDependency, loaded only by `demo`.
    external: ['s3rver'],
  });
  await chmod(`${out}/cli.js`, 0o755);
  await rename(`${out}/index.js`, 'dist/index.js');
  await rename(`${out}/cli.js`, 'dist/cli.js');
} finally {
  await rm(out, { recursive: true, force: true });
}
