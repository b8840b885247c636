// `cachet serve` under abuse (issue 12): slow clients, connection floods,
// bodies of every media type, verbs a path does not serve, and receipts that
// skip the server challenge or come from off the web without credentials.
// Raw sockets (node:net) where fetch would hide what is sent.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';

import { adminHeaders, challenged, get, issue, keygen, mint, payloadOf, post, startServer, tempDir } from './helpers.mjs';

// Functional bounds, not benchmarks: generous against a loaded CI machine.
const HEALTH_BOUND_MS = 5000;

// Opens a raw connection to the server; resolves once connected.
function connect(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

// A client that sends `head` at once, then `drip` every `everyMs`, forever:
// it records what the server answered and when the server closed it.
async function slowClient(url, head, drip, everyMs = 300) {
  const socket = await connect(url);
  const client = { socket, received: '', closedAt: undefined };
  socket.on('error', () => {});
  socket.on('data', (d) => { client.received += d; });
  socket.on('close', () => { client.closedAt = Date.now(); clearInterval(timer); });
  socket.write(head);
  const timer = setInterval(() => { if (!socket.destroyed) socket.write(drip); }, everyMs);
  return client;
}

async function timedHealth(url) {
  const started = Date.now();
  const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(HEALTH_BOUND_MS) });
  await res.text();
  return { status: res.status, ms: Date.now() - started };
}

async function waitFor(predicate, ms) {
  const until = Date.now() + ms;
  while (!predicate() && Date.now() < until) await new Promise((r) => { setTimeout(r, 50); });
  return predicate();
}

describe('cachet serve: slow clients and connection limits', () => {
  let dir;
  let key;
  let server;

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    server = await startServer(dir, key, ['--header-timeout', '2', '--body-timeout', '3']);
  });
  after(async () => { await server?.stop(); });

  it('answers /api/health quickly while 32 clients trickle their headers, and closes them at the deadline', async () => {
    const started = Date.now();
    const clients = await Promise.all(Array.from({ length: 32 }, (_, i) => slowClient(server.url,
      `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow-${i}: a`, 'a')));
    await new Promise((r) => { setTimeout(r, 400); }); // every client is inside its headers
    const health = await timedHealth(server.url);
    assert.equal(health.status, 200);
    assert.ok(health.ms < HEALTH_BOUND_MS, `health took ${health.ms} ms`);
    assert.ok(await waitFor(() => clients.every((c) => c.closedAt), 8000), 'every slow client was closed');
    for (const c of clients) {
      assert.ok(c.closedAt - started >= 1500, 'not before the 2 s header deadline');
      assert.match(c.received, /^HTTP\/1\.1 408 /, 'told why');
    }
  });

  it('answers /api/health quickly while 32 clients trickle a body, and closes them at the deadline', async () => {
    const started = Date.now();
    const head = 'POST /api/receipts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
      + 'Content-Length: 2000\r\n\r\n{';
    const clients = await Promise.all(Array.from({ length: 32 }, () => slowClient(server.url, head, ' ')));
    await new Promise((r) => { setTimeout(r, 400); });
    const health = await timedHealth(server.url);
    assert.equal(health.status, 200);
    assert.ok(health.ms < HEALTH_BOUND_MS, `health took ${health.ms} ms`);
    assert.ok(await waitFor(() => clients.every((c) => c.closedAt), 9000), 'every slow client was closed');
    for (const c of clients) {
      assert.ok(c.closedAt - started >= 2500, 'not before the 3 s body deadline');
      assert.match(c.received, /^HTTP\/1\.1 408 /);
      assert.match(c.received, /request_timeout/);
    }
  });

  it('closes a connection that sends nothing', async () => {
    const socket = await connect(server.url);
    const closed = new Promise((resolve) => { socket.on('close', resolve); socket.on('error', () => {}); });
    const started = Date.now();
    await closed;
    assert.ok(Date.now() - started < 6000);
  });

  it('turns away connections beyond --max-connections at once (503), without reading them', async () => {
    const small = await startServer(dir, key, ['--max-connections', '4', '--header-timeout', '5'],
      { db: `${dir}/small.db` });
    try {
      const held = await Promise.all(Array.from({ length: 4 }, () => slowClient(small.url, 'GET / HTTP/1.1\r\n', 'X: y\r\n')));
      await new Promise((r) => { setTimeout(r, 200); });
      const extra = await connect(small.url);
      const started = Date.now();
      let answer = '';
      extra.on('data', (d) => { answer += d; });
      extra.on('error', () => {});
      await new Promise((resolve) => { extra.on('close', resolve); });
      assert.ok(Date.now() - started < 2000, 'refused without waiting for a worker');
      assert.match(answer, /^HTTP\/1\.1 503 /);
      assert.match(answer, /server_busy/);
      for (const c of held) c.socket.destroy();
      // Once they are gone, the server serves again.
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i++) {
        await new Promise((r) => { setTimeout(r, 100); });
        status = (await get(`${small.url}/api/health`).catch(() => ({ status: 0 }))).status;
      }
      assert.equal(status, 200);
    } finally {
      await small.stop();
    }
  });
});

