// <cachet-consent> in real Chromium under the strict CSP: the same widget,
// events and receipt as the data-attribute drop-in, and a life tied to the
// element's as frameworks handle it: moved (within its form, to another
// form, with moveBefore), removed, re-added, cloned, created by script with
// the config as a property. Listeners on the forms are counted through the
// DevTools protocol (DOMDebugger.getEventListeners), not through the widget.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { launch } from './browser.mjs';
import { startServer } from './server.mjs';
import { SignupPage } from './signup-page.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function openElementPage(name = 'element-csp.html') {
  const p = new SignupPage(await browser.newPage(), server.origin);
  await p.open(name);
  return p;
}

async function payloadOf(jwsText) {
  const { payload } = await jose.generalVerify(JSON.parse(jwsText), jose.EmbeddedJWK, { algorithms: ['Ed25519', 'ES256'] });
  return JSON.parse(new TextDecoder().decode(payload));
}

// {change: n, submit: n} listeners on the element `selector`, as DevTools sees them.
async function formListeners(p, selector) {
  const session = p.cdp ?? (p.cdp = await p.page.context().newCDPSession(p.page));
  const { result } = await session.send('Runtime.evaluate', { expression: `document.querySelector(${JSON.stringify(selector)})` });
  const { listeners } = await session.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
  await session.send('Runtime.releaseObject', { objectId: result.objectId });
  const count = { change: 0, submit: 0 };
  for (const l of listeners) if (l.type in count) count[l.type] += 1;
  return count;
}

// Lets disconnectedCallback's microtask and any mount in flight settle.
const settle = (p) => p.page.evaluate(async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await document.querySelector('cachet-consent')?.ready.catch(() => null);
});

