// The widget module's Emscripten glue, bundled in: dist/cachet.mjs stays one
// file for Node and for bundlers (esbuild, Vite), which see a static import.
// dist/cachet.js takes web/core-glue-script.mjs instead (scripts/build-dist.mjs).
import createCachetCore from 'cachet-core-glue';

/** The factory of cachet.wasm's module (`url` unused: the glue is already here). */
export const loadCoreGlue = async () => createCachetCore;
