// The friendly face of the wasm module (bindings.cpp): JSON in, objects out,
// WebCrypto between the two phases of building and verifying a receipt.
// Every consent rule lives in the core; this file only moves data.
import { loadCoreGlue } from './core-glue.mjs';
import {
  b64urlDecode, hmacSha256Hex, newSigningKey, randomB64url, sha256B64url, sha256Hex, verifySignature,
} from './crypto.mjs';

export const VERSION = typeof __CACHET_VERSION__ === 'string' ? __CACHET_VERSION__ : '0.0.0';
export const AGENT = `cachet-widget/${VERSION}`;

/** Error thrown at the JS edge: `.code` is the first problem's stable code, `.problems` all of them. */
export class CachetError extends Error {
  constructor(problems) {
    const list = problems && problems.length ? problems : [{ code: 'cachet_error', path: '', message: 'Unknown error.' }];
    super(list.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('\n'));
    this.name = 'CachetError';
    this.code = list[0].code;
    this.problems = list;
  }
}

// Where the wasm bytes come from; set by the entry point (script tag or ES module).
// The verification module (cachet-verify.mjs + cachet-verify.wasm) sits beside it.
let wasmLocation = null;
export function setWasmLocation(url) {
  wasmLocation = url;
}
const wasmUrl = (name) => {
  const base = wasmLocation instanceof URL ? wasmLocation : new URL(String(wasmLocation || 'cachet.wasm'), globalThis.location?.href);
  return name ? new URL(name, base) : base;
};

// Compiles and instantiates the wasm from a fetch already under way (streaming
// when the server says application/wasm, as Emscripten's own loader does).
async function instantiateFrom(responsePromise, imports) {
  const response = await responsePromise;
  if (!response.ok) throw new Error(`Cachet: could not load ${response.url} (HTTP ${response.status}).`);
  if (typeof WebAssembly.instantiateStreaming === 'function' && /^application\/wasm\b/.test(response.headers.get('content-type') || '')) {
    return WebAssembly.instantiateStreaming(response, imports);
  }
  return WebAssembly.instantiate(await response.arrayBuffer(), imports);
}

// `response`: the wasm's fetch, started by the caller beside the glue's (the
// Emscripten loader would only start it once the glue has run).
async function instantiate(factory, url, response = null) {
  const options = { print: () => {}, printErr: (line) => console.warn(`[cachet] ${line}`) };
  let failed = null;
  if (url.protocol === 'file:') {
    // Node 20's fetch cannot read a file: hand the bytes in (DESIGN.md section 6).
    // Reached through process.getBuiltinModule, not import('node:fs/promises'):
    // a bundler building a page from the npm package must not see a Node module.
    const { readFile } = globalThis.process.getBuiltinModule('node:fs/promises');
    options.wasmBinary = await readFile(url);
  } else if (response) {
    failed = new Promise((resolve, reject) => {
      options.instantiateWasm = (imports, receive) => {
        instantiateFrom(response, imports).then((result) => receive(result.instance, result.module), reject);
        return {};
      };
    });
  } else {
    options.locateFile = () => url.href;
  }
  return failed ? Promise.race([factory(options), failed]) : factory(options);
}

// Loads a module once; later calls share it; a failure lets the next call retry.
function once(load) {
  let promise = null;
  return () => {
    if (!promise) {
      promise = load();
      promise.catch(() => {
        promise = null;
      });
    }
    return promise;
  };
}

/** Loads the widget's wasm module (cachet.wasm) once; later calls share it. */
export const loadModule = once(async () => {
  const url = wasmUrl();
  // Glue and wasm are fetched side by side (dist/cachet.js has the glue in a
  // file of its own, cachet-core.mjs beside cachet.wasm).
  const response = url.protocol === 'file:' ? null : fetch(url, { credentials: 'same-origin' });
  response?.catch(() => {});
  const factory = await loadCoreGlue(wasmUrl('cachet-core.mjs'));
  return instantiate(factory, url, response);
});

// Verification and RFC 8785 live in a second module that a signup page never
// needs, so the widget does not download it (DESIGN.md section 5).
const loadVerifyModule = once(async () => {
  const glue = await import(wasmUrl('cachet-verify.mjs').href);
  return instantiate(glue.default, wasmUrl('cachet-verify.wasm'));
});

const configText = (config) => (typeof config === 'string' ? config : JSON.stringify(config));

// One call into a loaded module: JSON text in, the parsed result object out.
const caller = (mod) => (name, ...args) => JSON.parse(mod[name](...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))));
const must = (result) => {
  if (!result.ok) throw new CachetError(result.errors);
  return result;
};

// The widget's module, bound: synchronous calls, plus the async receipt().
export function bind(mod) {
  const call = caller(mod);
  return {
    notice: (config, locale, options = {}) => call('notice', configText(config), locale || '', options),
    // Box states {boxes: {id: ticked}, contacts} -> {decisions, contacts}: the core decides what a box means.
    decisions: (config, boxes, locale) => must(call('decisions', configText(config), boxes, locale)).choices,
    validateChoices: (config, choices, locale) => call('validateChoices', configText(config), choices, locale),
    // With the config (object or text) the receipt was made under, the copy names the partners.
    receiptText: (payload, locale, config = '') => must(call('receiptText', configText(payload), locale, config ? configText(config) : '')).text,
    // The widget's own words from the core's message table: {locale, texts}.
    uiText: (locale) => must(call('uiText', locale || '')),

    // Plans, hashes, signs and assembles a receipt (DESIGN.md 3.2).
    async receipt(config, choices, context) {
      const plan = must(call('planReceipt', configText(config), choices, context)).plan;
      const digests = {};
      for (const [name, b64] of Object.entries(plan.digestInputs)) digests[name] = await sha256Hex(b64urlDecode(b64));
      // Keyed contact digests (version 2): the core says what and under which key.
      for (const [name, b64] of Object.entries(plan.keyedInputs || {})) {
        digests[name] = await hmacSha256Hex(b64urlDecode(plan.digestKey), b64urlDecode(b64));
      }
      const { payload } = must(call('finishReceipt', plan, digests));
      const key = await newSigningKey();
      const prepared = must(call('prepareSignature', key.jwk, {}, payload));
      const signature = await key.sign(prepared.signingInput);
      const { jws } = must(call('addSignature', 'null', prepared.payloadB64, prepared.protected, signature));
      return { jws, payload, receipt: JSON.parse(payload) };
    },
  };
}

