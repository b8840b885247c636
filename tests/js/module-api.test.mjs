// The ES module's API under Node (DESIGN.md 3.4): lint, canonicalize, and
// receipts built and verified with Node's WebCrypto, from dist/cachet.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const Cachet = await import(process.env.CACHET_MODULE || path.join(ROOT, 'dist', 'cachet.mjs'));
const fixture = (name) => readFileSync(path.join(ROOT, 'tests', 'browser', 'pages', name), 'utf8');
const config = fixture('consent.json');

test('lint accepts a good config', async () => {
  const report = await Cachet.lint(config);
  assert.deepEqual(report, { ok: true, errors: [], warnings: [] });
  assert.equal((await Cachet.lint(JSON.parse(config))).ok, true, 'an object works as well as text');
});

test('lint reports every problem of a bad config, with JSON Pointers', async () => {
  const report = await Cachet.lint(fixture('javascript-url.json'));
  assert.equal(report.ok, false);
  assert.deepEqual(report.errors.map((e) => [e.code, e.path]).sort(), [
    ['config_url_not_https', '/controller/privacyPolicyUrl'],
    ['config_url_not_https', '/partners/entries/0/privacyPolicyUrl'],
  ]);
  const bad = JSON.parse(config);
  bad.channels.email.basis = 'legitimate-interest'; // R4
  bad.unknownKey = 1;
  const codes = (await Cachet.lint(bad)).errors.map((e) => e.path);
  assert.ok(codes.includes('/channels/email/basis'), codes.join());
  assert.ok(codes.includes('/unknownKey'), codes.join());
  assert.equal((await Cachet.lint('{not json')).ok, false);
});

test('canonicalize follows the RFC 8785 section 3.2.2 sample', async () => {
  const input =
    '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
    ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}';
  const expected =
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
    '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
  assert.equal(await Cachet.canonicalize(input), expected);
  await assert.rejects(Cachet.canonicalize('{"a":1,"a":2}'), (e) => e.code === 'json_duplicate_key');
});

const choices = { decisions: { email: 'granted', postal: 'objected', phone: 'objected' }, contacts: { email: ' Person@Example.org ' } };

test('a receipt built in Node verifies, and carries digests, never values', async () => {
  const made = await Cachet.issueReceipt(config, choices, { locale: 'en', pageUrl: 'https://x.example/signup' });
  assert.equal(made.receipt.channels.email.decision, 'granted');
  assert.equal(made.receipt.collection.agent, `cachet-widget/${Cachet.VERSION}`);
  assert.ok(!made.jws.includes('Person@'), 'no contact value in the receipt');
  const result = await Cachet.verify(made.jws);
  assert.equal(result.ok, true, JSON.stringify(result.errors));
  assert.equal(result.receipt.receiptId, made.receipt.receiptId);
  assert.match(result.receipt.payloadSha256, /^[0-9a-f]{64}$/);
  assert.match(await Cachet.receiptText(made.payload, 'en'), new RegExp(made.receipt.receiptId));
});

test('with a digest key, the receipt is version 2 with HMAC-SHA256 contact digests, and verifies (issue 12)', async () => {
  const { createHmac } = await import('node:crypto');
  const salt = Buffer.alloc(16, 3).toString('base64url');
  const digestKey = Buffer.alloc(32, 5).toString('base64url');
  const made = await Cachet.issueReceipt(config, choices, { locale: 'en', pageUrl: 'https://x.example/signup', salt, digestKey });
  assert.equal(made.receipt.version, 'cachet-receipt/2');
  assert.deepEqual(Object.keys(made.receipt.subject).sort(), ['digest', 'digests', 'salt']);
  assert.equal(made.receipt.subject.digests.email,
    createHmac('sha256', Buffer.from(digestKey, 'base64url')).update('email\nperson@example.org').digest('hex'));
  const result = await Cachet.verify(made.jws);
  assert.equal(result.ok, true, JSON.stringify(result.errors));
  await assert.rejects(Cachet.issueReceipt(config, choices, { locale: 'en', pageUrl: 'https://x.example/signup', digestKey: 'AAAA' }),
    (e) => e.code === 'receipt_bad_context');
});

test('verify refuses a tampered receipt, alg none and garbage, with a reason', async () => {
  const made = await Cachet.issueReceipt(config, choices, { locale: 'fr', pageUrl: 'https://x.example/inscription' });
  const jws = JSON.parse(made.jws);
  const altered = Buffer.from(Buffer.from(jws.payload, 'base64url').toString().replace('"granted"', '"not-granted"'));
  const tampered = await Cachet.verify({ ...jws, payload: altered.toString('base64url') });
  assert.equal(tampered.ok, false);
  assert.ok(tampered.errors.some((e) => e.code === 'jws_bad_signature'), JSON.stringify(tampered.errors));

  const header = JSON.parse(Buffer.from(jws.signatures[0].protected, 'base64url'));
  const none = { ...jws, signatures: [{ protected: Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url'), signature: '' }] };
  const refused = await Cachet.verify(none);
  assert.equal(refused.ok, false);
  assert.ok(refused.errors.some((e) => e.code === 'jws_alg_not_allowed'), JSON.stringify(refused.errors));

  const garbage = await Cachet.verify('not a jws');
  assert.equal(garbage.ok, false);
  assert.ok(garbage.errors[0].code.length > 0);
});

test('choices the core refuses make no receipt', async () => {
  await assert.rejects(
    Cachet.issueReceipt(config, { decisions: { email: 'granted' }, contacts: {} }, { locale: 'en' }),
    (e) => e.name === 'CachetError' && e.code === 'choice_contact_missing',
  );
});
