// Proof bundles (docs/proof.md): `cachet proof create` gathers a receipt, its
// successors, the exact notice shown and the log entries under a signed chain
// head; `cachet proof verify` checks it offline with the controller's public
// key alone, and refuses every part altered or left out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';

import { cachet, CHOICES, CONFIG, issue, jcs, keygen, payloadOf, ROOT, signPayload, tempDir } from './helpers.mjs';

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

describe('proof bundles an inspector checks offline', () => {
  let dir, key, db, first, second, bundleFile, bundle;

  // Writes `value` (a bundle object) and runs `cachet proof verify` on it.
  function verify(value, trust = key.public) {
    const file = path.join(dir, `bundle-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    const r = cachet(['proof', 'verify', file, '--trust', trust, '--format', 'json']);
    return { status: r.status, json: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
  }
  function refusedWith(value, code, trust) {
    const r = verify(value, trust);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.json.ok, false);
    assert.ok(r.json.problems.some((p) => p.code === code), JSON.stringify(r.json.problems));
  }
  const copy = () => JSON.parse(JSON.stringify(bundle));

  before(() => {
    dir = tempDir();
    key = keygen(dir);
    db = path.join(dir, 'ledger.db');
    first = issue(dir, { method: 'paper' });
    let r = cachet(['ledger', 'append', '--db', db, '--key', key.private, '--config', CONFIG, '-'], { input: first });
    assert.equal(r.status, 0, r.stderr);
    second = issue(dir, {
      method: 'phone', supersedes: first, choices: { decisions: { ...CHOICES.decisions, email: 'withdrawn' } },
    });
    r = cachet(['ledger', 'append', '--db', db, '--key', key.private, '--config', CONFIG, '-'], { input: second });
    assert.equal(r.status, 0, r.stderr);
    bundleFile = path.join(dir, 'proof.json');
  });

  it('needs a signed head: without one and without the key, it says so', () => {
    const r = cachet(['proof', 'create', payloadOf(first).receiptId, '--db', db, '--out', bundleFile]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /proof_no_head/);
    assert.match(r.stderr, /--key/);
  });

  it('writes a bundle that verifies with the public key alone', () => {
    const r = cachet(['proof', 'create', payloadOf(first).receiptId, '--db', db, '--key', key.private,
      '--out', bundleFile]);
    assert.equal(r.status, 0, r.stderr);
    bundle = JSON.parse(readFileSync(bundleFile, 'utf8'));
    assert.equal(bundle.version, 'cachet-proof/1');
    assert.equal(bundle.receipts.length, 2);
    // The exact notice the person read, hashing to what the receipt binds.
    const notice = payloadOf(first).notice;
    assert.equal(sha256(bundle.publications[0].notices[notice.locale]), notice.sha256);
    assert.equal(sha256(bundle.publications[0].partnerList), notice.partnerListSha256);
    const shown = cachet(['notice', CONFIG, '--locale', notice.locale, '--canonical']);
    assert.equal(bundle.publications[0].notices[notice.locale], shown.stdout);

    const ok = verify(bundle);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.json.receiptId, payloadOf(first).receiptId);
    assert.equal(ok.json.latestReceiptId, payloadOf(second).receiptId);
    assert.deepEqual(ok.json.receipts, [payloadOf(first).receiptId, payloadOf(second).receiptId]);
    const text = cachet(['proof', 'verify', bundleFile, '--trust', key.public]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /was superseded; the receipt in force is/);
    // A later bundle reuses the kept head: no key needed any more.
    const again = cachet(['proof', 'create', payloadOf(second).receiptId, '--db', db]);
    assert.equal(again.status, 0, again.stderr);
  });

  it('refuses another key, an altered entry, an altered notice, a forged receipt, a successor left out', () => {
    const other = keygen(tempDir());
    refusedWith(bundle, 'proof_head_invalid', other.public);

    const entry = copy();
    entry.segments[0].entries[0] = entry.segments[0].entries[0].replace('"seq":1', '"seq":1 ');
    refusedWith(entry, 'proof_segment_broken');

    const dropped = copy();
    dropped.segments[0].entries.splice(1, 1);
    refusedWith(dropped, 'proof_segment_broken');

    const notice = copy();
    const locale = payloadOf(first).notice.locale;
    notice.publications[0].notices[locale] = notice.publications[0].notices[locale].replace('partenaires', 'amis');
    refusedWith(notice, 'proof_notice_mismatch');

    const forged = copy();
    const payload = payloadOf(first);
    payload.channels.email.decision = 'not-granted';
    forged.receipts[0] = signPayload(payload);
    refusedWith(forged, 'proof_receipt_invalid');

    // The genuine, countersigned first receipt of another person in place of this one.
    const stranger = issue(dir, { method: 'paper' });
    const r = cachet(['ledger', 'append', '--db', db, '--key', key.private, '-'], { input: stranger });
    assert.equal(r.status, 0, r.stderr);
    const swapped = copy();
    swapped.receipts[0] = JSON.stringify(JSON.parse(r.stdout.split('\n')[0] || '{}'));
    refusedWith(swapped, 'proof_chain_broken');

    const cut = copy();
    cut.receipts.pop();
    refusedWith(cut, 'proof_successor_missing');

    const unpublished = copy();
    unpublished.publications = [];
    refusedWith(unpublished, 'proof_notice_missing');

    refusedWith('{"version":"cachet-proof/1"}', 'proof_malformed');
    refusedWith('not json', 'proof_malformed');
  });

  it('can be checked without Cachet: jose for the receipt, the bundle for the notice', () => {
    const locale = payloadOf(first).notice.locale;
    const receiptFile = path.join(dir, 'receipt.json');
    const noticeFile = path.join(dir, 'notice.json');
    writeFileSync(receiptFile, bundle.receipts[0]);
    writeFileSync(noticeFile, bundle.publications[0].notices[locale]);
    const script = path.join(ROOT, 'examples/verify-receipt-jose.mjs');
    const r = spawnSync(process.execPath, [script, key.public, receiptFile, noticeFile], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // And a segment is a plain loop of SHA-256 up to the signed head.
    for (const segment of bundle.segments) {
      let hash = segment.previousHash;
      for (const entry of segment.entries) {
        hash = createHash('sha256').update(Buffer.concat([Buffer.from(hash, 'hex'), Buffer.from(entry)])).digest('hex');
      }
      const head = JSON.parse(Buffer.from(segment.head.payload, 'base64url').toString());
      assert.equal(hash, head.hash);
      assert.equal(jcs(head), Buffer.from(segment.head.payload, 'base64url').toString());
    }
  });
});
