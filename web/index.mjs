// ES module entry (dist/cachet.mjs): the widget in browsers, and lint / verify /
// canonicalize under Node, from one file. cachet.wasm sits beside it.
import { setWasmLocation } from './core.mjs';

setWasmLocation(new URL('cachet.wasm', import.meta.url));

export { VERSION, CachetError, lint, canonicalize, verify, build, issueReceipt, receiptText, loadCore as ready } from './core.mjs';
export { mount, showReceiptCopy } from './widget.mjs';
export { autoMount } from './loader.mjs';
export { defineElement, ELEMENT_NAME } from './element.mjs';
