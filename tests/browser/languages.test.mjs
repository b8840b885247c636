// The widget in Spanish, German and Italian (issue 14, "More languages"), in
// real Chromium under the strict CSP: the page's lang picks the language, every
// word the person reads is in it (notice, boxes, partner dialog, errors, the
// receipt copy, the "cannot be shown" sentence), the receipt records it, and
// axe finds no violation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { startServer } from './server.mjs';
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

async function axe(p) {
  // From the same origin: the strict CSP refuses an inline script.
  if (!(await p.page.evaluate(() => Boolean(window.axe)))) await p.page.addScriptTag({ url: '/node_modules/axe-core/axe.min.js' });
  return p.page.evaluate(async () =>
    (await window.axe.run(document)).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  );
}

const payloadOf = (jws) => JSON.parse(Buffer.from(JSON.parse(jws).payload, 'base64url').toString('utf8'));

const LANGUAGES = {
  de: {
    heading: 'Weitergabe Ihrer Kontaktdaten an unsere Partner',
    purpose: 'Zweck: Werbung unserer Partner für Reisen.',
    objection:
      'Ich widerspreche der Weitergabe meiner Postanschrift und Telefonnummer an die Geschäftspartner von Alpenblick ' +
      'Reisen GmbH zu Werbezwecken per Post und/oder Telefon (ausgenommen automatisierte Anrufe)',
    partners: 'Liste der 2 Partner anzeigen',
    dialogTitle: 'Die Geschäftspartner von Alpenblick Reisen GmbH',
    close: 'Schließen',
    updated: 'Liste aktualisiert am 1. Dezember 2026.',
    missingEmail: 'Geben Sie Ihre E-Mail-Adresse an, um in den Erhalt von Angeboten per E-Mail einzuwilligen.',
    receiptTitle: 'Ihre Einwilligungsquittung',
    continue: 'Weiter',
    copy: /^Einwilligungsquittung\n[\s\S]*E-Mail: Sie haben eingewilligt/m,
  },
  es: {
    heading: 'Cesión de sus datos de contacto a nuestros socios',
    purpose: 'Finalidad: ofertas de viajes de nuestros socios.',
    objection:
      'Me opongo a que mis datos de contacto postales y telefónicos sean cedidos a los socios comerciales de ' +
      'Alpenblick Reisen GmbH con fines de prospección comercial por correo postal y/o por teléfono (excepto llamadas ' +
      'automatizadas)',
    partners: 'Ver la lista de los 2 socios',
    dialogTitle: 'Los socios comerciales de Alpenblick Reisen GmbH',
    close: 'Cerrar',
    updated: 'Lista actualizada el 1 de diciembre de 2026.',
    missingEmail: 'Indique su dirección de correo electrónico para aceptar recibir ofertas por correo electrónico.',
    receiptTitle: 'Su recibo de consentimiento',
    continue: 'Continuar',
    copy: /^Recibo de consentimiento\n[\s\S]*Correo electrónico: usted dio su consentimiento/m,
  },
  it: {
    heading: 'Comunicazione dei suoi dati di contatto ai nostri partner',
    purpose: 'Finalità: offerte di viaggio dei nostri partner.',
    objection:
      'Mi oppongo a che i miei dati di contatto postali e telefonici siano comunicati ai partner commerciali di ' +
      'Alpenblick Reisen GmbH per finalità di marketing per posta e/o per telefono (escluse le chiamate automatizzate)',
    partners: "Vedi l'elenco dei 2 partner",
    dialogTitle: 'I partner commerciali di Alpenblick Reisen GmbH',
    close: 'Chiudi',
    updated: 'Elenco aggiornato il 1 dicembre 2026.',
    missingEmail: 'Indichi il suo indirizzo e-mail per accettare di ricevere offerte via e-mail.',
    receiptTitle: 'La sua ricevuta di consenso',
    continue: 'Continua',
    copy: /^Ricevuta di consenso\n[\s\S]*E-mail: ha dato il suo consenso/m,
  },
};

describe('the widget in the page language', () => {
  for (const [lang, words] of Object.entries(LANGUAGES)) {
    test(`${lang}: notice, boxes, dialog, error, receipt copy and receipt in ${lang}, axe clean`, async () => {
      const page = await browser.newPage();
      const p = new SignupPage(page, server.origin);
      await p.open(`signup-${lang}-csp.html`);
      const root = page.locator('.cachet').first();
      assert.equal(await root.getAttribute('lang'), lang);
      assert.equal(await page.locator('.cachet__legend').innerText(), words.heading);
      assert.ok((await page.locator('.cachet__fieldset').innerText()).includes(words.purpose));
      const label = await page.locator('.cachet [data-cachet-box="object-postal-phone"] + label').innerText();
      assert.equal(label.trim(), words.objection);
      assert.deepEqual(await axe(p), []);

      // The partner list dialog.
      const open = page.locator('.cachet__partners-button');
      assert.equal((await open.innerText()).trim(), words.partners);
      await open.click();
      const dialog = page.locator('dialog.cachet__dialog');
      await dialog.waitFor();
      assert.equal((await dialog.locator('h2').innerText()).trim(), words.dialogTitle);
      assert.ok((await dialog.innerText()).includes(words.updated), await dialog.innerText());
      assert.ok((await dialog.innerText()).includes(words.close));
      assert.deepEqual(await axe(p), []);
      await page.keyboard.press('Escape');

      // An error, announced in the language.
      await p.box('consent-email').check();
      await page.locator('button[type=submit]').click();
      const errors = page.locator('.cachet [role=alert]');
      await page.waitForFunction((text) => document.querySelector('.cachet')?.innerText.includes(text), words.missingEmail);
      assert.ok((await errors.allInnerTexts()).join('\n').includes(words.missingEmail));
      assert.deepEqual(await axe(p), []);

      // The receipt copy, then the form leaves with a receipt made in this language.
      await page.locator('#email').fill('person@example.org');
      const before = server.submissions.length;
      await page.locator('button[type=submit]').click();
      const copy = p.receiptCopy();
      await copy.waitFor();
      assert.ok((await copy.innerText()).includes(words.receiptTitle));
      assert.equal((await page.locator('.cachet__continue').innerText()).trim(), words.continue);
      assert.match(await copy.locator('pre').innerText(), words.copy);
      assert.deepEqual(await axe(p), []);
      await p.continueFromCopy();
      assert.equal(server.submissions.length, before + 1);
      const receipt = payloadOf(server.submissions.at(-1).cachet_receipt);
      assert.equal(receipt.notice.locale, lang);
      assert.equal(receipt.channels.email.decision, 'granted');
      assert.deepEqual(await p.cspViolations(), []);
      assert.deepEqual(p.consoleErrors, []);
      await page.close();
    });
  }

  test('de: a config the widget cannot use says so in German', async () => {
    const page = await browser.newPage();
    const p = new SignupPage(page, server.origin);
    await p.open('refused-de-csp.html', { waitForWidget: false });
    const message = page.locator('.cachet .cachet__unavailable');
    await message.waitFor();
    assert.equal(
      await message.innerText(),
      'Die Auswahl zur Weitergabe Ihrer Kontaktdaten an unsere Partner kann derzeit nicht angezeigt werden. Ohne ' +
        'diese Auswahl werden Ihre Kontaktdaten an keinen Partner weitergegeben.',
    );
    assert.equal(await page.locator('.cachet--unavailable').getAttribute('lang'), 'de');
    assert.deepEqual(await axe(p), []);
    await page.close();
  });
});
