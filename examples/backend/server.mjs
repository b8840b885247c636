#!/usr/bin/env node
// A host site's backend with Cachet, in node:http only: the worked recipe of
// the README's "Integrating" section.
//
//   page (plain HTML or the React build) --GET /api/challenge--> cachet serve
//   form post /signup { name, email, address, cachet_receipt }
//     -> POST cachet serve /api/receipts          (verify, countersign, store)
//     -> keep the receipt id with the contact     (DATA_DIR/contacts.csv, the
//                                                  file `cachet export` reads)
//     -> POST cachet serve /api/preference-link   (admin token)
//     -> "email" the link to the person           (DATA_DIR/outbox.log)
//
// Environment:
//   PORT (default 3000), HOST (127.0.0.1)
//   CACHET_URL          where `cachet serve` listens (default http://127.0.0.1:8080)
//   CACHET_ADMIN_TOKEN  its --admin-token (needed for preference links)
//   CACHET_PUBLIC_URL   where people reach it, when it runs without --public-url
//                       (its links are then paths; default CACHET_URL)
//   CONSENT_CONFIG      the config `cachet serve` was started with (default ../consent.json)
//   DATA_DIR            contacts.csv and outbox.log (default ./data)
//   REACT_DIST          the Vite build of examples/react, served at /react/ (default ../react/dist)
//   CACHET_DIST         the package's dist/ (default: found through the installed cachet-consent)
import http from 'node:http';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const PORT = Number(env.PORT ?? 3000);
const HOST = env.HOST || '127.0.0.1';
const CACHET_URL = (env.CACHET_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const ADMIN_TOKEN = env.CACHET_ADMIN_TOKEN || '';
const PUBLIC_URL = env.CACHET_PUBLIC_URL || CACHET_URL;
const CONFIG = path.resolve(env.CONSENT_CONFIG || path.join(here, '..', 'consent.json'));
const DATA_DIR = path.resolve(env.DATA_DIR || path.join(here, 'data'));
const REACT_DIST = path.resolve(env.REACT_DIST || path.join(here, '..', 'react', 'dist'));
// The package's files (cachet.js, cachet.css, cachet.wasm): resolved like any dependency.
const CACHET_DIST = path.resolve(env.CACHET_DIST || path.dirname(fileURLToPath(import.meta.resolve('cachet-consent/cachet.js'))));
const PAGE = path.join(here, '..', 'plain-html', 'index.html');

// What the pages may load: the widget needs no more than this (docs/widget.md).
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; " +
  "form-action 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
};
const MAX_BODY = 64 * 1024;

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function send(res, status, body, type = TYPES['.html']) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
  res.end(body);
}
const sendJson = (res, status, value) => send(res, status, JSON.stringify(value), TYPES['.json']);

