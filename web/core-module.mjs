// Entry of dist/cachet-core.mjs: the widget module's Emscripten factory
// (cachet.wasm), which dist/cachet.js imports when the module is first needed
// (web/core-glue-script.mjs). dist/cachet.mjs bundles it instead.
export { default } from 'cachet-core-glue';
