// Keyed contact digests over HTTP (receipt version 2, issue 12): the
// challenge endpoint hands out a digest salt and key; a receipt whose contact
// digests are HMAC-SHA256 under that key is accepted, and only the controller
// (its private key, here through `cachet export --key`) can check a contact
// value against it. The receipt alone gives a searcher nothing to test.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { cachet, CONFIG, get, issue, keygen, mint, payloadOf, post, startServer, tempDir } from './helpers.mjs';

const EMAIL = 'camille@example.org';
const PHONE = '+33612345678'; // '+33 6 12 34 56 78' normalised

describe('keyed contact digests from /api/challenge', () => {
  let dir;
  let key;
  let server;

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    server = await startServer(dir, key);
  });
  after(async () => { if (server) await server.stop(); });

  it('gives a digest salt and key with each challenge, and accepts a keyed receipt made with them', async () => {
    const { json: c } = await get(`${server.url}/api/challenge`);
    assert.match(c.challenge, /^c1\./);
    assert.match(c.digestSalt, /^[A-Za-z0-9_-]{22}$/);
    assert.match(c.digestKey, /^[A-Za-z0-9_-]{43}$/);
    const { json: again } = await get(`${server.url}/api/challenge`);
    assert.notEqual(again.digestKey, c.digestKey, 'one key per challenge');

    const k = Buffer.from(c.digestKey, 'base64url');
    const hmac = (kind, value) => createHmac('sha256', k).update(`${kind}\n${value}`).digest('hex');
    const receipt = mint(issue(dir), (p) => {
      p.version = 'cachet-receipt/2';
      p.collection.challenge = c.challenge;
      p.subject = { digest: 'hmac-sha256', salt: c.digestSalt, digests: { email: hmac('email', EMAIL), phone: hmac('phone', PHONE) } };
    });
    const res = await post(`${server.url}/api/receipts`, receipt);
    assert.equal(res.status, 201, res.text);
    const stored = payloadOf(res.json.receipt);
    assert.equal(stored.version, 'cachet-receipt/2');
    assert.equal(stored.subject.digest, 'hmac-sha256');

    // A version 1 search over the salt finds nothing: the key is not in the receipt.
    const salted = (v) => createHash('sha256').update(`${c.digestSalt}\nphone\n${v}`).digest('hex');
    let found = '';
    for (let n = 12340000; n < 12350000 && !found; n++) if (salted(`+336${n}`) === stored.subject.digests.phone) found = `+336${n}`;
    assert.equal(found, '');

    // The controller re-derives the key from its private key and the salt:
    // the export writes the row with the bound email and refuses another.
    await server.stop();
    server = null;
    const contacts = path.join(dir, 'contacts.csv');
    writeFileSync(contacts, `cachet_receipt_id,email,phone,mobile,address\n${stored.receiptId},${EMAIL},${PHONE},,\n`);
    const exported = cachet(['export', '--contacts', contacts, '--db', path.join(dir, 'ledger.db'), '--config', CONFIG,
      '--out', path.join(dir, 'out'), '--key', key.private, '--format', 'json']);
    assert.equal(exported.status, 0, exported.stderr);
    const report = JSON.parse(exported.stdout);
    assert.equal(report.keyedDigestsUnchecked, 0);
    const acme = readFileSync(path.join(dir, 'out', 'partner-acme-assurances.csv'), 'utf8');
    assert.match(acme, new RegExp(EMAIL));

    const blind = cachet(['export', '--contacts', contacts, '--db', path.join(dir, 'ledger.db'), '--config', CONFIG,
      '--out', path.join(dir, 'out-public'), '--key', key.public]);
    assert.equal(blind.status, 0, blind.stderr);
    assert.match(blind.stdout, /could not be checked: give the controller's private key/);
  });
});
