// The compiled path (docs/widget.md): a notice bundle written by `cachet build`
// holds the core's notice for every locale, so the widget shows the choices
// without running the core first. This file only checks that a bundle is
// whole and belongs to the config; it decides nothing about consent (what is
// shown is exactly what the core built, and the core checks it again once
// it has loaded, web/widget.mjs).
import { canonicalJson } from './canonical.mjs';
import { sha256Hex } from './crypto.mjs';

export const BUNDLE_VERSION = 1;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isHex64 = (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

// What the renderer reads of one locale's entry; anything else is malformed.
function entryProblem(name, entry) {
  if (!isObject(entry)) return `its locale "${name}" is not an object`;
  const { notice, initialBoxes, ui } = entry;
  if (!isObject(notice) || !Array.isArray(notice.boxes) || !Array.isArray(notice.partners)) {
    return `its locale "${name}" has no notice with boxes and partners`;
  }
  if (notice.locale !== name) return `its locale "${name}" holds a notice in "${notice.locale}"`;
  for (const box of notice.boxes) {
    if (!isObject(box) || typeof box.id !== 'string' || typeof box.label !== 'string' || !Array.isArray(box.channels)) {
      return `a box of its locale "${name}" is malformed`;
    }
  }
  if (!isObject(initialBoxes) || !isObject(initialBoxes.default) || !isObject(initialBoxes.globalPrivacyControl)) {
    return `its locale "${name}" has no initial box states`;
  }
  if (!isObject(ui)) return `its locale "${name}" has no widget texts`;
  return '';
}

function shapeProblem(bundle) {
  if (!isObject(bundle) || !isObject(bundle.content) || !isHex64(bundle.integritySha256)) {
    return 'it is not a Cachet notice bundle ({content, integritySha256})';
  }
  const c = bundle.content;
  if (c.bundleVersion !== BUNDLE_VERSION) return `its bundleVersion is not ${BUNDLE_VERSION}`;
  if (!isHex64(c.configSha256)) return 'it has no configSha256';
  if (!isObject(c.lint) || c.lint.ok !== true) return 'its lint result is not ok';
  if (!isObject(c.host) || !isObject(c.locales) || !Object.hasOwn(c.locales, String(c.defaultLocale))) {
    return 'it has no host settings or no notice in its default locale';
  }
  for (const [name, entry] of Object.entries(c.locales)) {
    const problem = entryProblem(name, entry);
    if (problem) return problem;
  }
  return '';
}

/**
 * Checks a bundle (object or JSON text) against the config's JSON text:
 * {ok: true, content} or {ok: false, why: a phrase naming what is wrong}.
 * Never throws.
 */
export async function checkBundle(bundle, configText) {
  let parsed = bundle;
  if (typeof bundle === 'string') {
    try {
      parsed = JSON.parse(bundle);
    } catch {
      return { ok: false, why: 'it is not JSON' };
    }
  }
  const problem = shapeProblem(parsed);
  if (problem) return { ok: false, why: problem };
  try {
    let config;
    try {
      config = JSON.parse(configText);
    } catch {
      return { ok: false, why: 'the configuration is not JSON' };
    }
    // Both digests at once: each is a round trip to WebCrypto, on the page's
    // way to its first checkbox.
    const [integrity, configSha256] = await Promise.all([sha256Hex(canonicalJson(parsed.content)), sha256Hex(canonicalJson(config))]);
    if (integrity !== parsed.integritySha256) {
      return { ok: false, why: 'its integrity hash does not match its content' };
    }
    if (configSha256 !== parsed.content.configSha256) {
      return { ok: false, why: 'it was built from another configuration (its configSha256 differs)' };
    }
  } catch (error) {
    // No WebCrypto (a page not served over https), or a value RFC 8785 cannot hold.
    return { ok: false, why: `it could not be checked (${error?.message || error})` };
  }
  return { ok: true, content: parsed.content };
}

/**
 * What the widget renders from a checked bundle's content for the locale the
 * page asks for: that locale when the bundle has it, else the bundle's
 * defaultLocale, which the core computed with its one fallback rule
 * (messages.h text_locale): the same choice core.notice() makes. Null when
 * the page asks for a locale the core speaks but the bundle does not carry.
 */
export function shownFromBundle(content, requested, gpc) {
  const has = (locale) => Object.hasOwn(content.locales, locale);
  // A locale the core speaks but this bundle left out (cachet build --only): not ours to pick another.
  if (requested && !has(requested) && Array.isArray(content.supportedLocales) && content.supportedLocales.includes(requested)) {
    return null;
  }
  const locale = requested && has(requested) ? requested : content.defaultLocale;
  const entry = content.locales[locale];
  return {
    notice: entry.notice,
    initialBoxes: gpc ? entry.initialBoxes.globalPrivacyControl : entry.initialBoxes.default,
    settings: content.host,
    words: { locale, texts: entry.ui },
  };
}
