// The compiled path (docs/widget.md): with a notice bundle from `cachet build`
// the choices render with no wasm on the critical path, the same DOM as the
// safe path, under the strict CSP; submit still makes a receipt `cachet verify`
// accepts; a bundle that is altered, foreign or out of date falls back to the
// safe path with one console.warn.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import * as jose from 'jose';
import { build } from '../../dist/cachet.mjs';
import { canonicalJson } from '../../web/canonical.mjs';
import { launch } from './browser.mjs';
import { ROOT, startServer } from './server.mjs';
import { SignupPage } from './signup-page.mjs';

const configText = readFileSync(path.join(ROOT, 'tests', 'browser', 'pages', 'consent.json'), 'utf8');
let server;
let browser;
let bundle;
before(async () => {
  server = await startServer();
  browser = await launch();
  bundle = await build(configText);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

// Opens a page; the bundle URL is answered with `bundleBody` (the real bundle
// unless a test alters it), and cachet.wasm is held while `holdWasm` is a
// promise, recording what the page had shown when the module was asked for.
async function open(name, { bundleBody = bundle, holdWasm = null, waitForWidget = true, gpc = false } = {}) {
  const page = await browser.newPage();
  if (gpc) await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  const p = new SignupPage(page, server.origin);
  p.warnings = [];
  p.requests = [];
  page.on('console', (m) => m.type() === 'warning' && p.warnings.push(m.text()));
  page.on('request', (r) => p.requests.push(new URL(r.url()).pathname));
  await page.route('**/consent.bundle.json', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: bundleBody }),
  );
  p.atWasmRequest = new Promise((resolve) => {
    page.route('**/cachet.wasm', async (route) => {
      resolve(
        await page.evaluate(() => ({
          checkbox: document.querySelector('.cachet input[type=checkbox]') !== null,
          paints: performance.getEntriesByType('paint').map((e) => e.name),
        })),
      );
      if (holdWasm) await holdWasm;
      await route.continue();
    });
  });
  await p.open(name, { waitForWidget });
  return p;
}

// The widget's DOM once mount() has resolved (the compiled path: after the
// core confirmed the bundle).
async function mountedDom(p) {
  await p.page.waitForFunction(() => document.querySelector('[data-cachet-config]')?.cachetWidget);
  return p.page.evaluate(() => document.querySelector('.cachet').outerHTML);
}

const tamper = (mutate) => {
  const b = JSON.parse(bundle);
  mutate(b);
  return JSON.stringify(b);
};
const reseal = (b) => {
  b.integritySha256 = createHash('sha256').update(canonicalJson(b.content)).digest('hex');
};

async function axeViolations(p) {
  // From the same origin: the strict CSP lets no inline script run.
  await p.page.addScriptTag({ url: '/node_modules/axe-core/axe.min.js' });
  return p.page.evaluate(async () =>
    (await window.axe.run(document)).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  );
}

