// The widget's own words: dates shown as people read them, in both languages.
import assert from 'node:assert/strict';
import test from 'node:test';

import { longDate, UI_TEXT } from '../../web/ui-text.mjs';

test('the partner list date reads as a date in French and English', () => {
  assert.equal(UI_TEXT.fr.updatedAt('2026-11-01'), 'Liste mise à jour le 1 novembre 2026.');
  assert.equal(UI_TEXT.en.updatedAt('2026-11-01'), 'List updated on November 1, 2026.');
});

test('anything that is not a real YYYY-MM-DD date is shown as it is', () => {
  for (const text of ['2026-02-30', '2026-13-01', '1/11/2026', '', '2026-11-01T00:00:00Z']) {
    assert.equal(longDate(text, 'fr'), text);
  }
});
