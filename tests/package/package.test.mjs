// The npm package as a developer gets it, then the examples/ that use it:
// `npm pack`, install the tarball into a fresh project (offline: it has no
// dependencies), import it from Node, type-check a consumer with
// `tsc --strict` under `nodenext` and `bundler` (a config typo must fail),
// bundle a page with esbuild and run it in Chromium under the strict CSP, build
// examples/react with Vite (once) and run it, and run examples/backend against
// the real `cachet serve`: signup -> countersigned receipt -> contact kept with
// its receipt id -> preference link "emailed" -> the link works.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import * as jose from 'jose';
import { launch } from '../browser/browser.mjs';
import { serveFolder } from './static-server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const work = mkdtempSync(path.join(os.tmpdir(), 'cachet-package-'));
const project = path.join(work, 'consumer');
let tarball;
let files;
let browser;

const run = (cmd, args, options = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...options });

before(async () => {
  // npm pack: what `npm publish` would upload (the `files` list of package.json).
  const packed = run('npm', ['pack', '--json', '--pack-destination', work, '--ignore-scripts'], { cwd: ROOT });
  assert.equal(packed.status, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout);
  tarball = path.join(work, info.filename);
  files = info.files.map((f) => f.path).sort();

  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const installed = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project });
  assert.equal(installed.status, 0, installed.stderr);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('npm package', () => {
  test('the tarball holds the built files, the licence and nothing of the sources', () => {
    assert.equal(pkg.name, 'cachet-consent');
    assert.equal(pkg.private, undefined, 'publishable');
    for (const name of ['LICENSE', 'README.md', 'package.json', 'dist/cachet.mjs', 'dist/cachet.js', 'dist/cachet-core.mjs', 'dist/cachet.wasm', 'dist/cachet.css',
      'dist/cachet.d.ts', 'dist/cachet-config.d.ts', 'dist/cachet-element.mjs', 'dist/cachet-element.d.ts',
      'dist/cachet-verify.mjs', 'dist/cachet-verify.wasm', 'dist/cachet-config.schema.json']) {
      assert.ok(files.includes(name), `${name} is in the tarball`);
    }
    assert.deepEqual(files.filter((f) => !f.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json'].includes(f)), []);
    // Every path the exports map names is shipped.
    const targets = Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
    for (const target of targets) assert.ok(files.includes(target.replace(/^\.\//, '')), `${target} (exports) is in the tarball`);
    assert.deepEqual(pkg.dependencies, undefined, 'no runtime dependency');
  });

  test('Node imports it by name: lint, receipts made and verified, files found through exports', () => {
    const script = `
      import * as Cachet from 'cachet-consent';
      import { readFileSync, existsSync } from 'node:fs';
      import { fileURLToPath } from 'node:url';
      const config = readFileSync(${JSON.stringify(path.join(ROOT, 'examples', 'consent.json'))}, 'utf8');
      const report = await Cachet.lint(config);
      const made = await Cachet.issueReceipt(config, { decisions: { email: 'granted', postal: 'objected' }, contacts: { email: 'a@example.org' } }, { locale: 'en', pageUrl: 'https://shop.example/signup' });
      const checked = await Cachet.verify(made.jws);
      let element;
      try { await import('cachet-consent/element'); element = 'defined'; } catch (e) { element = e.message; }
      const files = ['cachet-consent/cachet.js', 'cachet-consent/cachet-core.mjs', 'cachet-consent/cachet.css', 'cachet-consent/cachet.wasm', 'cachet-consent/cachet-config.schema.json', 'cachet-consent/package.json']
        .map((s) => existsSync(fileURLToPath(import.meta.resolve(s))));
      console.log(JSON.stringify({ ok: report.ok, version: Cachet.VERSION, verified: checked.ok, decision: made.receipt.channels.email.decision,
        where: fileURLToPath(import.meta.resolve('cachet-consent')), element, files, name: Cachet.ELEMENT_NAME }));`;
    const r = run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.ok, true);
    assert.equal(out.version, pkg.version);
    assert.equal(out.verified, true);
    assert.equal(out.decision, 'granted');
    assert.equal(out.where, path.join(project, 'node_modules', 'cachet-consent', 'dist', 'cachet.mjs'));
    assert.match(out.element, /defineElement\(\) needs a browser/);
    assert.deepEqual(out.files, [true, true, true, true, true, true]);
    assert.equal(out.name, 'cachet-consent');
  });

  describe('TypeScript consumer (tsc --strict)', () => {
    const consumer = `
      import { mount, lint, defineElement, type CachetConfig, type CachetWidget, type CachetConsentElement } from 'cachet-consent';
      import 'cachet-consent/element';
      export const config: CachetConfig = {
        configVersion: '2026-12-01',
        locale: 'en',
        controller: { name: 'Example Shop', privacyPolicyUrl: 'https://shop.example/privacy', rightsContact: 'privacy@shop.example' },
        purpose: { en: 'partners offers', fr: 'offres des partenaires' },
        partners: { entries: [{ id: 'p', name: 'P', privacyPolicyUrl: 'https://p.example/privacy' }] },
        channels: { email: { basis: 'consent', partnerProspecting: 'on-behalf' } },
        retention: { months: 36 },
      };
      export async function start(host: HTMLElement): Promise<string> {
        const widget: CachetWidget = await mount(host, config, { locale: 'en' });
        host.addEventListener('cachet:receipt', (event) => console.log(event.detail.jws.length));
        const element: CachetConsentElement | null = document.querySelector('cachet-consent');
        if (element) element.config = config;
        defineElement();
        await lint({ anything: 'goes' });
        return widget.receipt();
      }`;
    const typos = `
      import type { CachetConfig } from 'cachet-consent';
      export const typo: CachetConfig = {
        configVersion: '1', locale: 'en', retention: { months: 36 }, channels: {},
        controler: { name: 'X', privacyPolicyUrl: 'https://x.example', rightsContact: 'a@x.example' },
      };
      export const emailOnInterest: CachetConfig = {
        configVersion: '1', locale: 'en', retention: { months: 36 },
        controller: { name: 'X', privacyPolicyUrl: 'https://x.example', rightsContact: 'a@x.example' },
        channels: { email: { basis: 'legitimate-interest', partnerProspecting: 'on-behalf' } },
      };`;

    // One tsc per resolution over both files, the two at once (tsc spends its time loading lib.dom).
    const tsc = (module, resolution) => {
      const dir = path.join(project, `ts-${resolution}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'consumer.ts'), consumer);
      writeFileSync(path.join(dir, 'typos.ts'), typos);
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--strict', '--noEmit',
          '--module', module, '--moduleResolution', resolution, '--target', 'es2022', '--lib', 'es2022,dom',
          path.join(dir, 'consumer.ts'), path.join(dir, 'typos.ts')], { cwd: project });
        let out = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { out += d; });
        child.on('close', (status) => resolve({ status, out }));
      });
    };

    test('under nodenext and bundler: the consumer compiles; a typo in a config is an error', async () => {
      const results = await Promise.all([tsc('nodenext', 'nodenext'), tsc('esnext', 'bundler')]);
      for (const { status, out } of results) {
        assert.notEqual(status, 0, 'the typos compiled');
        assert.doesNotMatch(out, /consumer\.ts/, `the consumer has errors:\n${out}`);
        assert.match(out, /typos\.ts\(\d+,\d+\): error TS2561: .*'controler'.*'controller'/, out);
        assert.match(out, /typos\.ts\(\d+,\d+\): error TS2322: Type '"legitimate-interest"' is not assignable to type '"consent"'/, out);
        assert.equal(out.match(/error TS/g).length, 2, out);
      }
    });
  });

  test('a page bundled with esbuild imports it and runs under the strict CSP', async () => {
    const site = path.join(project, 'public');
    mkdirSync(site, { recursive: true });
    writeFileSync(path.join(project, 'page.mjs'), `
      import { VERSION } from 'cachet-consent';
      import 'cachet-consent/element';
      document.documentElement.dataset.cachetVersion = VERSION;`);
    await esbuild.build({ absWorkingDir: project, entryPoints: ['page.mjs'], bundle: true, format: 'esm', platform: 'browser',
      outfile: path.join(site, 'app.js'), logLevel: 'error' });
    // esbuild leaves new URL('cachet.wasm', import.meta.url) as it is: the wasm goes beside the bundle.
    const dist = path.join(project, 'node_modules', 'cachet-consent', 'dist');
    for (const name of ['cachet.wasm', 'cachet.css']) cpSync(path.join(dist, name), path.join(site, name));
    cpSync(path.join(ROOT, 'tests', 'browser', 'pages', 'consent.json'), path.join(site, 'consent.json'));
    writeFileSync(path.join(site, 'index.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bundled</title>
      <link rel="stylesheet" href="/cachet.css"><script type="module" src="/app.js"></script></head><body>
      <form method="post" action="/submit"><label for="email">Email</label> <input id="email" name="email" type="email">
      <cachet-consent config="/consent.json"></cachet-consent><button type="submit">Sign up</button></form></body></html>`);
    const server = await serveFolder(site);
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(`${r.status()} ${r.url()}`));
    try {
      await page.goto(`${server.origin}/`);
      await page.locator('.cachet [data-cachet-box="consent-email"]').check();
      await page.locator('#email').fill('bundle@example.org');
      await page.locator('button[type=submit]').click();
      // The person sees the receipt copy (receiptCopy "pause", the default), then continues.
      await page.locator('.cachet .cachet__receipt').waitFor();
      await Promise.all([page.waitForURL('**/submit'), page.locator('.cachet__continue').click()]);
      const jws = JSON.parse(server.submissions.at(-1).cachet_receipt);
      const { payload } = await jose.generalVerify(jws, jose.EmbeddedJWK, { algorithms: ['Ed25519', 'ES256'] });
      const receipt = JSON.parse(new TextDecoder().decode(payload));
      assert.equal(receipt.channels.email.decision, 'granted');
      assert.equal(receipt.collection.agent, `cachet-widget/${pkg.version}`);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
      await server.close();
    }
  });
});

// --- examples/ -----------------------------------------------------------------

const CACHET = process.env.CACHET_BIN || path.join(ROOT, 'build', 'cli', 'cachet');
if (process.env.CACHET_BIN) assert.ok(existsSync(CACHET), `CACHET_BIN=${CACHET} does not exist`);

describe('examples/', () => {
  const react = path.join(project, 'react');
  let reactDist;

  test('examples/react pins the versions the repository tests with', () => {
    const example = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'react', 'package.json'), 'utf8'));
    // This repository's package (a symlink); a project of yours names a version instead.
    assert.equal(example.dependencies['cachet-consent'], 'file:../..');
    for (const [name, version] of Object.entries({ ...example.dependencies, ...example.devDependencies })) {
      if (name !== 'cachet-consent') assert.equal(version, pkg.devDependencies[name], name);
    }
  });

  test('examples/react builds with Vite against the installed package', () => {
    // The example's sources in the consumer project; its tools from this repository's node_modules.
    mkdirSync(react);
    for (const name of ['index.html', 'vite.config.js', 'src']) cpSync(path.join(ROOT, 'examples', 'react', name), path.join(react, name), { recursive: true });
    for (const name of ['vite', '@vitejs/plugin-react', 'react', 'react-dom']) {
      mkdirSync(path.dirname(path.join(project, 'node_modules', name)), { recursive: true });
      symlinkSync(path.join(ROOT, 'node_modules', name), path.join(project, 'node_modules', name));
    }
    const built = run(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: react });
    assert.equal(built.status, 0, built.stdout + built.stderr);
    reactDist = path.join(react, 'dist');
    const assets = readdirSync(path.join(reactDist, 'assets'));
    assert.ok(assets.some((a) => /^cachet-.*\.wasm$/.test(a)), `Vite emitted cachet.wasm: ${assets.join(', ')}`);
    assert.ok(assets.some((a) => a.endsWith('.css')), 'the stylesheet came along');
  });

  describe('examples/backend with the real cachet serve', { skip: !existsSync(CACHET) && `${CACHET} is not built (cmake --build build --target cachet)` }, () => {
    let helpers;
    let cachetServer;
    let backend;
    let backendUrl;
    let data;

    before(async () => {
      helpers = await import('../server/helpers.mjs');
      const dir = helpers.tempDir();
      const key = helpers.keygen(dir);
      cachetServer = await helpers.startServer(dir, key, [], { config: path.join(ROOT, 'examples', 'consent.json') });
      data = path.join(dir, 'backend-data');
      backend = spawn(process.execPath, [path.join(ROOT, 'examples', 'backend', 'server.mjs')], {
        env: { ...process.env, PORT: '0', CACHET_URL: cachetServer.url, CACHET_ADMIN_TOKEN: helpers.ADMIN, DATA_DIR: data,
          REACT_DIST: reactDist || path.join(react, 'dist'), CACHET_DIST: path.join(project, 'node_modules', 'cachet-consent', 'dist') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      backend.stderr.on('data', (d) => { log += d; });
      backendUrl = await new Promise((resolve, reject) => {
        let out = '';
        backend.stdout.on('data', (d) => {
          out += d;
          const m = out.match(/on (http:\/\/[^\s]+)/);
          if (m) resolve(m[1]);
        });
        backend.on('exit', (code) => reject(new Error(`backend exited ${code}: ${log}`)));
      });
    });
    after(async () => {
      backend?.kill();
      await cachetServer?.stop();
    });

    // RFC 4180 records (quoted fields may hold commas, quotes and line breaks), header dropped.
    const contacts = () => {
      const rows = [];
      let row = [];
      let field = '';
      let quoted = false;
      const file = path.join(data, 'contacts.csv');
      if (!existsSync(file)) return rows; // the backend writes it with the first signup
      const text = readFileSync(file, 'utf8');
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
          if (c === '"' && text[i + 1] === '"') field += text[++i];
          else if (c === '"') quoted = false;
          else field += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') { row.push(field); field = ''; }
        else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
        else field += c;
      }
      return rows.slice(1);
    };
    const outbox = () => readFileSync(path.join(data, 'outbox.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

    async function checkSignup(email) {
      const row = contacts().find((r) => r[2] === email);
      assert.ok(row, `${email} is in contacts.csv`);
      const receiptId = row[4];
      const mail = outbox().find((m) => m.to === email);
      assert.ok(mail, `a message to ${email} is in the outbox`);
      assert.equal(mail.receiptId, receiptId);
      assert.ok(mail.text.includes(mail.link));
      // The receipt is in cachet serve's ledger, countersigned; the emailed link opens the person's preferences.
      const stored = await helpers.get(`${cachetServer.url}/api/receipts/${receiptId}`, { headers: helpers.adminHeaders });
      assert.equal(stored.status, 200, stored.text);
      const link = new URL(mail.link);
      const prefs = await helpers.get(`${cachetServer.url}/api/preferences?token=${encodeURIComponent(link.searchParams.get('token'))}`);
      assert.equal(prefs.status, 200, prefs.text);
      return { receiptId, prefs: prefs.json, stored: stored.json };
    }

    function watch(page) {
      const problems = [];
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
      // Chromium asks for /favicon.ico on its own; every other request must succeed.
      page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
      return problems;
    }

    test('the plain HTML page: signup, receipt countersigned, receipt id kept with the contact, link emailed', async () => {
      const page = await browser.newPage();
      const problems = watch(page);
      try {
        await page.goto(`${backendUrl}/`);
        await page.locator('#name').fill('Ada Lovelace');
        await page.locator('#email').fill('ada@example.org');
        await page.locator('.cachet [data-cachet-box="consent-email"]').check();
        await page.locator('button[type=submit]').click();
        await page.locator('.cachet .cachet__receipt').waitFor(); // the receipt copy, before the form leaves
        await Promise.all([page.waitForURL('**/signup'), page.locator('.cachet__continue').click()]);
        assert.match(await page.locator('[role=status]').innerText(), /We sent ada@example\.org a link/);
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
      }
      const { stored } = await checkSignup('ada@example.org');
      assert.match(JSON.stringify(stored), /"granted"/);
    });

    test('the Vite + React page: the same flow through fetch', async () => {
      assert.ok(reactDist, 'the Vite build succeeded');
      const page = await browser.newPage();
      const problems = watch(page);
      try {
        await page.goto(`${backendUrl}/react/`);
        await page.locator('#name').fill('Grace Hopper');
        await page.locator('#email').fill('grace@example.org');
        await page.locator('#address').fill('1 Navy Yard, Arlington');
        await page.locator('.cachet [data-cachet-box="consent-email"]').check();
        await page.locator('button[type=submit]').click();
        await page.locator('.cachet .cachet__receipt').waitFor(); // the receipt copy, then React sends the form
        await page.locator('.cachet__continue').click();
        await page.waitForSelector('.signup-done');
        assert.match(await page.locator('.signup-done').innerText(), /We sent grace@example\.org a link/);
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
      }
      const { receiptId } = await checkSignup('grace@example.org');
      const row = contacts().find((r) => r[4] === receiptId);
      assert.equal(row[1], 'Grace Hopper');
    });

    test('a signup without a receipt, or with a forged one, is refused and nothing is kept', async () => {
      const before = contacts().length;
      const post = (body) => fetch(`${backendUrl}/signup`, { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
      const missing = await post({ email: 'x@example.org' });
      assert.equal(missing.status, 400);
      assert.equal((await missing.json()).error.code, 'receipt_missing');
      const forged = await post({ email: 'x@example.org', cachet_receipt: '{"payload":"e30","signatures":[]}' });
      assert.equal(forged.status, 422);
      assert.ok((await forged.json()).error.code);
      assert.equal(contacts().length, before);
    });
  });
});
