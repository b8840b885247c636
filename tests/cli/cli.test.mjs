// The `cachet` command as a user runs it: exit codes (0 ok, 1 bad input, 2
// usage/I-O), clear messages, and receipts that an independent JOSE
// implementation (the `jose` npm package) verifies — and refuses once altered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = process.env.CACHET_BIN || join(root, 'build', 'cli', 'cachet');
const config = join(root, 'tests', 'fixtures', 'configs', 'societe-x.json');
const work = mkdtempSync(join(tmpdir(), 'cachet-cli-'));

function cachet(args, input) {
  const result = spawnSync(bin, args, { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name, content) {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

const signupChoices = JSON.stringify({
  decisions: { postal: 'objected', phone: 'objected', email: 'granted', sms: 'not-granted' },
  contacts: { email: 'marie@example.fr', phone: '+33612345678', postal: '1 rue des Lilas, 75001 Paris' },
});

function issue(extra = []) {
  const r = cachet(['issue', '--config', config, '--choices', '-', '--method', 'paper', ...extra], signupChoices);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

// jose verifies with the key the protected header carries.
async function joseVerify(receiptText) {
  const jws = JSON.parse(receiptText);
  return jose.generalVerify(jws, jose.EmbeddedJWK, { algorithms: ['Ed25519', 'EdDSA', 'ES256'] });
}

test('every subcommand answers --help with exit 0', () => {
  for (const sub of ['lint', 'canonicalize', 'keygen', 'issue', 'verify', 'countersign', 'notice']) {
    const r = cachet([sub, '--help']);
    assert.equal(r.code, 0, sub);
    assert.match(r.stdout, /Usage/, sub);
  }
});

test('usage errors exit 2 with a sentence on stderr', () => {
  let r = cachet(['lint']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /FILE is required/);
  r = cachet(['frobnicate']);
  assert.equal(r.code, 2);
  r = cachet(['lint', join(work, 'no-such-file.json')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Cannot read .*no-such-file\.json: No such file or directory/);
});

test('lint passes the example config and reports every problem of a bad one at once', () => {
  assert.equal(cachet(['lint', config]).code, 0);
  const bad = JSON.parse(readFileSync(config, 'utf8'));
  bad.channels.email.basis = 'legitimate-interest';
  bad.channels.sms.checked = true;
  bad.controller.privacyPolicyUrl = 'javascript:alert(1)';
  bad.combineObjections = true;
  const r = cachet(['lint', '--format', 'json', file('bad.json', JSON.stringify(bad))]);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, false);
  const paths = report.errors.map((e) => e.path);
  for (const path of ['/channels/email/basis', '/channels/sms/checked', '/controller/privacyPolicyUrl', '/combineObjections']) {
    assert.ok(paths.includes(path), `${path} in ${paths}`);
  }
  for (const e of report.errors) assert.ok(e.code && e.message, JSON.stringify(e));
});

test('lint text output names the JSON Pointer of each problem, and none at the top level', () => {
  const bad = JSON.parse(readFileSync(config, 'utf8'));
  delete bad.locale;
  bad.channels.email.basis = 'legitimate-interest';
  const r = cachet(['lint', file('bad-text.json', JSON.stringify(bad))]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /bad-text\.json: error: \/channels\/email\/basis: .+ \[[a-z0-9_]+\]\n/);
  assert.match(r.stdout, /bad-text\.json: error: [^/\s].* \[config_missing_member\]\n/);
  assert.doesNotMatch(r.stdout, /error: : /);
});

test('canonicalize prints exactly the RFC 8785 bytes', () => {
  const r = cachet(['canonicalize'], '{"b": 1e30, "a": [4.50, "\\u20ac", 0.000001]}');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '{"a":[4.5,"€",0.000001],"b":1e+30}');
  assert.equal(cachet(['canonicalize'], '{"a":1,"a":2}').code, 1);
});

test('keygen writes a private key only its owner can read, and the public key beside it', () => {
  const key = join(work, 'controller.jwk');
  const r = cachet(['keygen', '--out', key]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(statSync(key).mode & 0o777, 0o600);
  const priv = JSON.parse(readFileSync(key, 'utf8'));
  const pub = JSON.parse(readFileSync(`${key}.pub.json`, 'utf8'));
  assert.equal(priv.crv, 'Ed25519');
  assert.ok(priv.d);
  assert.equal(pub.d, undefined);
  assert.equal(cachet(['keygen', '--out', key]).code, 2, 'refuses to overwrite without --force');
});

test('an issued receipt verifies with cachet and with jose, and fails in both after any change', async () => {
  const receipt = issue();
  assert.equal(cachet(['verify', file('ok.json', receipt)]).code, 0);
  const verified = await joseVerify(receipt);
  const payload = JSON.parse(new TextDecoder().decode(verified.payload));
  assert.equal(payload.collection.method, 'paper');
  assert.equal(payload.channels.phone.decision, 'objected');
  assert.ok(!receipt.includes('marie@example.fr'), 'contact values never appear');

  const jws = JSON.parse(receipt);
  const bytes = Buffer.from(jws.payload, 'base64url');
  for (const at of [0, 10, Math.floor(bytes.length / 2), bytes.length - 2]) {
    const altered = Buffer.from(bytes);
    altered[at] ^= 0x01;
    const tampered = JSON.stringify({ ...jws, payload: altered.toString('base64url') });
    const r = cachet(['verify', file(`tampered-${at}.json`, tampered)]);
    assert.equal(r.code, 1, `byte ${at}`);
    assert.match(r.stdout, /INVALID/);
    await assert.rejects(joseVerify(tampered), `jose must refuse byte ${at}`);
  }
});

test('countersign and verify --trust bind the receipt to the controller key', async () => {
  const key = join(work, 'trust.jwk');
  assert.equal(cachet(['keygen', '--out', key]).code, 0);
  const other = join(work, 'other.jwk');
  assert.equal(cachet(['keygen', '--out', other]).code, 0);
  const receiptFile = file('to-countersign.json', issue());

  let r = cachet(['verify', '--trust', `${key}.pub.json`, receiptFile]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /receipt_not_countersigned/);

  r = cachet(['countersign', receiptFile, '--key', key]);
  assert.equal(r.code, 0, r.stderr);
  const countersigned = file('countersigned.json', r.stdout);
  assert.equal(cachet(['verify', '--trust', `${key}.pub.json`, countersigned]).code, 0);
  r = cachet(['verify', '--trust', `${other}.pub.json`, countersigned]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /receipt_untrusted_countersigner/);
  const both = await joseVerify(readFileSync(countersigned, 'utf8'));
  assert.ok(both.payload.length > 0);
  // jose checks every signature it is given; each one on its own must verify too.
  const jws = JSON.parse(readFileSync(countersigned, 'utf8'));
  for (const signature of jws.signatures) {
    await jose.flattenedVerify({ payload: jws.payload, ...signature }, jose.EmbeddedJWK);
  }

  r = cachet(['issue', '--config', config, '--choices', '-', '--method', 'phone', '--key', key], signupChoices);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(cachet(['verify', '--trust', `${key}.pub.json`, file('phone.json', r.stdout)]).code, 0);
  // With the controller's key, the contacts get keyed digests (issue 12): version 2.
  const keyed = JSON.parse(Buffer.from(JSON.parse(r.stdout).payload, 'base64url'));
  assert.equal(keyed.version, 'cachet-receipt/2');
  assert.equal(keyed.subject.digest, 'hmac-sha256');
  const unkeyed = JSON.parse(Buffer.from(JSON.parse(issue()).payload, 'base64url'));
  assert.equal(unkeyed.version, 'cachet-receipt/1');
  assert.equal(unkeyed.subject.digest, undefined);
});

test('verify reads JSON lines and answers one line per receipt', () => {
  const good = issue().trim();
  const bad = JSON.stringify({ ...JSON.parse(good), payload: 'e30' });
  const r = cachet(['verify', '--format', 'json', '-'], `${good}\n${bad}\n\n${good}\n`);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.line, l.ok]), [[1, true], [2, false], [4, true]]);
  assert.ok(lines[1].errors.length > 0);
  for (const empty of ['', '\n \n\t\r\n']) {
    const none = cachet(['verify', '-'], empty);
    assert.equal(none.code, 1);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /holds no receipt/);
  }
});

