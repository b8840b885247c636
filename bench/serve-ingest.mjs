#!/usr/bin/env node
// Benchmark (not a test; it asserts nothing about time): `cachet serve`
// ingest. Starts the real server on a loopback port with a fresh ledger,
// posts N real receipts made beforehand by `cachet issue` (each with its own
// collector key and receipt id) from a client with a small, bounded
// concurrency, then stops the server and counts the receipts the ledger holds
// (`cachet ledger verify --db`, which also checks the hash chain).
//
// The receipts carry no server challenge (they are made before the server
// starts), so the server runs with --allow-unchallenged: the figure leaves out
// one HMAC and one row per receipt that a challenged web-form receipt costs.
//
// Every acknowledged receipt (201) was committed to disk before the answer
// (WAL, synchronous=FULL: docs/server.md), so the rate includes one fsync
// per receipt; the disk matters as much as the CPU.
//
// usage: node bench/serve-ingest.mjs [N=400] [CONCURRENCY=4]
// env: CACHET_BIN (default build-xp/cli/cachet), BENCH_TIMEOUT_S (default 300)
// Prints a human summary, then one line `RESULT {json}` for bench/run-all.sh.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHET = process.env.CACHET_BIN || path.join(ROOT, 'build-xp/cli/cachet');
const CONFIG = path.join(ROOT, 'tests/fixtures/configs/societe-x.json');
const N = Math.max(1, Number(process.argv[2] || 400));
const CONCURRENCY = Math.min(32, Math.max(1, Number(process.argv[3] || 4)));
const TIMEOUT_MS = 1000 * Number(process.env.BENCH_TIMEOUT_S || 300);
const ADMIN = 'bench-admin-token-0123456789';

function run(args, input) {
  const r = spawnSync(CACHET, args, { input, encoding: 'utf8' });
  if (r.error) throw r.error;
  return r;
}

// `cachet issue` N times, two processes at a time (one per core): distinct
// people, decisions and contacts, like real signups.
async function issueAll(dir) {
  const decisions = ['granted', 'not-granted'];
  const objections = ['objected', 'not-objected'];
  const out = new Array(N);
  let next = 0;
  async function worker() {
    while (next < N) {
      const i = next++;
      const choices = {
        decisions: {
          // One objection box for postal and phone (combineObjection): one decision.
          postal: objections[(i >> 1) % 2], phone: objections[(i >> 1) % 2],
          email: decisions[i % 2], sms: decisions[(i >> 2) % 2],
        },
        contacts: {
          email: `person${i}@example.org`,
          phone: `+33 6 12 ${String(i).padStart(6, '0').replace(/(..)(..)(..)/, '$1 $2 $3')}`,
          mobile: `+33 7 12 ${String(i).padStart(6, '0').replace(/(..)(..)(..)/, '$1 $2 $3')}`,
          postal: `${i} rue de la Paix, 75002 Paris`,
        },
      };
      const file = path.join(dir, `choices-${i}.json`);
      writeFileSync(file, JSON.stringify(choices));
      out[i] = await new Promise((resolve, reject) => {
        const child = spawn(CACHET, ['issue', '--config', CONFIG, '--choices', file, '--method', 'web-form',
          '--page-url', 'https://x.example/inscription'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => { stdout += d; });
        child.stderr.on('data', (d) => { stderr += d; });
        // 'close', not 'exit': the process may exit before its stdout is all read.
        child.on('close', (code) => (code === 0 ? resolve(stdout.trim()) : reject(new Error(`cachet issue: ${stderr}`))));
      });
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, cpus().length) }, worker));
  return out;
}

async function startServer(dir) {
  const key = path.join(dir, 'controller.jwk');
  const db = path.join(dir, 'ledger.db');
  const child = spawn(CACHET, ['serve', '--host', '127.0.0.1', '--port', '0', '--db', db, '--config', CONFIG,
    '--key', key, '--init-key', '--admin-token', ADMIN, '--allow-unchallenged'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/Listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { url, db, stop: () => { child.kill('SIGTERM'); return exited; } };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const dir = mkdtempSync(path.join(tmpdir(), 'cachet-serve-bench-'));
try {
  console.log(`issuing ${N} receipts with ${CACHET} ...`);
  const t0 = performance.now();
  const receipts = await issueAll(dir);
  console.log(`  ${N} receipts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const server = await startServer(dir);
  const latencies = [];
  const statuses = {};
  const refusals = [];
  let acknowledged = 0;
  let next = 0;
  const deadline = Date.now() + TIMEOUT_MS;
  const start = performance.now();
  async function client() {
    while (next < N && Date.now() < deadline) {
      const body = receipts[next++];
      const t = performance.now();
      const res = await fetch(`${server.url}/api/receipts`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
      });
      const answer = await res.text();
      latencies.push(performance.now() - t);
      // A refused receipt is a finding, not noise: say which and why.
      if (res.status !== 201 && refusals.length < 5) refusals.push(`${res.status} ${answer.slice(0, 300)} <- ${body.slice(0, 120)}`);
      statuses[res.status] = (statuses[res.status] || 0) + 1;
      if (res.status === 201) acknowledged += 1;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const seconds = (performance.now() - start) / 1000;
  await server.stop();

  const verify = run(['ledger', 'verify', '--db', server.db, '--format', 'json']);
  const chain = JSON.parse(verify.stdout);
  latencies.sort((a, b) => a - b);
  const result = {
    receipts: N,
    concurrency: CONCURRENCY,
    posted: latencies.length,
    acknowledged,
    statuses,
    seconds: Number(seconds.toFixed(3)),
    receiptsPerSecond: Number((latencies.length / seconds).toFixed(1)),
    p50ms: Number(percentile(latencies, 50).toFixed(2)),
    p99ms: Number(percentile(latencies, 99).toFixed(2)),
    inLedger: chain.receipts,
    chainOk: chain.ok,
  };
  console.log(`cachet serve ingest, ${N} receipts, ${CONCURRENCY} concurrent loopback clients:`);
  console.log(`  ${result.receiptsPerSecond} receipts/s, p50 ${result.p50ms} ms, p99 ${result.p99ms} ms`);
  console.log(`  acknowledged (201) ${acknowledged}, statuses ${JSON.stringify(statuses)}`);
  for (const r of refusals) console.log(`  refused: ${r}`);
  console.log(`  in the ledger afterwards: ${chain.receipts} (cachet ledger verify: chain ${chain.ok ? 'verifies' : 'BROKEN'})`);
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