describe('cachet serve: media types and methods', () => {
  let dir;
  let key;
  let server;
  let template;

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    server = await startServer(dir, key);
    template = issue(dir);
  });
  after(async () => { await server?.stop(); });

  const multipart = (fields) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('photo', new Blob([Buffer.alloc(100 * 1024, 7)], { type: 'image/png' }), 'photo.png');
    return form;
  };

  it('never answers a multipart post with 500: 415 on JSON endpoints', async () => {
    for (const path of ['/api/receipts', '/api/verify', '/api/preference-link', '/api/preferences']) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', body: multipart({ a: 'b' }) });
      const text = await res.text();
      assert.equal(res.status, 415, `${path}: ${text}`);
      const { error } = JSON.parse(text);
      assert.equal(error.code, 'unsupported_media_type');
      assert.match(error.message, /application\/json/, 'names the accepted type');
    }
  });

  it('reads a multipart signup form (files dropped) and stores its receipt', async () => {
    const receipt = await challenged(server.url, template);
    const res = await fetch(`${server.url}/signup?lang=en`, {
      method: 'POST', body: multipart({ email: 'camille@example.org', cachet_receipt: receipt }),
    });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    assert.match(text, new RegExp(payloadOf(receipt).receiptId));
    // The preference form too: a bad link is a 401 page, not a 500.
    const prefs = await fetch(`${server.url}/preferences`, { method: 'POST', body: multipart({ token: 'p1.x', action: 'object' }) });
    assert.equal(prefs.status, 401);
  });

  it('parses Content-Type strictly: no substring passes for JSON', async () => {
    const receipt = await challenged(server.url, template);
    const disguised = await post(`${server.url}/api/receipts`, receipt, { type: 'text/plain; x=application/json' });
    assert.equal(disguised.status, 415, disguised.text);
    assert.equal(disguised.json.error.code, 'unsupported_media_type');
    for (const type of ['application/jsonx', 'application/json; charset=latin1', 'application/json-seq', 'text/json', '']) {
      assert.equal((await post(`${server.url}/api/verify`, receipt, { type })).status, 415, type);
    }
    // Case and a UTF-8 charset are fine.
    const ok = await post(`${server.url}/api/receipts`, receipt, { type: 'Application/JSON; Charset="UTF-8"' });
    assert.equal(ok.status, 201, ok.text);
  });

  it('answers 405 with Allow for a known path and another method; 404 stays for unknown paths', async () => {
    const del = await fetch(`${server.url}/api/receipts`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.headers.get('allow'), 'POST');
    assert.equal((await del.json()).error.code, 'method_not_allowed');
    const put = await fetch(`${server.url}/api/health`, { method: 'PUT', body: '{}' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, HEAD');
    const both = await fetch(`${server.url}/preferences`, { method: 'PATCH' });
    assert.equal(both.status, 405);
    assert.equal(both.headers.get('allow'), 'GET, HEAD, POST');
    const options = await fetch(`${server.url}/api/receipts`, { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'POST');
    assert.equal((await fetch(`${server.url}/api/health`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${server.url}/api/nothing`, { method: 'DELETE' })).status, 404);
  });

  it('refuses a body where no endpoint reads one (413), without reading it into memory', async () => {
    for (const head of ['GET /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: 8000000\r\n\r\n',
      'POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 8000000\r\n\r\n',
      'GET /api/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n']) {
      const socket = await connect(server.url);
      let answer = '';
      socket.on('data', (d) => { answer += d; });
      socket.on('error', () => {});
      socket.write(head);
      assert.ok(await waitFor(() => answer.includes('\r\n\r\n'), 3000), head);
      socket.destroy();
      assert.match(answer, /^HTTP\/1\.1 413 /, head);
      assert.match(answer, /body_too_large/);
    }
  });
});

describe('cachet serve: challenges by default, off-web receipts only with the admin token', () => {
  let dir;
  let key;
  let server;
  let template;

  before(async () => {
    dir = tempDir();
    key = keygen(dir);
    server = await startServer(dir, key);
    template = issue(dir);
  });
  after(async () => { await server?.stop(); });

  it('refuses an unchallenged web-form receipt (422 challenge_required), on the API and the signup form', async () => {
    const res = await post(`${server.url}/api/receipts`, mint(template));
    assert.equal(res.status, 422, res.text);
    assert.equal(res.json.error.code, 'challenge_required');
    const form = await fetch(`${server.url}/signup`, {
      method: 'POST', body: new URLSearchParams({ cachet_receipt: mint(template) }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 422);
    assert.equal((await post(`${server.url}/api/receipts`, await challenged(server.url, template))).status, 201);
  });

  it('refuses off-web receipts without the admin token, whatever the challenge', async () => {
    for (const method of ['paper', 'phone', 'preference-centre']) {
      const offweb = issue(dir, { method });
      const anonymous = await post(`${server.url}/api/receipts`, offweb);
      assert.equal(anonymous.status, 401, `${method}: ${anonymous.text}`);
      assert.equal(anonymous.json.error.code, 'offweb_admin_required');
      const { json: c } = await get(`${server.url}/api/challenge`);
      const withChallenge = mint(offweb, (p) => { p.collection.challenge = c.challenge; });
      assert.equal((await post(`${server.url}/api/receipts`, withChallenge)).status, 401);
    }
    const paper = issue(dir, { method: 'paper' });
    assert.equal((await post(`${server.url}/api/receipts`, paper, { headers: adminHeaders })).status, 201);
    // Even the idempotent answer (the countersigned copy) is not handed out anonymously.
    assert.equal((await post(`${server.url}/api/receipts`, paper)).status, 401);
  });

  it('accepts unchallenged web-form receipts with --allow-unchallenged, never anonymous paper', async () => {
    const lax = await startServer(dir, key, ['--allow-unchallenged'], { db: `${dir}/lax.db` });
    try {
      assert.equal((await post(`${lax.url}/api/receipts`, mint(template))).status, 201);
      const paper = await post(`${lax.url}/api/receipts`, issue(dir, { method: 'paper' }));
      assert.equal(paper.status, 401, paper.text);
    } finally {
      await lax.stop();
    }
  });
});
