// A signup form that arrives without a receipt (the widget could not show the
// choices, or a script blocker removed it) records no consent: `cachet serve`'s
// /signup refuses it, tells the person nothing was recorded, and stores nothing
// in the ledger, so no export can ever pass that person to a partner
// (docs/widget.md, "When the choices cannot be shown").
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { cachet, challenged, issue, keygen, payloadOf, startServer, tempDir } from './helpers.mjs';

// People and entries the ledger holds, read with the CLI (not through the server).
function ledgerCounts(db) {
  const state = cachet(['ledger', 'export-state', '--db', db]);
  assert.equal(state.status, 0, state.stderr);
  const people = state.stdout.split('\n').filter((line) => line.trim()).length;
  const verified = cachet(['ledger', 'verify', '--db', db]);
  assert.equal(verified.status, 0, verified.stderr);
  return { people, verify: verified.stdout };
}

const form = (fields) => ({
  method: 'POST',
  body: new URLSearchParams(fields),
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
});

describe('cachet serve /signup without a receipt', () => {
  let dir;
  let key;
  let server;

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    server = await startServer(dir, key);
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('refuses the post, says so to the person in their language, and stores nothing', async () => {
    const before = ledgerCounts(server.db);
    for (const [lang, sentence] of [
      ['fr', /rien n(?:'|&#39;)a été enregistré, et vos coordonnées ne seront transmises à aucun partenaire/],
      ['en', /nothing was recorded, and your contact details will not be passed to any partner/],
    ]) {
      const res = await fetch(`${server.url}/signup?lang=${lang}`, form({ email: 'camille@example.org' }));
      const page = await res.text();
      assert.equal(res.status, 400, page);
      assert.match(page, sentence);
      assert.doesNotMatch(page, /camille@example\.org/, 'the contact value is never echoed');
    }
    // An empty field and a multipart form are no receipt either.
    const empty = await fetch(`${server.url}/signup`, form({ email: 'camille@example.org', cachet_receipt: '' }));
    assert.ok(empty.status >= 400 && empty.status < 500, `empty receipt: ${empty.status}`);
    const multipart = new FormData();
    multipart.set('email', 'camille@example.org');
    const mp = await fetch(`${server.url}/signup`, { method: 'POST', body: multipart });
    assert.equal(mp.status, 400);
    assert.deepEqual(ledgerCounts(server.db), before, 'the ledger is unchanged');
  });

  it('while the same form with a receipt is stored (the count above can move)', async () => {
    const before = ledgerCounts(server.db);
    const receipt = await challenged(server.url, issue(dir));
    const res = await fetch(`${server.url}/signup?lang=en`, form({ email: 'camille@example.org', cachet_receipt: receipt }));
    const page = await res.text();
    assert.equal(res.status, 201, page);
    assert.match(page, new RegExp(payloadOf(receipt).receiptId));
    // The result page's copy names the partners of the config the receipt was made under.
    assert.match(page, /Partners listed when you chose \(\d+\):\n\s+- ACME Assurances\n/);
    const afterwards = ledgerCounts(server.db);
    assert.equal(afterwards.people, before.people + 1);
    assert.notEqual(afterwards.verify, before.verify);
  });
});
