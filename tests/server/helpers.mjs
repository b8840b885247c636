// Shared helpers of the server tests: run the real `cachet` binary, start
// `cachet serve` on a loopback port, and mint receipts.
//
// Receipts come from the real CLI (`cachet issue`); `mint()` then re-signs a
// variant of one (new id, a challenge, a changed decision) with a fresh
// Ed25519 key, as the widget would, using only node:crypto, so tests can make
// hundreds of distinct, valid receipts quickly, and replays on purpose.
//
// CACHET_TEST_DB=postgres runs the suites that use ledgerDb() on PostgreSQL
// (scripts/test-server.sh does, for the files that exercise the ledger): the
// test file starts its own throwaway server on first use (pg.mjs), stopped
// when the file's process exits, or uses CACHET_TEST_PG_URL's; one database
// per test directory.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { psqlPath, startPostgres } from './pg.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHET = process.env.CACHET_BIN || path.join(ROOT, 'build/cli/cachet');
export const CONFIG = path.join(ROOT, 'tests/fixtures/configs/societe-x.json');
export const ADMIN = 'test-admin-token-0123456789';

export function tempDir() {
  return mkdtempSync(path.join(tmpdir(), 'cachet-server-test-'));
}

const TEST_DB = process.env.CACHET_TEST_DB || 'sqlite';
if (!['sqlite', 'postgres'].includes(TEST_DB)) {
  throw new Error(`CACHET_TEST_DB must be sqlite or postgres, not ${TEST_DB}`);
}
const ON_POSTGRES = TEST_DB === 'postgres';

let cluster;
const databases = new Map();
// The ledger of a test directory: DIR/ledger.db, or (CACHET_TEST_DB=postgres)
// a PostgreSQL database of its own, the same URL for the same directory.
export function ledgerDb(dir) {
  if (!ON_POSTGRES) return path.join(dir, 'ledger.db');
  if (!databases.has(dir)) {
    if (!cluster) {
      // The server scripts/test-server.sh started for the backends test when
      // it is there (its databases are named after this process), else one
      // of this file's own.
      cluster = startPostgres(process.env.CACHET_TEST_PG_URL);
      process.on('exit', () => cluster.stop());
    }
    databases.set(dir, cluster.database('suite'));
  }
  return databases.get(dir);
}

// Edits a ledger behind Cachet's back (tamper tests): sqlite3 on a file,
// psql on a PostgreSQL URL.
export function editLedger(db, sql) {
  const r = db.startsWith('postgresql://')
    ? spawnSync(psqlPath(), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', db, '-c', sql], { encoding: 'utf8' })
    : spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`editing ${db} failed: ${r.stderr}`);
}

// Runs the CLI; returns {status, stdout, stderr}.
export function cachet(args, { input } = {}) {
  const r = spawnSync(CACHET, args, { input, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function keygen(dir) {
  const file = path.join(dir, 'controller.jwk');
  const r = cachet(['keygen', '--out', file]);
  if (r.status !== 0) throw new Error(`keygen failed: ${r.stderr}`);
  return { private: file, public: `${file}.pub.json` };
}

export const CHOICES = {
  // societe-x shows one objection box for postal and phone (combineObjection): one decision.
  decisions: { postal: 'not-objected', phone: 'not-objected', email: 'granted', sms: 'not-granted' },
  contacts: { email: 'camille@example.org', phone: '+33 6 12 34 56 78' },
};

// A receipt made by `cachet issue` (JWS JSON text).
export function issue(dir, { choices = CHOICES, method = 'web-form', supersedes } = {}) {
  const file = path.join(dir, `choices-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(choices));
  const args = ['issue', '--config', CONFIG, '--choices', file, '--method', method];
  if (method === 'web-form') args.push('--page-url', 'https://x.example/inscription');
  if (supersedes) {
    const old = path.join(dir, `old-${randomUUID()}.json`);
    writeFileSync(old, supersedes);
    args.push('--supersedes', old);
  }
  const r = cachet(args);
  if (r.status !== 0) throw new Error(`cachet issue failed: ${r.stderr}`);
  return r.stdout.trim();
}

export function payloadOf(jwsText) {
  const jws = typeof jwsText === 'string' ? JSON.parse(jwsText) : jwsText;
  return JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8'));
}

// RFC 8785 for what receipts hold (strings, integers, booleans, arrays, objects):
// JSON.stringify escapes strings as JCS does; members sort by UTF-16 code units.
export function jcs(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${jcs(value[k])}`).join(',')}}`;
}

// Signs a payload object as a collector would: fresh Ed25519 key, jwk in the header.
export function signPayload(payload, { alg = 'Ed25519' } = {}) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  const header = { alg, typ: 'cachet-receipt+jws', jwk: { kty: 'OKP', crv: 'Ed25519', x } };
  const protectedB64 = Buffer.from(JSON.stringify(header)).toString('base64url');
  const payloadB64 = Buffer.from(jcs(payload)).toString('base64url');
  const signature = sign(null, Buffer.from(`${protectedB64}.${payloadB64}`), privateKey).toString('base64url');
  return JSON.stringify({ payload: payloadB64, signatures: [{ protected: protectedB64, signature }] });
}

// A variant of `template` (a receipt's JWS text): new id unless given, edits applied.
export function mint(template, edit = () => {}) {
  const payload = payloadOf(template);
  payload.receiptId = randomUUID();
  payload.issuedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  edit(payload);
  return signPayload(payload);
}

// What the widget does on a page served by `cachet serve`: fetch a challenge
// (GET /api/challenge) and bind the receipt to it. Returns a variant of
// `template` (new id, re-signed) carrying the challenge, `edit` applied.
export async function challenged(url, template, edit = () => {}) {
  const res = await fetch(`${url}/api/challenge`);
  const { challenge } = await res.json();
  return mint(template, (p) => {
    p.collection.challenge = challenge;
    edit(p);
  });
}

// Starts `cachet serve` on a free loopback port; resolves once it listens.
export async function startServer(dir, key, extraArgs = [], { db = ledgerDb(dir), config = CONFIG } = {}) {
  const args = ['serve', '--port', '0', '--db', db, '--config', config, '--key', key.private,
    '--admin-token', ADMIN, ...extraArgs];
  const child = spawn(CACHET, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/Listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url,
    db,
    child,
    log: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function post(url, body, { headers = {}, type = 'application/json' } = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': type, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export async function get(url, { headers = {} } = {}) {
  const res = await fetch(url, { headers, redirect: 'manual' });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export const adminHeaders = { Authorization: `Bearer ${ADMIN}` };
