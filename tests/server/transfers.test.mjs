// Consent follows the data (issue 13), end to end with the real server and
// CLI: a signup is exported, the person objects in the preference centre, and
// the next export's changes file tells the partner holding the phone number
// to stop; the transfers are hash-chained (an edited transfer row fails
// `cachet ledger verify` and stops the export); partners' notice
// acknowledgements are imported and the overdue report lists the rest.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CHOICES, CONFIG, adminHeaders, cachet, editLedger, issue, keygen, ledgerDb, post, startServer, tempDir } from './helpers.mjs';

const csv = (file) => readFileSync(file, 'utf8').trim().split('\r\n').map((l) => l.split(','));

describe('transfers, changes files and notices (issue 13)', () => {
  let dir;
  let key;
  let db;
  let receiptId;
  let contacts;
  let reference; // acme-assurances' reference of the person

  const exportTo = (out, extra = []) => cachet(['export', '--contacts', contacts, '--db', db, '--config', CONFIG,
    '--out', path.join(dir, out), '--key', key.public, '--format', 'json', ...extra]);

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    db = ledgerDb(dir);
    const server = await startServer(dir, key);
    const stored = await post(`${server.url}/api/receipts`, issue(dir), { headers: adminHeaders });
    assert.equal(stored.status, 201, stored.text);
    receiptId = stored.json.receiptId;
    await server.stop();
    contacts = path.join(dir, 'contacts.csv');
    writeFileSync(contacts, `cachet_receipt_id,email,phone,mobile,address\n${receiptId},${CHOICES.contacts.email},`
      + `${CHOICES.contacts.phone},,\nnot-a-receipt,x@example.org,,,\n`);
  });

  it('records the first export and tells nobody to stop anything', () => {
    const first = exportTo('first');
    assert.equal(first.status, 0, first.stderr);
    const report = JSON.parse(first.stdout);
    const acme = report.partners.find((p) => p.id === 'acme-assurances');
    assert.equal(acme.transfer.rows, 1);
    assert.deepEqual(acme.changes.stop, {});
    const rows = csv(path.join(dir, 'first', 'partner-acme-assurances.csv'));
    reference = rows[1][0];
    assert.match(reference, /^[a-z2-7]{26}$/, 'a per-partner reference, not the receipt id');
    assert.notEqual(reference, receiptId);
    const credit = csv(path.join(dir, 'first', 'partner-credit-du-lac.csv'));
    assert.notEqual(credit[1][0], reference, 'another partner knows the person by another reference');
    assert.deepEqual(csv(path.join(dir, 'first', 'partner-acme-assurances.changes.csv')),
      [['reference', 'channel', 'action', 'reason', 'acted_at']]);
    // Every row left out, with its line.
    const excluded = csv(path.join(dir, 'first', 'excluded.csv'));
    assert.deepEqual(excluded[0], ['line', 'partner', 'channel', 'reason']);
    assert.ok(excluded.some((l) => l.join() === '3,*,row,no-receipt'), JSON.stringify(excluded));
    assert.ok(excluded.some((l) => l.join() === '2,acme-assurances,mobile,no-consent'), 'SMS not consented');
  });

  it('passes an objection made in the preference centre to the partner in its next changes file', async () => {
    const server = await startServer(dir, key);
    try {
      const link = await post(`${server.url}/api/preference-link`, { receiptId }, { headers: adminHeaders });
      assert.equal(link.status, 200, link.text);
      const token = new URL(link.json.path, server.url).searchParams.get('token');
      const objected = await post(`${server.url}/api/preferences`, { token, channel: 'phone', action: 'object' });
      assert.equal(objected.status, 201, objected.text);
    } finally {
      await server.stop();
    }
    const second = exportTo('second');
    assert.equal(second.status, 0, second.stderr);
    const changes = csv(path.join(dir, 'second', 'partner-acme-assurances.changes.csv'));
    const phone = changes.find((l) => l[0] === reference && l[1] === 'phone');
    assert.ok(phone, JSON.stringify(changes));
    assert.deepEqual(phone.slice(2, 4), ['stop', 'objection']);
    assert.match(phone[4], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // credit-du-lac never received the phone number: nothing to tell it about phone.
    const credit = csv(path.join(dir, 'second', 'partner-credit-du-lac.changes.csv'));
    assert.equal(credit.filter((l) => l[1] === 'phone').length, 0);
    const report = JSON.parse(second.stdout);
    assert.ok(report.changes.stop.objection >= 1, JSON.stringify(report.changes));
    // The phone number did not leave again.
    assert.equal(csv(path.join(dir, 'second', 'partner-acme-assurances.csv'))[1][2], '');
    assert.equal(cachet(['ledger', 'verify', '--db', db]).status, 0);
  });

  it('imports notice acknowledgements and reports the notices still owed', () => {
    const acks = path.join(dir, 'acks.csv');
    const today = new Date().toISOString().slice(0, 10);
    writeFileSync(acks, `reference,sent\n${reference},${today}\nunknown-ref,${today}\n`);
    const imported = cachet(['notices', 'import-acks', '--db', db, '--partner', 'acme-assurances', '--file', acks,
      '--format', 'json']);
    assert.equal(imported.status, 1, 'a refused line: exit 1');
    const report = JSON.parse(imported.stdout);
    assert.deepEqual(report.lines.map((l) => [l.line, l.outcome]), [[2, 'recorded'], [3, 'unknown-reference']]);

    const notYet = cachet(['notices', 'overdue', '--db', db]);
    assert.equal(notYet.status, 0, notYet.stdout + notYet.stderr);
    const later = cachet(['notices', 'overdue', '--db', db, '--at', '2099-01-01', '--format', 'json']);
    assert.equal(later.status, 1, 'overdue notices: exit 1');
    const overdue = JSON.parse(later.stdout);
    assert.ok(overdue.overdue > 0);
    assert.equal(overdue.partners['acme-assurances'].acknowledged, 1);
    assert.equal(overdue.partners['acme-assurances'].overdue, 0);
    assert.ok(overdue.notices.every((n) => n.partner !== 'acme-assurances'));
    assert.equal(cachet(['notices', 'overdue', '--db', path.join(dir, 'none.db')]).status, 2);
  });

  it('passes an erasure to every partner that received the person: delete in its next changes file', () => {
    const erased = cachet(['person', 'erase', receiptId, '--db', db, '--requested-at', '2026-12-01', '--format', 'json']);
    assert.equal(erased.status, 0, erased.stdout + erased.stderr);
    const third = exportTo('after-erasure');
    assert.equal(third.status, 0, third.stderr);
    const acme = csv(path.join(dir, 'after-erasure', 'partner-acme-assurances.changes.csv'));
    const del = acme.filter((l) => l[0] === reference && l[2] === 'delete');
    assert.ok(del.length >= 1, JSON.stringify(acme));
    assert.ok(del.every((l) => l[3] === 'erasure'), JSON.stringify(del));
    assert.match(del[0][4], /^2026-12-01/, 'dated by the request');
    // The other partner gets the instruction under its own reference of the person.
    const credit = csv(path.join(dir, 'after-erasure', 'partner-credit-du-lac.changes.csv'));
    assert.ok(credit.some((l) => l[2] === 'delete' && l[3] === 'erasure' && l[0] !== reference), JSON.stringify(credit));
    // Nothing of the person leaves any more; the report counts the deletions.
    assert.equal(csv(path.join(dir, 'after-erasure', 'partner-acme-assurances.csv')).length, 1);
    assert.ok(JSON.parse(third.stdout).changes.delete.erasure >= 2, third.stdout);
    // A later export does not repeat the instruction.
    const fourth = exportTo('after-erasure-again');
    assert.equal(fourth.status, 0, fourth.stderr);
    assert.deepEqual(csv(path.join(dir, 'after-erasure-again', 'partner-acme-assurances.changes.csv')),
      [['reference', 'channel', 'action', 'reason', 'acted_at']]);
    assert.equal(cachet(['ledger', 'verify', '--db', db]).status, 0);
  });

  it('catches an edited transfer row: ledger verify fails and the export stops', () => {
    editLedger(db, "UPDATE transfers SET channels = '[]' WHERE partner_id = 'acme-assurances'");
    const verify = cachet(['ledger', 'verify', '--db', db, '--format', 'json']);
    assert.notEqual(verify.status, 0);
    assert.match(verify.stdout + verify.stderr, /ledger_transfer_mismatch/);
    const refused = exportTo('third');
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /export_ledger_broken|does not verify/);
  });
});
