// dist/cachet.js leaves the Emscripten glue out (docs/performance.md, "The
// compiled path"): the compiled path renders the choices from the notice
// bundle with plain JavaScript, so the first script the page runs is only the
// widget; the glue (dist/cachet-core.mjs) comes with cachet.wasm when the
// module is first needed, both fetched at once (web/core.mjs, loadModule).
// A module import from a classic script: allowed by script-src 'self'.

/** The factory of cachet.wasm's module, from cachet-core.mjs at `url`. */
export const loadCoreGlue = async (url) => (await import(url.href)).default;
