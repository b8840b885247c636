// The server's pages in Spanish, German and Italian (issue 14, "More
// languages"): the preference centre, its one-click change, the partner page,
// the signup error, the receipt verifier and the person's access report, each
// in the language asked for, with links to every other language.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  adminHeaders, cachet, challenged, CHOICES, CONFIG, get, issue, keygen, payloadOf, post, startServer, tempDir,
} from './helpers.mjs';

describe('cachet serve in es, de and it', () => {
  let dir;
  let key;
  let server;
  let token;
  let receipt;

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    server = await startServer(dir, key);
    receipt = await challenged(server.url, issue(dir));
    const stored = await post(`${server.url}/api/receipts`, receipt);
    assert.equal(stored.status, 201, stored.text);
    const link = await post(`${server.url}/api/preference-link`, { receiptId: payloadOf(receipt).receiptId },
      { headers: adminHeaders });
    assert.equal(link.status, 200, link.text);
    token = new URL(link.json.path, server.url).searchParams.get('token');
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('answers the preference centre in Spanish, and records a change made there', async () => {
    const page = await get(`${server.url}/preferences?token=${encodeURIComponent(token)}&lang=es`);
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /<html lang="es">/);
    assert.match(page.text, /<h1>Sus elecciones de prospección comercial<\/h1>/);
    assert.match(page.text, /Société X cede sus datos de contacto a sus socios según las elecciones/);
    assert.match(page.text, /Llamadas telefónicas \(excepto llamadas automatizadas\)/);
    assert.match(page.text, /Usted dio su consentimiento/);
    assert.match(page.text, /Historial de sus recibos/);
    // Times as a Spanish reader writes them.
    assert.match(page.text, /Este enlace personal caduca el \d{1,2} de [a-z]+ de \d{4}, \d\d:\d\d:\d\d \(UTC\)/);
    // Every other language is one link away, named in itself.
    for (const [lang, name] of [['fr', 'Français'], ['en', 'English'], ['de', 'Deutsch'], ['it', 'Italiano']]) {
      assert.match(page.text, new RegExp(`hreflang="${lang}" lang="${lang}">${name}</a>`));
    }
    assert.doesNotMatch(page.text, /Vos choix|Your choices|Your marketing/);

    const res = await fetch(`${server.url}/preferences`, {
      method: 'POST',
      body: new URLSearchParams({ token, channel: 'postal', action: 'object', lang: 'es' }),
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location'), /lang=es/);
    const changed = await get(new URL(res.headers.get('location'), server.url).href);
    assert.match(changed.text, /Su elección ha quedado registrada\. Se ha creado un nuevo recibo\./);
    assert.match(changed.text, /Usted se opone/);
  });

  it('countersigns a receipt made on a German page: the published version has its German notice', async () => {
    const choices = path.join(dir, 'choices-de.json');
    writeFileSync(choices, JSON.stringify(CHOICES));
    const made = cachet(['issue', '--config', CONFIG, '--choices', choices, '--method', 'web-form', '--locale', 'de',
      '--page-url', 'https://x.example/anmeldung']);
    assert.equal(made.status, 0, made.stderr);
    const german = await challenged(server.url, made.stdout.trim());
    assert.equal(payloadOf(german).notice.locale, 'de');
    const res = await post(`${server.url}/api/receipts`, german);
    assert.equal(res.status, 201, res.text);
    // A notice digest of another language is refused: the receipt says what the person read.
    const wrong = await challenged(server.url, made.stdout.trim(), (p) => { p.notice.locale = 'it'; });
    const refused = await post(`${server.url}/api/receipts`, wrong);
    assert.equal(refused.status, 422, refused.text);
  });

  it('shows the preference centre in German and Italian too', async () => {
    const de = await get(`${server.url}/preferences?token=${encodeURIComponent(token)}&lang=de`);
    assert.match(de.text, /<html lang="de">/);
    assert.match(de.text, /<h1>Ihre Einstellungen zur Werbung<\/h1>/);
    assert.match(de.text, /Telefonanrufe \(ausgenommen automatisierte Anrufe\)/);
    assert.match(de.text, /Dieser persönliche Link läuft am \d{1,2}\. [A-ZÄ][a-zä]+ \d{4}, \d\d:\d\d:\d\d Uhr \(UTC\) ab/);
    const it = await get(`${server.url}/preferences?token=${encodeURIComponent(token)}&lang=it`);
    assert.match(it.text, /<html lang="it">/);
    assert.match(it.text, /<h1>Le sue scelte di marketing<\/h1>/);
    assert.match(it.text, /Chiamate telefoniche \(escluse le chiamate automatizzate\)/);
  });

  it('serves the partner page in every language, each linking the others', async () => {
    const de = await get(`${server.url}/partners?lang=de`);
    assert.equal(de.status, 200);
    assert.match(de.text, /<html lang="de">/);
    assert.match(de.text, /Datenschutzerklärung \(ACME Assurances\)/);
    assert.match(de.text, /<a href="\/partenaires" hreflang="fr" lang="fr">Français<\/a>/);
    assert.match(de.text, /<a href="\/partners\?lang=it" hreflang="it" lang="it">Italiano<\/a>/);
    assert.match(de.text, /<a href="\/partners\?lang=es" hreflang="es" lang="es">Español<\/a>/);
    const it = await get(`${server.url}/partners?lang=it`);
    assert.match(it.text, /<html lang="it">/);
    assert.match(it.text, /Informativa sulla privacy/);
    assert.match(it.text, /<a href="\/partners\?lang=de" hreflang="de" lang="de">Deutsch<\/a>/);
  });

  it('tells the person in Italian that a signup without a receipt recorded nothing', async () => {
    const res = await fetch(`${server.url}/signup?lang=it`, {
      method: 'POST',
      body: new URLSearchParams({ email: 'camille@example.org' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const page = await res.text();
    assert.equal(res.status, 400);
    assert.match(page, /<html lang="it">/);
    assert.match(page, /non è stato registrato nulla e i suoi dati di contatto non saranno comunicati ad alcun partner/);
  });

  it('gives the receipt copy and its standing in German', async () => {
    const res = await post(`${server.url}/api/verify?lang=de`, receipt);
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.text, /^Einwilligungsquittung\n/);
    assert.match(res.json.text, /Verantwortlicher: Société X/);
    assert.match(res.json.text, /Telefon \(ausgenommen automatisierte Anrufe\): Sie haben der Weitergabe nicht widersprochen/);
    assert.match(res.json.standingText, /^Diese Quittung ist nicht mehr gültig: Sie wurde am \d{1,2}\. [A-ZÄ][a-zä]+ \d{4}/);
  });

  it('writes the access report in Spanish (cachet person access --lang es)', () => {
    const r = cachet(['person', 'access', payloadOf(receipt).receiptId, '--db', server.db, '--lang', 'es']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Sus datos en Société X/);
    assert.match(r.stdout, /artículo 15 del RGPD/);
    assert.match(r.stdout, /Sus elecciones a lo largo del tiempo/);
    const html = cachet(['person', 'access', payloadOf(receipt).receiptId, '--db', server.db, '--lang', 'de',
      '--format', 'html']);
    assert.equal(html.status, 0, html.stderr);
    assert.match(html.stdout, /<html lang="de">/);
    assert.match(html.stdout, /Ihre Daten bei Société X/);
    const refused = cachet(['person', 'access', payloadOf(receipt).receiptId, '--db', server.db, '--lang', 'pt']);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /pt/);
  });
});
