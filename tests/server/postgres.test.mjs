// The PostgreSQL ledger (docs/server.md, "PostgreSQL"), against a real
// PostgreSQL started for this file (pg.mjs): two `cachet serve` processes
// appending to one ledger at once, one SIGKILLed mid-stream, and then no
// acknowledged receipt lost and one verifiable chain; the same refusals as
// SQLite across servers; `cachet ledger migrate` both ways; tampering seen
// by `ledger verify`; purge and the webhook outbox there; unreachable
// servers named without the password. (The other ledger suites run on
// PostgreSQL too: CACHET_TEST_DB=postgres, scripts/test-server.sh.)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { adminHeaders, cachet, issue, keygen, mint, payloadOf, post, startServer, tempDir } from './helpers.mjs';
import { startPostgres } from './pg.mjs';

let pg;
before(() => { pg = startPostgres(); });
after(() => { pg?.stop(); });

function storedIds(db) {
  const out = cachet(['ledger', 'export-state', '--db', db]);
  assert.equal(out.status, 0, out.stderr);
  return new Set(out.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line).latestReceiptId));
}

function verify(db) {
  const r = cachet(['ledger', 'verify', '--db', db, '--format', 'json']);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : undefined };
}

describe('two cachet serve processes on one PostgreSQL ledger', () => {
  it('lose no acknowledged receipt when one is SIGKILLed mid-stream, and the chain verifies', async () => {
    const dir = tempDir();
    const key = keygen(dir);
    const template = issue(dir);
    const db = pg.database('shared');
    const a = await startServer(dir, key, ['--allow-unchallenged'], { db });
    const b = await startServer(dir, key, ['--allow-unchallenged'], { db });
    const receipts = Array.from({ length: 240 }, () => mint(template));
    const acked = [];
    let refused = 0;
    let next = 0;
    let killed = false;
    // Workers alternate between the servers; the one on `a` stop once it is killed.
    async function worker(i) {
      const server = i % 2 === 0 ? a : b;
      while (next < receipts.length) {
        const receipt = receipts[next++];
        try {
          const res = await fetch(`${server.url}/api/receipts`, {
            method: 'POST', headers: { 'Content-Type': 'application/json' }, body: receipt,
          });
          await res.text();
          if (res.status === 201) acked.push(payloadOf(receipt).receiptId);
          else refused++;
        } catch {
          if (server === a && killed) return; // the killed server is gone
          throw new Error('the surviving server failed a request');
        }
        if (!killed && acked.length >= 60) {
          killed = true;
          a.child.kill('SIGKILL');
        }
      }
    }
    await Promise.all(Array.from({ length: 8 }, (_, i) => worker(i)));
    const exit = await a.stop();
    assert.equal(exit.signal, 'SIGKILL', 'server a was killed, not stopped');
    assert.equal(refused, 0, 'no valid receipt was refused');
    assert.ok(acked.length >= 120, `acknowledged ${acked.length}`);

    // Server b kept going after the kill, and still does.
    const late = mint(template);
    assert.equal((await post(`${b.url}/api/receipts`, late)).status, 201);
    acked.push(payloadOf(late).receiptId);
    await b.stop();

    const stored = storedIds(db);
    const lost = acked.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], 'every acknowledged receipt is in the ledger');
    const { status, report, stderr } = verify(db);
    assert.equal(status, 0, stderr);
    assert.ok(report.ok, JSON.stringify(report.problems));
    assert.ok(report.receipts >= acked.length);
    console.log(`two servers: ${acked.length} acknowledged, ${report.receipts} stored, ${report.entries} entries`);
  });

  it('keep one history across servers: a replay and a fork are refused whichever server gets them', async () => {
    const dir = tempDir();
    const key = keygen(dir);
    const template = issue(dir);
    const db = pg.database('rules');
    const a = await startServer(dir, key, ['--allow-unchallenged'], { db });
    const b = await startServer(dir, key, ['--allow-unchallenged'], { db });
    try {
      const first = mint(template);
      assert.equal((await post(`${a.url}/api/receipts`, first)).status, 201);
      // The same receipt again, on the other server: stored once.
      const again = await post(`${b.url}/api/receipts`, first);
      assert.ok(again.status === 200 || again.status === 201, again.text);
      const id = payloadOf(first).receiptId;
      const replay = mint(template, (p) => { p.receiptId = id; p.channels.email.decision = 'not-granted'; });
      const replayed = await post(`${b.url}/api/receipts`, replay);
      assert.equal(replayed.status, 409, replayed.text);
      assert.equal(replayed.json.error.code, 'ledger_replay');
      // Two successors of one receipt, one per server at once (an operator's
      // updates, so the admin token): one wins, the other is a fork.
      const update = (p) => { p.supersedes = id; };
      const results = await Promise.all([
        post(`${a.url}/api/receipts`, mint(template, update), { headers: adminHeaders }),
        post(`${b.url}/api/receipts`, mint(template, update), { headers: adminHeaders }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 409], results.map((r) => r.text).join('\n'));
    } finally {
      await a.stop();
      await b.stop();
    }
    const { status, report } = verify(db);
    assert.equal(status, 0);
    assert.equal(report.receipts, 2);
  });
});

