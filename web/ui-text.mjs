// Words of the widget's own controls (buttons, hints). They live in the core's
// message table (ui.* in core/src/messages_person.cpp) and come through the
// wasm module's uiText(locale); this file holds no text, it only fills the
// {placeholders} and formats dates. Everything the person reads about the
// consent itself (notice, boxes, rights) comes from the core too.

// The one sentence shown when the core itself could not load, so it cannot give
// its ui.unavailable text (core/src/messages_person.cpp), in every locale of
// the core's table. tests/js checks that the two stay word for word the same
// and that no locale is missing.
export const UNAVAILABLE_FALLBACK = {
  fr:
    "Les choix concernant la transmission de vos coordonnées à nos partenaires ne peuvent pas s'afficher pour le " +
    'moment. Sans ces choix, vos coordonnées ne seront transmises à aucun partenaire.',
  en:
    'The choices about passing your contact details to our partners cannot be shown at the moment. Without these ' +
    'choices, your contact details will not be passed to any partner.',
  es:
    'Las opciones sobre la cesión de sus datos de contacto a nuestros socios no pueden mostrarse en este ' +
    'momento. Sin estas opciones, sus datos de contacto no se cederán a ningún socio.',
  de:
    'Die Auswahl zur Weitergabe Ihrer Kontaktdaten an unsere Partner kann derzeit nicht angezeigt werden. ' +
    'Ohne diese Auswahl werden Ihre Kontaktdaten an keinen Partner weitergegeben.',
  it:
    'Le scelte sulla comunicazione dei suoi dati di contatto ai nostri partner non possono essere ' +
    'visualizzate al momento. Senza queste scelte, i suoi dati di contatto non saranno comunicati ad ' +
    'alcun partner.',
};

// "2026-11-01" as a person reads it ("1 novembre 2026", "November 1, 2026");
// anything else as it is.
export function longDate(isoDate, locale) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (date.getUTCMonth() !== Number(m[2]) - 1) return isoDate;  // 2026-02-30 and the like
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  } catch {
    return isoDate;
  }
}

// A text with its {name} placeholders replaced; an unknown name stays as written.
export const fill = (template, values) =>
  template.replace(/\{([A-Za-z_]+)\}/g, (whole, name) => (Object.hasOwn(values, name) ? String(values[name]) : whole));

/**
 * The widget's words from the core's answer ({locale, texts}, see web/core.mjs
 * uiText): the plain texts as they are, and a function for each text with a
 * placeholder.
 */
export function uiText({ locale, texts }) {
  return {
    ...texts,
    showPartners: (count) => fill(texts.showPartners, { count }),
    updatedAt: (isoDate) => fill(texts.updatedAt, { date: longDate(isoDate, locale) }),
  };
}
