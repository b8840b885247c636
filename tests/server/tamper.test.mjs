// Issue 12 over real HTTP and the real CLI: a decision edited in the SQLite
// file is never acted on (the preference centre refuses, nothing new is
// signed; `ledger show` and `export-state` exit 1), and entries cut off the
// end of the log are caught by `ledger verify` against a signed chain head.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { adminHeaders, cachet, CHOICES, get, issue, jcs, keygen, post, startServer, tempDir } from './helpers.mjs';

// One objection box for postal and phone in the test config: one decision for both.
const OBJECTING = { ...CHOICES, decisions: { ...CHOICES.decisions, postal: 'objected', phone: 'objected' } };

function sqlite(db, sql) {
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// What an inspector did: one decision flipped in a stored receipt's payload column.
function flipPhoneDecision(db, receiptId) {
  const payload = JSON.parse(sqlite(db, `SELECT payload FROM receipts WHERE receipt_id = '${receiptId}'`));
  assert.equal(payload.channels.phone.decision, 'objected');
  payload.channels.phone.decision = 'not-objected';
  const text = jcs(payload).replaceAll("'", "''");
  sqlite(db, `UPDATE receipts SET payload = '${text}' WHERE receipt_id = '${receiptId}'`);
}

const counts = (db) => sqlite(db, 'SELECT (SELECT count(*) FROM receipts) || \' \' || (SELECT count(*) FROM log)');

describe('a decision edited in the ledger file is not acted on', () => {
  let dir;
  let key;
  let server;
  let db;
  let token;
  let receiptId;

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    server = await startServer(dir, key);
    db = server.db;
    const stored = await post(`${server.url}/api/receipts`, issue(dir, { choices: OBJECTING }), { headers: adminHeaders });
    assert.equal(stored.status, 201, stored.text);
    receiptId = stored.json.receiptId;
    const link = await post(`${server.url}/api/preference-link`, { receiptId }, { headers: adminHeaders });
    assert.equal(link.status, 200, link.text);
    token = new URL(link.json.path, server.url).searchParams.get('token');
    const before = await get(`${server.url}/api/preferences?token=${encodeURIComponent(token)}`);
    assert.equal(before.status, 200, before.text);
    assert.equal(before.json.channels.phone.decision, 'objected');
    await server.stop();
    flipPhoneDecision(db, receiptId);
    server = await startServer(dir, key, [], { db });
  });
  after(async () => { await server?.stop(); });

  it('refuses the preference page and its JSON view with ledger_tampered', async () => {
    const page = await get(`${server.url}/preferences?token=${encodeURIComponent(token)}&lang=en`);
    assert.equal(page.status, 409, page.text);
    assert.doesNotMatch(page.text, /name="action"/, 'no change offered');
    assert.doesNotMatch(page.text, /not-objected/);
    const json = await get(`${server.url}/api/preferences?token=${encodeURIComponent(token)}`);
    assert.equal(json.status, 409, json.text);
    assert.equal(json.json.error.code, 'ledger_tampered');
    assert.match(json.json.error.message, /cachet ledger verify/);
    assert.equal(json.json.error.problems[0].path, `/receipts/${receiptId}`);
  });

  it('signs nothing when the person clicks (JSON API and form)', async () => {
    const before = counts(db);
    const res = await post(`${server.url}/api/preferences`, { token, channel: 'email', action: 'withdraw' });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.json.error.code, 'ledger_tampered');
    const form = await fetch(`${server.url}/preferences`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, lang: 'en', channel: 'postal', action: 'object' }),
    });
    assert.equal(form.status, 409);
    assert.equal(counts(db), before, 'no receipt and no log entry were added');
    const admin = await get(`${server.url}/api/receipts/${receiptId}`, { headers: adminHeaders });
    assert.equal(admin.status, 409, admin.text);
    assert.equal(admin.json.error.code, 'ledger_tampered');
  });

  it('makes `ledger show` and `ledger export-state` exit 1 naming the receipt', () => {
    const show = cachet(['ledger', 'show', receiptId, '--db', db]);
    assert.equal(show.status, 1, show.stdout + show.stderr);
    assert.doesNotMatch(show.stdout, /not-objected/);
    assert.match(show.stderr, /ledger_tampered/);
    assert.match(show.stderr, new RegExp(receiptId));
    const state = cachet(['ledger', 'export-state', '--db', db]);
    assert.equal(state.status, 1, state.stdout + state.stderr);
    assert.equal(state.stdout, '');
    assert.match(state.stderr, /ledger_tampered/);
    const verify = cachet(['ledger', 'verify', '--db', db]);
    assert.equal(verify.status, 1);
    assert.match(verify.stderr, /ledger_payload_mismatch/);
  });
});

