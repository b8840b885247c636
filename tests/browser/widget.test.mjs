// The widget in real Chromium: keyboard-only signup with a receipt verified
// by jose (and the native CLI when built), axe-core in fr and en, a strict CSP,
// hostile configs, validation errors and Global Privacy Control.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as jose from 'jose';
import { launch } from './browser.mjs';
import { ROOT, startServer } from './server.mjs';
import { SignupPage } from './signup-page.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(name, options) {
  const p = new SignupPage(await browser.newPage(), server.origin);
  await p.open(name, options);
  return p;
}

// Submits with the keyboard and returns the receipt the server received.
async function submitAndReadReceipt(p) {
  const before = server.submissions.length;
  await p.tabTo((a) => a.tag === 'BUTTON' && a.type === 'submit');
  await p.page.keyboard.press('Enter');
  // The person sees their copy first (receiptCopy "pause", the default).
  await p.continueFromCopy();
  assert.equal(server.submissions.length, before + 1, 'the form was submitted once');
  const submitted = server.submissions.at(-1);
  assert.ok(submitted.cachet_receipt, 'the hidden input carried the receipt');
  return submitted;
}

async function verifyWithJose(jwsText) {
  const jws = JSON.parse(jwsText);
  const header = JSON.parse(Buffer.from(jws.signatures[0].protected, 'base64url').toString('utf8'));
  assert.equal(header.alg, 'Ed25519');
  assert.equal(header.typ, 'cachet-receipt+jws');
  const key = await jose.importJWK(header.jwk, header.alg);
  const { payload } = await jose.generalVerify(jws, key, { algorithms: ['Ed25519', 'EdDSA'] });
  return JSON.parse(new TextDecoder().decode(payload));
}

// The native verifier (`cachet verify FILE`). scripts/test.sh builds it first
// and sets CACHET_BIN, so there it is required; a bare run of this file finds
// it under build/ or says that it skipped the check.
function cliBinary() {
  const bin = process.env.CACHET_BIN || path.join(ROOT, 'build', 'cli', 'cachet');
  if (process.env.CACHET_BIN) assert.ok(existsSync(bin), `CACHET_BIN=${bin} does not exist`);
  return existsSync(bin) ? bin : null;
}

