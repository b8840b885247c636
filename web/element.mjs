// <cachet-consent config="/consent.json">: the widget as a custom element, so
// it drops into React, Vue, Svelte or a CMS template with no wrapper. It adds
// no behaviour of its own: it mounts the same widget through mount() (same
// events on the element, same hidden input in the enclosing form, every rule
// in the core) and ties the widget's life to the element's:
//
// - connected: mount (once; a second connect while mounted or mounting is a no-op);
// - moved (frameworks remove and re-insert a node within one task, or use
//   moveBefore()): the widget stays as it is when the enclosing form is the
//   same; in another form it is mounted afresh, so the listeners and the
//   hidden input follow the form that now holds it;
// - removed (still out of the document at the next microtask): destroy(), which
//   removes its listeners from the form; re-adding mounts afresh.
import { fetchBundle, fetchConfig } from './loader.mjs';
import { mount } from './widget.mjs';

export const ELEMENT_NAME = 'cachet-consent';

// attribute -> mount option (docs/widget.md, "Custom element").
const OPTION_ATTRIBUTES = { locale: 'locale', challenge: 'challenge', 'digest-salt': 'digestSalt', 'digest-key': 'digestKey' };
const OBSERVED = ['config', 'bundle', 'submit', ...Object.keys(OPTION_ATTRIBUTES)];

// Per-element state, out of reach of the page (no expando properties).
const states = new WeakMap();
function stateOf(element) {
  let s = states.get(element);
  if (!s) {
    s = { widget: null, form: null, generation: 0, mounting: false, ready: null, configObject: null, fetched: null };
    states.set(element, s);
  }
  return s;
}

const formOf = (element) => element.closest('form');

const parsed = (doc) =>
  doc.readyState !== 'loading' ? Promise.resolve() : new Promise((resolve) => doc.addEventListener('DOMContentLoaded', resolve, { once: true }));

// The config, in this order: the `config` property set to an object, the
// `config` attribute (a URL), a child <script type="application/json">.
async function configFor(element, s) {
  if (s.configObject) return s.configObject;
  const url = element.getAttribute('config');
  if (url) {
    if (!s.fetched || s.fetched.url !== url) s.fetched = { url, text: await fetchConfig(url) };
    return s.fetched.text;
  }
  // Connected while the parser is still inside the element: its children come later.
  if (!element.querySelector(':scope > script[type="application/json"]')) await parsed(element.ownerDocument);
  const inline = element.querySelector(':scope > script[type="application/json"]');
  if (inline) return inline.textContent;
  throw new Error(`Cachet: <${element.localName}> needs a config attribute (the config's URL), a config property or a child <script type="application/json">.`);
}

function optionsFor(element) {
  const options = {};
  for (const [attribute, option] of Object.entries(OPTION_ATTRIBUTES)) {
    if (element.hasAttribute(attribute)) options[option] = element.getAttribute(attribute);
  }
  if (element.getAttribute('submit') === 'false') options.submit = false;
  return options;
}

function teardown(element) {
  const s = stateOf(element);
  s.generation += 1; // a mount still in flight destroys what it made
  s.mounting = false;
  if (s.widget) {
    s.widget.destroy();
    s.widget = null;
  }
  s.form = null;
}

function start(element) {
  teardown(element);
  const s = stateOf(element);
  const generation = s.generation;
  s.form = formOf(element);
  s.mounting = true;
  s.ready = (async () => {
    try {
      // The notice bundle (compiled path, docs/widget.md), fetched beside the config.
      const bundleUrl = element.getAttribute('bundle');
      const bundle = bundleUrl ? fetchBundle(bundleUrl, element.ownerDocument) : null;
      const config = await configFor(element, s);
      const options = optionsFor(element);
      const found = await bundle;
      if (found != null) options.bundle = found;
      if (generation !== s.generation) return null;
      // Markup a framework or a template copied from a rendered element (cloneNode) is not ours.
      for (const child of [...element.children]) if (child.classList.contains('cachet')) child.remove();
      const widget = await mount(element, config, options);
      if (generation !== s.generation) {
        widget.destroy();
        return null;
      }
      s.widget = widget;
      return widget;
    } catch (error) {
      // mount() already logged a refused config; say what else failed.
      if (generation === s.generation && (!error || error.name !== 'CachetError')) console.error(error);
      throw error;
    } finally {
      if (generation === s.generation) s.mounting = false;
    }
  })();
  // Awaiting `ready` is optional: no unhandled rejection when nobody does.
  s.ready.catch(() => {});
}

function moved(element) {
  const s = stateOf(element);
  if ((s.widget || s.mounting) && formOf(element) === s.form) return;
  start(element);
}

function defineClass(Base) {
  return class CachetConsentElement extends Base {
    static get observedAttributes() {
      return OBSERVED;
    }

    constructor() {
      super();
      // A framework may set `config` before the element is defined (upgrade):
      // that own property would hide the accessor; replay it through it.
      if (Object.prototype.hasOwnProperty.call(this, 'config')) {
        const value = this.config;
        delete this.config;
        this.config = value;
      }
    }

    connectedCallback() {
      moved(this);
    }

    // moveBefore() keeps the element connected: same check as a re-insert.
    connectedMoveCallback() {
      moved(this);
    }

    disconnectedCallback() {
      // A move is a remove and an insert in the same task: only tear down if it stays out.
      queueMicrotask(() => {
        if (!this.isConnected) teardown(this);
      });
    }

    attributeChangedCallback(name, previous, value) {
      if (previous === value || !this.isConnected) return;
      const s = stateOf(this);
      if (s.widget || s.mounting) start(this);
    }

    /** The config: an object set as the property, else the `config` attribute (a URL). */
    get config() {
      return stateOf(this).configObject ?? this.getAttribute('config');
    }

    set config(value) {
      const s = stateOf(this);
      if (value && typeof value === 'object') {
        s.configObject = value;
        if (this.isConnected) start(this);
      } else {
        s.configObject = null;
        if (value == null || value === '') this.removeAttribute('config');
        else this.setAttribute('config', String(value));
      }
    }

    /** The mounted widget (choices(), validate(), receipt(), …), or null. */
    get widget() {
      return stateOf(this).widget;
    }

    /** Resolves to the widget once mounted (null when replaced meanwhile); rejects when mounting failed. */
    get ready() {
      return stateOf(this).ready ?? Promise.resolve(null);
    }
  };
}

/**
 * Defines <cachet-consent> (or `name`) in the page's custom element registry;
 * returns the class. Defining twice returns the first definition.
 */
export function defineElement(name = ELEMENT_NAME, registry = globalThis.customElements) {
  if (!registry || typeof globalThis.HTMLElement !== 'function') {
    throw new Error('Cachet: defineElement() needs a browser (customElements and HTMLElement).');
  }
  const existing = registry.get(name);
  if (existing) return existing;
  const element = defineClass(globalThis.HTMLElement);
  registry.define(name, element);
  return element;
}
