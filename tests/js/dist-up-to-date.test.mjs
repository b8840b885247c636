// dist/ is committed: it must be exactly what the build makes from the sources.
// scripts/test-web.sh builds a fresh copy and passes its folder in CACHET_FRESH_DIST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fresh = process.env.CACHET_FRESH_DIST;

test('committed dist/ equals a fresh build', { skip: !fresh && 'CACHET_FRESH_DIST not set (run scripts/test-web.sh)' }, () => {
  const committed = path.join(ROOT, 'dist');
  const names = readdirSync(fresh).sort();
  assert.deepEqual(readdirSync(committed).sort(), names, 'same files');
  for (const name of ['cachet.js', 'cachet-core.mjs', 'cachet.mjs', 'cachet.wasm', 'cachet-verify.mjs', 'cachet-verify.wasm', 'cachet.css', 'cachet.d.ts']) {
    assert.ok(existsSync(path.join(fresh, name)), `${name} built`);
  }
  for (const name of names) {
    assert.ok(readFileSync(path.join(committed, name)).equals(readFileSync(path.join(fresh, name))), `dist/${name} is stale: run scripts/build-dist.sh`);
  }
});