describe('<cachet-consent>', () => {
  test('declared in a page under the strict CSP: mounts once, same events, receipt in the form, no violation', async () => {
    const p = await openElementPage();
    const setup = await p.page.evaluate(() => {
      const el = document.querySelector('#consent');
      window.__events = [];
      for (const type of ['cachet:change', 'cachet:invalid', 'cachet:receipt']) {
        // Events come from the element and bubble to the form, as with the data-attribute drop-in.
        document.querySelector('#form-a').addEventListener(type, (e) => window.__events.push([type, e.target.id]));
      }
      return { defined: customElements.get('cachet-consent') === el.constructor, widgets: el.querySelectorAll('.cachet').length };
    });
    assert.deepEqual(setup, { defined: true, widgets: 1 });
    assert.deepEqual(await formListeners(p, '#form-a'), { change: 1, submit: 1 });

    await p.box('consent-email').check();
    await p.page.locator('#submit-a').click();
    await p.page.waitForSelector('.cachet__alert-list');
    await p.page.locator('#email').fill('ada@example.org');
    const before = server.submissions.length;
    await p.page.locator('#submit-a').click();
    await p.continueFromCopy(); // the receipt copy, then the form leaves
    assert.equal(server.submissions.length, before + 1);
    const receipt = await payloadOf(server.submissions.at(-1).cachet_receipt);
    assert.equal(receipt.channels.email.decision, 'granted');
    assert.equal(receipt.collection.challenge, 'challenge-element', 'the challenge attribute reached the receipt');
    assert.match(receipt.collection.pageUrl, /element-csp\.html$/);
    assert.deepEqual(await p.cspViolations(), []);
    assert.deepEqual(p.consoleErrors, []);
    assert.deepEqual(p.pageErrors, []);
  });

  test('events on the element: change, invalid, receipt', async () => {
    const p = await openElementPage();
    const events = await p.page.evaluate(async () => {
      const el = document.querySelector('#consent');
      const seen = [];
      for (const type of ['cachet:change', 'cachet:invalid', 'cachet:receipt']) el.addEventListener(type, (e) => seen.push([type, Object.keys(e.detail).sort().join()]));
      const widget = await el.ready;
      el.querySelector('[data-cachet-box="consent-email"]').click();
      widget.validate();
      document.querySelector('#email').value = 'grace@example.org';
      await widget.receipt();
      return seen;
    });
    assert.deepEqual(events, [
      ['cachet:change', 'choices'],
      ['cachet:invalid', 'choices,errors'],
      ['cachet:receipt', 'jws,receipt'],
    ]);
    assert.equal(await p.page.locator('#form-a input[type=hidden][name=cachet_receipt]').count(), 1);
  });

  test('moved within its form (insertBefore, moveBefore): the same widget, the person\'s ticks kept, no second mount', async () => {
    const p = await openElementPage();
    await p.box('consent-email').check();
    const result = await p.page.evaluate(async () => {
      const el = document.querySelector('#consent');
      const form = document.querySelector('#form-a');
      const first = await el.ready;
      form.insertBefore(el, form.firstChild); // what a keyed list reorder does
      await new Promise((resolve) => setTimeout(resolve, 0));
      const afterInsert = el.widget === first;
      let afterMoveBefore = 'unsupported';
      if (typeof form.moveBefore === 'function') {
        form.moveBefore(el, form.lastElementChild);
        await new Promise((resolve) => setTimeout(resolve, 0));
        afterMoveBefore = el.widget === first;
      }
      return {
        afterInsert,
        afterMoveBefore,
        widgets: document.querySelectorAll('.cachet').length,
        ticked: el.querySelector('[data-cachet-box="consent-email"]').checked,
      };
    });
    assert.equal(result.afterInsert, true);
    assert.notEqual(result.afterMoveBefore, false);
    assert.equal(result.widgets, 1);
    assert.equal(result.ticked, true);
    assert.deepEqual(await formListeners(p, '#form-a'), { change: 1, submit: 1 });
    assert.deepEqual(p.pageErrors, []);
  });

  test('moved to another form: mounted afresh there; the listeners and the hidden input follow the form', async () => {
    const p = await openElementPage();
    await p.page.evaluate(async () => {
      const el = document.querySelector('#consent');
      await el.ready;
      document.querySelector('#form-b').prepend(el);
      await el.ready;
    });
    await settle(p);
    assert.deepEqual(await formListeners(p, '#form-a'), { change: 0, submit: 0 }, 'nothing left on the old form');
    assert.deepEqual(await formListeners(p, '#form-b'), { change: 1, submit: 1 });
    assert.equal(await p.page.locator('.cachet').count(), 1);

    await p.box('consent-email').check();
    await p.page.locator('#email-b').fill('linus@example.org');
    const before = server.submissions.length;
    await p.page.locator('#submit-b').click();
    await p.continueFromCopy(); // the receipt copy, then the form leaves
    assert.equal(server.submissions.length, before + 1);
    const submitted = server.submissions.at(-1);
    assert.equal(submitted.email, 'linus@example.org', 'form B was the one submitted');
    const receipt = await payloadOf(submitted.cachet_receipt);
    assert.equal(receipt.channels.email.decision, 'granted');
    assert.deepEqual(p.pageErrors, []);
  });

  test('removed: destroyed with its listeners; re-added: mounted once again; removed while mounting: nothing left', async () => {
    const p = await openElementPage();
    const removed = await p.page.evaluate(async () => {
      const el = document.querySelector('#consent');
      await el.ready;
      el.remove();
      await new Promise((resolve) => setTimeout(resolve, 0));
      return { widget: el.widget, rendered: el.querySelectorAll('.cachet').length };
    });
    assert.deepEqual(removed, { widget: null, rendered: 0 });
    assert.deepEqual(await formListeners(p, '#form-a'), { change: 0, submit: 0 });

    const again = await p.page.evaluate(async () => {
      // The element object survives in a framework's hands: keep it and put it back.
      const form = document.querySelector('#form-a');
      const el = document.createElement('cachet-consent');
      el.setAttribute('config', '/tests/browser/pages/consent.json');
      form.insertBefore(el, form.querySelector('p:last-of-type'));
      await el.ready;
      el.remove();
      await new Promise((resolve) => setTimeout(resolve, 0));
      form.insertBefore(el, form.querySelector('p:last-of-type'));
      const widget = await el.ready;
      // Removed and re-added again before the mount resolved, then removed for good while mounting.
      const other = document.createElement('cachet-consent');
      other.setAttribute('config', '/tests/browser/pages/consent.json');
      document.querySelector('#outside').append(other);
      other.remove();
      document.querySelector('#outside').append(other);
      other.remove();
      await other.ready.catch(() => null);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return {
        mounted: widget !== null && el.widget === widget,
        rendered: el.querySelectorAll('.cachet').length,
        total: document.querySelectorAll('.cachet').length,
        otherWidget: other.widget,
        otherRendered: other.querySelectorAll('.cachet').length,
      };
    });
    assert.deepEqual(again, { mounted: true, rendered: 1, total: 1, otherWidget: null, otherRendered: 0 });
    assert.deepEqual(await formListeners(p, '#form-a'), { change: 1, submit: 1 });
    assert.deepEqual(p.pageErrors, []);
  });

  test('created by script with the config object as a property (React 19, Vue), or cloned from a rendered one', async () => {
    const p = await openElementPage();
    const result = await p.page.evaluate(async () => {
      const config = await (await fetch('/tests/browser/pages/consent.json')).json();
      const el = document.createElement('cachet-consent');
      el.config = config;
      el.setAttribute('locale', 'en');
      document.querySelector('#form-b').prepend(el);
      const widget = await el.ready;
      // A template engine copying a rendered element copies the widget's markup too.
      const copy = document.querySelector('#consent').cloneNode(true);
      copy.id = 'copy';
      document.querySelector('#outside').append(copy);
      await copy.ready;
      return {
        locale: widget.locale,
        heading: el.querySelector('legend').textContent,
        copyWidgets: copy.querySelectorAll('.cachet').length,
        total: document.querySelectorAll('.cachet').length,
      };
    });
    assert.equal(result.locale, 'en');
    assert.match(result.heading, /partner/i);
    assert.equal(result.copyWidgets, 1, 'the copied markup was replaced, not doubled');
    assert.equal(result.total, 3);
    assert.deepEqual(p.pageErrors, []);
  });

  test('an inline JSON config works under the strict CSP', async () => {
    const p = await openElementPage('element-inline-csp.html');
    assert.equal(await p.page.locator('.cachet [data-cachet-box]').count(), 1);
    await p.page.locator('#email').fill('ines@example.org');
    await p.box('consent-email').check();
    const before = server.submissions.length;
    await p.page.locator('button[type=submit]').click();
    await p.continueFromCopy(); // the receipt copy, then the form leaves
    assert.equal(server.submissions.length, before + 1);
    assert.equal((await payloadOf(server.submissions.at(-1).cachet_receipt)).channels.email.decision, 'granted');
    assert.deepEqual(await p.cspViolations(), []);
    assert.deepEqual(p.pageErrors, []);
  });

  test('a config the core refuses: one console error, no choices but the polite message, ready rejects with the code', async () => {
    const p = await openElementPage();
    p.consoleErrors.length = 0;
    const outcome = await p.page.evaluate(async () => {
      const el = document.createElement('cachet-consent');
      el.setAttribute('config', '/tests/browser/pages/javascript-url.json');
      document.querySelector('#outside').append(el);
      const error = await el.ready.then(() => null, (e) => ({ name: e.name, code: e.code }));
      const missing = document.createElement('cachet-consent');
      document.querySelector('#outside').append(missing);
      const why = await missing.ready.then(() => null, (e) => e.message);
      return {
        error,
        why,
        boxes: el.querySelectorAll('[data-cachet-box]').length,
        unavailable: el.querySelectorAll('.cachet--unavailable').length,
      };
    });
    assert.deepEqual(outcome.error, { name: 'CachetError', code: 'config_url_not_https' });
    assert.match(outcome.why, /needs a config attribute/);
    assert.equal(outcome.boxes, 0);
    assert.equal(outcome.unavailable, 1, 'the person is told the choices cannot be shown');
    assert.equal(p.consoleErrors.length, 2, p.consoleErrors.join('\n'));
    assert.match(p.consoleErrors[0], /config_url_not_https/);
    assert.deepEqual(p.pageErrors, []);
  });
});

