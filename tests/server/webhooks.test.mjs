// Signed webhooks (issue 14; docs/webhooks.md), end to end through the real
// binary: `cachet serve --webhook` posts every consent event (signup,
// preference-centre withdrawal and objection, an off-web receipt appended by
// the CLI, an erasure over POST /api/erasure, a `cachet export`) to a local
// receiver (node:http) that verifies each Standard Webhooks signature with
// its own implementation (node:crypto HMAC, per the specification), and checks
// each body is byte for byte the event the ledger's outbox holds. Then the
// outbox's durability: the server is killed (SIGKILL) while the receiver
// still answers 500, restarted, and every event arrives, none lost.
// `cachet webhooks deliver` (cron) and a 410 Gone close it.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import {
  adminHeaders, CACHET, cachet, CHOICES, CONFIG, issue, keygen, ledgerDb, mint, payloadOf, post, startServer, tempDir,
} from './helpers.mjs';

const SECRET_BYTES = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
const SECRET = `whsec_${SECRET_BYTES.toString('base64')}`;
const FAST = ['--webhook-poll', '50ms', '--webhook-retry-base', '100ms', '--webhook-retry-cap', '400ms'];

// The Standard Webhooks verification, written from the specification:
// HMAC-SHA256 over "id.timestamp.body" with the base64-decoded secret, any
// of the space-separated "v1,<base64>" signatures, a recent timestamp.
function verify(secret, headers, body) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return 'missing header';
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return 'stale timestamp';
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  for (const sig of signatures.split(' ')) {
    const [version, value] = sig.split(',');
    if (version !== 'v1' || !value) continue;
    const got = Buffer.from(value, 'base64');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return 'ok';
  }
  return 'bad signature';
}

