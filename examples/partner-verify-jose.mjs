// A partner checking the file it received from a Cachet export, with nothing
// but the `jose` npm package, node:crypto and the controller's PUBLIC key
// (docs/export.md, "For partners: checking what you received"). It does what
// `cachet partner verify` does, for partners who do not run Cachet:
//
//   node examples/partner-verify-jose.mjs controller.pub.json partner-P.csv partner-P.receipts.jsonl P [--json]
//
// Exit 0: every value of every row is covered; 1: some rows fail (each with
// its line and reason); 2: usage or unreadable files.
//
// For each row of partner-P.csv, the same line of partner-P.receipts.jsonl
// holds {"row", "reference", "receipts": [JWS, ...], "digestKey"?}: the
// person's receipts, oldest first, from the one where they were shown the
// partner list to their latest one. The row is covered when
//   1. every receipt carries the controller's countersignature, checked with
//      the key you obtained from the controller yourself (never one read from
//      the receipt), and its collector signature verifies
//      (examples/verify-receipt-jose.mjs);
//   2. each receipt supersedes the one before it (one person's chain);
//   3. you (P) are on the partner list the person was shown and accepted, and
//      on every later receipt's list (a later list never widens it);
//   4. for each value you got, the latest decision on that channel allows it:
//      email and SMS `granted` under basis `consent`; postal and phone
//      `not-objected` under `legitimate-interest` (or `granted` under consent);
//   5. the value is the one the latest receipt binds: its normalised form
//      (docs/receipt.md, "Normalisation") hashes to subject.digests.KIND, with
//      SHA-256 over "salt\nKIND\nvalue" (version 1) or HMAC-SHA256 under the
//      line's digestKey over "KIND\nvalue" (version 2, subject.digest
//      "hmac-sha256").
// The rules are the Cachet core's (core/src/lifecycle.cpp consent_state,
// channel_verdict; core/src/choices.cpp normalize_contact), written out here
// as their documentation states them; tests/cli/partner-verify.test.mjs runs
// this file and `cachet partner verify` on the same files and compares.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { verifyReceipt } from './verify-receipt-jose.mjs';

const COLUMNS = { postal_address: 'postal', phone: 'phone', email: 'email', mobile: 'sms' };
// Collection methods where the person was shown the notice and its partner list.
const SHOWS_PARTNER_LIST = ['web-form', 'paper', 'phone'];

// RFC 4180 records with the physical line each starts on (CRLF or LF).
export function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    record.push(field);
    if (!(record.length === 1 && record[0] === '')) records.push({ line: start, fields: record });
    record = [];
    field = '';
  };
  for (; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line += 1;
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // CRLF: the LF ends the record
    } else if (c === '\n') {
      endRecord();
      line += 1;
      start = line;
    } else {
      field += c;
    }
  }
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

// docs/receipt.md, "Normalisation": ASCII whitespace trimmed; email and postal
// lower-case ASCII letters only; phone keeps + and digits.
const ASCII_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const asciiLower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
export function normalizeContact(kind, value) {
  const v = value.replace(ASCII_SPACE, '');
  if (v === '') return null;
  if (kind === 'email') {
    const at = v.indexOf('@');
    const domain = v.slice(at + 1);
    const dot = domain.indexOf('.');
    if (at <= 0 || v.indexOf('@', at + 1) !== -1 || dot <= 0 || domain.endsWith('.')) return null;
    if (/[\x00-\x20\x7f]/.test(v) || Buffer.byteLength(v) > 254) return null;
    return asciiLower(v);
  }
  if (kind === 'phone' || kind === 'mobile') {
    let digits = 0;
    for (const c of v) {
      if (c >= '0' && c <= '9') digits += 1;
      else if (!(c === '+' && digits === 0) && !' .-()'.includes(c)) return null;
    }
    return digits >= 6 && digits <= 15 ? v.replace(/[^+0-9]/g, '') : null;
  }
  if (kind === 'postal') return asciiLower(v.split(/[ \t\n\v\f\r]+/).join(' '));
  return null;
}

function bindsValue(subject, kind, value, digestKey) {
  const expected = subject?.digests?.[kind];
  const normalized = normalizeContact(kind, value);
  if (typeof expected !== 'string' || typeof subject.salt !== 'string' || normalized === null) return false;
  if (subject.digest === 'hmac-sha256') {
    return createHmac('sha256', digestKey).update(`${kind}\n${normalized}`).digest('hex') === expected;
  }
  return createHash('sha256').update(`${subject.salt}\n${kind}\n${normalized}`).digest('hex') === expected;
}

// What the latest decision on a channel allows (DESIGN.md R1, R4, R10).
function channelVerdict(channel, entry) {
  if (!entry) return 'not-informed';
  const { basis, decision } = entry;
  if (decision === 'withdrawn') return 'withdrawn';
  if (decision === 'objected') return 'objected';
  if (decision === 'granted') return basis === 'consent' ? 'allowed' : 'no-consent';
  if (decision === 'not-objected') {
    return channel === 'email' || channel === 'sms' || basis === 'consent' ? 'no-consent' : 'allowed';
  }
  return 'no-consent';
}

// The partner list the person accepted: set by a receipt where it was shown,
// only narrowed by later ones.
function boundList(payloads) {
  let list = [];
  payloads.forEach((p, i) => {
    const ids = (p.notice?.partnerIds ?? []).filter((id) => typeof id === 'string');
    if (SHOWS_PARTNER_LIST.includes(p.collection?.method)) list = ids;
    else list = i === 0 ? [] : list.filter((id) => ids.includes(id));
  });
  return list;
}

