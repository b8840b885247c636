// The person's rights (issue 13; docs/rights.md), end to end through the real
// binary: `cachet person find|access|erase`, the admin POST /api/erasure,
// and "send me my preference link" handed to a mail command (a script writing
// a file) or a webhook (a local node HTTP server), without revealing who is known.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { adminHeaders, cachet, CHOICES, get, issue, keygen, mint, payloadOf, post, ROOT, startServer, tempDir } from './helpers.mjs';

const MAILER = path.join(ROOT, 'tests/server/mail-to-file.sh');
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// Stores a receipt through the admin route (no challenge needed); returns its response.
async function store(url, receipt) {
  const res = await post(`${url}/api/receipts`, receipt, { headers: adminHeaders });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

// A version 2 receipt (keyed digests) for `email`, as the widget makes one from /api/challenge.
async function keyedReceipt(url, dir, email) {
  const { json: c } = await get(`${url}/api/challenge`);
  const k = Buffer.from(c.digestKey, 'base64url');
  const hmac = (kind, value) => createHmac('sha256', k).update(`${kind}\n${value}`).digest('hex');
  return mint(issue(dir), (p) => {
    p.version = 'cachet-receipt/2';
    p.collection.challenge = c.challenge;
    p.subject = { digest: 'hmac-sha256', salt: c.digestSalt, digests: { email: hmac('email', email) } };
  });
}

async function waitForFiles(dir, count, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    if (files.length >= count || Date.now() > end) return files;
    await sleep(50);
  }
}