// The verification module, bound.
function bindVerify(mod) {
  const call = caller(mod);
  return {
    lint: (config, locale = 'en') => call('lint', configText(config), locale),
    canonicalize: (text) => must(call('canonicalize', text)).canonical,

    // Verifies a receipt: {ok: true, receipt} or {ok: false, errors}; never throws on bad input.
    async verify(jwsText, options = {}) {
      const plan = call('planVerification', jwsText);
      if (!plan.ok) return { ok: false, errors: plan.errors };
      const valid = [];
      const thumbprints = [];
      for (const s of plan.signatures) {
        valid.push(await verifySignature(s.alg, s.jwk, s.signingInput, s.signature));
        thumbprints.push(await sha256B64url(s.thumbprintInput));
      }
      const payloadSha256 = await sha256Hex(b64urlDecode(plan.payloadB64));
      const done = call('finishVerification', jwsText, valid, thumbprints, payloadSha256, options);
      return done.ok ? { ok: true, receipt: done.receipt } : { ok: false, errors: done.errors };
    },

    // `cachet build` (core/include/cachet/bundle.h): the core plans, WebCrypto
    // hashes, the core writes the file's bytes (the same as the native command's).
    async build(text, locale, locales) {
      const plan = must(call('planBundle', text, locale, locales));
      const digests = {};
      for (const [name, b64] of Object.entries(plan.digestInputs)) digests[name] = await sha256Hex(b64urlDecode(b64));
      const { content } = must(call('bundleContent', plan.content, digests));
      return must(call('sealBundle', content, await sha256Hex(content))).bundle;
    },
  };
}

/** The loaded widget core with synchronous methods (and the async receipt()). */
export const loadCore = once(() => loadModule().then(bind));
const loadVerifier = once(() => loadVerifyModule().then(bindVerify));

// --- the module API (DESIGN.md 3.4): the same in the browser and under Node ---

/** Lints a config (object or JSON text): {ok, errors, warnings}. */
export async function lint(config, options = {}) {
  return (await loadVerifier()).lint(config, options.locale);
}

/**
 * Why a config is refused, in words. The widget's module carries no lint
 * messages (a valid config never shows one; wasm/CMakeLists.txt): its problems
 * name a code and a path, and the verification module, loaded only now, says
 * the rest. Returns `problems` unchanged when the config lints clean (they were
 * about something else) or the module cannot be loaded.
 */
export async function describeRefusal(config, locale, problems) {
  try {
    const linted = (await loadVerifier()).lint(config, locale || 'en');
    return linted.ok ? problems : linted.errors;
  } catch {
    return problems;
  }
}

// Runs `fn`; a CachetError it throws is described again if the config is refused.
async function describingRefusal(config, locale, fn) {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof CachetError)) throw error;
    const described = await describeRefusal(config, locale, error.problems);
    throw described === error.problems ? error : new CachetError(described);
  }
}

/** RFC 8785 canonical form of a JSON text; throws CachetError (.code) on bad input. */
export async function canonicalize(text) {
  return (await loadVerifier()).canonicalize(text);
}

/** Verifies a receipt JWS (text): {ok, receipt} or {ok: false, errors}. */
export async function verify(jws, options = {}) {
  return (await loadVerifier()).verify(typeof jws === 'string' ? jws : JSON.stringify(jws), options);
}

/**
 * The notice bundle of a config for the widget's compiled path (docs/widget.md):
 * exactly the bytes `cachet build` writes. A config with lint errors is refused:
 * throws a CachetError whose .problems are the lint errors.
 * options.locale: language of the messages when the config's own cannot be read;
 * options.locales: carry only these locales (and the config's default), as `cachet build --only`.
 */
export async function build(config, options = {}) {
  return (await loadVerifier()).build(configText(config), options.locale || 'en', [...(options.locales || [])].map(String));
}

/** Builds and signs a receipt outside the widget (e.g. in Node): {jws, payload, receipt}. */
export async function issueReceipt(config, choices, context = {}) {
  const core = await loadCore();
  const full = fullContext(context);
  return describingRefusal(config, full.locale, () => core.receipt(config, choices, full));
}

/** Human-readable text of a receipt payload (Kantara CR section 4.7); given its config, it names the partners. */
export async function receiptText(payload, locale, config) {
  const core = await loadCore();
  if (!config) return core.receiptText(payload, locale);
  return describingRefusal(config, locale, () => core.receiptText(payload, locale, config));
}

// RFC 3339 UTC without milliseconds, as receipts carry it.
export const nowRfc3339 = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function fullContext(context) {
  return {
    receiptId: globalThis.crypto.randomUUID(),
    issuedAt: nowRfc3339(),
    collectionMethod: 'web-form',
    agent: AGENT,
    salt: randomB64url(16),
    globalPrivacyControl: false,
    ...context,
  };
}