describe('signup page, keyboard only', () => {
  test('tick email consent, browse the partner dialog, submit; the receipt verifies', async (t) => {
    const p = await openPage('signup-fr.html');
    // Email field first: type the address.
    await p.tabTo((a) => a.id === 'email');
    await p.page.keyboard.type('Marie.Dupont@example.fr');

    // The partner dialog: Enter opens it, focus moves inside, Tab stays inside, Esc closes.
    const opener = await p.tabTo((a) => a.tag === 'BUTTON' && a.type === 'button');
    await p.page.keyboard.press('Enter');
    const dialog = p.page.locator('dialog.cachet__dialog');
    assert.equal(await dialog.evaluate((d) => d.open), true, 'dialog open');
    assert.equal((await p.activeElement()).inDialog, true, 'focus moved into the dialog');
    const label = await dialog.getAttribute('aria-labelledby');
    assert.match(await p.page.locator(`#${label}`).innerText(), /partenaires/i);
    assert.equal(await dialog.locator('.cachet__partner a[target=_blank][rel~=noopener]').count(), 2, 'one policy link per partner');
    for (let i = 0; i < 6; i++) {
      await p.page.keyboard.press('Tab');
      assert.equal((await p.activeElement()).inDialog, true, `Tab ${i + 1} stays in the dialog`);
    }
    await p.page.keyboard.press('Escape');
    assert.equal(await dialog.evaluate((d) => d.open), false, 'Esc closed the dialog');
    assert.equal((await p.activeElement()).id, opener.id, 'focus went back to the opener');

    // Enter on the button again, then close with the close button (Enter).
    await p.page.keyboard.press('Enter');
    assert.equal(await dialog.evaluate((d) => d.open), true);
    await p.page.keyboard.press('Enter'); // focus is on the close button
    assert.equal(await dialog.evaluate((d) => d.open), false);

    // Boxes start unchecked (R5); Space ticks the email consent.
    for (const id of ['object-postal-phone', 'consent-email', 'consent-sms']) {
      assert.equal(await p.box(id).isChecked(), false, `${id} starts unchecked`);
    }
    await p.tabTo((a) => a.box === 'consent-email');
    await p.page.keyboard.press('Space');
    assert.equal(await p.box('consent-email').isChecked(), true);

    const submitted = await submitAndReadReceipt(p);
    assert.equal(submitted.email, 'Marie.Dupont@example.fr');
    const receipt = await verifyWithJose(submitted.cachet_receipt);
    assert.equal(receipt.version, 'cachet-receipt/1');
    assert.equal(receipt.channels.email.decision, 'granted');
    assert.equal(receipt.channels.sms.decision, 'not-granted');
    assert.equal(receipt.channels.postal.decision, 'not-objected');
    assert.equal(receipt.channels.email.shownUnchecked, true);
    assert.equal(receipt.collection.method, 'web-form');
    assert.equal(receipt.collection.challenge, 'challenge-123');
    assert.equal(receipt.collection.globalPrivacyControl, false);
    assert.match(receipt.collection.pageUrl, /signup-fr\.html$/);
    assert.match(receipt.issuedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(receipt.receiptId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(receipt.subject.digests.email, /^[0-9a-f]{64}$/);
    assert.ok(!submitted.cachet_receipt.includes('Marie'), 'the email itself never appears in the receipt');
    assert.deepEqual(p.pageErrors, []);

    // Altering one byte of the payload breaks the signature for jose too.
    const jws = JSON.parse(submitted.cachet_receipt);
    const tampered = { ...jws, payload: Buffer.from(Buffer.from(jws.payload, 'base64url').toString().replace('"granted"', '"objected"')).toString('base64url') };
    await assert.rejects(verifyWithJose(JSON.stringify(tampered)));

    const bin = cliBinary();
    if (!bin) {
      t.diagnostic('native CLI with `verify` not built; skipped the CLI check (set CACHET_BIN)');
      return;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cachet-receipt-'));
    const good = path.join(dir, 'receipt.json');
    const bad = path.join(dir, 'tampered.json');
    writeFileSync(good, submitted.cachet_receipt);
    writeFileSync(bad, JSON.stringify(tampered));
    execFileSync(bin, ['verify', good], { stdio: 'pipe' });
    assert.equal(spawnSync(bin, ['verify', bad]).status, 1, 'the CLI refuses the tampered receipt');
  });

  test('after submit the person gets a readable copy of the receipt', async () => {
    const p = await openPage('signup-en.html');
    const w = await p.page.evaluate(async () => {
      const host = document.querySelector('[data-cachet-config]');
      // Wait for the auto-mounted widget, then make the receipt through the API.
      for (let i = 0; i < 100 && !host.cachetWidget; i++) await new Promise((r) => setTimeout(r, 20));
      const events = [];
      host.addEventListener('cachet:receipt', (e) => events.push(e.detail.receipt.receiptId));
      const jws = await host.cachetWidget.receipt();
      return { jws, events, text: host.cachetWidget.receiptText() };
    });
    assert.equal(w.events.length, 1);
    assert.match(w.text, new RegExp(w.events[0]));
    const copy = p.receiptCopy();
    assert.equal(await copy.isVisible(), true);
    assert.match(await copy.locator('pre').innerText(), new RegExp(w.events[0]));
    assert.match(await copy.locator('a[download]').getAttribute('download'), /\.txt$/);
    assert.equal(await copy.locator('button').count(), 0, 'made through the API: no Continue, the host decides');
    assert.equal(await p.receiptInput().inputValue(), w.jws);
  });
});

describe('the partner list (issues 13 and 15)', () => {
  test('each box names the partners inside its sentence; the link opens the list and never ticks the box', async () => {
    const p = await openPage('signup-fr.html');
    const label = p.page.locator('.cachet [data-cachet-box="consent-email"] + label');
    assert.match(await label.innerText(), /^J'accepte que mon adresse électronique soit transmise aux partenaires commerciaux de .+ par courrier électronique$/);
    const inline = label.locator('a.cachet__partners-inline');
    assert.match(await inline.innerText(), /^partenaires commerciaux de /);
    assert.equal(await p.page.locator('.cachet a.cachet__partners-inline').count(), 3, 'one link in each box');
    await inline.click();
    const dialog = p.page.locator('dialog.cachet__dialog');
    assert.equal(await dialog.evaluate((d) => d.open), true, 'the link opened the list');
    assert.equal(await p.box('consent-email').isChecked(), false, 'following the link did not tick the box (R5)');
    // Each partner with the channels it receives.
    const items = await dialog.locator('.cachet__partner-channels').allInnerTexts();
    assert.equal(items.length, 2);
    for (const text of items) assert.match(text, /^Canaux : courrier postal, téléphone \(hors appels automatisés\), courrier électronique et SMS$/);
    // The full page is one link inside the dialog, not a second control beside the button.
    assert.equal(await dialog.locator('a[href="https://x.example/partenaires"]').count(), 1);
    await p.page.keyboard.press('Escape');
    assert.equal((await p.activeElement()).tag, 'A', 'focus back on the link that opened it');
    const actions = p.page.locator('.cachet__actions');
    assert.equal(await actions.locator('a, button').count(), 1, 'one control for the list');
    assert.match(await actions.locator('button').innerText(), /^Voir la liste des 2 partenaires$/);
    // The on-behalf case says so, next to the box.
    assert.match(await p.page.locator(`#${await p.box('consent-email').getAttribute('id')}-hint`).innerText(), /pour le compte des partenaires listés/);
    assert.deepEqual(p.pageErrors, []);
  });

  test('with the list by link only, that link is the one control, and the sentence links to it', async () => {
    const config = JSON.parse(readFileSync(path.join(ROOT, 'tests/browser/pages/consent.json'), 'utf8'));
    delete config.partners.entries;
    config.partners.listUrl = '/partenaires';
    const p = await openPage('esm-mount.html', { waitForWidget: false });
    const links = await p.page.evaluate(async (cfg) => {
      const host = document.querySelector('#consent');
      const { mount } = await import('/dist/cachet.mjs');
      await mount(host, cfg, { locale: 'en' });
      return {
        actions: [...host.querySelectorAll('.cachet__actions a, .cachet__actions button')].map((a) => [a.tagName, a.textContent, a.href]),
        inline: [...host.querySelectorAll('label a')].map((a) => a.href),
        dialogs: host.querySelectorAll('dialog').length,
      };
    }, config);
    assert.equal(links.actions.length, 1);
    assert.equal(links.actions[0][0], 'A');
    assert.match(links.actions[0][1], /^See the list of 12 partners/);
    assert.equal(links.actions[0][2], `${server.origin}/partenaires`);
    assert.ok(links.inline.length >= 3 && links.inline.every((h) => h === `${server.origin}/partenaires`), links.inline.join(' '));
    assert.equal(links.dialogs, 0);
  });
});

describe('accessibility (axe-core)', () => {
  for (const page of ['signup-fr.html', 'signup-en.html']) {
    test(`${page}: no violation, with the partner dialog closed and open`, async () => {
      const p = await openPage(page);
      await p.page.addScriptTag({ path: path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js') });
      const scan = () => p.page.evaluate(async () => (await window.axe.run(document)).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
      assert.deepEqual(await scan(), []);
      await p.page.locator('.cachet__partners-button').click();
      assert.deepEqual(await scan(), []);
      await p.page.keyboard.press('Escape');
      // Errors shown: still no violation.
      await p.box('consent-email').check();
      await p.page.evaluate(() => document.querySelector('[data-cachet-config]').cachetWidget.validate());
      assert.deepEqual(await scan(), []);
    });
  }
});

describe('strict Content-Security-Policy', () => {
  test('the widget works and signs with no CSP violation', async () => {
    const p = await openPage('signup-csp.html');
    const csp = await p.page.evaluate(() => fetch(location.href).then((r) => r.headers.get('content-security-policy')));
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    await p.page.locator('#email').fill('someone@example.org');
    await p.box('consent-email').check();
    const submitted = await submitAndReadReceipt(p);
    const receipt = await verifyWithJose(submitted.cachet_receipt);
    assert.equal(receipt.channels.email.decision, 'granted');
    assert.deepEqual(p.consoleErrors, []);
    assert.deepEqual(p.pageErrors, []);
  });

  test('a signup page never fetches the verification module; Cachet.verify() loads it on demand', async () => {
    const p = await openPage('signup-csp.html');
    const fetched = () => p.page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    await p.page.locator('#email').fill('someone@example.org');
    await p.box('consent-email').check();
    // The widget's own receipt, made in the page (as on submit).
    const receipt = await p.page.evaluate(() => document.querySelector('[data-cachet-config]').cachetWidget.receipt());
    const before = await fetched();
    assert.ok(before.includes('/dist/cachet.wasm') && !before.some((f) => f.includes('cachet-verify')), before.join(', '));

    const checked = await p.page.evaluate((jws) => Cachet.verify(jws), receipt);
    assert.equal(checked.ok, true, JSON.stringify(checked.errors));
    const altered = receipt.replace(/"signature":"(.)/, (_, c) => `"signature":"${c === 'A' ? 'B' : 'A'}`);
    const tampered = await p.page.evaluate((jws) => Cachet.verify(jws), altered);
    assert.equal(tampered.ok, false);
    assert.ok(tampered.errors[0].code, JSON.stringify(tampered.errors));
    assert.equal(await p.page.evaluate(() => Cachet.canonicalize('{"b":1,"a":[2e0]}')), '{"a":[2],"b":1}');
    const after = await fetched();
    assert.ok(after.includes('/dist/cachet-verify.mjs') && after.includes('/dist/cachet-verify.wasm'), after.join(', '));
    assert.deepEqual(await p.cspViolations(), []);
    assert.deepEqual(p.pageErrors, []);
  });

  test('no violation is reported while the page runs', async () => {
    const p = await openPage('signup-csp.html');
    await p.page.locator('.cachet__partners-button').click();
    await p.page.keyboard.press('Escape');
    assert.deepEqual(await p.cspViolations(), []);
    assert.deepEqual(p.consoleErrors, []);
  });
});

describe('hostile configs', () => {
  test('markup in config texts shows literally and never runs', async () => {
    const p = await openPage('hostile.html');
    await p.page.locator('.cachet__partners-button').click();
    const flags = await p.page.evaluate(() => ({
      pwned: window.__pwned === 1,
      elements: document.querySelectorAll('.cachet img, .cachet script, .cachet svg, .cachet b').length,
    }));
    assert.deepEqual(flags, { pwned: false, elements: 0 });
    assert.deepEqual(p.dialogs, [], 'no alert() ran');
    const dialogText = await p.page.locator('dialog.cachet__dialog').innerText();
    assert.ok(dialogText.includes('<img src=x onerror="window.__pwned=1;alert(1)">'), 'partner name shown as text');
    const text = await p.page.locator('.cachet__fieldset').innerText();
    assert.ok(text.includes('<script>window.__pwned=1</script>'), 'purpose shown as text');
    await p.page.locator('#email').fill('x@example.org');
    await p.page.waitForTimeout(50);
    assert.equal(await p.page.evaluate(() => window.__pwned === 1), false);
  });

  test('a javascript: URL is refused: one console error, no choices, a short message', async () => {
    const p = await openPage('javascript-url.html', { waitForWidget: false });
    await p.page.waitForSelector('.cachet__unavailable');
    assert.equal(await p.page.locator('.cachet input, .cachet a').count(), 0, 'no choice, no link rendered');
    await p.waitForConsoleError(/doit être une URL absolue en https: ; « javascript:/);
    assert.equal(p.consoleErrors.length, 1, p.consoleErrors.join('\n'));
    assert.match(p.consoleErrors[0], /config_url_not_https/);
    assert.match(p.consoleErrors[0], /\/partners\/entries\/0\/privacyPolicyUrl/);
    assert.equal(await p.page.locator('a[href^="javascript:"]').count(), 0);
  });
});

describe('validation and Global Privacy Control', () => {
  test('email consent with no email: error announced, submit blocked', async () => {
    const p = await openPage('signup-en.html');
    const invalid = p.page.evaluate(
      () => new Promise((resolve) => document.querySelector('[data-cachet-config]').addEventListener('cachet:invalid', (e) => resolve(e.detail.errors.map((x) => x.code)), { once: true })),
    );
    await p.box('consent-email').check();
    const before = server.submissions.length;
    await p.page.locator('button[type=submit]').click();
    assert.deepEqual(await invalid, ['choice_contact_missing']);
    const alert = p.page.locator('.cachet [role=alert]');
    assert.match(await alert.innerText(), /email/i);
    assert.equal(await p.box('consent-email').getAttribute('aria-invalid'), 'true');
    const describedBy = (await p.box('consent-email').getAttribute('aria-describedby')).split(' ');
    const errorId = describedBy.find((id) => id.endsWith('-error'));
    assert.ok(errorId, 'the box is described by its error');
    assert.match(await p.page.locator(`#${errorId}`).innerText(), /email/i);
    assert.equal(await p.page.locator('#email').getAttribute('aria-invalid'), 'true');
    await p.page.waitForTimeout(200);
    assert.equal(server.submissions.length, before, 'nothing was submitted');
    assert.match(p.page.url(), /signup-en\.html$/);

    // An invalid address is refused too; a valid one clears the error and submits.
    await p.page.locator('#email').fill('not-an-email');
    await p.page.locator('button[type=submit]').click();
    assert.equal(await p.box('consent-email').getAttribute('aria-invalid'), 'true');
    await p.page.locator('#email').fill('ok@example.org');
    await p.page.locator('#email').dispatchEvent('change');
    assert.equal(await p.box('consent-email').getAttribute('aria-invalid'), null, 'error cleared');
    await p.page.locator('button[type=submit]').click();
    await Promise.all([p.page.waitForURL('**/submit'), p.page.locator('.cachet__continue').click()]);
    assert.equal(server.submissions.length, before + 1);
  });

  test('GPC pre-selects the objection, says why, and the receipt records it', async () => {
    const page = await browser.newPage();
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
    const p = new SignupPage(page, server.origin);
    await p.open('signup-fr.html');
    assert.equal(await p.box('object-postal-phone').isChecked(), true, 'objection pre-selected');
    assert.equal(await p.box('consent-email').isChecked(), false, 'consent never pre-ticked');
    const gpc = p.page.locator('.cachet__gpc');
    assert.match(await gpc.innerText(), /Global Privacy Control/);
    const describedBy = await p.box('object-postal-phone').getAttribute('aria-describedby');
    assert.ok(describedBy.split(' ').includes(await gpc.getAttribute('id')), 'the reason describes the box');
    const submitted = await submitAndReadReceipt(p);
    const receipt = await verifyWithJose(submitted.cachet_receipt);
    assert.equal(receipt.collection.globalPrivacyControl, true);
    assert.equal(receipt.channels.postal.decision, 'objected');
    assert.equal(receipt.channels.phone.decision, 'objected');
    assert.equal(receipt.channels.postal.shownUnchecked, false, 'the pre-selection is recorded truthfully');
    assert.equal(receipt.channels.email.shownUnchecked, true);
  });
});

describe('other browsers and entry points', () => {
  test('without WebCrypto Ed25519 the widget signs with ES256, and the receipt still verifies', async () => {
    const page = await browser.newPage();
    // A browser that lacks Ed25519 in WebCrypto rejects the key generation.
    await page.addInitScript(() => {
      const generateKey = SubtleCrypto.prototype.generateKey;
      SubtleCrypto.prototype.generateKey = function (algorithm, ...rest) {
        const name = typeof algorithm === 'string' ? algorithm : algorithm?.name;
        if (String(name).toLowerCase() === 'ed25519') return Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'));
        return generateKey.call(this, algorithm, ...rest);
      };
    });
    const p = new SignupPage(page, server.origin);
    await p.open('signup-en.html');
    await p.page.locator('#email').fill('ada@example.org');
    await p.box('consent-email').check();
    const submitted = await submitAndReadReceipt(p);
    const jws = JSON.parse(submitted.cachet_receipt);
    const header = JSON.parse(Buffer.from(jws.signatures[0].protected, 'base64url').toString('utf8'));
    assert.equal(header.alg, 'ES256');
    assert.equal(header.jwk.crv, 'P-256');
    const { payload } = await jose.generalVerify(jws, jose.EmbeddedJWK, { algorithms: ['ES256'] });
    assert.equal(JSON.parse(new TextDecoder().decode(payload)).channels.email.decision, 'granted');
    const bin = cliBinary();
    if (bin) {
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cachet-es256-')), 'receipt.json');
      writeFileSync(file, submitted.cachet_receipt);
      const result = spawnSync(bin, ['verify', file], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stdout + result.stderr);
    }
  });

  test('the ES module build mounts programmatically: choices, validate, events, receipt, destroy', async () => {
    const p = new SignupPage(await browser.newPage(), server.origin);
    await p.open('esm-mount.html', { waitForWidget: false });
    const result = await p.page.evaluate(async () => {
      const { mount } = await import('/dist/cachet.mjs');
      const host = document.querySelector('#consent');
      const config = await (await fetch('/tests/browser/pages/consent.json')).json();
      const events = [];
      for (const type of ['cachet:change', 'cachet:invalid', 'cachet:receipt']) {
        host.addEventListener(type, (e) => events.push(type));
      }
      const w = await mount(host, config, { locale: 'en' });
      const initial = w.choices();
      host.querySelector('[data-cachet-box="consent-email"]').click();
      const invalid = w.validate();
      document.querySelector('#email').value = 'grace@example.org';
      const valid = w.validate();
      const receipt = await w.receipt();
      w.destroy();
      return { initial, invalid, valid, events, receipt, left: host.querySelectorAll('input[type=checkbox]').length };
    });
    assert.equal(result.initial.decisions.email, 'not-granted');
    assert.equal(result.invalid.ok, false);
    assert.equal(result.invalid.errors[0].path, '/contacts/email');
    assert.equal(result.valid.ok, true);
    assert.ok(result.events.includes('cachet:change'));
    assert.ok(result.events.includes('cachet:invalid'));
    assert.ok(result.events.includes('cachet:receipt'));
    assert.equal(result.left, 0, 'destroy removed the widget');
    const receiptJson = typeof result.receipt === 'string' ? result.receipt : JSON.stringify(result.receipt);
    const { payload } = await jose.generalVerify(JSON.parse(receiptJson), jose.EmbeddedJWK, { algorithms: ['Ed25519', 'ES256'] });
    assert.equal(JSON.parse(new TextDecoder().decode(payload)).channels.email.decision, 'granted');
    assert.deepEqual(p.pageErrors, []);
  });

  // Issue 12: given the digest salt and key GET /api/challenge hands out, the
  // widget makes a version 2 receipt whose contact digest is HMAC-SHA256 under
  // that key (WebCrypto), which a search of the values with the salt alone
  // cannot match.
  test('given a digest salt and key, the widget makes a keyed (version 2) receipt', async () => {
    const p = new SignupPage(await browser.newPage(), server.origin);
    await p.open('esm-mount.html', { waitForWidget: false });
    const digestSalt = Buffer.alloc(16, 7).toString('base64url');
    const digestKey = Buffer.alloc(32, 9).toString('base64url');
    const made = await p.page.evaluate(async ({ digestSalt, digestKey }) => {
      const { mount } = await import('/dist/cachet.mjs');
      const host = document.querySelector('#consent');
      const config = await (await fetch('/tests/browser/pages/consent.json')).json();
      const w = await mount(host, config, { locale: 'en', challenge: 'challenge-456', digestSalt, digestKey });
      host.querySelector('[data-cachet-box="consent-email"]').click();
      document.querySelector('#email').value = 'Grace@example.org';
      const jws = await w.receipt();
      w.destroy();
      return jws;
    }, { digestSalt, digestKey });
    const jws = JSON.parse(typeof made === 'string' ? made : JSON.stringify(made));
    const receipt = JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8'));
    assert.equal(receipt.version, 'cachet-receipt/2');
    assert.equal(receipt.subject.digest, 'hmac-sha256');
    assert.equal(receipt.subject.salt, digestSalt);
    assert.equal(receipt.collection.challenge, 'challenge-456');
    const k = Buffer.from(digestKey, 'base64url');
    assert.equal(receipt.subject.digests.email, createHmac('sha256', k).update('email\ngrace@example.org').digest('hex'));
    assert.notEqual(receipt.subject.digests.email,
      createHash('sha256').update(`${digestSalt}\nemail\ngrace@example.org`).digest('hex'));
    await jose.generalVerify(jws, jose.EmbeddedJWK, { algorithms: ['Ed25519', 'ES256'] });
    assert.deepEqual(p.pageErrors, []);
  });
});
