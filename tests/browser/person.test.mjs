// What the person sees (issue 15, "The person"; issue 13, the receipt copy), in
// real Chromium under the strict CSP: a refused config says so politely; the
// widget follows the host page's colour scheme, not the OS alone, with no axe
// violation in light and dark on light and dark pages; every theme key of the
// config is applied; the receipt copy names the partners, is focused and
// announced, downloadable, and can be kept for the host's next page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
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

const consent = JSON.parse(readFileSync(path.join(ROOT, 'tests', 'browser', 'pages', 'consent.json'), 'utf8'));
const partnerNames = consent.partners.entries.map((p) => p.name);

async function openPage(name, { colorScheme = 'light', waitForWidget = true } = {}) {
  const page = await browser.newPage();
  await page.emulateMedia({ colorScheme });
  const p = new SignupPage(page, server.origin);
  await p.open(name, { waitForWidget });
  return p;
}

async function axe(p) {
  // From the same origin: the strict CSP refuses an inline script.
  if (!(await p.page.evaluate(() => Boolean(window.axe)))) await p.page.addScriptTag({ url: '/node_modules/axe-core/axe.min.js' });
  return p.page.evaluate(async () =>
    (await window.axe.run(document)).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  );
}

describe('a config the widget cannot use', () => {
  const cases = [
    ['refused-unreadable-csp.html', /cannot be shown at the moment\. Without these choices, your contact details will not be passed to any partner\./, 'en', /json_syntax/],
    // The problem in words, in the page's language (from the verification module: web/core.mjs, describeRefusal).
    ['refused-fr-csp.html', /ne peuvent pas s'afficher pour le moment\. Sans ces choix, vos coordonnées ne seront transmises à aucun partenaire\./, 'fr', /config_url_not_https at \/\S+: .* doit être une URL absolue en https: ; « javascript:.* » n'en est pas une\./],
    ['refused-missing-csp.html', /cannot be shown at the moment/, 'en', /HTTP 404/],
  ];
  for (const [name, sentence, lang, logged] of cases) {
    test(`${name}: a short message in the page's language, one console error, the form posts without a receipt`, async () => {
      const p = await openPage(name, { waitForWidget: false });
      const message = p.page.locator('.cachet .cachet__unavailable');
      await message.waitFor();
      assert.match(await message.innerText(), sentence);
      assert.equal(await p.page.locator('.cachet--unavailable').getAttribute('lang'), lang);
      assert.equal(await p.page.locator('.cachet input').count(), 0, 'no choice is rendered');
      await p.waitForConsoleError(logged);
      // The missing config file itself is one more console line (the browser's 404).
      const ours = p.consoleErrors.filter((e) => !/Failed to load resource/.test(e));
      assert.equal(ours.length, 1, p.consoleErrors.join('\n'));
      assert.match(ours[0], logged);
      assert.deepEqual(await axe(p), []);
      assert.deepEqual(await p.cspViolations(), []);

      // The person can still sign up; the host's backend gets no receipt (= no consent, no transfer).
      const before = server.submissions.length;
      await p.page.locator('#email').fill('someone@example.org');
      await Promise.all([p.page.waitForURL('**/submit'), p.page.locator('button[type=submit]').click()]);
      assert.equal(server.submissions.length, before + 1);
      assert.equal(server.submissions.at(-1).cachet_receipt, undefined);
    });
  }
});

describe('light and dark follow the host page', () => {
  const pages = [
    ['theme-light-host-csp.html', 'light', 'light'],
    ['theme-light-host-csp.html', 'dark', 'light'],
    ['theme-dark-host-csp.html', 'light', 'dark'],
    ['theme-dark-host-csp.html', 'dark', 'dark'],
    ['theme-os-host-csp.html', 'light', 'light'],
    ['theme-os-host-csp.html', 'dark', 'dark'],
  ];
  for (const [name, os, expected] of pages) {
    test(`${name} with the OS in ${os}: the widget is ${expected}, and axe finds nothing (dialog and copy included)`, async () => {
      const p = await openPage(name, { colorScheme: os });
      assert.equal(await p.page.locator('.cachet').getAttribute('data-scheme'), expected);
      // The legend sits on the widget's own background, readable whatever the page.
      const legend = await p.page.evaluate(() => {
        const l = document.querySelector('.cachet__legend');
        return { color: getComputedStyle(l).color, ground: getComputedStyle(l.closest('fieldset')).backgroundColor };
      });
      assert.equal(legend.color, expected === 'dark' ? 'rgb(230, 237, 243)' : 'rgb(31, 35, 40)');
      assert.equal(legend.ground, expected === 'dark' ? 'rgb(22, 27, 34)' : 'rgb(246, 248, 250)');
      assert.deepEqual(await axe(p), []);
      await p.page.locator('.cachet__partners-button').click();
      assert.deepEqual(await axe(p), []);
      await p.page.keyboard.press('Escape');
      await p.page.locator('#email').fill('someone@example.org');
      await p.box('consent-email').check();
      await p.page.locator('button[type=submit]').click();
      await p.receiptCopy().waitFor();
      assert.deepEqual(await axe(p), []);
      assert.deepEqual(await p.cspViolations(), []);
      assert.deepEqual(p.consoleErrors, []);
    });
  }

  test('the widget follows when the page switches scheme', async () => {
    const p = await openPage('theme-os-host-csp.html', { colorScheme: 'light' });
    assert.equal(await p.page.locator('.cachet').getAttribute('data-scheme'), 'light');
    await p.page.emulateMedia({ colorScheme: 'dark' });
    await p.page.waitForFunction(() => document.querySelector('.cachet').dataset.scheme === 'dark');
    // A site that paints its own dark theme (here through the CSSOM on <body>).
    const q = await openPage('theme-light-host-csp.html', { colorScheme: 'light' });
    await q.page.evaluate(() => {
      document.body.style.backgroundColor = '#111111';
      document.body.style.color = '#eeeeee';
    });
    await q.page.waitForFunction(() => document.querySelector('.cachet').dataset.scheme === 'dark');
  });
});

