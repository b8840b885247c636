// A tiny static server for the browser tests and the benchmark: serves dist/,
// the test pages and a few node_modules files from 127.0.0.1 on a random port,
// records form submissions, and sends a strict CSP for pages named *csp*.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const STRICT_CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; " +
  "form-action 'self'; img-src 'self'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

const ALLOWED = ['dist/', 'tests/browser/pages/', 'bench/pages/', 'node_modules/axe-core/', 'node_modules/orejime/', 'node_modules/vanilla-cookieconsent/'];

export async function startServer({ root = ROOT } = {}) {
  const submissions = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/submit') {
      let body = '';
      for await (const chunk of req) body += chunk;
      submissions.push(Object.fromEntries(new URLSearchParams(body)));
      res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Content-Security-Policy': STRICT_CSP });
      // ?next=kept: the host's next page shows the receipt copy the widget kept.
      const kept = url.searchParams.get('next') === 'kept'
        ? '<link rel="stylesheet" href="/dist/cachet.css"><script src="/dist/cachet.js" defer></script>' +
          '<main><h1>Thanks</h1><div data-cachet-kept-receipt></div></main>'
        : '<p>Thanks</p>';
      res.end(`<!doctype html><html lang="en"><title>Thanks</title>${kept}</html>`);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const rel = path.posix.normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
    if (rel.includes('..') || !ALLOWED.some((prefix) => rel.startsWith(prefix))) {
      res.writeHead(404).end();
      return;
    }
    try {
      const bytes = await readFile(path.join(root, rel));
      const headers = { 'Content-Type': TYPES[path.extname(rel)] || 'application/octet-stream', 'Cache-Control': 'no-store' };
      if (/csp/.test(path.basename(rel)) && rel.endsWith('.html')) headers['Content-Security-Policy'] = STRICT_CSP;
      res.writeHead(200, headers);
      res.end(bytes);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    submissions,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
