// A throwaway PostgreSQL for the server tests (scripts/pg-test-server.sh):
// one cluster per test file, a database per test. Missing PostgreSQL is a
// failure, not a skip: scripts/setup.sh installs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Not from helpers.mjs, which imports this module (CACHET_TEST_DB=postgres).
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'scripts/pg-test-server.sh');
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'cachet-pg-test-'));

function run(command, args) {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout.trim();
}

export function psqlPath() {
  const r = spawnSync('sh', ['-c', 'command -v psql || ls /usr/lib/postgresql/*/bin/psql | tail -n1'], { encoding: 'utf8' });
  return r.stdout.trim().split('\n')[0];
}

// Starts a cluster; returns { base, database(name), sql(url, text), stop() }.
// With `base` (a server's base URL, postgresql://user@host:port, whose user
// may create databases), uses that server instead and leaves it running.
export function startPostgres(base = undefined) {
  const dir = base ? undefined : tempDir();
  if (!base) base = run(SCRIPT, ['start', path.join(dir, 'pg')]);
  const psql = psqlPath();
  const sql = (url, text) => run(psql, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, '-c', text]);
  let count = 0;
  return {
    base,
    // A fresh, empty database; its URL.
    database(prefix = 'ledger') {
      const name = `${prefix}_${process.pid}_${++count}`;
      sql(`${base}/postgres`, `CREATE DATABASE ${name}`);
      return `${base}/${name}`;
    },
    sql,
    stop() {
      if (!dir) return;
      run(SCRIPT, ['stop', path.join(dir, 'pg')]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