// A receiver: records every request; `answer(n)` gives the status of the
// n-th request (0-based).
async function receiver(answer = () => 204) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = answer(requests.length);
      requests.push({ headers: req.headers, body, status, verified: verify(SECRET, req.headers, body) });
      res.writeHead(status).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks/cachet`,
    requests,
    delivered: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function until(what, predicate, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

// The CLI without blocking this process (the receiver runs in it): {status, stdout, stderr}.
function cachetAsync(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(CACHET, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// The outbox as the ledger holds it: [{seq, id, type, body}].
function outbox(db) {
  const r = cachet(['webhooks', 'events', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function setup() {
  const dir = tempDir();
  const key = keygen(dir);
  const secretFile = path.join(dir, 'webhook.secret');
  writeFileSync(secretFile, `${SECRET}\n`);
  return { dir, key, secretFile, db: ledgerDb(dir) };
}

describe('signed webhooks', () => {
  it('sends every consent event, signed, exactly as the outbox holds it', async () => {
    const { dir, key, secretFile, db } = setup();
    const hook = await receiver();
    const server = await startServer(dir, key, ['--webhook', hook.url, '--webhook-secret-file', secretFile, ...FAST]);
    try {
      // Signup.
      const signup = await post(`${server.url}/api/receipts`, issue(dir), { headers: adminHeaders });
      assert.equal(signup.status, 201, signup.text);
      const receiptId = signup.json.receiptId;
      // Preference centre: a withdrawal, then an objection.
      const link = await post(`${server.url}/api/preference-link`, { receiptId }, { headers: adminHeaders });
      const token = new URL(link.json.path, server.url).searchParams.get('token');
      let res = await post(`${server.url}/api/preferences`, { token, channel: 'email', action: 'withdraw' });
      assert.equal(res.status, 201, res.text);
      res = await post(`${server.url}/api/preferences`, { token, channel: 'phone', action: 'object' });
      assert.equal(res.status, 201, res.text);
      // Off the web: a paper receipt appended by the CLI, another process.
      const paper = issue(dir, { method: 'paper' });
      const appended = cachet(['ledger', 'append', '-', '--db', db, '--key', key.private], { input: paper });
      assert.equal(appended.status, 0, appended.stderr);
      // An export (CLI), then an erasure (admin API).
      const contacts = path.join(dir, 'contacts.csv');
      writeFileSync(contacts, `cachet_receipt_id,email,phone,mobile,address\n${payloadOf(paper).receiptId},`
        + `${CHOICES.contacts.email},${CHOICES.contacts.phone},,\n`);
      const exported = cachet(['export', '--contacts', contacts, '--db', db, '--config', CONFIG,
        '--out', path.join(dir, 'out'), '--key', key.public]);
      assert.equal(exported.status, 0, exported.stderr);
      res = await post(`${server.url}/api/erasure`, { receiptId, requestedAt: '2026-12-02' }, { headers: adminHeaders });
      assert.equal(res.status, 200, res.text);

      const events = outbox(db);
      assert.deepEqual(events.map((e) => e.type), ['receipt.accepted', 'consent.withdrawn', 'consent.objected',
        'receipt.accepted', 'export.completed', 'person.erased']);
      await until('every event delivered', () => hook.delivered().length >= events.length);
      assert.equal(hook.requests.length, events.length, 'nothing sent twice while the receiver answers 204');
      for (const [i, r] of hook.requests.entries()) {
        assert.equal(r.verified, 'ok', `request ${i}: ${r.verified}`);
        assert.equal(r.headers['content-type'], 'application/json');
        assert.equal(r.headers['webhook-id'], events[i].id);
        assert.equal(r.body, events[i].body, 'the bytes signed are the bytes the ledger holds');
        // Data minimisation: no contact value in any event.
        for (const value of [CHOICES.contacts.email, '612345678', '12 34 56 78']) {
          assert.ok(!r.body.includes(value), `event ${i} carries ${value}`);
        }
      }
      const bodies = hook.requests.map((r) => JSON.parse(r.body));
      assert.equal(bodies[0].data.receiptId, receiptId);
      assert.equal(bodies[1].data.channels.email.decision, 'withdrawn');
      assert.equal(bodies[1].data.channels.email.previousDecision, 'granted');
      assert.deepEqual(bodies[1].data.stopped, ['email']);
      assert.ok(bodies[2].data.stopped.includes('phone'));
      assert.equal(bodies[2].data.chainRoot, receiptId);
      assert.equal(bodies[3].data.collectionMethod, 'paper');
      assert.ok(bodies[4].data.partners.length > 0);
      assert.ok(bodies[4].data.partners.every((p) => /^[0-9a-f]{64}$/.test(p.sha256) && Number.isInteger(p.rows)));
      assert.deepEqual(bodies[5].data.chainRoots, [receiptId]);
      assert.equal(bodies[5].data.receiptIds.length, 3);
      for (const b of bodies) assert.ok(Number.isInteger(b.data.ledgerSeq) && /^[0-9a-f]{64}$/.test(b.data.entryHash));

      const status = cachet(['webhooks', 'status', '--db', db, '--format', 'json']);
      assert.equal(status.status, 0, status.stdout);
      const s = JSON.parse(status.stdout);
      assert.equal(s.events, 6);
      assert.deepEqual([s.endpoints[0].delivered, s.endpoints[0].pending, s.endpoints[0].failed], [6, 0, 0]);
    } finally {
      await server.stop();
      await hook.close();
    }
  });

  it('loses no event when the server is killed while deliveries fail, and keeps each id on retries', async () => {
    const { dir, key, secretFile, db } = setup();
    let healthy = false;
    const hook = await receiver(() => (healthy ? 200 : 500));
    // --webhook-timeout 1: a delivery in flight when the server dies is
    // leased for 2 x 1 + 5 s, then sent again by the restarted server.
    const args = ['--webhook', hook.url, '--webhook-secret-file', secretFile, '--allow-unchallenged',
      '--webhook-timeout', '1', ...FAST];
    let server = await startServer(dir, key, args);
    const template = issue(dir);
    const accepted = [];
    for (let i = 0; i < 12; i++) {
      const receipt = mint(template);
      const res = await post(`${server.url}/api/receipts`, receipt);
      assert.equal(res.status, 201, res.text);
      accepted.push(payloadOf(receipt).receiptId);
    }
    await until('failed attempts', () => hook.requests.length >= 3);
    const killed = await server.stop('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    const pending = JSON.parse(cachet(['webhooks', 'status', '--db', db, '--format', 'json']).stdout);
    assert.ok(pending.endpoints[0].pending > 0, 'events were still pending when the server died');

    healthy = true;
    server = await startServer(dir, key, args);
    try {
      const events = outbox(db);
      assert.equal(events.length, accepted.length, 'one event per accepted receipt');
      const wanted = new Set(events.map((e) => e.id));
      const got = () => new Set(hook.delivered().map((r) => r.headers['webhook-id']));
      await until('every event delivered after the restart', () => [...wanted].every((id) => got().has(id)), 30000);
      const lost = [...wanted].filter((id) => !got().has(id));
      assert.deepEqual(lost, [], '0 events lost');
      for (const r of hook.requests) assert.equal(r.verified, 'ok');
      // Retries carry the same id and the same bytes (receivers deduplicate on the id).
      const byId = new Map(events.map((e) => [e.id, e.body]));
      for (const r of hook.requests) assert.equal(r.body, byId.get(r.headers['webhook-id']));
      const retried = hook.requests.filter((r) => r.status === 500).map((r) => r.headers['webhook-id']);
      assert.ok(retried.length >= 3 && retried.every((id) => got().has(id)), 'the events that failed came again');
      assert.deepEqual(new Set(hook.delivered().map((r) => JSON.parse(r.body).data.receiptId)), new Set(accepted));
    } finally {
      await server.stop();
      await hook.close();
    }
  });

  it('delivers from cron with `cachet webhooks deliver`, and stops at 410 Gone', async () => {
    const { dir, key, secretFile, db } = setup();
    const server = await startServer(dir, key);  // no --webhook: events wait in the outbox
    try {
      for (let i = 0; i < 2; i++) {
        const res = await post(`${server.url}/api/receipts`, issue(dir), { headers: adminHeaders });
        assert.equal(res.status, 201, res.text);
      }
    } finally {
      await server.stop();
    }
    const ok = await receiver();
    const gone = await receiver(() => 410);
    try {
      const deliver = (url) => cachetAsync(['webhooks', 'deliver', '--db', db, '--webhook', url,
        '--webhook-secret-file', secretFile, '--webhook-timeout', '5', '--format', 'json']);
      let r = await deliver(ok.url);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { delivered: 2, retrying: 0, failed: 0, gone: 0, skipped: 0 });
      assert.deepEqual(ok.requests.map((x) => x.verified), ['ok', 'ok']);
      r = await deliver(ok.url);
      assert.equal(JSON.parse(r.stdout).delivered, 0, 'nothing twice');

      r = await deliver(gone.url);
      assert.equal(r.status, 1);
      assert.equal(JSON.parse(r.stdout).gone, 1);
      assert.equal(gone.requests.length, 1, 'no more requests after 410');
      assert.match(r.stderr, /410 Gone/);
      const status = cachet(['webhooks', 'status', '--db', db]);
      assert.equal(status.status, 1);
      assert.match(status.stdout, /DISABLED since/);
      r = cachet(['webhooks', 'retry', '--db', db, '--endpoint', gone.url]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^1 delivery pending again/);

      // Bad configuration is refused with a clear sentence.
      r = cachet(['webhooks', 'deliver', '--db', db, '--webhook', 'ftp://x', '--webhook-secret-file', secretFile]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /webhook_bad_url/);
      const badSecret = path.join(dir, 'bad.secret');
      writeFileSync(badSecret, 'not-a-secret\n');
      r = cachet(['webhooks', 'deliver', '--db', db, '--webhook', ok.url, '--webhook-secret-file', badSecret]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /line 1: a webhook secret starts with whsec_/);
      const endpoints = path.join(dir, 'webhooks.json');
      writeFileSync(endpoints, JSON.stringify({ endpoints: [{ url: ok.url, secretFile: 'webhook.secret', events: ['consent.withdrawn', 'nope'] }] }));
      r = cachet(['webhooks', 'deliver', '--db', db, '--webhooks', endpoints]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /\/endpoints\/0\/events\/1: .*unknown event type "nope"/);
    } finally {
      await ok.close();
      await gone.close();
    }
  });

  it('sends an endpoint of a --webhooks file only the event types it asked for', async () => {
    const { dir, key, db } = setup();
    writeFileSync(path.join(dir, 'crm.secret'), `# current\n${SECRET}\n`);
    const server = await startServer(dir, key);
    try {
      const res = await post(`${server.url}/api/receipts`, issue(dir), { headers: adminHeaders });
      assert.equal(res.status, 201, res.text);
      const erased = await post(`${server.url}/api/erasure`, { receiptId: res.json.receiptId }, { headers: adminHeaders });
      assert.equal(erased.status, 200, erased.text);
    } finally {
      await server.stop();
    }
    const hook = await receiver();
    try {
      const endpoints = path.join(dir, 'webhooks.json');
      writeFileSync(endpoints, JSON.stringify({ endpoints: [{ url: hook.url, secretFile: 'crm.secret', events: ['person.erased'] }] }));
      const r = await cachetAsync(['webhooks', 'deliver', '--db', db, '--webhooks', endpoints, '--format', 'json']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { delivered: 1, retrying: 0, failed: 0, gone: 0, skipped: 1 });
      assert.equal(hook.requests.length, 1);
      assert.equal(JSON.parse(hook.requests[0].body).type, 'person.erased');
      assert.equal(hook.requests[0].verified, 'ok');
    } finally {
      await hook.close();
    }
  });

  it('sends each event once when two servers on one ledger both dispatch', async () => {
    // Two `cachet serve --webhook` on one ledger (a SQLite file, or one
    // PostgreSQL database in the CACHET_TEST_DB=postgres pass: the
    // several-servers setup), receipts posted to both: every event reaches
    // the receiver once, signed, whichever server wrote or sent it.
    const { dir, key, secretFile, db } = setup();
    const hook = await receiver();
    const args = ['--allow-unchallenged', '--webhook', hook.url, '--webhook-secret-file', secretFile, ...FAST];
    const a = await startServer(dir, key, args, { db });
    const b = await startServer(dir, key, args, { db });
    try {
      const template = issue(dir);
      for (let i = 0; i < 16; i++) {
        const res = await post(`${(i % 2 === 0 ? a : b).url}/api/receipts`, mint(template));
        assert.equal(res.status, 201, res.text);
      }
      const events = outbox(db);
      assert.equal(events.length, 16);
      await until('every event delivered', () => hook.delivered().length >= events.length);
      await new Promise((r) => setTimeout(r, 400)); // a few more polls of both dispatchers
      assert.equal(hook.requests.length, events.length, 'no event sent twice');
      const sent = new Map(hook.requests.map((r) => [r.headers['webhook-id'], r]));
      for (const e of events) {
        assert.equal(sent.get(e.id)?.body, e.body, `event ${e.seq}`);
        assert.equal(sent.get(e.id).verified, 'ok');
      }
    } finally {
      await a.stop();
      await b.stop();
      await hook.close();
    }
  });
});
