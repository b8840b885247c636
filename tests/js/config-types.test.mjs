// The config's TypeScript type is generated from the JSON Schema (one source
// of truth): the committed web/cachet-config.d.ts must be what
// scripts/gen-config-types.mjs makes from schema/cachet-config.schema.json today.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OUTPUT, SCHEMA, generate } from '../../scripts/gen-config-types.mjs';

test('web/cachet-config.d.ts is generated from the current schema', async () => {
  assert.equal(readFileSync(OUTPUT, 'utf8'), await generate(),
    'web/cachet-config.d.ts is stale: run node scripts/gen-config-types.mjs (then scripts/build-dist.sh)');
});

test('the generated type names every top-level member of the schema, strictly', () => {
  const schema = JSON.parse(readFileSync(SCHEMA, 'utf8'));
  const text = readFileSync(OUTPUT, 'utf8');
  const body = text.slice(text.indexOf('export interface CachetConfig {'));
  for (const [name] of Object.entries(schema.properties)) {
    const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`;
    assert.match(body, new RegExp(`\\n  ${key.replace(/[$]/g, '\\$')}${schema.required.includes(name) ? '' : '\\?'}:`), name);
  }
  assert.doesNotMatch(text, /\[k: string\]: unknown/, 'no index signature: an unknown member must be a type error');
});