describe('signed chain heads catch a truncated log', () => {
  let dir;
  let key;
  let server;
  let db;

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    // A head every second while the log moves, and one at shutdown.
    server = await startServer(dir, key, ['--head-interval', '1']);
    db = server.db;
  });
  after(async () => { await server?.stop(); });

  it('signs the head while serving and at shutdown', async () => {
    const none = cachet(['ledger', 'head', '--db', db]);
    assert.equal(none.status, 1, 'no head before anything was logged');
    for (let i = 0; i < 3; i += 1) {
      const stored = await post(`${server.url}/api/receipts`, issue(dir), { headers: adminHeaders });
      assert.equal(stored.status, 201, stored.text);
    }
    let head;
    for (let tries = 0; tries < 50 && !head; tries += 1) {
      await new Promise((resolve) => { setTimeout(resolve, 100); });
      const r = cachet(['ledger', 'head', '--db', db]);
      if (r.status === 0) head = JSON.parse(r.stdout);
    }
    assert.ok(head, 'a head was signed within a few seconds');
    await server.stop();
    server = undefined;
    const last = JSON.parse(cachet(['ledger', 'head', '--db', db]).stdout);
    const payload = JSON.parse(Buffer.from(last.payload, 'base64url').toString('utf8'));
    assert.equal(payload.version, 'cachet-chain-head/1');
    const lastSeq = Number(sqlite(db, 'SELECT max(seq) FROM log'));
    assert.equal(payload.seq, lastSeq, 'the head at shutdown covers every entry (the publication, three receipts)');
    assert.equal(payload.hash, sqlite(db, `SELECT hash FROM log WHERE seq = ${lastSeq}`));
    const header = JSON.parse(Buffer.from(last.signatures[0].protected, 'base64url').toString('utf8'));
    assert.equal(header.typ, 'cachet-chain-head+jws');
    const ok = cachet(['ledger', 'verify', '--db', db, '--key', key.public]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`reaches the stored chain head \\(entry #${lastSeq}`));
  });

  it('`ledger verify` exits 1 naming the truncation, against the stored head and a head kept elsewhere', () => {
    const signed = cachet(['ledger', 'head', '--db', db, '--key', key.private]);
    assert.equal(signed.status, 0, signed.stderr);
    const kept = path.join(dir, 'head.json');
    writeFileSync(kept, signed.stdout);
    // Cut the last entry off (entry 1 is the config's publication, 2-4 the receipts), with its receipt and record.
    sqlite(db, 'DELETE FROM records WHERE entry_seq = 4; DELETE FROM receipts WHERE seq = 4; DELETE FROM log WHERE seq = 4');
    const cut = cachet(['ledger', 'verify', '--db', db]);
    assert.equal(cut.status, 1, cut.stdout + cut.stderr);
    assert.match(cut.stderr, /ledger_truncated/);
    assert.match(cut.stderr, /ends at entry 3/);
    // The stored heads deleted too: only the copy kept elsewhere still tells.
    sqlite(db, 'DELETE FROM chain_heads');
    const blind = cachet(['ledger', 'verify', '--db', db]);
    assert.equal(blind.status, 0, blind.stderr);
    assert.match(blind.stdout, /No signed chain head/);
    const anchored = cachet(['ledger', 'verify', '--db', db, '--head', kept, '--key', key.public, '--format', 'json']);
    assert.equal(anchored.status, 1, anchored.stdout + anchored.stderr);
    const report = JSON.parse(anchored.stdout);
    assert.equal(report.problems[0].code, 'ledger_truncated');
    assert.equal(report.problems[0].seq, 4);
    assert.equal(report.heads[0].keyChecked, true);
    // A head signed by another key than the controller's is refused.
    const other = keygen(tempDir());
    const wrong = cachet(['ledger', 'verify', '--db', db, '--head', kept, '--key', other.public]);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /head_untrusted_key/);
  });
});