// The same life driven by a real framework: React 19 (from node_modules) renders
// the element in a keyed list, reorders it (React moves the node with
// insertBefore), unmounts it and mounts a new one. The bundle is run with
// page.evaluate, which the page's CSP does not govern; the widget itself still
// loads and signs under the strict CSP.
describe('<cachet-consent> rendered by React', () => {
  test('reordered: same widget, ticks kept; unmounted: destroyed; mounted again: one widget', async () => {
    const esbuild = await import('esbuild');
    const app = `
      import { createRoot } from 'react-dom/client';
      import { flushSync } from 'react-dom';
      const root = createRoot(document.querySelector('#outside'));
      function App({ items }) {
        return (
          <form id="react-form" method="post" action="/submit">
            <input id="react-email" name="email" type="email" />
            {items.map((k) => (k === 'consent'
              ? <cachet-consent key="consent" config="/tests/browser/pages/consent.json" locale="en" />
              : <p key={k} className="row">{k}</p>))}
            <button type="submit">Go</button>
          </form>
        );
      }
      window.__render = (items) => flushSync(() => root.render(<App items={items} />));`;
    const built = await esbuild.build({ stdin: { contents: app, loader: 'jsx', resolveDir: process.cwd() }, bundle: true, write: false,
      format: 'iife', jsx: 'automatic', define: { 'process.env.NODE_ENV': '"production"' }, minify: true, logLevel: 'error' });
    const p = await openElementPage();
    await p.page.evaluate(built.outputFiles[0].text);

    const first = await p.page.evaluate(async () => {
      window.__render(['a', 'consent', 'b']);
      const el = document.querySelector('#react-form cachet-consent');
      window.__first = await el.ready;
      el.querySelector('[data-cachet-box="consent-email"]').click();
      return el.querySelectorAll('.cachet').length;
    });
    assert.equal(first, 1);
    const reordered = await p.page.evaluate(async () => {
      window.__render(['consent', 'b', 'a']);
      window.__render(['b', 'a', 'consent']);
      await new Promise((resolve) => setTimeout(resolve, 0));
      const el = document.querySelector('#react-form cachet-consent');
      return {
        order: [...document.querySelector('#react-form').children].map((n) => n.localName),
        same: el.widget === window.__first,
        ticked: el.querySelector('[data-cachet-box="consent-email"]').checked,
        widgets: document.querySelectorAll('#react-form .cachet').length,
      };
    });
    assert.deepEqual(reordered, { order: ['input', 'p', 'p', 'cachet-consent', 'button'], same: true, ticked: true, widgets: 1 });
    assert.deepEqual(await formListeners(p, '#react-form'), { change: 1, submit: 1 });

    await p.page.evaluate(async () => {
      window.__render(['a', 'b']);
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    assert.deepEqual(await formListeners(p, '#react-form'), { change: 0, submit: 0 }, 'unmounting removed the listeners');

    const again = await p.page.evaluate(async () => {
      window.__render(['consent', 'a', 'b']);
      const el = document.querySelector('#react-form cachet-consent');
      const widget = await el.ready;
      return { fresh: widget !== window.__first, widgets: document.querySelectorAll('#react-form .cachet').length };
    });
    assert.deepEqual(again, { fresh: true, widgets: 1 });
    assert.deepEqual(await formListeners(p, '#react-form'), { change: 1, submit: 1 });

    // And it signs: the receipt lands in React's form.
    await p.page.locator('#react-email').fill('react@example.org');
    await p.page.locator('#react-form [data-cachet-box="consent-email"]').check();
    const before = server.submissions.length;
    await p.page.locator('#react-form button[type=submit]').click();
    await p.continueFromCopy(); // the receipt copy, then the form leaves
    assert.equal(server.submissions.length, before + 1);
    assert.equal(server.submissions.at(-1).email, 'react@example.org');
    assert.equal((await payloadOf(server.submissions.at(-1).cachet_receipt)).channels.email.decision, 'granted');
    assert.deepEqual(await p.cspViolations(), []);
    assert.deepEqual(p.pageErrors, []);
  });
});
