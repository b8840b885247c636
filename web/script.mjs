// Script-tag entry (dist/cachet.js, global `Cachet`): mounts every
// [data-cachet-config] once the document is parsed. cachet.wasm is fetched from
// beside the script; its compile starts at once, in parallel with the page.
import { loadModule, setWasmLocation } from './core.mjs';
import { defineElement } from './element.mjs';
import { autoMount } from './loader.mjs';

const script = document.currentScript;
setWasmLocation(new URL(script?.getAttribute('data-cachet-wasm') || 'cachet.wasm', script?.src || location.href));
loadModule().catch((error) => console.error('Cachet: the WebAssembly module could not be loaded.', error));

// <cachet-consent config="…"> works as soon as the script has run (CMS templates).
if (globalThis.customElements) defineElement();

if (!script || script.getAttribute('data-cachet-auto') !== 'false') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => autoMount(), { once: true });
  else autoMount();
}

export { VERSION, CachetError, lint, canonicalize, verify, issueReceipt, receiptText, loadCore as ready } from './core.mjs';
export { mount, showReceiptCopy } from './widget.mjs';
export { autoMount } from './loader.mjs';
export { defineElement, ELEMENT_NAME } from './element.mjs';