describe('cachet ledger migrate', () => {
  it('copies SQLite -> PostgreSQL -> SQLite with the same head, and refuses a non-empty destination', async () => {
    const dir = tempDir();
    const key = keygen(dir);
    const template = issue(dir);
    const server = await startServer(dir, key, ['--allow-unchallenged']);
    for (let i = 0; i < 20; i++) assert.equal((await post(`${server.url}/api/receipts`, mint(template))).status, 201);
    await server.stop();
    const source = server.db;
    const sourceReport = verify(source).report;

    const url = pg.database('migrated');
    const there = cachet(['ledger', 'migrate', '--from', source, '--to', url]);
    assert.equal(there.status, 0, there.stderr);
    assert.match(there.stdout, /Both chains verify/);
    assert.doesNotMatch(there.stdout, /postgresql:\/\//, 'the URL is described, not printed');
    const onPg = verify(url);
    assert.equal(onPg.status, 0, onPg.stderr);
    assert.equal(onPg.report.head, sourceReport.head);
    assert.equal(onPg.report.receipts, 20);

    // A server on the copy goes on from the same chain.
    const pgServer = await startServer(dir, key, ['--allow-unchallenged'], { db: url });
    assert.equal((await post(`${pgServer.url}/api/receipts`, mint(template))).status, 201);
    await pgServer.stop();

    const back = path.join(dir, 'back.db');
    const returned = cachet(['ledger', 'migrate', '--from', url, '--to', back]);
    assert.equal(returned.status, 0, returned.stderr);
    const onSqlite = verify(back);
    assert.equal(onSqlite.status, 0, onSqlite.stderr);
    assert.equal(onSqlite.report.head, verify(url).report.head);
    assert.equal(onSqlite.report.receipts, 21);

    const again = cachet(['ledger', 'migrate', '--from', source, '--to', url]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /ledger_migrate_not_empty/);
    const missing = cachet(['ledger', 'migrate', '--from', path.join(dir, 'nope.db'), '--to', pg.database('unused')]);
    assert.equal(missing.status, 2);
    assert.ok(!existsSync(path.join(dir, 'nope.db')), 'a missing source is not created');
  });
});

describe('PostgreSQL ledger checks and limits', () => {
  it('reports a receipt edited in the database (ledger verify exits 1)', async () => {
    const dir = tempDir();
    const key = keygen(dir);
    const template = issue(dir);
    const db = pg.database('tamper');
    const server = await startServer(dir, key, ['--allow-unchallenged'], { db });
    const receipt = mint(template);
    assert.equal((await post(`${server.url}/api/receipts`, receipt)).status, 201);
    await server.stop();
    assert.equal(verify(db).status, 0);
    pg.sql(db, "UPDATE receipts SET received_at = '2020-01-01T00:00:00Z'");
    const { status, report } = verify(db);
    assert.equal(status, 1);
    assert.equal(report.ok, false);
    const show = cachet(['ledger', 'show', '--db', db, payloadOf(receipt).receiptId]);
    assert.notEqual(show.status, 0, 'reads refuse a tampered receipt');
    assert.match(show.stderr, /ledger_tampered/);
  });

  it('purges and keeps a webhook outbox on PostgreSQL too, and never prints a password', () => {
    const db = pg.database('limits');
    const purge = cachet(['ledger', 'purge', '--db', db]);
    assert.equal(purge.status, 0, purge.stderr);
    assert.match(purge.stdout, /Nothing to purge/);
    const hooks = cachet(['webhooks', 'status', '--db', db, '--format', 'json']);
    assert.equal(hooks.status, 0, hooks.stderr);
    assert.equal(JSON.parse(hooks.stdout).events, 0);
    const unreachable = 'postgresql://cachet:s3cret-password@127.0.0.1:1/nowhere';
    const r = cachet(['ledger', 'verify', '--db', unreachable]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /nowhere/);
    assert.match(r.stderr, /127\.0\.0\.1/);
    assert.doesNotMatch(r.stderr + r.stdout, /s3cret-password/);
  });
});
