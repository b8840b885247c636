#!/usr/bin/env node
// Turns the logs bench/run-all.sh collected into bench/RESULTS.md (stdout):
// one table of every figure, then each benchmark's own output.
// usage: node bench/results-md.mjs LOG_DIR
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = process.argv[2];
const read = (name) => (existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name), 'utf8') : '');
const sh = (cmd, args) => {
  try { return execFileSync(cmd, args, { encoding: 'utf8' }).trim(); } catch { return ''; }
};
// Strip progress lines rewritten with \r and ANSI colours.
const clean = (text) => text.split('\n').map((l) => l.split('\r').pop()).join('\n').replace(/\x1b\[[0-9;]*m/g, '');

const benches = [
  { name: 'widget', title: 'Widget size and startup (bench/widget-size-and-startup.mjs)' },
  { name: 'verify', title: 'cachet verify throughput (bench/verify-throughput.sh)' },
  { name: 'export', title: 'cachet export throughput (bench/export-throughput.sh)' },
  { name: 'ingest', title: 'cachet serve ingest (bench/serve-ingest.mjs)' },
  { name: 'ingest-pg', title: 'cachet serve ingest, two servers on PostgreSQL beside one on SQLite (bench/pg-ingest.sh)' },
  { name: 'chainjobs', title: 'Chain check on every core (bench/chain-check-jobs.sh)' },
];

const rows = [];  // [benchmark, figure, value]
const add = (bench, figure, value) => rows.push([bench, figure, String(value)]);

function result(log) {
  const line = log.split('\n').reverse().find((l) => l.startsWith('RESULT '));
  return line ? JSON.parse(line.slice(7)) : undefined;
}

function widget(log) {
  const lines = log.split('\n');
  const header = lines.findIndex((l) => /^widget\s+gzip/.test(l));
  if (header < 0) return;
  const names = lines[header].split(/\s{2,}/).map((s) => s.trim());
  for (const line of lines.slice(header + 1)) {
    if (!line.trim() || line.startsWith('(')) break;
    const cells = line.split(/\s{2,}/).map((s) => s.trim());
    for (let i = 1; i < Math.min(names.length, cells.length); i++) add('widget', `${cells[0]}: ${names[i]}`, cells[i]);
  }
  for (const line of lines) if (/budget/i.test(line) && !line.startsWith('budgets:')) add('widget', 'budget', line.trim());
}

function verify(log) {
  // "label   value" rows of the summary table (receipts/s, ratios, budget),
  // then the phase table ("label   us   share").
  let phases = false;
  for (const line of log.split('\n')) {
    if (/^phase \(CPU time/.test(line)) { phases = true; continue; }
    const m = line.match(/^(\s*\S.*?)\s{2,}(\S.*)$/);
    if (!m || /^(generating|cachet verify \(\d+ receipts|openssl speed -|jose generalVerify \+)/.test(line)) continue;
    if (phases) {
      const [us, share] = m[2].trim().split(/\s+/);
      add('verify', `phase: ${m[1].trim()} (µs per receipt, share)`, `${us} (${share})`);
    } else {
      add('verify', `${m[1].trim()}${/%|budget/.test(line) ? '' : ' (receipts/s)'}`, m[2].trim());
    }
  }
}

function exporter(log) {
  const r = result(log);
  if (!r) return;
  const d = r.default;
  const v = r.reverify;
  add('export', 'contacts (rows)', r.n);
  add('export', 'receipts in the ledger', r.receipts);
  add('export', 'ledger size (MiB)', (r.ledgerBytes / 1048576).toFixed(1));
  add('export', 'default path: rows/s, whole run, 1 core', d.rowsPerSecond);
  add('export', 'default path: seconds, whole run', d.seconds);
  add('export', 'default path: verify_chain seconds', d.verifyChainSeconds.toFixed(2));
  add('export', 'default path: ledger pass into the index, seconds', d.indexSeconds.toFixed(2));
  add('export', 'default path: contact rows, seconds', d.rowsSeconds.toFixed(2));
  add('export', 'default path: contact rows/s (row phase)', d.rowPhasePerSecond);
  add('export', 'default path: index bytes per person', d.indexBytesPerPerson);
  add('export', 'default path: peak RSS (MiB, getrusage)', d.peakRssMiB);
  add('export', `--reverify on ${v.rows} rows: rows/s (row phase, all cores)`, v.rowPhasePerSecond);
  add('export', `--reverify on ${v.rows} rows: rows/s (whole run incl. verify_chain)`, v.rowsPerSecond);
  add('export', '--reverify: peak RSS (MiB)', v.peakRssMiB);
  add('export', 'cachet ledger verify, seconds', r.verifyChainSeconds);
  const speed = log.split('\n').find((l) => /EdDSA \(Ed25519\)/.test(l));
  if (speed) add('export', 'openssl speed ed25519 (sign/s verify/s)', speed.trim().split(/\s+/).slice(-2).join(' / '));
}

const INGEST_LABELS = {
  baseline: 'group commit off', group: 'group commit on', 'postgres-2': 'PostgreSQL, two servers',
};

function ingest(log, bench = 'ingest') {
  const r = result(log);
  if (!r) return;
  add(bench, 'receipts posted / concurrency / load average', `${r.receipts} / ${r.concurrency} / ${r.loadAverage}`);
  for (const mode of Object.keys(INGEST_LABELS)) {
    const m = r[mode];
    if (!m) continue;
    const label = INGEST_LABELS[mode];
    add(bench, `${label}: receipts/s`, m.receiptsPerSecond);
    add(bench, `${label}: latency p50 / p99 (ms)`, `${m.p50ms} / ${m.p99ms}`);
    add(bench, `${label}: CPU per receipt, server / client (ms)`, `${m.serverCpuMsPerReceipt} / ${m.clientCpuMsPerReceipt}`);
    add(bench, `${label}: acknowledged / in the ledger / chain verifies`, `${m.acknowledged} / ${m.inLedger} / ${m.chainOk}`);
  }
  if (r.ratios) {
    add('ingest', 'group commit / off: receipts/s, p99, server CPU', `x${r.ratios.receiptsPerSecond}, x${r.ratios.p99}, x${r.ratios.serverCpuPerReceipt}`);
  }
}

function chainjobs(log) {
  const r = result(log);
  if (!r) return;
  add('chainjobs', 'contacts / receipts / log entries / load average', `${r.n} / ${r.receipts} / ${r.entries} / ${r.load}`);
  add('chainjobs', 'cachet ledger verify, seconds: --jobs 1 on 1 core / --jobs 2 on 2 cores', `${r.verifyJobs1} / ${r.verifyJobs2}`);
  add('chainjobs', 'cachet ledger verify: rate on 2 cores / 1 core (budget >= 1.8)', `x${r.verifyRatio}`);
  add('chainjobs', 'cachet export, full check, seconds: --jobs 1 / --jobs 2', `${r.exportJobs1} / ${r.exportJobs2}`);
  add('chainjobs', 'cachet export chain+index phase, seconds: --jobs 1 / --jobs 2 (ratio)', `${r.chainJobs1} / ${r.chainJobs2} (x${r.chainRatio})`);
  add('chainjobs', `one million contacts, 2 cores, full check, seconds${r.extrapolated ? ' (EXTRAPOLATED linearly)' : ''} (budget <= 8)`, r.export1MTwoCores);
  add('chainjobs', `one million contacts, 2 cores: chain check and index phase, seconds${r.extrapolated ? ' (EXTRAPOLATED linearly)' : ''}`, r.chain1MTwoCores);
  add('chainjobs', 'cachet export --from-signed-head, 2 cores, seconds', r.fromSignedHead);
}

const parsers = { widget, verify, export: exporter, ingest, 'ingest-pg': (log) => ingest(log, 'ingest-pg'), chainjobs };
for (const b of benches) {
  const [status, seconds] = (read(`${b.name}.status`) || '? ?').trim().split(' ');
  b.status = status;
  b.seconds = seconds;
  b.log = clean(read(`${b.name}.log`));
  const before = rows.length;
  try { parsers[b.name](b.log); } catch (e) { add(b.name, 'parse error', e.message); }
  if (status !== '0') add(b.name, 'status', `did not complete (exit ${status}); see its output below`);
  else if (rows.length === before) add(b.name, 'status', 'ran; no figures recognised, see its output below');
}

const cpu = sh('lscpu', []).split('\n').find((l) => l.startsWith('Model name'))?.split(':')[1]?.trim() || os.cpus()[0]?.model;
const osName = (readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m) || [])[1] || os.platform();
const commit = sh('git', ['rev-parse', '--short', 'HEAD']);
// RESULTS.md (and the .tmp it is written to) is the run's own output, not a change to the code measured.
const dirty = sh('git', ['status', '--porcelain', '--', '.', ':!bench/RESULTS.md*']) ? ' (with uncommitted changes)' : '';

const esc = (s) => s.replace(/\|/g, '\\|');
let md = '# Benchmark results\n\n';
const date = process.env.BENCH_DATE || new Date().toISOString().replace(/\.\d+Z$/, 'Z');
md += `Written by \`bench/run-all.sh\`, run started ${date}.\n\n`;
md += `Machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${osName}, `;
md += `Linux ${os.release()}, node ${process.version}. Commit ${commit || '?'}${dirty}. `;
md += `Load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (shared machines make times noisy).\n\n`;
md += 'Budgets (DESIGN.md section 5) are printed beside the figures, never asserted.\n\n';
md += '| benchmark | figure | value |\n|---|---|---|\n';
for (const [b, f, v] of rows) md += `| ${b} | ${esc(f)} | ${esc(v)} |\n`;
for (const b of benches) {
  md += `\n## ${b.title}\n\nExit status ${b.status}, ${b.seconds} s.\n\n\`\`\`\n${b.log.trim()}\n\`\`\`\n`;
}
process.stdout.write(md);
