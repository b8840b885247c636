// The widget's own words: they come from the core's message table through the
// wasm module (uiText), in every supported locale; web/ui-text.mjs only fills
// placeholders and formats dates.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import { fill, longDate, UNAVAILABLE_FALLBACK, uiText } from '../../web/ui-text.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const Cachet = await import(process.env.CACHET_MODULE || path.join(ROOT, 'dist', 'cachet.mjs'));
const core = await Cachet.ready();
// Every key the widget reads (t.<key> in web/widget.mjs, web/dialog.mjs, web/receipt-copy.mjs).
const used = new Set();
for (const file of ['widget.mjs', 'dialog.mjs', 'receipt-copy.mjs']) {
  const source = readFileSync(new URL(`../../web/${file}`, import.meta.url), 'utf8');
  for (const m of source.matchAll(/\bt\.([a-zA-Z]+)\b/g)) used.add(m[1]);
}

test('the partner list date reads as a date in every language', () => {
  assert.equal(uiText(core.uiText('fr')).updatedAt('2026-11-01'), 'Liste mise à jour le 1 novembre 2026.');
  assert.equal(uiText(core.uiText('en')).updatedAt('2026-11-01'), 'List updated on November 1, 2026.');
  assert.equal(uiText(core.uiText('es')).updatedAt('2026-11-01'), 'Lista actualizada el 1 de noviembre de 2026.');
  assert.equal(uiText(core.uiText('de')).updatedAt('2026-11-01'), 'Liste aktualisiert am 1. November 2026.');
  assert.equal(uiText(core.uiText('it')).updatedAt('2026-11-01'), 'Elenco aggiornato il 1 novembre 2026.');
});

test('the core has texts in French, English, Spanish, German and Italian', () => {
  assert.deepEqual(core.uiText('fr').locales, ['fr', 'en', 'es', 'de', 'it']);
  assert.equal(core.uiText('de').texts.close, 'Schließen');
  assert.equal(core.uiText('es').texts.receiptContinue, 'Continuar');
  assert.equal(core.uiText('it').texts.receiptChange, 'Modifica le mie scelte');
});

test('counts are placeholders filled in, not a second copy of the text', () => {
  assert.equal(uiText(core.uiText('fr')).showPartners(12), 'Voir la liste des partenaires (12)');
  assert.equal(uiText(core.uiText('en')).showPartners(3), 'See the list of partners (3)');
  assert.equal(fill('{a} and {b}', { a: 1 }), '1 and {b}');
});

test('every word the widget reads exists, non-empty, in every locale; others fall back to English', () => {
  assert.ok(used.size >= 8, [...used].join(', '));
  const fr = core.uiText('fr');
  const en = core.uiText('en');
  assert.equal(fr.locale, 'fr');
  const all = fr.locales.map((locale) => core.uiText(locale));
  for (const answer of all) {
    assert.deepEqual(Object.keys(answer.texts).sort(), Object.keys(en.texts).sort(), answer.locale);
    for (const key of used) assert.ok(answer.texts[key], `${answer.locale}: ${key}`);
  }
  // No language borrows another's words: each locale's texts are its own.
  for (const key of ['close', 'receiptTitle', 'unavailable']) {
    assert.equal(new Set(all.map((answer) => answer.texts[key])).size, all.length, key);
  }
  assert.deepEqual(core.uiText('xx'), en);
  assert.notEqual(fr.texts.close, en.texts.close);
});

test('anything that is not a real YYYY-MM-DD date is shown as it is', () => {
  for (const text of ['2026-02-30', '2026-13-01', '1/11/2026', '', '2026-11-01T00:00:00Z']) {
    assert.equal(longDate(text, 'fr'), text);
  }
});

// The sentence shown when the wasm module itself cannot load is the only copy
// of a text outside the core: it must say exactly what the core says.
test('the fallback "choices unavailable" sentence is the core\'s ui.unavailable, word for word', () => {
  const locales = core.uiText('').locales;
  for (const locale of locales) {
    assert.equal(UNAVAILABLE_FALLBACK[locale], core.uiText(locale).texts.unavailable, locale);
  }
  assert.deepEqual(Object.keys(UNAVAILABLE_FALLBACK).sort(), [...locales].sort());
});
