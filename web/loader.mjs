// The script-tag drop-in: finds <div data-cachet-config="/consent.json"> or
// <script type="application/json" data-cachet-config> inside forms and mounts
// the widget there (DESIGN.md 3.4).
import { loadCore } from './core.mjs';
import { mount, renderUnavailable, showReceiptCopy } from './widget.mjs';

/** Fetches a configuration's JSON text (same-origin credentials); throws a sentence naming the URL. */
export async function fetchConfig(url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`Cachet: could not load the configuration ${url} (HTTP ${response.status}).`);
  return response.text();
}

async function configOf(node) {
  if (node.tagName === 'SCRIPT') return node.textContent;
  return fetchConfig(node.getAttribute('data-cachet-config'));
}

// The notice bundle beside the config (data-cachet-bundle="/consent.bundle.json",
// written by `cachet build`): fetched in parallel with it. One that cannot be
// fetched is not an error for the person: the widget takes the safe path.
async function bundleOf(node) {
  const url = node.getAttribute('data-cachet-bundle');
  return url ? fetchBundle(url, node.ownerDocument) : null;
}

/**
 * A notice bundle's JSON text, or null (with one console.warn) when it cannot
 * be had. `#id` names an element of the page holding it (a
 * <script type="application/json" id="…">): no request at all, where a
 * fetched bundle, even preloaded, is a round trip through the network stack
 * on the way to the first checkbox (docs/performance.md).
 */
export async function fetchBundle(url, doc = globalThis.document) {
  if (url.startsWith('#')) {
    const inline = doc?.getElementById(url.slice(1));
    if (inline) return inline.textContent;
    console.warn(`Cachet: the notice bundle is not used: the page has no element with the id "${url.slice(1)}"; the choices are rendered from the configuration instead.`);
    return null;
  }
  try {
    return await fetchConfig(url);
  } catch (error) {
    console.warn(`Cachet: the notice bundle is not used: it could not be loaded (${error.message}); the choices are rendered from the configuration instead.`);
    return null;
  }
}

/**
 * Mounts every widget declared in `root`, and fills every
 * [data-cachet-kept-receipt] with the receipt copy a form sent with
 * receiptCopy "next-page" left; resolves to the mounted widgets.
 */
export async function autoMount(root = document) {
  for (const node of root.querySelectorAll('[data-cachet-kept-receipt]')) {
    if (node.cachetMounted) continue;
    node.cachetMounted = true;
    showReceiptCopy(node).catch((error) => console.error('Cachet: the receipt copy could not be shown.', error));
  }
  const nodes = [...root.querySelectorAll('[data-cachet-config]')].filter((n) => !n.cachetMounted);
  const widgets = await Promise.all(
    nodes.map(async (node) => {
      node.cachetMounted = true;
      // An inline JSON script cannot hold the widget: mount beside it.
      let host = node;
      if (node.tagName === 'SCRIPT') {
        host = document.createElement('div');
        host.className = 'cachet-host';
        node.after(host);
      }
      let config;
      const bundle = bundleOf(node);
      try {
        config = await configOf(node);
      } catch (error) {
        console.error(error);
        const lang = (host.closest('[lang]')?.getAttribute('lang') || '').split('-')[0].toLowerCase();
        renderUnavailable(host, lang, await loadCore().catch(() => null));
        return null;
      }
      try {
        const found = await bundle;
        const widget = await mount(host, config, found == null ? {} : { bundle: found });
        node.cachetWidget = widget;
        return widget;
      } catch (error) {
        // mount() already logged the config's problems and told the person; say what else failed.
        if (!error || error.name !== 'CachetError') console.error(error);
        return null;
      }
    }),
  );
  return widgets.filter(Boolean);
}