describe('cachet person find, access and erase', () => {
  let dir;
  let key;
  let server;
  let db;
  let plain;   // version 1 receipt, camille@example.org
  let update;  // its preference-centre successor
  let keyed;   // version 2 receipt, dominique@example.org

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    server = await startServer(dir, key);
    db = server.db;
    plain = await store(server.url, issue(dir));
    const link = await post(`${server.url}/api/preference-link`, { receiptId: plain.receiptId }, { headers: adminHeaders });
    const token = new URL(link.json.url, server.url).searchParams.get('token');
    const change = await post(`${server.url}/api/preferences`, { token, channel: 'email', action: 'withdraw' });
    assert.equal(change.status, 201, change.text);
    update = change.json;
    keyed = await store(server.url, await keyedReceipt(server.url, dir, 'dominique@example.org'));
  });
  after(async () => { if (server) await server.stop(); });

  it('finds a person by email or phone, salted or keyed, and only with the key for keyed digests', () => {
    let r = cachet(['person', 'find', '--db', db, '--key', key.private, '--email', ' Camille@Example.org', '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const { people } = JSON.parse(r.stdout);
    assert.equal(people.length, 1);
    assert.equal(people[0].chainRoot, plain.receiptId);
    assert.equal(people[0].latestReceiptId, update.receiptId);
    assert.deepEqual(people[0].matched, ['email']);

    r = cachet(['person', 'find', '--db', db, '--key', key.private, '--phone', CHOICES.contacts.phone, '--format', 'json']);
    assert.equal(JSON.parse(r.stdout).people[0].chainRoot, plain.receiptId);

    r = cachet(['person', 'find', '--db', db, '--key', key.private, '--email', 'dominique@example.org']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`chain root ${keyed.receiptId}`));
    r = cachet(['person', 'find', '--db', db, '--email', 'dominique@example.org', '--format', 'json']);
    assert.deepEqual(JSON.parse(r.stdout).people, [], 'keyed digests need the controller key');
    assert.match(r.stderr, /--key/);

    r = cachet(['person', 'find', '--db', db, '--key', key.private, '--email', 'nobody@example.org']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /No person/);
    r = cachet(['person', 'find', '--db', db, '--email', 'not-an-email']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /rights_bad_contact|not a valid email/);
    r = cachet(['person', 'find', '--db', db, '--email', 'a@b.example', '--phone', '0612345678']);
    assert.equal(r.status, 2);
  });

  it('answers an access request with every choice, the notice shown, in the person\'s language', () => {
    let r = cachet(['person', 'access', update.receiptId, '--db', db, '--lang', 'en', '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.chainRoot, plain.receiptId);
    assert.equal(report.locale, 'en');
    assert.deepEqual(report.receipts.map((x) => x.receiptId), [plain.receiptId, update.receiptId]);
    assert.equal(report.receipts[0].digests.email.length, 64);
    assert.equal(report.receipts[1].channels.email.decision, 'withdrawn');
    // `cachet issue` made it from the config the server published: the exact notice is held.
    const shown = report.receipts[0].shown.notice;
    assert.equal(shown.locale, payloadOf(issue(dir)).notice.locale);
    assert.ok(shown.boxes.length > 0);
    assert.ok(Array.isArray(report.transfers));
    assert.match(report.retentionUntil, /^\d{4}-\d\d-\d\dT/);

    r = cachet(['person', 'access', '--email', 'camille@example.org', '--key', key.private, '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Vos données chez Société X/);
    assert.match(r.stdout, /Vos choix au fil du temps/);
    assert.ok(r.stdout.includes(shown.boxes[0].label.slice(0, 20)) || r.stdout.includes('Case (non cochée'), r.stdout);
    r = cachet(['person', 'access', '--email', 'camille@example.org', '--key', key.private, '--db', db, '--format', 'html', '--lang', 'en']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^<!DOCTYPE html>/);
    assert.match(r.stdout, /<html lang="en">/);
    assert.doesNotMatch(r.stdout, /<script/);
    r = cachet(['person', 'access', '--email', 'nobody@example.org', '--key', key.private, '--db', db, '--lang', 'en']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /We hold no receipt/);
    r = cachet(['person', 'access', 'no-such-receipt', '--db', db]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no-such-receipt/);
    r = cachet(['person', 'access', '--db', db]);
    assert.equal(r.status, 2);
  });

  it('erases one person as a proof in the chain, over the CLI and POST /api/erasure', async () => {
    let r = cachet(['person', 'erase', update.receiptId, '--db', db, '--requested-at', '2026-12-01', '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const proof = JSON.parse(r.stdout);
    assert.equal(proof.chainRoot, plain.receiptId);
    assert.deepEqual(proof.removed, [plain.receiptId, update.receiptId]);
    assert.deepEqual(Object.keys(proof.entry).sort(), ['at', 'chainRoot', 'kind', 'removed', 'requestedAt', 'seq']);
    assert.equal(proof.entry.kind, 'erasure');
    assert.equal(proof.entry.seq, proof.seq);
    assert.equal(proof.entry.requestedAt, '2026-12-01');
    assert.deepEqual(proof.entry.removed.map((x) => Object.keys(x).sort()), [['entryHash', 'receiptId'], ['entryHash', 'receiptId']]);
    assert.equal(proof.entry.removed[0].entryHash, plain.ledger.entryHash);
    assert.match(proof.hash, /^[0-9a-f]{64}$/);

    r = cachet(['ledger', 'verify', '--db', db]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    r = cachet(['person', 'find', '--db', db, '--key', key.private, '--email', 'camille@example.org', '--format', 'json']);
    assert.deepEqual(JSON.parse(r.stdout).people, []);
    r = cachet(['person', 'erase', plain.receiptId, '--db', db]);
    assert.equal(r.status, 1);
    r = cachet(['person', 'erase', keyed.receiptId, '--db', db, '--requested-at', 'last week']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /requestedAt/);

    // The admin route, with the admin token only.
    let res = await post(`${server.url}/api/erasure`, { receiptId: keyed.receiptId });
    assert.equal(res.status, 401);
    res = await post(`${server.url}/api/erasure`, { receiptId: keyed.receiptId, requestedAt: '2026-12-02T08:00:00Z' }, { headers: adminHeaders });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.erasure.entry.kind, 'erasure');
    assert.equal(res.json.erasure.entry.chainRoot, keyed.receiptId);
    assert.equal(res.json.erasure.entry.requestedAt, '2026-12-02T08:00:00Z');
    res = await post(`${server.url}/api/erasure`, { receiptId: keyed.receiptId }, { headers: adminHeaders });
    assert.equal(res.status, 404);
    res = await post(`${server.url}/api/erasure`, {}, { headers: adminHeaders });
    assert.equal(res.status, 400);
    res = await get(`${server.url}/api/receipts/${keyed.receiptId}`, { headers: adminHeaders });
    assert.equal(res.status, 404);
    r = cachet(['ledger', 'verify', '--db', db]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

describe('send me my preference link', () => {
  let dir;
  let key;
  let mails;
  let server;
  let known;

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    mails = path.join(dir, 'mails');
    mkdirSync(mails);
    server = await startServer(dir, key, ['--mail-command', `sh '${MAILER}' '${mails}'`, '--preference-link-ttl', '30d',
      '--link-requests-per-address', '2']);
    known = await store(server.url, issue(dir));
  });
  after(async () => { if (server) await server.stop(); });

  it('answers the same whether or not the person is known, and mails a fresh link to the known one', async () => {
    const unknown = await post(`${server.url}/api/preference-link/request`, { email: 'nobody@example.org', lang: 'en' });
    const found = await post(`${server.url}/api/preference-link/request`, { email: 'Camille@example.org', lang: 'en' });
    assert.equal(unknown.status, 202, unknown.text);
    assert.equal(found.status, 202);
    assert.deepEqual(Object.keys(unknown.json).sort(), Object.keys(found.json).sort());
    assert.equal(unknown.json.message.replace(/\d/g, ''), found.json.message.replace(/\d/g, ''));
    // Requests are handled in order: once the known one's mail is there, the unknown one was done, and sent nothing.
    const files = await waitForFiles(mails, 1);
    await sleep(200);
    assert.equal(readdirSync(mails).filter((f) => f.endsWith('.json')).length, 1);
    const mail = JSON.parse(readFileSync(path.join(mails, files[0]), 'utf8'));
    assert.equal(mail.kind, 'preference-link');
    assert.equal(mail.address, 'Camille@example.org');
    assert.equal(mail.channel, 'email');
    assert.equal(mail.locale, 'en');
    const days = (Date.parse(mail.expiresAt) - Date.now()) / 86400000;
    assert.ok(days > 29.9 && days <= 30, `--preference-link-ttl 30d: ${mail.expiresAt}`);
    assert.ok(mail.text.includes(mail.link));
    assert.match(mail.subject, /Société X/);
    // The link opens the person's preference centre.
    const page = await get(mail.link);
    assert.equal(page.status, 200, page.text);
    const token = new URL(mail.link).searchParams.get('token');
    const state = await get(`${server.url}/api/preferences?token=${encodeURIComponent(token)}`);
    assert.equal(state.json.chainRoot, known.chainRoot);
  });

  it('takes the page form, by phone, and refuses a bad contact or too many requests', async () => {
    const form = await post(`${server.url}/api/preference-link/request`, 'phone=%2B33%206%2012%2034%2056%2078&lang=fr',
      { type: 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 200);
    assert.match(form.headers.get('content-type'), /text\/html/);
    assert.match(form.text, /un nouveau lien vient d&#39;y être envoyé|un nouveau lien vient d'y être envoyé/);
    const files = await waitForFiles(mails, 2);
    const mail = JSON.parse(readFileSync(path.join(mails, files[files.length - 1]), 'utf8'));
    assert.equal(mail.channel, 'phone');
    assert.equal(mail.locale, 'fr');

    let res = await post(`${server.url}/api/preference-link/request`, { email: 'not an email' });
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, 'link_request_bad_contact');
    res = await post(`${server.url}/api/preference-link/request`, { email: 'a@b.example', phone: '0612345678' });
    assert.equal(res.status, 400);
    // Two per address per hour here: the third asks again too soon, known or not.
    for (const expected of [202, 202, 429]) {
      res = await post(`${server.url}/api/preference-link/request`, { email: 'limit@example.org' });
      assert.equal(res.status, expected, res.text);
    }
    assert.equal(res.json.error.code, 'rate_limited');
    assert.equal(res.headers.get('retry-after'), '3600');
  });

  it('offers the form on the preference page without a link, and when a link expired', async () => {
    let page = await get(`${server.url}/preferences?lang=en`);
    assert.equal(page.status, 200);
    assert.match(page.text, /action="\/api\/preference-link\/request"/);
    assert.match(page.text, /Send me my link/);
    page = await get(`${server.url}/preferences?token=p1.forged.1.x&lang=fr`);
    assert.equal(page.status, 401);
    assert.match(page.text, /M&#39;envoyer mon lien|M'envoyer mon lien/);
  });
});

describe('preference links through a webhook', () => {
  let dir;
  let key;
  let server;
  let hook;
  const received = [];

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        received.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise((resolve) => { hook.listen(0, '127.0.0.1', resolve); });
    server = await startServer(dir, key, ['--mail-webhook', `http://127.0.0.1:${hook.address().port}/hooks/cachet`,
      '--preference-link-ttl', '1h']);
    await store(server.url, issue(dir));
  });
  after(async () => {
    if (server) await server.stop();
    hook.close();
  });

  it('POSTs the message as JSON to the webhook', async () => {
    const res = await post(`${server.url}/api/preference-link/request`, { email: 'camille@example.org' });
    assert.equal(res.status, 202);
    const end = Date.now() + 10000;
    while (received.length === 0 && Date.now() < end) await sleep(50);
    assert.equal(received.length, 1);
    assert.equal(received[0].path, '/hooks/cachet');
    assert.match(received[0].type, /application\/json/);
    assert.equal(received[0].body.address, 'camille@example.org');
    const minutes = (Date.parse(received[0].body.expiresAt) - Date.now()) / 60000;
    assert.ok(minutes > 58 && minutes <= 60, received[0].body.expiresAt);
  });

  it('answers 503 where no mailer is configured', async () => {
    const plainDir = tempDir();
    const bare = await startServer(plainDir, keygen(plainDir));
    try {
      const res = await post(`${bare.url}/api/preference-link/request`, { email: 'camille@example.org' });
      assert.equal(res.status, 503);
      assert.equal(res.json.error.code, 'link_delivery_unavailable');
    } finally {
      await bare.stop();
    }
  });
});