async function cachet(method, pathname, body, { admin = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (admin) headers.Authorization = `Bearer ${ADMIN_TOKEN}`;
  let response;
  try {
    response = await fetch(`${CACHET_URL}${pathname}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw Object.assign(new Error(`cachet serve is not reachable at ${CACHET_URL} (${error.cause?.code || error.message}).`), { status: 502 });
  }
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // cachet serve always answers JSON on /api; anything else is reported as is below.
  }
  return { status: response.status, json, text };
}

async function serveFile(res, file) {
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
    send(res, 200, await readFile(file), TYPES[path.extname(file)] || 'application/octet-stream');
  } catch {
    send(res, 404, 'Not found', 'text/plain; charset=utf-8');
  }
}

// A path under `dir`, or null when the request tries to leave it.
function under(dir, relative) {
  const file = path.resolve(dir, `.${path.posix.normalize(`/${relative}`)}`);
  return file.startsWith(dir + path.sep) ? file : null;
}

async function readForm(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw Object.assign(new Error('The form is too large.'), { status: 413 });
    chunks.push(chunk);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

// RFC 4180 field.
const csv = (value) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

async function saveContact(contact) {
  const file = path.join(DATA_DIR, 'contacts.csv');
  const exists = await stat(file).then(() => true, () => false);
  const header = exists ? '' : 'contact_id,name,email,address,cachet_receipt_id,created_at\r\n';
  const row = [contact.id, contact.name, contact.email, contact.address, contact.receiptId, contact.createdAt].map(csv).join(',');
  await appendFile(file, `${header}${row}\r\n`, { mode: 0o600 });
}

// Stands in for the mail service: one message per line, JSON.
async function sendEmail(message) {
  await appendFile(path.join(DATA_DIR, 'outbox.log'), `${JSON.stringify({ sentAt: new Date().toISOString(), ...message })}\n`, { mode: 0o600 });
}

async function signup(req, res) {
  const wantsJson = (req.headers.accept || '').includes('application/json');
  const fail = (status, code, message) =>
    wantsJson ? sendJson(res, status, { error: { code, message } }) : send(res, status, `<!doctype html><title>Signup failed</title><p>${escapeHtml(message)}</p>`);

  const type = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return fail(415, 'unsupported_media_type', 'Send the form as application/x-www-form-urlencoded.');
  const form = await readForm(req);
  const email = (form.email || '').trim();
  if (!email) return fail(400, 'email_missing', 'Give your email address.');
  if (!form.cachet_receipt) return fail(400, 'receipt_missing', 'The consent receipt is missing: is the Cachet widget on the form?');

  // 1. cachet serve verifies the receipt, checks its challenge and config version, countersigns and stores it.
  const stored = await cachet('POST', '/api/receipts', { receipt: form.cachet_receipt });
  if (stored.status !== 201 && stored.status !== 200) {
    const error = stored.json?.error || { code: 'cachet_unavailable', message: `cachet serve answered HTTP ${stored.status}.` };
    return fail(stored.status >= 500 ? 502 : 422, error.code, error.message);
  }
  const { receiptId } = stored.json;

  // 2. The contact keeps its receipt id: `cachet export --receipt-column cachet_receipt_id` joins on it.
  const contact = { id: randomUUID(), name: (form.name || '').trim(), email, address: (form.address || '').trim(), receiptId, createdAt: new Date().toISOString() };
  await saveContact(contact);

  // 3. A preference link (7 days) for this person, sent to the address they gave (R1 "at any time", R10).
  const link = await cachet('POST', '/api/preference-link', { receiptId }, { admin: true });
  if (link.status === 200 || link.status === 201) {
    // `url` is absolute when cachet serve runs with --public-url, else a path.
    const url = new URL(link.json.url, PUBLIC_URL).href;
    await sendEmail({
      to: email,
      subject: 'Your choices at Example Shop',
      text: `Hello ${contact.name || ''},\n\nYou can see and change what you accepted about our partners here:\n${url}\n` +
        `(this link works until ${link.json.expiresAt}).\n\nReceipt: ${receiptId}\n`,
      receiptId,
      link: url,
    });
  } else {
    // The signup stands; the link can be sent later (GET /api/receipts/{id} holds everything needed).
    console.error(`backend: no preference link for ${receiptId}: HTTP ${link.status} ${link.text}`);
  }

  if (wantsJson) return sendJson(res, 201, { receiptId, contactId: contact.id, email });
  return send(res, 201, `<!doctype html><html lang="en"><title>Welcome</title><main><h1>Welcome</h1>` +
    `<p role="status">We sent ${escapeHtml(email)} a link to change your choices at any time (receipt ${escapeHtml(receiptId)}).</p></main></html>`);
}

// The plain page, with a fresh challenge from cachet serve in it.
async function page(res) {
  const answer = await cachet('GET', '/api/challenge');
  if (answer.status !== 200) return send(res, 502, 'cachet serve did not give a challenge.', 'text/plain; charset=utf-8');
  const html = (await readFile(PAGE, 'utf8')).replace(/\{\{(challenge|digestSalt|digestKey)\}\}/g, (_, name) => escapeHtml(answer.json[name] ?? ''));
  send(res, 200, html);
}

async function route(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const { pathname } = url;
  if (req.method === 'POST' && pathname === '/signup') return signup(req, res);
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed', 'text/plain; charset=utf-8');
  if (pathname === '/') return page(res);
  if (pathname === '/consent.json') return serveFile(res, CONFIG);
  if (pathname === '/api/challenge') {
    const answer = await cachet('GET', '/api/challenge');
    return send(res, answer.status, answer.text, TYPES['.json']);
  }
  if (pathname.startsWith('/cachet/')) {
    const file = under(CACHET_DIST, pathname.slice('/cachet/'.length));
    return file ? serveFile(res, file) : send(res, 404, 'Not found', 'text/plain; charset=utf-8');
  }
  if (pathname === '/react' || pathname === '/react/') return serveFile(res, path.join(REACT_DIST, 'index.html'));
  if (pathname.startsWith('/react/')) {
    const file = under(REACT_DIST, pathname.slice('/react/'.length));
    return file ? serveFile(res, file) : send(res, 404, 'Not found', 'text/plain; charset=utf-8');
  }
  return send(res, 404, 'Not found', 'text/plain; charset=utf-8');
}

await mkdir(DATA_DIR, { recursive: true, mode: 0o700 });
const server = http.createServer((req, res) => {
  route(req, res).catch((error) => {
    console.error('backend:', error);
    if (!res.headersSent) send(res, error.status || 500, error.status ? error.message : 'Internal error', 'text/plain; charset=utf-8');
  });
});
server.listen(PORT, HOST, () => {
  const { port } = server.address();
  console.log(`Example backend on http://${HOST}:${port} (cachet serve at ${CACHET_URL})`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
