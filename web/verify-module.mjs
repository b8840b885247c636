// Entry of dist/cachet-verify.mjs: the verification module's Emscripten
// factory (cachet-verify.wasm), imported by core.mjs on the first verify() or
// canonicalize(). A signup page never loads it.
export { default } from 'cachet-verify-glue';
