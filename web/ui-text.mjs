// Words of the widget's own controls (buttons, hints). Everything the person
// reads about the consent itself (notice, boxes, rights) comes from the core.
export const UI_TEXT = {
  fr: {
    showPartners: (n) => `Voir la liste des partenaires (${n})`,
    partnerListLink: 'Consulter la liste des partenaires',
    close: 'Fermer',
    newTab: ' (nouvel onglet)',
    policy: 'politique de confidentialité',
    updatedAt: (d) => `Liste mise à jour le ${d}.`,
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
    updatedAt: (d) => `List updated on ${d}.`,
    gpc: 'Your browser sends the Global Privacy Control signal, so we ticked the objection for you. You can untick it.',
    fixErrors: 'Your choice cannot be recorded:',
    receiptTitle: 'Your consent receipt',
    receiptDownload: 'Download the receipt (text)',
  },
};

export const uiText = (locale) => UI_TEXT[locale] || UI_TEXT.en;