describe('theme keys', () => {
  test('every key the config accepts is applied as a custom property, and shows', async () => {
    const p = await openPage('esm-mount.html', { waitForWidget: false });
    const theme = {
      colorScheme: 'light', accent: '#5a1a8a', accentText: '#fffff0', background: '#fdf6e3', text: '#222222',
      border: '#6b5b3e', radius: '11px', fontFamily: 'Georgia, serif',
    };
    const lint = await p.page.evaluate(async (config) => (await import('/dist/cachet.mjs')).lint(config), { ...consent, theme });
    assert.deepEqual([lint.errors, lint.warnings], [[], []], 'a readable palette');
    const seen = await p.page.evaluate(async (config) => {
      const { mount } = await import('/dist/cachet.mjs');
      const host = document.querySelector('#consent');
      const w = await mount(host, config, { locale: 'en', submit: false });
      const root = w.element;
      const prop = (name) => root.style.getPropertyValue(name).trim();
      const cs = (sel) => getComputedStyle(root.querySelector(sel));
      return {
        scheme: root.dataset.scheme,
        props: Object.fromEntries(['accent', 'focus', 'accent-text', 'bg', 'surface', 'text', 'muted', 'border', 'radius', 'font'].map((n) => [n, prop(`--cachet-${n}`)])),
        fieldset: { background: cs('.cachet__fieldset').backgroundColor, color: cs('.cachet__legend').color, border: cs('.cachet__fieldset').borderTopColor, radius: cs('.cachet__fieldset').borderTopLeftRadius },
        button: { background: cs('.cachet__partners-button').backgroundColor, color: cs('.cachet__partners-button').color },
        font: getComputedStyle(root).fontFamily,
        checkbox: cs('.cachet__checkbox').accentColor,
      };
    }, { ...consent, theme });
    assert.equal(seen.scheme, 'light');
    assert.deepEqual(seen.props, {
      accent: '#5a1a8a', focus: '#5a1a8a', 'accent-text': '#fffff0', bg: '#fdf6e3', surface: '#fdf6e3', text: '#222222',
      muted: '#222222', border: '#6b5b3e', radius: '11px', font: 'Georgia, serif',
    });
    assert.deepEqual(seen.fieldset, { background: 'rgb(253, 246, 227)', color: 'rgb(34, 34, 34)', border: 'rgb(107, 91, 62)', radius: '11px' });
    assert.deepEqual(seen.button, { background: 'rgb(90, 26, 138)', color: 'rgb(255, 255, 240)' });
    assert.equal(seen.font, 'Georgia, serif');
    assert.equal(seen.checkbox, 'rgb(90, 26, 138)');
    assert.deepEqual(await p.cspViolations(), []);
  });

  test('colours that suit the light scheme only keep the widget light on a dark page', async () => {
    const p = await openPage('theme-dark-host-csp.html', { colorScheme: 'dark' });
    const scheme = await p.page.evaluate(async (config) => {
      const { mount } = await import('/dist/cachet.mjs');
      const host = document.createElement('div');
      document.querySelector('form').append(host);
      const w = await mount(host, config, { locale: 'en', submit: false });
      return w.element.dataset.scheme;
    }, { ...consent, theme: { accent: '#0a58ca' } });
    assert.equal(scheme, 'light');
  });
});