test('verify --jobs spreads JSON lines over threads and answers in input order, as one thread does', () => {
  // 40 lines, every third one broken differently, so that results cannot match by luck.
  const good = [issue().trim(), issue().trim()];
  const lines = [];
  for (let i = 0; i < 40; ++i) {
    const jws = JSON.parse(good[i % 2]);
    if (i % 3 === 0) jws.signatures[0].signature = `${jws.signatures[0].signature.slice(0, -4)}AAAA`;
    if (i % 7 === 0) jws.payload = 'e30';
    lines.push(JSON.stringify(jws));
  }
  const input = `${lines.join('\n')}\n`;
  const one = cachet(['verify', '--format', 'json', '--jobs', '1', '-'], input);
  const many = cachet(['verify', '--format', 'json', '--jobs', '4', '-'], input);
  assert.equal(one.code, 1);
  assert.equal(many.code, 1);
  assert.equal(many.stdout, one.stdout);
  const verdicts = one.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(verdicts.map((v) => v.line), lines.map((_, i) => i + 1));
  assert.deepEqual(verdicts.map((v) => v.ok), lines.map((_, i) => i % 3 !== 0 && i % 7 !== 0));
});

test('an update names the receipt it supersedes and carries its subject', () => {
  const first = file('first.json', issue());
  const withdrawal = JSON.stringify({ decisions: { postal: 'objected', phone: 'objected', email: 'withdrawn', sms: 'not-granted' } });
  const r = cachet(['issue', '--config', config, '--choices', '-', '--method', 'phone', '--supersedes', first], withdrawal);
  assert.equal(r.code, 0, r.stderr);
  const firstPayload = JSON.parse(Buffer.from(JSON.parse(readFileSync(first, 'utf8')).payload, 'base64url'));
  const payload = JSON.parse(Buffer.from(JSON.parse(r.stdout).payload, 'base64url'));
  assert.equal(payload.supersedes, firstPayload.receiptId);
  assert.deepEqual(payload.subject, firstPayload.subject);
  assert.equal(payload.channels.email.decision, 'withdrawn');
});

