#!/usr/bin/env node
// Benchmark (not a test; it asserts nothing about time): `cachet serve`
// ingest. Starts the real server on a loopback port with a fresh ledger,
// posts N real receipts made beforehand by `cachet issue` (each with its own
// collector key and receipt id) from a client with a bounded concurrency,
// then stops the server and counts the receipts the ledger holds
// (`cachet ledger verify --db`, which also checks the hash chain).
//
// It does so twice in one run, with the same receipts, each time on a fresh
// ledger: first with group commit off (`--group-commit-max 1`: one
// transaction and one fsync per receipt, the baseline), then with group
// commit on (the default: receipts arriving while a batch commits share the
// next transaction and fsync; docs/server.md). It prints both and their
// ratios, because absolute figures move with the machine's load. For each it
// also reads the server's CPU time (user + system, /proc) over the posting,
// per receipt: the figure that says what the accept path costs.
//
// The receipts carry no server challenge (they are made before the server
// starts), so the server runs with --allow-unchallenged: the figure leaves out
// one HMAC and one row per receipt that a challenged web-form receipt costs.
//
// Every acknowledged receipt (201) was committed to disk before the answer
// (WAL, synchronous=FULL: docs/server.md), so the baseline includes one
// fsync per receipt and the grouped run one per batch; the disk matters as
// much as the CPU.
//
// A third mode, `postgres-2` (bench/pg-ingest.sh), posts the same receipts
// to two `cachet serve` processes sharing one PostgreSQL ledger (the clients
// split between them; docs/server.md, "PostgreSQL"), each append one
// transaction (synchronous_commit on) under the chain lock. It needs
// BENCH_PG_URL, the base URL of a server whose user may create databases.
//
// usage: node bench/serve-ingest.mjs [N=1000] [CONCURRENCY=16]
// env: CACHET_BIN (default build-xp/cli/cachet), BENCH_TIMEOUT_S (default 300),
//      BENCH_RECEIPTS_CACHE (a file: the issued receipts are kept there and
//      reused by the next run, which then starts the servers with a wide
//      --issued-at-skew, since the receipts were issued earlier),
//      BENCH_INGEST_MODES (default "baseline,group"; also "postgres-2"),
//      BENCH_PG_URL (for postgres-2).
// Prints a human summary, then one line `RESULT {json}` for bench/run-all.sh.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHET = process.env.CACHET_BIN || path.join(ROOT, 'build-xp/cli/cachet');
const CONFIG = path.join(ROOT, 'tests/fixtures/configs/societe-x.json');
const N = Math.max(1, Number(process.argv[2] || 1000));
const CONCURRENCY = Math.min(64, Math.max(1, Number(process.argv[3] || 16)));
const CACHE = process.env.BENCH_RECEIPTS_CACHE || '';
const MODES = (process.env.BENCH_INGEST_MODES || 'baseline,group').split(',').filter(Boolean);
const MODE_ARGS = { baseline: ['--group-commit-max', '1'], group: [], 'postgres-2': [] };
const MODE_LABELS = {
  baseline: 'SQLite, one server, group commit off (baseline)',
  group: 'SQLite, one server, group commit on',
  'postgres-2': 'PostgreSQL, two servers on one ledger',
};
// Servers sharing the ledger per mode (the clients are split between them).
const MODE_SERVERS = { 'postgres-2': 2 };
const PG_URL = process.env.BENCH_PG_URL || '';
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
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

