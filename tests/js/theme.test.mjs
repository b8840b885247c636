// The widget's colours and the core's contrast lint agree: the defaults in
// web/cachet.css are the palettes the core checks configured colours against
// (core/src/lint_rules.cpp kLight/kDark), they meet WCAG 2.2 AA themselves, the
// lint reports configured colours that do not, and the receipt copy names the
// partners when it is given the config.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const Cachet = await import(process.env.CACHET_MODULE || path.join(ROOT, 'dist', 'cachet.mjs'));
const css = readFileSync(path.join(ROOT, 'web', 'cachet.css'), 'utf8');
const lintRules = readFileSync(path.join(ROOT, 'core', 'src', 'lint_rules.cpp'), 'utf8');
const config = JSON.parse(readFileSync(path.join(ROOT, 'tests', 'fixtures', 'configs', 'societe-x.json'), 'utf8'));

// The --cachet-* colours of one CSS block.
function cssColours(selector) {
  const start = css.indexOf(`${selector} {`);
  assert.ok(start >= 0, `${selector} in cachet.css`);
  const block = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries([...block.matchAll(/--cachet-([a-z-]+):\s*(#[0-9a-f]{6})/g)].map((m) => [m[1], m[2]]));
}

// Palette{"scheme", page, text, muted, bg, surface, border, accent, accent_text, error} in lint_rules.cpp.
function corePalette(name) {
  const m = new RegExp(`constexpr Palette ${name}\\{([^}]*)\\}`).exec(lintRules);
  assert.ok(m, `${name} in lint_rules.cpp`);
  const v = [...m[1].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
  const [, , text, muted, bg, surface, border, accent, accentText, error] = v;
  return { text, muted, bg, surface, border, accent, 'accent-text': accentText, error };
}

const lum = (hex) => {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
};
const ratio = (a, b) => {
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};

test('the CSS default colours are the palettes the core lint checks against', () => {
  const light = cssColours('.cachet');
  const dark = { ...light, ...cssColours('.cachet[data-scheme="dark"]') };
  for (const [name, css] of [['kLight', light], ['kDark', dark]]) {
    const core = corePalette(name);
    for (const [key, value] of Object.entries(core)) assert.equal(css[key], value, `${name} ${key}`);
  }
});

test('the default palettes meet WCAG 2.2 AA in light and dark', () => {
  const light = cssColours('.cachet');
  const dark = { ...light, ...cssColours('.cachet[data-scheme="dark"]') };
  for (const p of [light, dark]) {
    for (const ground of [p.bg, p.surface]) {
      for (const fg of ['text', 'muted', 'accent', 'error']) assert.ok(ratio(p[fg], ground) >= 4.5, `${fg} ${p[fg]} on ${ground}`);
      assert.ok(ratio(p.border, ground) >= 3, `border on ${ground}`);
      assert.ok(ratio(p.focus, ground) >= 3, `focus on ${ground}`);
    }
    assert.ok(ratio(p['accent-text'], p.accent) >= 4.5, 'button text');
  }
});

test('lint: unreadable theme colours are errors, colours for one scheme only a warning that fixes the scheme', async () => {
  const bad = await Cachet.lint({ ...config, locale: 'en', theme: { background: '#ffffff', text: '#888888' } }, { locale: 'en' });
  assert.equal(bad.ok, false);
  const problem = bad.errors.find((e) => e.code === 'config_theme_contrast');
  assert.equal(problem.path, '/theme/text');
  assert.match(problem.message, /3\.5\d:1 in the light scheme; WCAG 2\.2 level AA needs 4\.5:1/);

  const lightOnly = await Cachet.lint({ ...config, locale: 'en', theme: { accent: '#0a58ca' } }, { locale: 'en' });
  assert.equal(lightOnly.ok, true);
  assert.deepEqual([...new Set(lightOnly.warnings.map((w) => `${w.code} ${w.path}`))], ['config_theme_contrast_scheme /theme/accent']);
  assert.match(lightOnly.warnings[0].message, /stays in the light scheme/);

  const said = await Cachet.lint({ ...config, locale: 'en', theme: { accent: '#0a58ca', colorScheme: 'light' } }, { locale: 'en' });
  assert.deepEqual([said.errors, said.warnings], [[], []]);
  const wrong = await Cachet.lint({ ...config, locale: 'en', theme: { colorScheme: 'sepia' } }, { locale: 'en' });
  assert.equal(wrong.errors[0].code, 'config_invalid_value');
  assert.equal(wrong.errors[0].path, '/theme/colorScheme');
});

test('the receipt copy names the partners when given the config, and counts them otherwise', async () => {
  const choices = { decisions: { email: 'granted', postal: 'objected', phone: 'objected' }, contacts: { email: 'a@example.org' } };
  const made = await Cachet.issueReceipt(config, choices, { locale: 'fr', pageUrl: 'https://x.example/signup' });
  const names = config.partners.entries.map((p) => p.name);
  const named = await Cachet.receiptText(made.payload, 'fr', config);
  for (const name of names) assert.match(named, new RegExp(`  - ${name}\\n`));
  assert.match(named, new RegExp(`Partenaires listés au moment de votre choix \\(${names.length}\\)`));
  const counted = await Cachet.receiptText(made.payload, 'fr');
  assert.ok(!names.some((n) => counted.includes(n)), 'no names without the config');
  // A config of another version does not lend its names to this receipt.
  const other = await Cachet.receiptText(made.payload, 'fr', { ...config, configVersion: '2099-01-01' });
  assert.equal(other, counted);
});
