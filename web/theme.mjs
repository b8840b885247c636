// The widget's look: the config's theme keys as --cachet-* custom properties,
// and the colour scheme that follows the host page (issue 15: a light page
// gets a light widget whatever the OS prefers).
//
// The core's lint checks the contrast of configured colours with the same
// mapping (core/src/lint_rules.cpp, theme_contrast) and resolves
// theme.colorScheme: "light" or "dark" when the colours suit only one scheme,
// or when a configured background decides it; "auto" (or absent) leaves it to
// the host page.

// Theme key -> the custom properties it sets. Hints take the text colour and the
// focus outline the accent, so that a configured palette stays consistent.
export const THEME_PROPERTIES = {
  accent: ['--cachet-accent', '--cachet-focus'],
  accentText: ['--cachet-accent-text'],
  background: ['--cachet-bg', '--cachet-surface'],
  text: ['--cachet-text', '--cachet-muted'],
  border: ['--cachet-border'],
  radius: ['--cachet-radius'],
  fontFamily: ['--cachet-font'],
};

// Setting custom properties through the CSSOM is allowed under style-src
// 'self' (no inline style attribute in markup). The core has checked each
// value's form; CSS.supports is a second lock.
export function applyTheme(root, theme) {
  if (!theme || typeof theme !== 'object') return;
  const supports = globalThis.CSS?.supports?.bind(globalThis.CSS) || (() => true);
  const kind = { radius: 'border-radius', fontFamily: 'font-family' };
  for (const [key, properties] of Object.entries(THEME_PROPERTIES)) {
    const value = theme[key];
    if (typeof value !== 'string' || !supports(kind[key] || 'color', value)) continue;
    for (const property of properties) root.style.setProperty(property, value);
  }
}

// "rgb(1, 2, 3)" / "rgba(1, 2, 3, 0.5)" / "rgb(1 2 3 / 50%)" -> [r, g, b, a] or null.
function parseRgb(text) {
  const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+)(%?))?\s*\)$/.exec(String(text).trim());
  if (!m) return null;
  let alpha = m[4] === undefined ? 1 : Number(m[4]);
  if (m[5] === '%') alpha /= 100;
  return [Number(m[1]), Number(m[2]), Number(m[3]), alpha];
}

// WCAG relative luminance of an sRGB colour given in 0-255 channels.
function luminance([r, g, b]) {
  const lin = (v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/**
 * The host page's scheme where `host` sits: the nearest painted background
 * (dark when black text would read worse on it than white), else the page's
 * `color-scheme` (with "light dark", the canvas follows the OS preference).
 */
export function hostScheme(host) {
  const doc = host.ownerDocument;
  const win = doc.defaultView;
  if (!win?.getComputedStyle) return 'light';
  for (let node = host; node; node = node.parentElement) {
    const rgb = parseRgb(win.getComputedStyle(node).backgroundColor);
    if (rgb && rgb[3] >= 0.5) {
      const l = luminance(rgb);
      return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? 'light' : 'dark';
    }
  }
  const declared = String(win.getComputedStyle(doc.documentElement).colorScheme || '').split(/\s+/);
  const dark = declared.includes('dark');
  if (dark && !declared.includes('light')) return 'dark';
  if (dark && win.matchMedia?.('(prefers-color-scheme: dark)').matches) return 'dark';
  return 'light';
}

/**
 * Keeps `root` in the scheme the config fixes, or the host's scheme under
 * "auto" (again whenever the page or the OS preference changes). Returns a
 * function that stops following.
 */
export function followScheme(root, host, theme) {
  const fixed = theme?.colorScheme === 'light' || theme?.colorScheme === 'dark' ? theme.colorScheme : null;
  const update = () => {
    root.dataset.scheme = fixed || hostScheme(host);
  };
  update();
  if (fixed) return () => {};
  const win = host.ownerDocument.defaultView;
  const media = win?.matchMedia?.('(prefers-color-scheme: dark)');
  media?.addEventListener?.('change', update);
  // Sites switch themes with a class or attribute on <html> or <body>.
  let observer = null;
  if (typeof win?.MutationObserver === 'function') {
    observer = new win.MutationObserver(update);
    const doc = host.ownerDocument;
    const options = { attributes: true, attributeFilter: ['class', 'style', 'data-theme', 'data-color-scheme', 'data-bs-theme'] };
    observer.observe(doc.documentElement, options);
    if (doc.body) observer.observe(doc.body, options);
  }
  return () => {
    media?.removeEventListener?.('change', update);
    observer?.disconnect();
  };
}
