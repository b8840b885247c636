// The README's jose recipe (examples/verify-receipt-jose.mjs): a genuine
// countersigned receipt passes; forgeries that `generalVerify` with
// `EmbeddedJWK` alone accepts do not (issue 12: it accepted 418 of 566).
import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as jose from 'jose';

import { canonicalize, verifyReceipt } from '../../examples/verify-receipt-jose.mjs';
import { cachet, CHOICES, CONFIG, jcs, keygen, payloadOf, ROOT, signPayload, tempDir } from './helpers.mjs';

// Adds a countersignature made with `privateJwk` (the controller's, or an attacker's).
function countersign(jwsText, privateJwk) {
  const jws = JSON.parse(jwsText);
  const { d, ...publicJwk } = privateJwk;
  const header = { alg: 'Ed25519', typ: 'cachet-countersignature+jws', jwk: publicJwk, cachet_at: '2026-12-01T10:00:00Z' };
  const protectedB64 = Buffer.from(JSON.stringify(header)).toString('base64url');
  const key = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const signature = sign(null, Buffer.from(`${protectedB64}.${jws.payload}`), key).toString('base64url');
  jws.signatures.push({ protected: protectedB64, signature });
  return JSON.stringify(jws);
}

// A collector signature over raw payload bytes (any text, canonical or not).
function signRaw(payloadText, privateJwk) {
  const { d, ...publicJwk } = privateJwk;
  const header = { alg: 'Ed25519', typ: 'cachet-receipt+jws', jwk: publicJwk };
  const protectedB64 = Buffer.from(JSON.stringify(header)).toString('base64url');
  const payloadB64 = Buffer.from(payloadText).toString('base64url');
  const key = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const signature = sign(null, Buffer.from(`${protectedB64}.${payloadB64}`), key).toString('base64url');
  return JSON.stringify({ payload: payloadB64, signatures: [{ protected: protectedB64, signature }] });
}

describe('verifying a receipt with jose and the controller key (README recipe)', () => {
  let dir, controller, controllerPublic, attacker, genuine;

  before(() => {
    dir = tempDir();
    const keys = keygen(dir);
    controller = JSON.parse(readFileSync(keys.private, 'utf8'));
    controllerPublic = JSON.parse(readFileSync(keys.public, 'utf8'));
    const attackerFile = path.join(dir, 'attacker.jwk.json');
    assert.equal(cachet(['keygen', '--out', attackerFile]).status, 0);
    attacker = JSON.parse(readFileSync(attackerFile, 'utf8'));
    const choices = path.join(dir, 'choices.json');
    writeFileSync(choices, JSON.stringify(CHOICES));
    const r = cachet(['issue', '--config', CONFIG, '--choices', choices, '--method', 'paper', '--key', keys.private]);
    assert.equal(r.status, 0, r.stderr);
    genuine = r.stdout.trim();
  });

  it('accepts a receipt the controller countersigned, and checks the notice it binds', async () => {
    const payload = await verifyReceipt(genuine, controllerPublic);
    assert.equal(payload.receiptId, payloadOf(genuine).receiptId);
    const notice = cachet(['notice', CONFIG, '--locale', payload.notice.locale, '--canonical']);
    assert.equal(notice.status, 0, notice.stderr);
    await verifyReceipt(genuine, controllerPublic, { noticeBytes: notice.stdout });
    await assert.rejects(verifyReceipt(genuine, controllerPublic, { noticeBytes: `${notice.stdout} ` }), /notice/);
  });

  it('refuses a decision flipped and signed again by another key, which EmbeddedJWK alone accepts', async () => {
    const payload = payloadOf(genuine);
    payload.channels.email.decision = payload.channels.email.decision === 'granted' ? 'not-granted' : 'granted';
    const forged = countersign(signPayload(payload), attacker);
    // What the old README did: every signature checks out against its own embedded key.
    await jose.generalVerify(JSON.parse(forged), jose.EmbeddedJWK, { algorithms: ['Ed25519'] });
    await assert.rejects(verifyReceipt(forged, controllerPublic), /no countersignature by the controller key/);
  });

  it('refuses the controller countersignature moved onto another payload', async () => {
    const genuineJws = JSON.parse(genuine);
    const payload = payloadOf(genuine);
    payload.channels.email.decision = payload.channels.email.decision === 'granted' ? 'not-granted' : 'granted';
    const forged = JSON.parse(signPayload(payload));
    forged.signatures.push(genuineJws.signatures[1]);
    await assert.rejects(verifyReceipt(JSON.stringify(forged), controllerPublic), /no countersignature/);
  });

  it('refuses an altered payload, a receipt never countersigned, and a countersignature of another type', async () => {
    const jws = JSON.parse(genuine);
    const payload = payloadOf(genuine);
    payload.retention.months = 1200;
    jws.payload = Buffer.from(jcs(payload)).toString('base64url');
    await assert.rejects(verifyReceipt(JSON.stringify(jws), controllerPublic));
    const uncountersigned = JSON.parse(genuine);
    uncountersigned.signatures = uncountersigned.signatures.slice(0, 1);
    await assert.rejects(verifyReceipt(JSON.stringify(uncountersigned), controllerPublic), /no countersignature/);
    // The controller key signing as a collector is not a countersignature.
    const asCollector = signRaw(jcs(payloadOf(genuine)), controller);
    const doubled = JSON.parse(asCollector);
    doubled.signatures.push(doubled.signatures[0]);
    await assert.rejects(verifyReceipt(JSON.stringify(doubled), controllerPublic), /no countersignature/);
  });

  it('refuses signed bytes that are not canonical, even with valid signatures (one meaning only)', async () => {
    const text = jcs(payloadOf(genuine));
    // A duplicate member: JSON.parse keeps the last, other parsers the first.
    const duplicated = text.replace('"decision":"granted"', '"decision":"granted","decision":"not-granted"');
    assert.notEqual(duplicated, text);
    const forged = countersign(signRaw(duplicated, attacker), controller);
    await assert.rejects(verifyReceipt(forged, controllerPublic), /canonical/);
    assert.equal(canonicalize({ b: [1, 'é'], a: true }), '{"a":true,"b":[1,"é"]}');
  });

  it('runs as a command: exit 0 for the genuine receipt, 1 for a forgery', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = path.join(ROOT, 'examples/verify-receipt-jose.mjs');
    const keyFile = path.join(dir, 'controller.pub.json');
    writeFileSync(keyFile, JSON.stringify(controllerPublic));
    const good = path.join(dir, 'good.json');
    writeFileSync(good, genuine);
    const ok = spawnSync(process.execPath, [script, keyFile, good], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const payload = payloadOf(genuine);
    payload.channels.email.decision = 'not-granted';
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, countersign(signPayload(payload), attacker));
    const refused = spawnSync(process.execPath, [script, keyFile, bad], { encoding: 'utf8' });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /does not verify/);
  });
});
