// Verifies the receipts of a JSON-lines file with the `jose` npm package (the
// reference JOSE implementation a Cachet receipt must satisfy, DESIGN.md 3.2)
// and prints one line: `<count> <CPU seconds> <receipts per CPU second>`.
// Used by bench/verify-throughput.sh; a benchmark, not a test.
//   node bench/verify-jose.mjs receipts.jsonl [rounds]
import { readFileSync } from 'node:fs';
import * as jose from 'jose';

const [file, roundsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/verify-jose.mjs receipts.jsonl [rounds]');
  process.exit(2);
}
const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
const rounds = Number(roundsArg ?? 3);
const options = { algorithms: ['Ed25519', 'EdDSA', 'ES256'] };

// Like `cachet verify`: parse the text, verify with the embedded key.
async function verifyAll() {
  let ok = 0;
  for (const line of lines) {
    const { payload } = await jose.generalVerify(JSON.parse(line), jose.EmbeddedJWK, options);
    JSON.parse(new TextDecoder().decode(payload)); // the receipt itself, as cachet reads it
    ok += 1;
  }
  return ok;
}

await verifyAll(); // warm-up: JIT, key import caches
// CPU time (user + system), like `openssl speed` and the cachet column.
let best = Infinity;
for (let round = 0; round < rounds; round += 1) {
  const start = process.cpuUsage();
  const ok = await verifyAll();
  const used = process.cpuUsage(start);
  const seconds = (used.user + used.system) / 1e6;
  if (ok !== lines.length) throw new Error(`only ${ok} of ${lines.length} receipts verified`);
  best = Math.min(best, seconds);
}
console.log(`${lines.length} ${best.toFixed(4)} ${(lines.length / best).toFixed(1)}`);