test('choices that break the rules are refused with exit 1', () => {
  const r = cachet(['issue', '--config', config, '--choices', '-', '--method', 'paper'],
    JSON.stringify({ decisions: { email: 'granted' } }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\/contacts\/email/);
});

test('bad receipts get exit 1 and a specific reason, never a crash', () => {
  const good = JSON.parse(issue());
  const header = JSON.parse(Buffer.from(good.signatures[0].protected, 'base64url'));
  const withHeader = (h) => JSON.stringify({ ...good, signatures: [{ ...good.signatures[0], protected: Buffer.from(JSON.stringify(h)).toString('base64url') }] });
  const cases = {
    'not JSON': ['{"payload": ', /jws_not_json/],
    'not an object': ['[1, 2, 3]', /jws_not_object/],
    'duplicate keys': [`{"payload": "e30", "payload": "e30", "signatures": []}`, /json_duplicate_key/],
    'invalid UTF-8': [Buffer.concat([Buffer.from('{"payload": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), /not valid UTF-8/],
    'deep nesting': ['['.repeat(100000) + ']'.repeat(100000), /nests deeper than/],
    'huge document': [`{"payload": "${'A'.repeat(2 << 20)}"}`, /the limit is/],
    'alg none': [withHeader({ ...header, alg: 'none' }), /jws_alg_not_allowed/],
    'HMAC algorithm': [withHeader({ ...header, alg: 'HS256' }), /jws_alg_not_allowed/],
    'swapped key': [withHeader({ ...header, jwk: { ...header.jwk, x: Buffer.alloc(32, 7).toString('base64url') } }), /jws_bad_signature/],
    'truncated signature': [JSON.stringify({ ...good, signatures: [{ ...good.signatures[0], signature: good.signatures[0].signature.slice(0, 40) }] }), /INVALID/],
  };
  for (const [name, [input, expected]] of Object.entries(cases)) {
    const r = cachet(['verify', file(`bad-${name.replace(/\W+/g, '-')}.json`, input)]);
    assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, expected, name);
    assert.doesNotMatch(r.stderr, /terminate|Aborted|Segmentation/, name);
  }
});

test('notice prints the CNIL wording in French and English', () => {
  let r = cachet(['notice', config]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /\[ \] J'accepte que mon adresse électronique soit transmise aux partenaires commerciaux de Société X/);
  assert.match(r.stdout, /\[ \] Je m'oppose à ce que mes coordonnées postales et téléphoniques soient transmises/);
  r = cachet(['notice', '--locale', 'en', '--format', 'json', config]);
  assert.equal(r.code, 0);
  const notice = JSON.parse(r.stdout);
  assert.match(notice.sha256, /^[0-9a-f]{64}$/);
  assert.ok(notice.boxes.every((b) => b.checked === false));
});

// Issue 12: the ledger's reads verify what they hand out. A decision edited in
// the SQLite file (the sqlite3 shell, as an intruder would) makes `ledger show`
// and `ledger export-state` exit 1 instead of printing it.
test('ledger show and export-state exit 1 on a decision edited in the file', () => {
  const key = join(work, 'ledger-controller.jwk');
  assert.equal(cachet(['keygen', '--out', key]).code, 0);
  const db = join(work, 'tampered.db');
  const appended = cachet(['ledger', 'append', '--db', db, '--key', key, '--config', config, '-'], issue());
  assert.equal(appended.code, 0, appended.stderr);
  const id = JSON.parse(Buffer.from(JSON.parse(appended.stdout).payload, 'base64url').toString('utf8')).receiptId;
  let show = cachet(['ledger', 'show', id, '--db', db]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /phone: objected/);
  assert.equal(cachet(['ledger', 'export-state', '--db', db]).code, 0);
  const edit = spawnSync('sqlite3', [db,
    `UPDATE receipts SET payload = replace(payload, '"decision":"objected"', '"decision":"not-objected"') WHERE receipt_id = '${id}'`],
  { encoding: 'utf8' });
  assert.equal(edit.status, 0, edit.stderr);
  show = cachet(['ledger', 'show', id, '--db', db]);
  assert.equal(show.code, 1, show.stdout + show.stderr);
  assert.equal(show.stdout, '');
  assert.match(show.stderr, new RegExp(`${id}.*\\[ledger_tampered\\]`));
  assert.match(show.stderr, /cachet ledger verify/);
  const state = cachet(['ledger', 'export-state', '--db', db]);
  assert.equal(state.code, 1, state.stdout + state.stderr);
  assert.doesNotMatch(state.stdout, /not-objected/);
  assert.match(state.stderr, /\[ledger_tampered\]/);
  assert.equal(cachet(['ledger', 'verify', '--db', db]).code, 1);
});

test('build writes the notice bundle beside the config, the same bytes every time', () => {
  assert.equal(cachet(['build', '--help']).code, 0);
  const source = file('consent.json', readFileSync(config, 'utf8'));
  let r = cachet(['build', source]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*consent\.bundle\.json/);
  const written = readFileSync(join(work, 'consent.bundle.json'), 'utf8');
  const bundle = JSON.parse(written);
  // Every locale the core speaks (fr and en at least), each entry in its own language.
  for (const locale of ['fr', 'en']) assert.ok(bundle.content.locales[locale], locale);
  for (const [locale, entry] of Object.entries(bundle.content.locales)) assert.equal(entry.notice.locale, locale);
  assert.equal(bundle.content.lint.ok, true);
  assert.match(bundle.integritySha256, /^[0-9a-f]{64}$/);
  r = cachet(['build', source, '--out', '-']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, written, 'deterministic');
  r = cachet(['build', '-', '--out', join(work, 'from-stdin.json')], readFileSync(config, 'utf8'));
  assert.equal(r.code, 0);
  assert.equal(readFileSync(join(work, 'from-stdin.json'), 'utf8'), written);
});

test('build --only carries the page\'s locale and the default one', () => {
  const source = file('consent-only.json', readFileSync(config, 'utf8'));
  const r = cachet(['build', source, '--only', 'en', '--out', '-']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(Object.keys(JSON.parse(r.stdout).content.locales).sort(), ['en', 'fr']);
  assert.equal(cachet(['build', source, '--only', 'xx']).code, 2, 'a locale the core does not speak is a usage error');
});

test('build refuses a config with lint errors, naming them', () => {
  const bad = JSON.parse(readFileSync(config, 'utf8'));
  bad.channels.email.basis = 'legitimate-interest'; // R4
  const r = cachet(['build', file('bad-consent.json', JSON.stringify(bad)), '--out', join(work, 'never.json')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /lint errors/);
  assert.match(r.stderr, /\/channels\/email\/basis/);
  assert.throws(() => statSync(join(work, 'never.json')));
  assert.equal(cachet(['build', join(work, 'missing.json')]).code, 2);
});
