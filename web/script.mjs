// Script-tag entry (dist/cachet.js, global `Cachet`): mounts every
// [data-cachet-config] once the document is parsed. cachet.wasm is fetched from
// beside the script; without a notice bundle its compile starts at once, in
// parallel with the page. With one (data-cachet-bundle, the compiled path) the
// choices need no wasm, which then loads after first paint (web/widget.mjs).
import { loadModule, setWasmLocation } from './core.mjs';
import { defineElement } from './element.mjs';
import { autoMount } from './loader.mjs';

const script = document.currentScript;
setWasmLocation(new URL(script?.getAttribute('data-cachet-wasm') || 'cachet.wasm', script?.src || location.href));
const loadEarly = () => {
  if (document.querySelector('[data-cachet-bundle], cachet-consent[bundle]')) return;
  loadModule().catch((error) => console.error('Cachet: the WebAssembly module could not be loaded.', error));
};
// A deferred script runs once the document is parsed, so the bundle attribute
// is there to see; a script in the head waits for the parse to know.
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', loadEarly, { once: true });
else loadEarly();

// <cachet-consent config="…"> works as soon as the script has run (CMS templates).
if (globalThis.customElements) defineElement();

if (!script || script.getAttribute('data-cachet-auto') !== 'false') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => autoMount(), { once: true });
  else autoMount();
}

export { VERSION, CachetError, lint, canonicalize, verify, build, issueReceipt, receiptText, loadCore as ready } from './core.mjs';
export { mount, showReceiptCopy } from './widget.mjs';
export { autoMount } from './loader.mjs';
export { defineElement, ELEMENT_NAME } from './element.mjs';
