// Words of the widget's own controls (buttons, hints). They live in the core's
// message table (ui.* in core/src/messages_person.cpp) and come through the
// wasm module's uiText(locale); this file holds no text, it only fills the
// {placeholders} and formats dates. Everything the person reads about the
// consent itself (notice, boxes, rights) comes from the core too.

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
