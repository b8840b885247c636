// Issue 11 over real HTTP: the preference centre shows what a person's consent
// covers, a change binds the partner list the person was shown (never the
// current, longer one), a channel never informed is refused, and new partners
// are asked with an unchecked box before anything widens.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ADMIN, CONFIG, adminHeaders, cachet, get, keygen, payloadOf, post, startServer, tempDir } from './helpers.mjs';

const v2 = JSON.parse(readFileSync(CONFIG, 'utf8'));
// List v1: one partner fewer, and no SMS channel yet.
const v1 = structuredClone(v2);
v1.configVersion = '2026-10-01';
v1.partners.entries = v1.partners.entries.filter((p) => p.id !== 'financiere-orion');
v1.recipients.approximateCount = 5;
delete v1.channels.sms;

describe('preference centre after the partner list grew (issue 11)', () => {
  let dir;
  let key;
  let server;
  let token;
  let signupId;
  const configV1 = () => path.join(dir, 'v1.json');
  const configV2 = () => path.join(dir, 'v2.json');

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    writeFileSync(configV1(), JSON.stringify(v1));
    writeFileSync(configV2(), JSON.stringify(v2));
    // Signup under list v1.
    const first = await startServer(dir, key, [], { config: configV1() });
    const choices = path.join(dir, 'choices.json');
    writeFileSync(choices, JSON.stringify({
      decisions: { postal: 'not-objected', phone: 'not-objected', email: 'granted' },
      contacts: { email: 'camille@example.org', postal: '1 rue des Lilas 75001 Paris' },
    }));
    const issued = cachet(['issue', '--config', configV1(), '--choices', choices, '--method', 'web-form',
      '--page-url', 'https://x.example/inscription']);
    assert.equal(issued.status, 0, issued.stderr);
    const stored = await post(`${first.url}/api/receipts`, issued.stdout.trim(), { headers: adminHeaders });
    assert.equal(stored.status, 201, stored.text);
    signupId = stored.json.receiptId;
    await first.stop();
    // List v2 published: the same ledger, served with the grown config.
    server = await startServer(dir, key, [], { config: configV2() });
    const link = await post(`${server.url}/api/preference-link`, { receiptId: signupId }, { headers: adminHeaders });
    assert.equal(link.status, 200, link.text);
    token = new URL(link.json.path, server.url).searchParams.get('token');
  });
  after(async () => { await server?.stop(); });

  const state = async () => (await get(`${server.url}/api/preferences?token=${encodeURIComponent(token)}`)).json;

  it('shows the partners the choices apply to, with their channels, and the partners never shown', async () => {
    const s = await state();
    assert.deepEqual(s.partners.map((p) => p.id), v1.partners.entries.map((p) => p.id));
    const credit = s.partners.find((p) => p.id === 'credit-du-lac');
    assert.deepEqual(credit.channels, ['postal', 'email'], 'a partner receives only its own channels');
    const habitat = s.partners.find((p) => p.id === 'habitat-serein');
    assert.deepEqual(habitat.channels, ['postal', 'phone']);
    assert.deepEqual(s.newPartners.map((p) => p.id), ['financiere-orion']);
    assert.deepEqual(s.newPartners[0].channels, ['postal', 'phone', 'email'], 'what it would receive if accepted');
  });

  it('binds the list the person was shown when they object (fault 1)', async () => {
    const res = await post(`${server.url}/api/preferences`, { token, channel: 'phone', action: 'object' });
    assert.equal(res.status, 201, res.text);
    const payload = payloadOf(res.json.receipt);
    assert.equal(payload.collection.method, 'preference-centre');
    assert.deepEqual(payload.notice.partnerIds, v1.partners.entries.map((p) => p.id));
    assert.equal(payload.notice.configVersion, v1.configVersion);
    assert.equal(payload.channels.phone.decision, 'objected');
    assert.equal(payload.channels.sms, undefined, 'a channel never informed is not recorded (fault 2)');
    const file = path.join(dir, 'objection.json');
    writeFileSync(file, JSON.stringify(res.json.receipt));
    const verified = cachet(['verify', file, '--trust', key.public]);
    assert.equal(verified.status, 0, verified.stderr + verified.stdout);
    assert.deepEqual((await state()).newPartners.map((p) => p.id), ['financiere-orion'], 'still not widened');
  });

  it('refuses a change on a channel the person was never informed about (fault 2)', async () => {
    const res = await post(`${server.url}/api/preferences`, { token, channel: 'sms', action: 'withdraw' });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error.code, 'preference_not_informed');
  });

  it('asks about new partners with an unchecked box, and widens only when it is ticked', async () => {
    const page = await get(`${server.url}/preferences?token=${encodeURIComponent(token)}&lang=en`);
    assert.equal(page.status, 200);
    assert.match(page.text, /New partners/);
    assert.match(page.text, /Financière Orion/);
    const box = page.text.match(/<input type="checkbox" id="accept-partners"[^>]*>/);
    assert.ok(box, 'a checkbox asks');
    assert.doesNotMatch(box[0], /checked/, 'unchecked (R5)');
    assert.match(page.text, /<label for="accept-partners">/);

    const submit = (fields) => fetch(`${server.url}/preferences`, {
      method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, lang: 'en', action: 'accept-partners', ...fields }),
    });
    const unticked = await submit({});
    assert.equal(unticked.status, 303);
    assert.match(unticked.headers.get('location'), /changed=accept-missing/);
    const missing = await get(new URL(unticked.headers.get('location'), server.url).href);
    assert.match(missing.text, /tick the box/);
    const historyBefore = (await state()).history.length;
    assert.equal((await state()).newPartners.length, 1, 'nothing widened');

    const ticked = await submit({ accept: 'yes' });
    assert.equal(ticked.status, 303);
    assert.match(ticked.headers.get('location'), /changed=partners/);
    const s = await state();
    assert.equal(s.history.length, historyBefore + 1);
    assert.equal(s.newPartners.length, 0);
    assert.ok(s.partners.some((p) => p.id === 'financiere-orion'));
    const latest = await get(`${server.url}/api/receipts/${s.latestReceiptId}`, { headers: { Authorization: `Bearer ${ADMIN}` } });
    const payload = payloadOf(latest.json.receipt.receipt);
    assert.equal(payload.collection.method, 'web-form', 'recorded as a form that showed the list');
    assert.equal(payload.notice.partnerIds.length, v2.partners.entries.length);
    assert.equal(payload.channels.phone.decision, 'objected', 'earlier choices carried');
  });
});