describe('compiled path', () => {
  for (const lang of ['fr', 'en']) {
    test(`${lang}: the bundle gives the safe path's DOM, no warning, no CSP violation, no axe violation`, async () => {
      const safe = await open(`safe-${lang}-csp.html`);
      const expected = await mountedDom(safe);
      const compiled = await open(`compiled-${lang}-csp.html`);
      assert.equal(await mountedDom(compiled), expected);
      assert.match(expected, new RegExp(`lang="${lang}"`));
      assert.deepEqual(compiled.warnings, []);
      assert.deepEqual(compiled.consoleErrors, []);
      assert.deepEqual(compiled.pageErrors, []);
      assert.deepEqual(await compiled.cspViolations(), []);
      assert.deepEqual(await axeViolations(compiled), []);
      await compiled.page.locator('.cachet__partners-button').click();
      assert.deepEqual(await axeViolations(compiled), []);
      await safe.page.close();
      await compiled.page.close();
    });
  }

  test('an inline bundle (data-cachet-bundle="#id") gives the same DOM with no request for it', async () => {
    const safe = await open('safe-fr-csp.html');
    const expected = await mountedDom(safe);
    const page = await browser.newPage();
    // The page as served (its CSP header kept), with this build's bundle in its inline script.
    await page.route('**/compiled-inline-fr-csp.html', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: (await response.text()).replace('BUNDLE', bundle) });
    });
    const p = new SignupPage(page, server.origin);
    const warnings = [];
    const requests = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await p.open('compiled-inline-fr-csp.html');
    assert.equal(await mountedDom(p), expected);
    assert.deepEqual(warnings, []);
    assert.ok(!requests.some((r) => r.endsWith('.bundle.json')), requests.join(', '));
    assert.deepEqual(await p.cspViolations(), []);
    assert.deepEqual(p.pageErrors, []);
    // An id the page does not have: one warning, and the safe path.
    await page.evaluate(() => {
      const form = document.querySelector('form');
      const host = document.createElement('div');
      host.setAttribute('data-cachet-config', '/tests/browser/pages/consent.json');
      host.setAttribute('data-cachet-bundle', '#nowhere');
      form.append(host);
      return Cachet.autoMount(form);
    });
    assert.equal(await page.locator('.cachet').count(), 2);
    assert.ok(warnings.some((w) => /no element with the id "nowhere"/.test(w)), warnings.join('\n'));
    // <cachet-consent bundle="#id"> reads it the same way.
    const warned = warnings.length;
    const locale = await page.evaluate(async () => {
      const element = document.createElement('cachet-consent');
      element.setAttribute('config', '/tests/browser/pages/consent.json');
      element.setAttribute('bundle', '#consent-bundle');
      document.querySelector('form').append(element);
      return (await element.ready).locale;
    });
    assert.equal(locale, 'fr');
    assert.equal(warnings.length, warned, warnings.join('\n'));
    assert.ok(!requests.some((r) => r.endsWith('.bundle.json')), requests.join(', '));
    await safe.page.close();
    await page.close();
  });

  test('with Global Privacy Control: the same DOM and the same boxes ticked on both paths', async () => {
    const states = (p) => p.page.evaluate(() => [...document.querySelectorAll('.cachet input[type=checkbox]')].map((i) => [i.dataset.cachetBox, i.checked]));
    const safe = await open('safe-fr-csp.html', { gpc: true });
    const expected = await mountedDom(safe);
    assert.match(expected, /cachet__gpc/, 'the GPC hint is shown');
    const compiled = await open('compiled-fr-csp.html', { gpc: true });
    assert.equal(await mountedDom(compiled), expected);
    assert.deepEqual(await states(compiled), await states(safe));
    assert.ok((await states(compiled)).some(([, checked]) => checked), 'an objection is ticked');
    assert.deepEqual(compiled.warnings, []);
    await safe.page.close();
    await compiled.page.close();
  });

  test('the glue and the wasm are fetched side by side, not one after the other', async () => {
    // cachet-core.mjs is held until cachet.wasm has been asked for: loading
    // them in turn would never get there.
    const page = await browser.newPage();
    const p = new SignupPage(page, server.origin);
    let wasmAsked;
    const asked = new Promise((resolve) => {
      wasmAsked = resolve;
    });
    await page.route('**/cachet.wasm', (route) => {
      wasmAsked();
      return route.continue();
    });
    let first = 'glue not asked for';
    await page.route('**/cachet-core.mjs', async (route) => {
      first = await Promise.race([asked.then(() => 'wasm'), new Promise((resolve) => setTimeout(() => resolve('timeout'), 5000))]);
      await route.continue();
    });
    await p.open('safe-fr-csp.html');
    assert.equal(first, 'wasm', 'cachet.wasm was asked for while its glue was held');
    assert.equal(await p.box('consent-email').count(), 1);
    assert.deepEqual(p.pageErrors, []);
    await page.close();
  });

  test('no wasm before the choices are painted; submitting before it arrives waits; the receipt verifies', async (t) => {
    // The safe path asks for the module before there is anything to show.
    const safe = await open('safe-fr-csp.html');
    assert.equal((await safe.atWasmRequest).checkbox, false);
    await safe.page.close();

    let release;
    const held = new Promise((resolve) => {
      release = resolve;
    });
    const p = await open('compiled-fr-csp.html', { holdWasm: held });
    // The checkboxes are there while cachet.wasm cannot arrive.
    const atRequest = await p.atWasmRequest;
    assert.equal(atRequest.checkbox, true, 'the choices were in the page before the module was asked for');
    assert.ok(atRequest.paints.includes('first-contentful-paint'), `painted first (${atRequest.paints})`);
    const before = p.requests.slice(0, p.requests.indexOf('/dist/cachet.wasm'));
    assert.ok(before.includes('/tests/browser/pages/consent.bundle.json'));
    // cachet.js is the widget alone: the module's glue comes with the module, after the choices.
    assert.ok(!before.includes('/dist/cachet-core.mjs'), `the glue waited for the module: ${before.join(', ')}`);
    assert.ok(p.requests.includes('/dist/cachet-core.mjs'), p.requests.join(', '));
    assert.ok(!p.requests.includes('/dist/cachet-verify.wasm'), 'a signup page never loads the verifier');

    await p.page.locator('#email').fill('marie@example.fr');
    await p.box('consent-email').check();
    const submissions = server.submissions.length;
    await p.page.locator('button[type=submit]').click();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await p.receiptCopy().count(), 0, 'nothing signed while the module is held');
    release();
    await p.receiptCopy().waitFor();
    await p.tabTo((a) => a.classes.includes('cachet__continue'), 6);
    await Promise.all([p.page.waitForURL('**/submit*'), p.page.keyboard.press('Enter')]);
    assert.equal(server.submissions.length, submissions + 1);
    const jwsText = server.submissions.at(-1).cachet_receipt;
    const jws = JSON.parse(jwsText);
    const { payload } = await jose.generalVerify(jws, jose.EmbeddedJWK, { algorithms: ['Ed25519', 'EdDSA'] });
    const receipt = JSON.parse(new TextDecoder().decode(payload));
    // The receipt binds the notice the bundle showed.
    const content = JSON.parse(bundle).content;
    assert.equal(receipt.notice.sha256, content.locales.fr.noticeSha256);
    assert.equal(receipt.notice.partnerListSha256, content.partnerListSha256);
    assert.deepEqual(p.warnings, []);
    assert.deepEqual(await p.cspViolations(), []);

    const bin = process.env.CACHET_BIN || path.join(ROOT, 'build', 'cli', 'cachet');
    if (!existsSync(bin)) {
      if (process.env.CACHET_BIN) assert.fail(`CACHET_BIN=${bin} does not exist`);
      t.diagnostic('native CLI not built; skipped `cachet verify`');
      return;
    }
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cachet-compiled-')), 'receipt.json');
    writeFileSync(file, jwsText);
    const verified = spawnSync(bin, ['verify', file], { encoding: 'utf8' });
    assert.equal(verified.status, 0, verified.stderr);
  });

  test('<cachet-consent bundle="…">: the choices before the module, the same widget once it is there', async () => {
    let release;
    const held = new Promise((resolve) => {
      release = resolve;
    });
    const p = await open('compiled-element-csp.html', { holdWasm: held });
    assert.equal((await p.atWasmRequest).checkbox, true);
    release();
    const widgetLocale = await p.page.evaluate(async () => (await document.querySelector('cachet-consent').ready).locale);
    assert.equal(widgetLocale, 'en');
    assert.deepEqual(p.warnings, []);
    assert.deepEqual(await p.cspViolations(), []);
    await p.page.close();
  });

  const fallbacks = {
    'an altered notice (integrity hash)': [
      () => tamper((b) => { b.content.locales.fr.notice.heading = 'Autre chose'; }),
      /integrity hash does not match/,
    ],
    'another config (configSha256)': [
      () => tamper((b) => { b.content.configSha256 = 'a'.repeat(64); reseal(b); }),
      /another configuration/,
    ],
    'a malformed bundle': [() => '{"content": ', /not JSON/],
    'a bundle without notices': [() => tamper((b) => { b.content.locales = {}; reseal(b); }), /default locale/],
    // Built with --only fr, on a page in English (a locale the core speaks).
    'a bundle without the page\'s locale': [() => build(configText, { locales: ['fr'] }), /does not carry the page's locale "en"/, 'en'],
    // Whole and from this config, but built by a Cachet that worded the notice otherwise.
    'a notice the core does not build': [
      () => tamper((b) => { b.content.locales.fr.notice.heading = 'Ancien titre'; reseal(b); }),
      /notice differs/,
    ],
  };
  for (const [name, [body, why, lang = 'fr']] of Object.entries(fallbacks)) {
    test(`${name} falls back to the safe path with one warning`, async () => {
      const safe = await open(`safe-${lang}-csp.html`);
      const expected = await mountedDom(safe);
      const p = await open(`compiled-${lang}-csp.html`, { bundleBody: await body() });
      const dom = await mountedDom(p);
      // The safe path's widget, numbered after the set-aside one when there was one.
      assert.equal(dom.replace(/cachet-2/g, 'cachet-1'), expected);
      assert.equal(p.warnings.length, 1, p.warnings.join('\n'));
      assert.match(p.warnings[0], /notice bundle is not used/);
      assert.match(p.warnings[0], why);
      assert.deepEqual(p.consoleErrors, []);
      await safe.page.close();
      await p.page.close();
    });
  }
});
