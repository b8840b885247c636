#!/usr/bin/env node
// Generates web/cachet-config.d.ts, the TypeScript type of a Cachet
// configuration, from schema/cachet-config.schema.json: the schema is the one
// source of truth, the type is derived (json-schema-to-typescript, pinned in
// package.json). tests/js/config-types.test.mjs fails when the committed file
// differs from what this script makes, so a schema change must be followed by
// `node scripts/gen-config-types.mjs`.
//
// usage: node scripts/gen-config-types.mjs [--check]   (--check: exit 1 when stale, write nothing)
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA = path.join(root, 'schema', 'cachet-config.schema.json');
export const OUTPUT = path.join(root, 'web', 'cachet-config.d.ts');

const BANNER = `// Generated from schema/cachet-config.schema.json by scripts/gen-config-types.mjs.
// Do not edit: change the schema and run \`node scripts/gen-config-types.mjs\`.`;

/** The declaration file the schema gives, as text. */
export async function generate() {
  const schema = JSON.parse(await readFile(SCHEMA, 'utf8'));
  // The root type's name is ours, not one made from the schema's title or $id.
  delete schema.title;
  delete schema.$id;
  return compile(schema, 'CachetConfig', {
    bannerComment: BANNER,
    cwd: path.dirname(SCHEMA),
    // The schema is strict (additionalProperties: false everywhere): so is the type.
    additionalProperties: false,
    strictIndexSignatures: true,
    unreachableDefinitions: false,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await generate();
  if (process.argv.includes('--check')) {
    const current = await readFile(OUTPUT, 'utf8').catch(() => '');
    if (current !== text) {
      console.error(`gen-config-types: ${path.relative(root, OUTPUT)} is stale; run node scripts/gen-config-types.mjs`);
      process.exit(1);
    }
  } else {
    await writeFile(OUTPUT, text);
    console.log(`gen-config-types: wrote ${path.relative(root, OUTPUT)}`);
  }
}
