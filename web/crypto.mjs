// WebCrypto helpers: hashing, the per-receipt signing key, base64url.
// Nothing here is a consent rule; the core decides what is hashed and signed.

const subtle = () => globalThis.crypto.subtle;

export function b64urlEncode(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function b64urlDecode(text) {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const utf8 = (text) => new TextEncoder().encode(text);

export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await subtle().digest('SHA-256', typeof bytes === 'string' ? utf8(bytes) : bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

// HMAC-SHA256 (keyed contact digests, docs/receipt.md): the key is imported
// non-extractable for this one use.
export async function hmacSha256Hex(keyBytes, bytes) {
  const key = await subtle().importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await subtle().sign('HMAC', key, bytes));
  let hex = '';
  for (const b of mac) hex += b.toString(16).padStart(2, '0');
  return hex;
}

export const sha256B64url = async (text) =>
  b64urlEncode(new Uint8Array(await subtle().digest('SHA-256', utf8(text))));

export function randomB64url(count) {
  return b64urlEncode(globalThis.crypto.getRandomValues(new Uint8Array(count)));
}

const ED25519 = { name: 'Ed25519' };
const P256 = { name: 'ECDSA', namedCurve: 'P-256' };
const ES256_SIGN = { name: 'ECDSA', hash: 'SHA-256' };

// A fresh key per receipt (docs/receipt.md): Ed25519, or ECDSA P-256 (ES256)
// where the browser lacks Ed25519. The private key is not extractable.
export async function newSigningKey() {
  let pair;
  let algorithm = ED25519;
  try {
    pair = await subtle().generateKey(ED25519, false, ['sign', 'verify']);
  } catch {
    algorithm = P256;
    pair = await subtle().generateKey(P256, false, ['sign', 'verify']);
  }
  const jwk = await subtle().exportKey('jwk', pair.publicKey);
  const sign = async (text) =>
    b64urlEncode(new Uint8Array(await subtle().sign(algorithm === P256 ? ES256_SIGN : ED25519, pair.privateKey, utf8(text))));
  return { jwk, sign };
}

// Verifies one JWS signature; false on any failure, never throws.
export async function verifySignature(alg, jwk, signingInput, signatureB64url) {
  try {
    const es = alg === 'ES256';
    const key = await subtle().importKey('jwk', jwk, es ? P256 : ED25519, false, ['verify']);
    return await subtle().verify(es ? ES256_SIGN : ED25519, key, b64urlDecode(signatureB64url), utf8(signingInput));
  } catch {
    return false;
  }
}