// A fresh ledger for `mode`: a SQLite file, or a new PostgreSQL database.
function freshLedger(dir, mode) {
  if (!mode.startsWith('postgres')) return path.join(dir, `ledger-${mode}.db`);
  if (!PG_URL) throw new Error(`mode ${mode} needs BENCH_PG_URL (bench/pg-ingest.sh starts a server)`);
  const name = `bench_${process.pid}_${mode.replace(/\W/g, '_')}`;
  const psql = spawnSync('sh', ['-c', 'command -v psql || ls /usr/lib/postgresql/*/bin/psql | tail -n1'], { encoding: 'utf8' })
    .stdout.trim().split('\n')[0];
  const r = spawnSync(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', `${PG_URL}/postgres`, '-c', `CREATE DATABASE ${name}`],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot create the database ${name}: ${r.stderr}`);
  return `${PG_URL}/${name}`;
}

async function startServer(dir, db, extraArgs) {
  const key = path.join(dir, 'controller.jwk');
  const child = spawn(CACHET, ['serve', '--host', '127.0.0.1', '--port', '0', '--db', db, '--config', CONFIG,
    '--key', key, '--init-key', '--admin-token', ADMIN, '--allow-unchallenged', ...extraArgs],
  { stdio: ['ignore', 'pipe', 'pipe'] });
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
  // CPU seconds (user + system, every thread) the server has used so far.
  const cpuSeconds = () => {
    try {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    } catch {
      return NaN;
    }
  };
  return { url, db, cpuSeconds, stop: () => { child.kill('SIGTERM'); return exited; } };
}

// POST `body` (JSON) to `url`; resolves with {status, text}.
function post(agent, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function loadOrIssue(dir) {
  if (CACHE && existsSync(CACHE)) {
    const cached = JSON.parse(readFileSync(CACHE, 'utf8'));
    if (Array.isArray(cached) && cached.length >= N) {
      console.log(`${N} receipts from ${CACHE}`);
      return { receipts: cached.slice(0, N), cached: true };
    }
  }
  console.log(`issuing ${N} receipts with ${CACHET} ...`);
  const t0 = performance.now();
  const receipts = await issueAll(dir);
  console.log(`  ${N} receipts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (CACHE) writeFileSync(CACHE, JSON.stringify(receipts));
  return { receipts, cached: false };
}

// Posts every receipt to a fresh server in `mode`, then checks its ledger.
async function runMode(dir, mode, receipts, cached) {
  const extra = [...MODE_ARGS[mode], ...(cached ? ['--issued-at-skew', '30d'] : [])];
  const db = freshLedger(dir, mode);
  const servers = [];
  // One after the other: the first creates the key (--init-key) and the schema.
  for (let i = 0; i < (MODE_SERVERS[mode] || 1); i++) servers.push(await startServer(dir, db, extra));
  const latencies = [];
  const statuses = {};
  const refusals = [];
  let acknowledged = 0;
  let next = 0;
  const deadline = Date.now() + TIMEOUT_MS;
  // node:http with keep-alive rather than fetch(): fetch costs the client
  // about twice the CPU, and the client shares the machine's cores with the
  // server it measures.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const serverCpu = () => servers.reduce((sum, server) => sum + server.cpuSeconds(), 0);
  const cpuBefore = serverCpu();
  const clientCpuBefore = process.cpuUsage();
  const start = performance.now();
  async function client(index) {
    const server = servers[index % servers.length];
    while (next < receipts.length && Date.now() < deadline) {
      const body = receipts[next++];
      const t = performance.now();
      const res = await post(agent, `${server.url}/api/receipts`, body);
      const answer = res.text;
      latencies.push(performance.now() - t);
      // A refused receipt is a finding, not noise: say which and why.
      if (res.status !== 201 && refusals.length < 5) refusals.push(`${res.status} ${answer.slice(0, 300)} <- ${body.slice(0, 120)}`);
      statuses[res.status] = (statuses[res.status] || 0) + 1;
      if (res.status === 201) acknowledged += 1;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => client(i)));
  const seconds = (performance.now() - start) / 1000;
  const cpu = serverCpu() - cpuBefore;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  agent.destroy();
  for (const server of servers) await server.stop();

  const verify = run(['ledger', 'verify', '--db', db, '--format', 'json']);
  const chain = JSON.parse(verify.stdout);
  latencies.sort((a, b) => a - b);
  return {
    mode,
    servers: servers.length,
    posted: latencies.length,
    acknowledged,
    statuses,
    refusals,
    seconds: Number(seconds.toFixed(3)),
    receiptsPerSecond: Number((latencies.length / seconds).toFixed(1)),
    p50ms: Number(percentile(latencies, 50).toFixed(2)),
    p99ms: Number(percentile(latencies, 99).toFixed(2)),
    serverCpuMsPerReceipt: Number(((1000 * cpu) / Math.max(1, latencies.length)).toFixed(3)),
    clientCpuMsPerReceipt: Number(((clientCpu.user + clientCpu.system) / 1000 / Math.max(1, latencies.length)).toFixed(3)),
    inLedger: chain.receipts,
    chainOk: chain.ok,
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'cachet-serve-bench-'));
try {
  const { receipts, cached } = await loadOrIssue(dir);
  const runs = {};
  for (const mode of MODES) {
    if (!MODE_ARGS[mode]) throw new Error(`unknown mode ${mode} (baseline, group, postgres-2)`);
    runs[mode] = await runMode(dir, mode, receipts, cached);
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`cachet serve ingest, ${N} receipts, ${CONCURRENCY} concurrent loopback clients, ${cpus().length} cores, load average ${load}:`);
  for (const r of Object.values(runs)) {
    const label = MODE_LABELS[r.mode];
    console.log(`  ${label}: ${r.receiptsPerSecond} receipts/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, ` +
      `CPU per receipt: server ${r.serverCpuMsPerReceipt} ms, client ${r.clientCpuMsPerReceipt} ms`);
    console.log(`    acknowledged (201) ${r.acknowledged}, statuses ${JSON.stringify(r.statuses)}; in the ledger ` +
      `afterwards: ${r.inLedger} (cachet ledger verify: chain ${r.chainOk ? 'verifies' : 'BROKEN'})`);
    for (const refusal of r.refusals) console.log(`    refused: ${refusal}`);
    delete r.refusals;
  }
  const result = { receipts: N, concurrency: CONCURRENCY, cores: cpus().length, loadAverage: load, ...runs };
  if (runs.baseline && runs.group) {
    const ratio = (a, b) => Number((a / b).toFixed(2));
    result.ratios = {
      receiptsPerSecond: ratio(runs.group.receiptsPerSecond, runs.baseline.receiptsPerSecond),
      p99: ratio(runs.group.p99ms, runs.baseline.p99ms),
      serverCpuPerReceipt: ratio(runs.group.serverCpuMsPerReceipt, runs.baseline.serverCpuMsPerReceipt),
    };
    console.log(`  group commit / baseline: receipts/s x${result.ratios.receiptsPerSecond}, p99 x${result.ratios.p99}, ` +
      `server CPU per receipt x${result.ratios.serverCpuPerReceipt} (budget: >= 1000 receipts/s, p99 <= 50 ms)`);
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
