#!/usr/bin/env node
// Benchmark (not a test; DESIGN.md section 5): gzip -9 size of everything the
// browser downloads, and the median time from script start to an interactive
// widget over N loads in headless Chromium, for Cachet beside Orejime and
// vanilla-cookieconsent loaded in equivalent pages in the same run.
//
// Two times per load, both from the page's own clock:
//  - "script ms": from an inline script placed just before the widget's
//    <script> tag to the first interactive control. Every subject's script
//    file is fetched by the preload scanner before that point, so this figure
//    leaves the script download out for all of them; for Cachet it includes
//    fetching, compiling and instantiating cachet.wasm (a second request,
//    unless the page preloads it) and the core's notice call.
//  - "nav ms": from navigation start to the first interactive control: every
//    download (html, css, js, wasm) is in it, for every subject.
// The server sends Cache-Control: no-store and no compression, so each load
// fetches everything again, uncompressed.
// usage: node bench/widget-size-and-startup.mjs [loads=30]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { launch } from '../tests/browser/browser.mjs';
import { ROOT, startServer } from '../tests/browser/server.mjs';

const LOADS = Number(process.argv[2] || 30);
const BUDGET_KB = 60;
const BUDGET_MS = 25;

const subjects = [
  { name: 'Cachet', page: 'cachet.html', files: ['dist/cachet.js', 'dist/cachet-core.mjs', 'dist/cachet.wasm', 'dist/cachet.css'] },
  // The embedding docs/widget.md recommends: <link rel="preload" as="fetch"> for cachet.wasm.
  { name: 'Cachet, wasm preloaded', page: 'cachet-preload.html', files: ['dist/cachet.js', 'dist/cachet-core.mjs', 'dist/cachet.wasm', 'dist/cachet.css'] },
  // The compiled path (docs/widget.md): `cachet build`'s bundle, the wasm after first paint.
  { name: 'Cachet, compiled bundle', page: 'cachet-bundle.html', files: ['dist/cachet.js', 'dist/cachet.css', 'bench/pages/cachet.bundle.json', 'dist/cachet-core.mjs', 'dist/cachet.wasm'] },
  // The same, with the bundle inline in the page (data-cachet-bundle="#id"): no request for it.
  // Its bytes are counted (inline: gzip -9 of the bundle, which the page's HTML carries).
  { name: 'Cachet, bundle inline', page: 'cachet-bundle-inline.html', files: ['dist/cachet.js', 'dist/cachet.css', 'dist/cachet-core.mjs', 'dist/cachet.wasm'], inline: ['bench/pages/cachet.bundle.json'] },
  { name: 'Orejime 3', page: 'orejime.html', files: ['node_modules/orejime/dist/orejime-standard-fr.js', 'node_modules/orejime/dist/orejime-standard.css'] },
  { name: 'vanilla-cookieconsent 3', page: 'cookieconsent.html', files: ['node_modules/vanilla-cookieconsent/dist/cookieconsent.umd.js', 'node_modules/vanilla-cookieconsent/dist/cookieconsent.css'] },
];

const gzipSize = (file) => zlib.gzipSync(readFileSync(path.join(ROOT, file)), { level: 9 }).length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// The compiled page's bundle, built from its own inline config by the Node API
// (the bytes `cachet build` writes), so it always matches the current dist/.
{
  const html = readFileSync(path.join(ROOT, 'bench', 'pages', 'cachet-bundle.html'), 'utf8');
  const configText = /<script type="application\/json"[^>]*>(.*?)<\/script>/s.exec(html)[1];
  const { build } = await import('../dist/cachet.mjs');
  // A French page: its locale only (`cachet build --only fr`), as docs/widget.md advises.
  const bundle = await build(configText, { locales: ['fr'] });
  writeFileSync(path.join(ROOT, 'bench', 'pages', 'cachet.bundle.json'), bundle);
  // The same page with the bundle inline (docs/widget.md, "Compiled path").
  const inline = html
    .replace(/<link rel="preload" href="\/bench\/pages\/cachet.bundle.json"[^>]*>\n/, '')
    .replace('data-cachet-bundle="/bench/pages/cachet.bundle.json"', 'data-cachet-bundle="#consent-bundle"')
    .replace('</form>', `</form>\n<script type="application/json" id="consent-bundle">${bundle}</script>`);
  if (inline.includes('cachet.bundle.json')) throw new Error('bench/pages/cachet-bundle.html changed: the inline page could not be derived from it');
  writeFileSync(path.join(ROOT, 'bench', 'pages', 'cachet-bundle-inline.html'), inline);
}

