// A partner checks what it received (docs/export.md, "For partners"): a real
// export (receipts issued and appended to a real ledger, `cachet export`),
// then `cachet partner verify` and the jose recipe
// (examples/partner-verify-jose.mjs) on the same files, which must agree: an
// honest file passes; a changed email, an objected channel filled in, a file
// handed to a partner not listed and another controller key are refused with
// the same line and reason by both.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';

import { normalizeContact, parseCsv, verifyPartnerFile } from '../../examples/partner-verify-jose.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CACHET = process.env.CACHET_BIN || path.join(ROOT, 'build/cli/cachet');
const CONFIG = path.join(ROOT, 'tests/fixtures/configs/societe-x.json');
const RECIPE = path.join(ROOT, 'examples/partner-verify-jose.mjs');

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}
const cachet = (args, input) => run(CACHET, args, input);

// One row written back as RFC 4180.
const csvField = (f) => (/[",\r\n]/.test(f) || /^\s|\s$/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
const toCsv = (rows) => rows.map((r) => `${r.map(csvField).join(',')}\r\n`).join('');

describe('a partner verifies its file with the public key alone', () => {
  let dir, key, publicKey, other, out;

  function issueAndAppend(choices, { keyed = false, method = 'web-form', locale, supersedes } = {}) {
    const file = path.join(dir, `choices-${randomUUID()}.json`);
    writeFileSync(file, JSON.stringify(choices));
    const args = ['issue', '--config', CONFIG, '--choices', file, '--method', method];
    if (method === 'web-form') args.push('--page-url', 'https://x.example/inscription');
    if (keyed) args.push('--key', key);
    if (locale) args.push('--locale', locale);
    if (supersedes) {
      const old = path.join(dir, `old-${randomUUID()}.json`);
      writeFileSync(old, supersedes);
      args.push('--supersedes', old);
    }
    let r = cachet(args);
    assert.equal(r.status, 0, r.stderr);
    const jws = r.stdout.trim();
    r = cachet(['ledger', 'append', '--db', path.join(dir, 'ledger.db'), '--key', key, '--config', CONFIG, '-'], jws);
    assert.equal(r.status, 0, r.stderr);
    return { jws, id: JSON.parse(Buffer.from(JSON.parse(jws).payload, 'base64url')).receiptId };
  }

  const partnerFiles = (id, dirName = out) => ({
    csv: path.join(dirName, `partner-${id}.csv`),
    receipts: path.join(dirName, `partner-${id}.receipts.jsonl`),
  });

  // Both verifiers on the same files: exit status and the problems' line/column/code.
  async function both(csv, receipts, partner, trust = publicKey) {
    const cli = cachet(['partner', 'verify', '--file', csv, '--receipts', receipts, '--partner', partner,
      '--trust', trust, '--format', 'json']);
    assert.ok(cli.status === 0 || cli.status === 1, cli.stderr);
    const fromCli = JSON.parse(cli.stdout);
    const fromRecipe = await verifyPartnerFile({
      csvText: readFileSync(csv, 'utf8'),
      receiptsText: readFileSync(receipts, 'utf8'),
      partnerId: partner,
      controllerPublicJwk: JSON.parse(readFileSync(trust, 'utf8')),
    });
    const brief = (list) => list.map((p) => `${p.line}:${p.column ?? ''}:${p.code}`);
    assert.deepEqual(brief(fromRecipe.problems), brief(fromCli.problems), 'the recipe and the CLI agree');
    assert.equal(fromRecipe.rowsOk, fromCli.rowsOk);
    // The recipe's own command line gives the same verdict.
    const recipe = run(process.execPath, [RECIPE, trust, csv, receipts, partner]);
    assert.equal(recipe.status, cli.status, recipe.stdout + recipe.stderr);
    return { status: cli.status, codes: brief(fromCli.problems), cli: fromCli };
  }

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cachet-partner-'));
    key = path.join(dir, 'controller.jwk');
    assert.equal(cachet(['keygen', '--out', key]).status, 0);
    publicKey = `${key}.pub.json`;
    other = path.join(dir, 'other.jwk');
    assert.equal(cachet(['keygen', '--out', other]).status, 0);
    const all = { postal: 'not-objected', phone: 'not-objected', email: 'granted', sms: 'granted' };
    const plain = issueAndAppend({ decisions: all, contacts: { email: 'Camille@Example.org', phone: '+33 6 12 34 56 78',
      mobile: '06 99 88 77 66', postal: '1  rue des Lilas\n75001 Paris' } });
    const keyed = issueAndAppend({ decisions: { ...all, postal: 'objected', phone: 'objected', sms: 'not-granted' },
      contacts: { email: 'paul@example.org', postal: '2 rue du Lac 75002 Paris' } }, { keyed: true, locale: 'en' });
    // Jeanne later objects to postal and phone in the preference centre: her row rests on both receipts.
    const jeanne = issueAndAppend({ decisions: { ...all, sms: 'not-granted' }, contacts: { email: 'jeanne@example.org', phone: '01 23 45 67 89',
      postal: '3 place du Marché 75003 Paris' } });
    const objection = issueAndAppend({ decisions: { ...all, sms: 'not-granted', postal: 'objected', phone: 'objected' } },
      { method: 'preference-centre', supersedes: jeanne.jws });
    writeFileSync(path.join(dir, 'contacts.csv'), toCsv([
      ['cachet_receipt_id', 'email', 'phone', 'mobile', 'address'],
      [plain.id, ' camille@example.org', '+33 6 12 34 56 78', '06 99 88 77 66', '1 rue des Lilas\n75001 Paris'],
      [keyed.id, 'Paul@Example.org', '', '', '2 rue du Lac 75002 Paris'],
      [objection.id, 'jeanne@example.org', '01 23 45 67 89', '', '3 place du Marché 75003 Paris'],
    ]));
    out = path.join(dir, 'out');
    const r = cachet(['export', '--contacts', path.join(dir, 'contacts.csv'), '--db', path.join(dir, 'ledger.db'),
      '--config', CONFIG, '--out', out, '--key', key]);
    assert.equal(r.status, 0, r.stderr);
  });

  it('accepts every partner file of an honest export', async () => {
    for (const id of ['acme-assurances', 'credit-du-lac', 'habitat-serein']) {
      const { csv, receipts } = partnerFiles(id);
      const result = await both(csv, receipts, id);
      assert.equal(result.status, 0, JSON.stringify(result.cli));
      assert.ok(result.cli.rows >= 1 && result.cli.valuesChecked >= result.cli.rows, `${id}: ${result.cli.rows} rows`);
    }
    // The keyed receipt's row came with its digest key; the person who objected later with both receipts.
    const lines = readFileSync(partnerFiles('acme-assurances').receipts, 'utf8').trim().split('\n').map(JSON.parse);
    assert.equal(lines.filter((l) => typeof l.digestKey === 'string').length, 1);
    assert.equal(lines.filter((l) => l.receipts.length === 2).length, 1);
  });

  it('refuses a changed email on its line', async () => {
    const { csv, receipts } = partnerFiles('acme-assurances');
    const rows = parseCsv(readFileSync(csv, 'utf8')).map((r) => r.fields);
    const email = rows[0].indexOf('email');
    rows[2][email] = 'pierre@example.org'; // the keyed receipt's row: its key checks its own value only
    rows[1][email] = 'camille.autre@example.org';
    const changed = path.join(dir, 'changed.csv');
    writeFileSync(changed, toCsv(rows));
    const result = await both(changed, receipts, 'acme-assurances');
    assert.equal(result.status, 1);
    assert.deepEqual(result.codes, ['2:email:digest-mismatch', '4:email:digest-mismatch']);
  });

  it('refuses a value on a channel the person objected to', async () => {
    const { csv, receipts } = partnerFiles('acme-assurances');
    const rows = parseCsv(readFileSync(csv, 'utf8')).map((r) => r.fields);
    const jeanne = rows.findIndex((r) => r.includes('jeanne@example.org'));
    assert.equal(rows[jeanne][rows[0].indexOf('phone')], '', 'the export left the objected phone out');
    rows[jeanne][rows[0].indexOf('phone')] = '01 23 45 67 89';
    const objected = path.join(dir, 'objected.csv');
    writeFileSync(objected, toCsv(rows));
    const result = await both(objected, receipts, 'acme-assurances');
    assert.equal(result.status, 1);
    assert.equal(result.codes.length, 1);
    assert.match(result.codes[0], /:phone:objected$/);
  });

  it('refuses rows handed to a partner the person was not shown', async () => {
    const { csv, receipts } = partnerFiles('acme-assurances');
    const result = await both(csv, receipts, 'not-a-listed-partner');
    assert.equal(result.status, 1);
    assert.ok(result.codes.length >= 2);
    for (const code of result.codes) assert.match(code, /::partner-not-listed$/);
  });

  it('refuses receipts checked against another controller key', async () => {
    const { csv, receipts } = partnerFiles('acme-assurances');
    const result = await both(csv, receipts, 'acme-assurances', `${other}.pub.json`);
    assert.equal(result.status, 1);
    for (const code of result.codes) assert.match(code, /::not-countersigned$/);
  });

  it('normalises contacts as docs/receipt.md states', () => {
    assert.equal(normalizeContact('email', '  Marie.Curie@Example.FR '), 'marie.curie@example.fr');
    assert.equal(normalizeContact('email', 'ÉLODIE@Exemple.fr'), 'Élodie@exemple.fr');
    assert.equal(normalizeContact('phone', '+33 6 12 34 56 78'), '+33612345678');
    assert.equal(normalizeContact('phone', '06.12.34.56.78'), '0612345678');
    assert.equal(normalizeContact('phone', '06 12+34'), null);
    assert.equal(normalizeContact('postal', '1  rue des Lilas\n75001 Paris'), '1 rue des lilas 75001 paris');
  });

  it('exits 2 on a file that is not a partner file', () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'reference,birthday\r\nx,1980-01-01\r\n');
    const cli = cachet(['partner', 'verify', '--file', bad, '--receipts', partnerFiles('acme-assurances').receipts,
      '--partner', 'acme-assurances', '--trust', publicKey]);
    assert.equal(cli.status, 2);
    assert.match(cli.stderr, /partner_verify_bad_header/);
    const recipe = run(process.execPath, [RECIPE, publicKey, bad, partnerFiles('acme-assurances').receipts, 'x']);
    assert.equal(recipe.status, 2);
    const missing = cachet(['partner', 'verify', '--file', path.join(dir, 'nope.csv'), '--partner', 'x',
      '--trust', publicKey]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.receipts\.jsonl|nope\.csv/);
  });
});