async function checkRow(row, header, receiptsLine, { partnerId, controllerPublicJwk }, fail) {
  if (receiptsLine === undefined) return fail('', 'receipts-missing');
  let evidence;
  try {
    evidence = JSON.parse(receiptsLine);
  } catch {
    return fail('', 'receipts-malformed');
  }
  if (typeof evidence?.reference !== 'string' || !Array.isArray(evidence.receipts) || evidence.receipts.length === 0) {
    return fail('', 'receipts-malformed');
  }
  if (evidence.reference !== row.fields[0]) return fail('', 'reference-mismatch');
  const payloads = [];
  for (const jws of evidence.receipts) {
    try {
      payloads.push(await verifyReceipt(jws, controllerPublicJwk));
    } catch (error) {
      return fail('', /no countersignature by the controller key/.test(error.message) ? 'not-countersigned'
        : 'receipt-invalid');
    }
    const n = payloads.length;
    if (n > 1 && payloads[n - 1].supersedes !== payloads[n - 2].receiptId) return fail('', 'chain-broken');
  }
  let digestKey;
  if (evidence.digestKey !== undefined) {
    digestKey = typeof evidence.digestKey === 'string' ? Buffer.from(evidence.digestKey, 'base64url') : undefined;
    if (digestKey?.length !== 32) return fail('', 'receipts-malformed');
  }
  const latest = payloads[payloads.length - 1];
  const listed = boundList(payloads).includes(partnerId);
  const digests = latest.subject?.digests ?? {};
  let reportedList = false;
  for (let i = 1; i < header.length; i += 1) {
    const value = row.fields[i] ?? '';
    if (value.trim() === '') continue;
    const channel = COLUMNS[header[i]];
    const entry = latest.channels?.[channel];
    if (entry && !listed) {
      if (!reportedList) fail('', 'partner-not-listed');
      reportedList = true;
      continue;
    }
    const verdict = channelVerdict(channel, entry);
    if (verdict !== 'allowed') {
      fail(header[i], verdict);
      continue;
    }
    // SMS goes to the mobile number when the receipt binds one, else to the phone number.
    const kind = { postal: 'postal', phone: 'phone', email: 'email', sms: 'mobile' in digests ? 'mobile' : 'phone' }[
      channel];
    if (!(kind in digests)) fail(header[i], 'no-digest');
    else if (latest.subject.digest === 'hmac-sha256' && !digestKey) fail(header[i], 'digest-key-missing');
    else if (!bindsValue(latest.subject, kind, value, digestKey)) fail(header[i], 'digest-mismatch');
  }
}

// Resolves with {rows, rowsOk, problems: [{line, row, reference, column, code}]};
// throws on a file that is not a partner file (exit 2 on the command line).
export async function verifyPartnerFile({ csvText, receiptsText, partnerId, controllerPublicJwk }) {
  const [head, ...rows] = parseCsv(csvText);
  const header = head?.fields ?? [];
  if (header[0] !== 'reference' || header.slice(1).some((c) => !(c in COLUMNS))) {
    throw new Error('not a partner file: the header must be reference and channel columns');
  }
  const receiptLines = receiptsText.split('\n');
  if (receiptLines[receiptLines.length - 1] === '') receiptLines.pop();
  const problems = [];
  let rowsOk = 0;
  for (const [index, row] of rows.entries()) {
    const before = problems.length;
    const fail = (column, code) => problems.push({ line: row.line, row: index + 1, reference: row.fields[0], column,
      code });
    await checkRow(row, header, receiptLines[index], { partnerId, controllerPublicJwk }, fail);
    if (problems.length === before) rowsOk += 1;
  }
  for (let i = rows.length; i < receiptLines.length; i += 1) {
    if (receiptLines[i] !== '') problems.push({ line: i + 1, row: 0, reference: '', column: '', code: 'receipts-extra' });
  }
  return { rows: rows.length, rowsOk, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [keyFile, csvFile, receiptsFile, partnerId, flag] = process.argv.slice(2);
  if (!keyFile || !csvFile || !receiptsFile || !partnerId) {
    console.error('usage: node partner-verify-jose.mjs controller.pub.json partner-P.csv partner-P.receipts.jsonl P [--json]');
    process.exit(2);
  }
  let result;
  try {
    result = await verifyPartnerFile({
      csvText: readFileSync(csvFile, 'utf8'),
      receiptsText: readFileSync(receiptsFile, 'utf8'),
      partnerId,
      controllerPublicJwk: JSON.parse(readFileSync(keyFile, 'utf8')),
    });
  } catch (error) {
    console.error(`error: ${error.message}`);
    process.exit(2);
  }
  if (flag === '--json') {
    console.log(JSON.stringify(result, null, 2));
  } else {
    for (const p of result.problems) {
      console.log(`line ${p.line}: ${p.code}${p.column ? ` (${p.column})` : ''}${p.reference ? `, reference ${p.reference}` : ''}`);
    }
    console.log(`Partner ${partnerId}: ${result.rows} row(s), ${result.rowsOk} verified, ${result.rows - result.rowsOk} failing.`);
  }
  process.exit(result.problems.length === 0 ? 0 : 1);
}
