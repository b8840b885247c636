// Words of the widget's own controls (buttons, hints). Everything the person
// reads about the consent itself (notice, boxes, rights) comes from the core.

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

export const UI_TEXT = {
  fr: {
    showPartners: (n) => `Voir la liste des partenaires (${n})`,
    partnerListLink: 'Consulter la liste des partenaires',
    close: 'Fermer',
    newTab: ' (nouvel onglet)',
    policy: 'politique de confidentialité',
    updatedAt: (d) => `Liste mise à jour le ${longDate(d, 'fr')}.`,
    gpc: 'Votre navigateur transmet le signal « Global Privacy Control » : nous avons coché l’opposition pour vous. Vous pouvez la décocher.',
    fixErrors: 'Votre choix ne peut pas être enregistré :',
    receiptTitle: 'Votre reçu de consentement',
    receiptDownload: 'Télécharger le reçu (texte)',
  },
  en: {
    showPartners: (n) => `See the list of partners (${n})`,
    partnerListLink: 'See the list of partners',
    close: 'Close',
    newTab: ' (opens in a new tab)',
    policy: 'privacy policy',
    updatedAt: (d) => `List updated on ${longDate(d, 'en')}.`,
    gpc: 'Your browser sends the Global Privacy Control signal, so we ticked the objection for you. You can untick it.',
    fixErrors: 'Your choice cannot be recorded:',
    receiptTitle: 'Your consent receipt',
    receiptDownload: 'Download the receipt (text)',
  },
};

export const uiText = (locale) => UI_TEXT[locale] || UI_TEXT.en;
