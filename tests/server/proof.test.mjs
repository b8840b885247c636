// The server countersigns only what this organisation published (issue 12):
// every receipt must match a config version `cachet serve` published in the
// ledger and still accepts (controller, notice, partner list, boxes,
// retention), with an issuedAt close to its arrival. Each refusal is a 422
// whose code names the field. docs/server.md, "Published config versions".
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  adminHeaders, cachet, CHOICES, CONFIG, issue, jcs, keygen, ledgerDb, mint, payloadOf, post, startServer, tempDir,
} from './helpers.mjs';

// One objection box for postal and phone (combineObjection: true): one decision.
const ONE_BOX = { ...CHOICES, decisions: { ...CHOICES.decisions, postal: 'objected', phone: 'objected' } };

function assertRefused(res, code, pathWanted) {
  assert.equal(res.status, 422, res.text);
  const problems = res.json?.error?.problems ?? [];
  const found = problems.find((p) => p.code === code) ?? (res.json?.error?.code === code ? res.json.error : undefined);
  assert.ok(found, `expected ${code}, got ${res.text}`);
  if (pathWanted) assert.ok(problems.some((p) => p.code === code && p.path === pathWanted), res.text);
}

function issueWith(dir, config, choices = ONE_BOX, extra = []) {
  const file = path.join(dir, `choices-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(choices));
  const r = cachet(['issue', '--config', config, '--choices', file, '--method', 'web-form',
    '--page-url', 'https://x.example/inscription', ...extra]);
  if (r.status !== 0) throw new Error(`cachet issue failed: ${r.stderr}`);
  return r.stdout.trim();
}

describe('cachet serve countersigns only published config versions', () => {
  let dir;
  let key;
  let server;
  let good;

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    // Challenges (on by default) are abuse.test.mjs's subject; here every
    // refusal must come from the publication check, so they are off.
    server = await startServer(dir, key, ['--allow-unchallenged']);
    good = issue(dir, { choices: ONE_BOX });
  });
  after(async () => { if (server) await server.stop(); });

  const submit = (jws) => post(`${server.url}/api/receipts`, jws);

  it('accepts a receipt of the config it serves (201)', async () => {
    const res = await submit(good);
    assert.equal(res.status, 201, res.text);
  });

  it('logs the publication in the hash chain before the first receipt', () => {
    const v = cachet(['ledger', 'verify', '--db', server.db, '--format', 'json']);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.ok(JSON.parse(v.stdout).entries >= 2, 'a publication entry and the receipt');
  });

  it('keeps the exact notice a receipt names: `ledger publications` gives it back', () => {
    const r = cachet(['ledger', 'publications', '--db', server.db, '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const [version] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const notice = payloadOf(good).notice;
    assert.equal(version.configVersion, notice.configVersion);
    const shown = version.notices[notice.locale];
    assert.equal(createHash('sha256').update(jcs(shown)).digest('hex'), notice.sha256, 'the notice, byte for byte');
    assert.equal(createHash('sha256').update(jcs(version.partnerList)).digest('hex'), notice.partnerListSha256);
    assert.match(JSON.stringify(shown), /Société X/);
  });

  it('refuses a receipt for "Evil Corp", config version 1999, a zero notice hash and an unknown list', async () => {
    const evil = mint(good, (p) => {
      p.controller = { name: 'Evil Corp', privacyPolicyUrl: 'https://evil.example/privacy', rightsContact: 'x@evil.example' };
      p.notice.configVersion = '1999';
      p.notice.sha256 = '0'.repeat(64);
      p.notice.partnerListSha256 = 'ab'.repeat(32);
      p.notice.partnerIds = ['evil-partner'];
    });
    const res = await submit(evil);
    assertRefused(res, 'receipt_unknown_config_version', '/payload/notice/configVersion');
    assertRefused(res, 'receipt_controller_mismatch', '/payload/controller');
  });

  it('refuses a receipt whose only change is the notice hash', async () => {
    assertRefused(await submit(mint(good, (p) => { p.notice.sha256 = '0'.repeat(64); })),
      'receipt_notice_mismatch', '/payload/notice/sha256');
  });

  it('refuses an unknown partner list', async () => {
    assertRefused(await submit(mint(good, (p) => { p.notice.partnerListSha256 = 'cd'.repeat(32); })),
      'receipt_partner_list_mismatch', '/payload/notice/partnerListSha256');
    assertRefused(await submit(mint(good, (p) => { p.notice.partnerIds.push('evil-partner'); })),
      'receipt_partner_list_mismatch', '/payload/notice/partnerIds');
  });

  it('refuses a config version it never published', async () => {
    const res = await submit(mint(good, (p) => { p.notice.configVersion = '1999'; }));
    assert.equal(res.json.error.code, 'receipt_unknown_config_version', res.text);
    assertRefused(res, 'receipt_unknown_config_version', '/payload/notice/configVersion');
  });

  for (const months of [0, 1200, 99999999]) {
    it(`refuses retention.months ${months}: retention comes from the config`, async () => {
      assertRefused(await submit(mint(good, (p) => { p.retention.months = months; })),
        'receipt_retention_mismatch', '/payload/retention/months');
    });
  }

  for (const at of ['1970-01-01T00:00:00Z', '2099-01-01T00:00:00Z']) {
    it(`refuses issuedAt ${at}`, async () => {
      assertRefused(await submit(mint(good, (p) => { p.issuedAt = at; })), 'receipt_issued_at_skew', '/payload/issuedAt');
    });
  }

  it('refuses a split objection under the one combined box', async () => {
    const split = mint(good, (p) => {
      p.channels.postal.decision = 'objected';
      p.channels.phone.decision = 'not-objected';
    });
    assertRefused(await submit(split), 'receipt_boxes_mismatch', '/payload/channels/phone/decision');
    // cachet issue refuses to make one from split choices (the core's choice_split_box).
    const splitChoices = { ...CHOICES, decisions: { ...CHOICES.decisions, postal: 'not-objected', phone: 'objected' } };
    assert.throws(() => issue(dir, { choices: splitChoices }), /choice_split_box|une seule case|one box/);
  });

  it('refuses a channel not offered, a basis changed, or a configured channel left out', async () => {
    assertRefused(await submit(mint(good, (p) => { p.channels.email.partnerProspecting = 'transmission-only'; })),
      'receipt_boxes_mismatch', '/payload/channels/email/partnerProspecting');
    assertRefused(await submit(mint(good, (p) => { delete p.channels.sms; })),
      'receipt_boxes_mismatch', '/payload/channels/sms');
  });

  it('holds the admin to the same check (off-web receipts)', async () => {
    const file = path.join(dir, 'paper.json');
    writeFileSync(file, JSON.stringify(ONE_BOX));
    const paper = cachet(['issue', '--config', CONFIG, '--choices', file, '--method', 'paper']);
    assert.equal(paper.status, 0, paper.stderr);
    const ok = await post(`${server.url}/api/receipts`, paper.stdout.trim(), { headers: adminHeaders });
    assert.equal(ok.status, 201, ok.text);
    const forged = mint(paper.stdout.trim(), (p) => { p.retention.months = 1200; });
    assertRefused(await post(`${server.url}/api/receipts`, forged, { headers: adminHeaders }),
      'receipt_retention_mismatch');
  });
});

describe('earlier config versions: accepted within the grace period only', () => {
  let dir;
  let key;
  let nextConfig;

  before(() => {
    dir = tempDir();
    key = keygen(dir);
    const config = JSON.parse(readFileSync(CONFIG, 'utf8'));
    config.configVersion = '2026-12-01';
    config.retention = { months: 24 };
    nextConfig = path.join(dir, 'next.json');
    writeFileSync(nextConfig, JSON.stringify(config));
  });

  it('accepts a receipt of the previous config within the grace, refuses it after', async () => {
    const db = ledgerDb(dir);
    let server = await startServer(dir, key, ['--allow-unchallenged'], { db });
    const oldForm = issue(dir, { choices: ONE_BOX }); // a form loaded before the switch
    const lateForm = issue(dir, { choices: ONE_BOX });
    await server.stop();

    server = await startServer(dir, key, ['--allow-unchallenged', '--previous-config-grace', '1h'], { db, config: nextConfig });
    try {
      assert.equal((await post(`${server.url}/api/receipts`, oldForm)).status, 201, 'within the grace period');
      const current = issueWith(dir, nextConfig);
      assert.equal((await post(`${server.url}/api/receipts`, current)).status, 201, 'the current version');
      // The current version's retention, not the earlier one's.
      assertRefused(await post(`${server.url}/api/receipts`, mint(current, (p) => { p.retention.months = 36; })),
        'receipt_retention_mismatch');
    } finally {
      await server.stop();
    }

    server = await startServer(dir, key, ['--allow-unchallenged', '--previous-config-grace', '0'], { db, config: nextConfig });
    try {
      await new Promise((r) => { setTimeout(r, 1200); });
      const res = await post(`${server.url}/api/receipts`, mint(lateForm));
      assertRefused(res, 'receipt_unknown_config_version', '/payload/notice/configVersion');
    } finally {
      await server.stop();
    }
    const v = cachet(['ledger', 'verify', '--db', db]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
  });
});

describe('cachet ledger append: the same check off the web', () => {
  it('appends a receipt of the config it publishes, refuses others', () => {
    const dir = tempDir();
    const key = keygen(dir);
    const db = ledgerDb(dir);
    const receipt = issue(dir, { choices: ONE_BOX, method: 'paper' });
    // An empty ledger has published nothing: refused.
    let r = cachet(['ledger', 'append', '--db', db, '--key', key.private, '-'], { input: receipt });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /receipt_unknown_config_version/);
    r = cachet(['ledger', 'append', '--db', db, '--key', key.private, '--config', CONFIG, '-'], { input: receipt });
    assert.equal(r.status, 0, r.stderr);
    const forged = mint(receipt, (p) => { p.notice.sha256 = '0'.repeat(64); });
    r = cachet(['ledger', 'append', '--db', db, '--key', key.private, '-'], { input: forged });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /receipt_notice_mismatch/);
    assert.equal(payloadOf(JSON.parse(receipt)).retention.months, 36);
  });
});
