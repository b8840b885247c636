#!/usr/bin/env node
// Bundles the widget into dist/ (DESIGN.md 2): cachet.js (script tag, global
// `Cachet`; the wasm glue is cachet-core.mjs, loaded with cachet.wasm),
// cachet.mjs (ES module, browsers and Node), cachet-element.mjs
// (defines <cachet-consent> on import), cachet.wasm, cachet.css, the TypeScript
// declarations (cachet.d.ts, cachet-config.d.ts, cachet-element.d.ts) and the config schema, plus the verification module that
// verify() and canonicalize() load on first use (cachet-verify.mjs + .wasm). Deterministic: the same sources give the
// same bytes, so a test can compare the committed dist/ with a fresh build.
//
// usage: node scripts/build-dist.mjs [--wasm DIR_WITH_cachet_core.js] [--out DIR]
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? path.resolve(process.argv[i + 1]) : fallback;
};
const wasmDir = arg('--wasm', path.join(root, 'build-web-wasm', 'wasm'));
const out = arg('--out', path.join(root, 'dist'));
const glues = { 'cachet-core-glue': path.join(wasmDir, 'cachet_core.js'), 'cachet-verify-glue': path.join(wasmDir, 'cachet_verify.js') };
for (const glue of Object.values(glues)) {
  if (!existsSync(glue)) {
    console.error(`build-dist: ${glue} is missing; build the wasm modules first (scripts/build-dist.sh).`);
    process.exit(2);
  }
}

const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const banner = `/*! Cachet ${version} | MIT | consent widget with signed receipts */`;

// The Emscripten glue is found through these aliases, so web/ never names a build directory.
const gluePlugin = {
  name: 'cachet-glue',
  setup(build) {
    build.onResolve({ filter: /^cachet-(core|verify)-glue$/ }, (args) => ({ path: glues[args.path] }));
  },
};

const common = {
  bundle: true,
  minify: true,
  target: ['es2020'],
  legalComments: 'none',
  charset: 'utf8',
  platform: 'browser',
  define: { __CACHET_VERSION__: JSON.stringify(version) },
  banner: { js: banner },
  plugins: [gluePlugin],
  write: false,
  logLevel: 'warning',
};

async function bundle(entry, format, extra = {}) {
  const result = await esbuild.build({ ...common, entryPoints: [path.join(root, 'web', entry)], format, ...extra });
  return result.outputFiles[0].contents;
}

await mkdir(out, { recursive: true });
// cachet-element.mjs defines <cachet-consent> on import and takes everything
// else from ./cachet.mjs, so the widget is loaded once however it is imported.
const mainModule = {
  name: 'cachet-main-module',
  setup(build) {
    build.onResolve({ filter: /^\.\/index\.mjs$/ }, () => ({ path: './cachet.mjs', external: true }));
  },
};
// cachet.js leaves the widget module's Emscripten glue out and imports
// cachet-core.mjs when the module is first needed (web/core-glue-script.mjs):
// the compiled path renders before it. cachet.mjs keeps it in (one file for
// Node and bundlers).
const scriptGlue = {
  name: 'cachet-script-glue',
  setup(build) {
    build.onResolve({ filter: /^\.\/core-glue\.mjs$/ }, () => ({ path: path.join(root, 'web', 'core-glue-script.mjs') }));
  },
};
const files = {
  'cachet.js': await bundle('script.mjs', 'iife', { globalName: 'Cachet', plugins: [gluePlugin, scriptGlue] }),
  'cachet-core.mjs': await bundle('core-module.mjs', 'esm'),
  'cachet.mjs': await bundle('index.mjs', 'esm'),
  'cachet-element.mjs': await bundle('element-define.mjs', 'esm', { plugins: [mainModule] }),
  'cachet-verify.mjs': await bundle('verify-module.mjs', 'esm'),
};
const css = await esbuild.build({
  entryPoints: [path.join(root, 'web', 'cachet.css')],
  bundle: true,
  minify: true,
  write: false,
  charset: 'utf8',
  logLevel: 'warning',
  banner: { css: banner },
});
files['cachet.css'] = css.outputFiles[0].contents;

for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(out, name), bytes);
await copyFile(path.join(wasmDir, 'cachet_core.wasm'), path.join(out, 'cachet.wasm'));
await copyFile(path.join(wasmDir, 'cachet_verify.wasm'), path.join(out, 'cachet-verify.wasm'));
// TypeScript declarations; cachet-config.d.ts is generated from the schema (scripts/gen-config-types.mjs).
for (const name of ['cachet.d.ts', 'cachet-config.d.ts', 'cachet-element.d.ts']) {
  await copyFile(path.join(root, 'web', name), path.join(out, name));
}
const schema = path.join(root, 'schema', 'cachet-config.schema.json');
if (existsSync(schema)) await copyFile(schema, path.join(out, 'cachet-config.schema.json'));
console.log(`build-dist: wrote ${out}`);
