// Group commit (docs/server.md): receipts posted at once share transactions.
// 200 receipts and 10 pairs of receipts reusing one id (a replay each, whose
// refusal must not fail the receipts committed in the same batch) go to the
// server from 64 connections. Every acknowledgement must name the log entry
// the ledger stores for that receipt, every acknowledged receipt must be
// there, the refused ones must not, and the hash chain must verify.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';

import { cachet, issue, keygen, mint, payloadOf, startServer, tempDir } from './helpers.mjs';

const WORKERS = 64;

function sql(db, query) {
  const r = spawnSync('sqlite3', ['-json', db, query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

async function postAll(url, bodies) {
  const answers = new Array(bodies.length);
  let next = 0;
  async function worker() {
    while (next < bodies.length) {
      const i = next++;
      const res = await fetch(`${url}/api/receipts`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: bodies[i],
      });
      answers[i] = { status: res.status, body: await res.json() };
    }
  }
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return answers;
}

for (const mode of [{ name: 'group commit on', args: [] }, { name: 'group commit off', args: ['--group-commit-max', '1'] }]) {
  describe(`cachet serve, ${mode.name}: many receipts at once`, () => {
    it('acknowledges each receipt with the log entry the ledger stores for it, refusing replays alone', async () => {
      const dir = tempDir();
      const key = keygen(dir);
      const template = issue(dir);
      const server = await startServer(dir, key, ['--allow-unchallenged', ...mode.args]);
      const acked = new Map();
      try {
        const bodies = Array.from({ length: 200 }, () => mint(template));
        // Ten ids posted twice with different payloads, interleaved with the
        // rest: one of each pair is stored, the other is a replay (409).
        const pairs = Array.from({ length: 10 }, () => randomUUID());
        for (const [n, id] of pairs.entries()) {
          bodies.splice(n * 20 + 5, 0, mint(template, (p) => { p.receiptId = id; }));
          bodies.splice(n * 20 + 9, 0, mint(template, (p) => { p.receiptId = id; 
            p.channels.email.decision = p.channels.email.decision === 'granted' ? 'not-granted' : 'granted';
          }));
        }
        const answers = await postAll(server.url, bodies);

        let replays = 0;
        for (const [i, answer] of answers.entries()) {
          const id = payloadOf(bodies[i]).receiptId;
          if (answer.status === 201) {
            assert.equal(answer.body.receiptId, id);
            assert.ok(!acked.has(id), `${id} acknowledged twice`);
            acked.set(id, { ...answer.body.ledger, payload: JSON.parse(bodies[i]).payload });
          } else {
            assert.equal(answer.status, 409, JSON.stringify(answer.body));
            assert.ok(pairs.includes(id), `only the reused ids are refused, not ${id}`);
            replays++;
          }
        }
        assert.equal(replays, 10);
        assert.equal(acked.size, 210);
        const seqs = new Set([...acked.values()].map((a) => a.seq));
        assert.equal(seqs.size, 210, 'every acknowledgement names its own log entry');
      } finally {
        await server.stop();
      }

      // The ledger, read directly: each acknowledged receipt is stored at the
      // entry its acknowledgement named, with the payload that was acknowledged.
      const rows = sql(server.db, "SELECT r.receipt_id AS id, r.seq, l.hash, r.jws FROM receipts r JOIN log l ON l.seq = r.seq WHERE l.kind = 'receipt'");
      assert.equal(rows.length, 210);
      for (const row of rows) {
        const ack = acked.get(row.id);
        assert.ok(ack, `${row.id} is stored but was not acknowledged`);
        assert.equal(row.seq, ack.seq);
        assert.equal(row.hash, ack.entryHash);
        assert.equal(JSON.parse(row.jws).payload, ack.payload, 'the acknowledged receipt, not its replay');
      }
      const verify = cachet(['ledger', 'verify', '--db', server.db, '--format', 'json']);
      assert.equal(verify.status, 0, verify.stdout + verify.stderr);
      const report = JSON.parse(verify.stdout);
      assert.ok(report.ok);
      assert.equal(report.receipts, 210);
    });
  });
}