const server = await startServer();
const browser = await launch();
try {
  for (const s of subjects) {
    s.inline = s.inline || [];
    s.bytes = [...s.files, ...s.inline].reduce((sum, f) => sum + gzipSize(f), 0);
    s.times = [];
    s.navTimes = [];
    s.before = new Set();
    s.tab = await browser.newPage();
    // What the browser really fetched (besides the page itself) must be
    // exactly the files counted: nothing loaded lazily escapes the figure.
    s.fetched = new Set();
    s.tab.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (!pathname.startsWith('/bench/pages/') && pathname !== '/favicon.ico') s.fetched.add(pathname.slice(1));
    });
  }
  // Rounds interleave the subjects, so a busy moment on the machine lands on
  // all of them alike rather than on whichever ran then.
  for (let i = 0; i < LOADS + 2; i++) {
    for (const s of subjects) {
      await s.tab.goto(`${server.origin}/bench/pages/${s.page}`);
      await s.tab.waitForFunction(() => window.__ready !== undefined, null, { timeout: 10000 });
      const [ms, nav, before] = await s.tab.evaluate(() => [
        window.__ready - window.__t0,
        window.__ready,
        // What the page had asked for before its first checkbox appeared.
        performance.getEntriesByType('resource').filter((e) => e.startTime <= window.__ready).map((e) => new URL(e.name).pathname.slice(1)),
      ]);
      for (const f of before) if (s.files.includes(f)) s.before.add(f);
      // two warm-up loads: disk and compile caches settle
      if (i >= 2) {
        s.times.push(ms);
        s.navTimes.push(nav);
      }
    }
  }
  for (const s of subjects) {
    await s.tab.close();
    const extra = [...s.fetched].filter((f) => !s.files.includes(f));
    if (extra.length) throw new Error(`${s.name}: the page fetched ${extra.join(', ')}, which the size figure leaves out`);
  }
} finally {
  await browser.close();
  await server.close();
}

const base = subjects[0];
console.log(`Cachet widget benchmark: ${LOADS} loads each, headless Chromium, medians`);
console.log(`budgets: ${BUDGET_KB} KB gzip -9, ${BUDGET_MS} ms script start -> interactive (printed, not asserted)`);
console.log('script ms: script start -> interactive (script download excluded for every subject; wasm fetch included)');
console.log('nav ms: navigation start -> interactive (every download included)\n');
console.log('before KB: gzip -9 of what the page fetched before the first checkbox appeared');
console.log('widget                     gzip -9 KB   before KB   script ms   nav ms   size ratio   time ratio');
for (const s of subjects) {
  const kb = s.bytes / 1024;
  const ms = median(s.times);
  s.beforeBytes = [...s.before, ...s.inline].reduce((sum, f) => sum + gzipSize(f), 0);
  console.log(
    `${s.name.padEnd(26)} ${kb.toFixed(1).padStart(10)} ${(s.beforeBytes / 1024).toFixed(1).padStart(11)} ${ms.toFixed(1).padStart(11)} ${median(s.navTimes).toFixed(1).padStart(8)} ${(base.bytes / s.bytes).toFixed(2).padStart(12)} ${(median(base.times) / ms).toFixed(2).padStart(12)}`,
  );
}
// The compiled path against Orejime, same run (DESIGN.md section 5 budgets:
// bytes before interactive at most 1.5 times, navigation to first checkbox at most 1.2 times).
const orejime = subjects.find((s) => s.page === 'orejime.html');
console.log('');
for (const compiled of subjects.filter((s) => s.page.startsWith('cachet-bundle'))) {
  console.log(
    `${compiled.name} vs Orejime: bytes before interactive ${(compiled.beforeBytes / orejime.beforeBytes).toFixed(2)} times (budget 1.5), ` +
      `navigation to first checkbox ${(median(compiled.navTimes) / median(orejime.navTimes)).toFixed(2)} times (budget 1.2), ` +
      `total ${compiled.bytes} B (budget: no more than 97,276 B, the page's total on 2026-11-30)`,
  );
}
console.log(
  `\nCachet vs budget: ${(base.bytes / 1024).toFixed(1)} / ${BUDGET_KB} KB, ${median(base.times).toFixed(1)} / ${BUDGET_MS} ms ` +
    `(${median(subjects[1].times).toFixed(1)} ms with the wasm preloaded)`,
);
console.log('(ratios: Cachet divided by the other widget; Cachet files, as fetched by the page: ' + base.files.join(', ') + ')');
const onDemand = ['dist/cachet-verify.mjs', 'dist/cachet-verify.wasm'];
console.log(
  `(not fetched by a signup page: ${onDemand.join(', ')}, ${(onDemand.reduce((sum, f) => sum + gzipSize(f), 0) / 1024).toFixed(1)} KB gzip -9, ` +
    'loaded only when a page calls verify() or canonicalize())',
);
