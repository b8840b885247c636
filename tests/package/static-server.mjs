// Serves one folder on 127.0.0.1 with the strict CSP the widget promises to
// work under (DESIGN.md section 4) and records form posts to /submit: the
// host page of a consumer's bundle.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { STRICT_CSP } from '../browser/server.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
};

export async function serveFolder(dir) {
  const submissions = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/submit') {
      let body = '';
      for await (const chunk of req) body += chunk;
      submissions.push(Object.fromEntries(new URLSearchParams(body)));
      res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Content-Security-Policy': STRICT_CSP });
      res.end('<!doctype html><title>Thanks</title><p>Thanks</p>');
      return;
    }
    const rel = path.posix.normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '') || 'index.html';
    const file = path.resolve(dir, rel);
    if (!file.startsWith(dir + path.sep)) return res.writeHead(404).end();
    try {
      const bytes = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Content-Security-Policy': STRICT_CSP });
      res.end(bytes);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    submissions,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
