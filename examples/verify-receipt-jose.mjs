// Verifying a Cachet receipt with nothing but the `jose` npm package and the
// controller's public key (docs/receipt.md, "Verifying with a JOSE library").
//
//   node examples/verify-receipt-jose.mjs controller.jwk.pub.json receipt.json [notice.json]
//
// A receipt carries its signers' public keys in its headers. Checking the
// signatures against those embedded keys alone proves nothing about WHO
// signed: anyone can flip a decision and sign again with a key of their own.
// What proves the controller accepted a receipt is a countersignature that
// verifies with the controller key you obtained yourself (its website, a
// contract annex), never a key read from the receipt.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as jose from 'jose';

const RECEIPT_TYPE = 'cachet-receipt+jws';
const COUNTERSIGNATURE_TYPE = 'cachet-countersignature+jws';
// Version 2 differs only by keyed contact digests (docs/receipt.md, "Contact digests").
const RECEIPT_VERSIONS = ['cachet-receipt/1', 'cachet-receipt/2'];

// RFC 8785 (JSON Canonicalization Scheme) is defined by ECMAScript's own
// serialisation: JSON.stringify for strings and numbers, members sorted by
// UTF-16 code units. Receipts hold no floats, so this is the whole algorithm
// (the RFC's appendix gives the same few lines); no library needed.
export function canonicalize(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
  const members = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalize(value[key])}`);
  return `{${members.join(',')}}`;
}

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Buffer.from(digest).toString('hex');
}

function flattened(jws, signature) {
  return { payload: jws.payload, protected: signature.protected, signature: signature.signature };
}

// Resolves with the receipt payload, or rejects with an Error saying why the
// receipt must not be trusted. `noticeBytes` (optional): the exact canonical
// notice the organisation published (a proof bundle's notice, or
// `cachet notice CONFIG --locale L --canonical`), checked against the hash the
// receipt binds.
export async function verifyReceipt(receipt, controllerPublicJwk, { noticeBytes } = {}) {
  const jws = typeof receipt === 'string' ? JSON.parse(receipt) : receipt;
  if (!jws || typeof jws.payload !== 'string' || !Array.isArray(jws.signatures) || jws.signatures.length === 0) {
    throw new Error('not a JWS in the general JSON serialisation');
  }

  // 1. The controller's word, with the key you hold.
  const controllerKey = await jose.importJWK(controllerPublicJwk, 'Ed25519');
  let countersigned = false;
  for (const signature of jws.signatures.slice(1)) {
    try {
      const { protectedHeader } = await jose.flattenedVerify(flattened(jws, signature), controllerKey, {
        algorithms: ['Ed25519', 'EdDSA'],
      });
      if (protectedHeader.typ === COUNTERSIGNATURE_TYPE) countersigned = true;
    } catch {
      // another signer's countersignature, or a broken one: not the controller's word
    }
  }
  if (!countersigned) throw new Error('no countersignature by the controller key: the controller never accepted this');

  // 2. The collector's signature (the browser's one-time key, embedded): the
  //    payload is the one the person submitted.
  const collector = await jose.flattenedVerify(flattened(jws, jws.signatures[0]), jose.EmbeddedJWK, {
    algorithms: ['Ed25519', 'EdDSA', 'ES256'],
  });
  if (collector.protectedHeader.typ !== RECEIPT_TYPE) throw new Error(`the first signature is not a ${RECEIPT_TYPE}`);

  // 3. One meaning only: the signed bytes are exactly the canonical form, so
  //    no parser can read them differently (duplicate members, odd escapes).
  const text = new TextDecoder('utf-8', { fatal: true }).decode(collector.payload);
  const payload = JSON.parse(text);
  if (canonicalize(payload) !== text) throw new Error('the payload is not in RFC 8785 canonical form');
  if (!RECEIPT_VERSIONS.includes(payload.version)) {
    throw new Error(`unknown receipt version ${JSON.stringify(payload.version)}`);
  }

  // 4. What the person was shown.
  if (noticeBytes !== undefined) {
    const bytes = typeof noticeBytes === 'string' ? new TextEncoder().encode(noticeBytes) : noticeBytes;
    if ((await sha256Hex(bytes)) !== payload.notice?.sha256) {
      throw new Error('the notice given is not the one this receipt binds (notice.sha256 differs)');
    }
  }
  return payload;
}

// Command line: exit 0 and print the receipt id when it verifies, else exit 1.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [keyFile, receiptFile, noticeFile] = process.argv.slice(2);
  if (!keyFile || !receiptFile) {
    console.error('usage: node verify-receipt-jose.mjs controller.jwk.pub.json receipt.json [notice.json]');
    process.exit(2);
  }
  try {
    const payload = await verifyReceipt(readFileSync(receiptFile, 'utf8'), JSON.parse(readFileSync(keyFile, 'utf8')), {
      noticeBytes: noticeFile ? readFileSync(noticeFile) : undefined,
    });
    console.log(`verified: receipt ${payload.receiptId}, countersigned by the controller`);
  } catch (error) {
    console.error(`${receiptFile}: does not verify: ${error.message}`);
    process.exit(1);
  }
}