describe('the receipt copy', () => {
  test('shown before the form leaves: focused, named partners, downloadable; Change my choices, then Continue', async () => {
    const p = await openPage('signup-csp.html');
    await p.page.locator('#email').fill('marie@example.fr');
    await p.box('consent-email').check();
    const before = server.submissions.length;
    await p.page.locator('button[type=submit]').click();
    const copy = p.receiptCopy();
    await copy.waitFor();
    assert.equal(server.submissions.length, before, 'the form waits for the person');
    assert.ok((await p.activeElement()).classes.includes('cachet__receipt'), 'focus moved to the copy');
    // Announced as a region named by its title, described by what happens next.
    const a11y = await copy.evaluate((r) => ({
      role: r.getAttribute('role'),
      name: document.getElementById(r.getAttribute('aria-labelledby')).textContent,
      description: document.getElementById(r.getAttribute('aria-describedby')).textContent,
    }));
    assert.deepEqual([a11y.role, a11y.name], ['region', 'Votre reçu de consentement']);
    assert.match(a11y.description, /Continuer/);
    const text = await copy.locator('pre').innerText();
    for (const name of partnerNames) assert.ok(text.includes(`  - ${name}`), `the copy names ${name}`);
    assert.doesNotMatch(text, /marie@example\.fr/);
    const input = await p.receiptInput().inputValue();
    assert.ok(input, 'the receipt is in the form');

    // Download: the file is the text shown.
    const [download] = await Promise.all([p.page.waitForEvent('download'), copy.locator('a[download]').click()]);
    assert.match(download.suggestedFilename(), /^cachet-receipt-[0-9a-f-]{36}\.txt$/);
    const file = readFileSync(await download.path(), 'utf8');
    assert.equal(file.trim(), text.trim());

    // "Modifier mes choix": the receipt leaves the form, focus goes back to the boxes.
    await copy.locator('.cachet__change').click();
    assert.equal(await p.receiptCopy().count(), 0);
    assert.equal(await p.receiptInput().inputValue(), '');
    assert.equal((await p.activeElement()).box, 'object-postal-phone');
    await p.box('object-postal-phone').check();
    // Submit again: a new copy; Continue (keyboard) sends the form.
    await p.page.locator('#email').press('Enter');
    await p.continueFromCopy();
    assert.equal(server.submissions.length, before + 1);
    const sent = server.submissions.at(-1).cachet_receipt;
    assert.notEqual(sent, input, 'a new receipt for the new choices');
    const payload = JSON.parse(Buffer.from(JSON.parse(sent).payload, 'base64url').toString('utf8'));
    assert.equal(payload.channels.postal.decision, 'objected');
    assert.equal(payload.channels.email.decision, 'granted');
    assert.deepEqual(await p.cspViolations(), []);
    assert.deepEqual(p.consoleErrors, []);
  });

  test('a change after the copy appeared makes a new receipt before the form leaves', async () => {
    const p = await openPage('signup-en.html');
    await p.page.locator('#email').fill('ada@example.org');
    await p.box('consent-email').check();
    await p.page.locator('button[type=submit]').click();
    await p.receiptCopy().waitFor();
    const first = await p.receiptInput().inputValue();
    await p.box('consent-email').uncheck();
    await p.page.locator('.cachet__continue').click();
    // Not sent: the new choice is signed and shown first.
    await p.page.waitForFunction((old) => {
      const v = document.querySelector('input[name=cachet_receipt]').value;
      return v && v !== old;
    }, first);
    assert.match(p.page.url(), /signup-en\.html$/);
    const before = server.submissions.length;
    await Promise.all([p.page.waitForURL('**/submit'), p.page.locator('.cachet__continue').click()]);
    assert.equal(server.submissions.length, before + 1);
    const payload = JSON.parse(Buffer.from(JSON.parse(server.submissions.at(-1).cachet_receipt).payload, 'base64url').toString('utf8'));
    assert.equal(payload.channels.email.decision, 'not-granted');
  });

  test('receiptCopy "next-page": the form leaves at once and the next page shows the copy', async () => {
    const p = await openPage('next-page-csp.html');
    await p.page.locator('#email').fill('ada@example.org');
    await p.box('consent-email').check();
    const before = server.submissions.length;
    await Promise.all([p.page.waitForURL('**/submit?next=kept'), p.page.locator('button[type=submit]').click()]);
    assert.equal(server.submissions.length, before + 1);
    const id = JSON.parse(Buffer.from(JSON.parse(server.submissions.at(-1).cachet_receipt).payload, 'base64url').toString('utf8')).receiptId;
    const copy = p.page.locator('[data-cachet-kept-receipt] .cachet__receipt');
    await copy.waitFor();
    const text = await copy.locator('pre').innerText();
    assert.match(text, new RegExp(id));
    for (const name of partnerNames) assert.ok(text.includes(name), name);
    assert.match(await copy.locator('a[download]').getAttribute('download'), new RegExp(`${id}\\.txt$`));
    assert.deepEqual(await axe(p), []);
    assert.deepEqual(await p.cspViolations(), []);
  });
});
