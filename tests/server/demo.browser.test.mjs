// The demo end to end in headless Chromium, under the server's strict CSP:
// sign up with the widget (with a server challenge), see the countersigned
// receipt, open the preference centre, withdraw consent in one click, and
// check the receipt in the viewer. Needs Debian's chromium (scripts/setup.sh).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launch } from '../browser/browser.mjs';
import { cachet, keygen, ROOT, startServer, tempDir } from './helpers.mjs';

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

describe('demo site in Chromium', { skip: !existsSync(chromium) && 'chromium is not installed (scripts/setup.sh)' }, () => {
  let server;
  let browser;
  const problems = [];

  before(async () => {
    const dir = tempDir();
    const key = keygen(dir);
    server = await startServer(dir, key, ['--static', path.join(ROOT, 'demo'), '--static', path.join(ROOT, 'dist'),
      '--show-preference-links'],
    // The config the demo's pages load (/consent.json): the server countersigns only what it published.
    { config: path.join(ROOT, 'demo', 'consent.json') });
    browser = await launch();
  });
  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  function watch(page) {
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  }

  it('signs up, shows the receipt, withdraws in the preference centre, verifies in the viewer', async () => {
    const page = await browser.newPage();
    watch(page);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-cachet-box="consent-email"]');
    assert.ok(await page.getAttribute('form.signup', 'data-cachet-challenge'), 'challenge set before mounting');
    await page.fill('#name', 'Camille Test');
    await page.fill('#email', 'camille@example.org');
    await page.check('[data-cachet-box="consent-email"]');
    await Promise.all([page.waitForURL(/\/signup/), page.click('button[type=submit]')]);
    const result = await page.textContent('main');
    assert.match(result, /Merci, votre inscription est enregistrée/);
    assert.match(result, /Courrier électronique/);
    // The form leaves at once (data-cachet-receipt-copy="host"): this page is
    // the person's copy, and it names the partners, not a count.
    assert.match(result, /Partenaires listés au moment de votre choix \(\d+\) :\s+- ACME/);
    assert.doesNotMatch(result, /camille@example\.org/);
    const jws = await page.inputValue('textarea.cachet-jws');
    assert.equal(JSON.parse(jws).signatures.length, 2);
    // The demo hands the widget the digest salt and key of its challenge:
    // keyed contact digests (issue 12), which the viewer below verifies too.
    const payload = JSON.parse(Buffer.from(JSON.parse(jws).payload, 'base64url').toString('utf8'));
    assert.equal(payload.version, 'cachet-receipt/2');
    assert.equal(payload.subject.digest, 'hmac-sha256');

    await Promise.all([page.waitForURL(/\/preferences\?token=/), page.click('a.cachet-button')]);
    assert.match(await page.textContent('main'), /Vous y avez consenti/);
    await Promise.all([page.waitForURL(/changed=email/), page.click('text=Retirer mon consentement')]);
    assert.match(await page.textContent('main'), /Votre choix est enregistré/);
    assert.match(await page.textContent('main'), /Vous avez retiré votre consentement/);
    assert.equal(await page.locator('.cachet-history > li').count(), 2);

    await page.goto(`${server.url}/receipt.html`);
    await page.fill('#receipt-text', jws);
    await page.click('button[type=submit]');
    await page.waitForSelector('#verdict .good');
    assert.match(await page.textContent('#verdict'), /Contresigné par Société X/);

    const verify = cachet(['ledger', 'verify', '--db', server.db]);
    assert.equal(verify.status, 0, verify.stderr);
    assert.deepEqual(problems, [], 'no console errors or CSP violations');
  });

  it('shows the English page and the partner list', async () => {
    const page = await browser.newPage();
    watch(page);
    await page.goto(`${server.url}/en.html`);
    await page.waitForSelector('[data-cachet-box="consent-email"]');
    assert.match(await page.textContent('.cachet'), /partner/i);
    await page.goto(`${server.url}/partenaires.html`);
    assert.equal(await page.locator('table.partners tbody tr').count(), 6);
    assert.deepEqual(problems, []);
  });
});
