// The compiled path's JavaScript side: the RFC 8785 form web/canonical.mjs
// computes (to check a bundle before the core is loaded) agrees with the
// core's, and the Node API's build() writes the same bytes as `cachet build`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../../web/canonical.mjs';
import { checkBundle, shownFromBundle } from '../../web/bundle.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const Cachet = await import(process.env.CACHET_MODULE || path.join(ROOT, 'dist', 'cachet.mjs'));
const read = (...parts) => readFileSync(path.join(ROOT, ...parts), 'utf8');
const config = read('tests', 'browser', 'pages', 'consent.json');

test('canonicalJson agrees with the core on the RFC 8785 fixtures and the configs', async () => {
  const dir = path.join(ROOT, 'tests', 'fixtures', 'jcs', 'input');
  const texts = readdirSync(dir).map((name) => readFileSync(path.join(dir, name), 'utf8'));
  texts.push(config, read('tests', 'fixtures', 'configs', 'societe-x.json'), read('tests', 'fixtures', 'configs', 'northwind-en.json'));
  for (const text of texts) assert.equal(canonicalJson(JSON.parse(text)), await Cachet.canonicalize(text));
  const expected = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'jcs', 'output', 'rfc8785-section-3.2.3-utf16-sorting.json'), 'utf8');
  assert.equal(canonicalJson(JSON.parse(read('tests', 'fixtures', 'jcs', 'input', 'rfc8785-section-3.2.3-utf16-sorting.json'))), expected.trimEnd());
  assert.throws(() => canonicalJson({ x: Number.NaN }));
});

test('build() is deterministic, checks out against its config, and refuses lint errors', async () => {
  const bundle = await Cachet.build(config);
  assert.equal(await Cachet.build(JSON.parse(config)), bundle, 'an object gives the same bytes');
  const parsed = JSON.parse(bundle);
  assert.equal(parsed.integritySha256, createHash('sha256').update(canonicalJson(parsed.content)).digest('hex'));
  assert.equal(parsed.content.configSha256, createHash('sha256').update(await Cachet.canonicalize(config)).digest('hex'));
  assert.deepEqual((await checkBundle(bundle, config)).ok, true);
  assert.match((await checkBundle(bundle, config.replace('"fr"', '"en"'))).why, /another configuration/);
  // The locale the page asks for when the bundle has it, else the config's.
  assert.equal(shownFromBundle(parsed.content, 'en', false).notice.locale, 'en');
  assert.equal(shownFromBundle(parsed.content, 'xx', false).notice.locale, parsed.content.defaultLocale);
  assert.equal(shownFromBundle(parsed.content, '__proto__', false).notice.locale, parsed.content.defaultLocale);

  // Only the page's locale (and the config's default), as `cachet build --only`.
  const small = JSON.parse(await Cachet.build(config, { locales: ['en'] })).content;
  assert.deepEqual(Object.keys(small.locales).sort(), ['en', parsed.content.defaultLocale].sort());
  assert.deepEqual(small.locales.en, parsed.content.locales.en);
  // A page in a locale the core speaks but the bundle left out does not get another one.
  const frOnly = JSON.parse(await Cachet.build(config, { locales: ['fr'] })).content;
  assert.equal(shownFromBundle(frOnly, 'en', false), null);
  assert.equal(shownFromBundle(frOnly, 'xx', false).notice.locale, 'fr');
  await assert.rejects(Cachet.build(config, { locales: ['xx'] }), (error) => error.code === 'bundle_locale_unsupported');

  const bad = JSON.parse(config);
  bad.channels.email.basis = 'legitimate-interest'; // R4
  await assert.rejects(Cachet.build(bad), (error) => error.name === 'CachetError' && error.code === 'rule_r4_consent_required');
});

test('build() writes exactly the bytes of `cachet build`', (t) => {
  const bin = process.env.CACHET_BIN || path.join(ROOT, 'build', 'cli', 'cachet');
  if (!existsSync(bin)) {
    if (process.env.CACHET_BIN) assert.fail(`CACHET_BIN=${bin} does not exist`);
    t.diagnostic('native CLI not built; skipped the comparison');
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cachet-bundle-'));
  writeFileSync(path.join(dir, 'consent.json'), config);
  const r = spawnSync(bin, ['build', path.join(dir, 'consent.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Cachet.build(config).then((bundle) => assert.equal(readFileSync(path.join(dir, 'consent.bundle.json'), 'utf8'), bundle));
});
