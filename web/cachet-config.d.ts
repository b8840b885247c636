// Generated from schema/cachet-config.schema.json by scripts/gen-config-types.mjs.
// Do not edit: change the schema and run `node scripts/gen-config-types.mjs`.

/**
 * A text the person reads: one string for every language, or one per language.
 */
export type LocalizedText =
  | string
  | {
      fr?: string;
      en?: string;
      es?: string;
      de?: string;
      it?: string;
    };
/**
 * An absolute https: URL with a host, no spaces or user name.
 */
export type HttpsUrl = string;
/**
 * R6: on-behalf (recommended) = consent collected for the named partners' prospecting; transmission-only = consent to the transmission, each partner asks again.
 */
export type PartnerProspecting = 'on-behalf' | 'transmission-only';
/**
 * Boxes are always shown unchecked (R5); only false is accepted.
 */
export type Checked = false;

/**
 * Configuration of the Cachet consent widget. Strict: unknown members are errors. `cachet lint` checks everything here plus the CNIL rules R1-R9 (docs/lint-codes.md).
 */
export interface CachetConfig {
  /**
   * Where editors find this schema (e.g. "https://cachet.example/schema/cachet-config.schema.json"). Ignored by Cachet.
   */
  $schema?: string;
  /**
   * Version of this config, chosen by you (a date works well). Receipts record it, so change it whenever the notice changes.
   */
  configVersion: string;
  /**
   * Default language of the texts and of lint messages.
   */
  locale: 'fr' | 'en' | 'es' | 'de' | 'it';
  /**
   * The organisation that collects and transmits the data (R8).
   */
  controller: {
    /**
     * Name partners must give at first contact (R8).
     */
    name: string;
    /**
     * Your privacy policy (absolute https: URL).
     */
    privacyPolicyUrl: string;
    /**
     * Where people object or withdraw consent, free of charge (R1, R10): an email address or an https: URL.
     */
    rightsContact: string;
  };
  /**
   * Purpose of the transmission, shown before the boxes (R2). Required as soon as a channel is configured.
   */
  purpose?:
    | string
    | {
        fr?: string;
        en?: string;
        es?: string;
        de?: string;
        it?: string;
      };
  /**
   * Types of recipients (R2): required when postal or phone rest on legitimate interest.
   */
  recipients?: {
    /**
     * Partners' business sectors, each one string or one per language.
     */
    sectors?: LocalizedText[];
    /**
     * Kinds of offers partners will send, each one string or one per language.
     */
    offerTypes?: LocalizedText[];
    /**
     * Approximate number of partners.
     */
    approximateCount?: number;
  };
  /**
   * The partner list (R3, R7): inline entries (shown in a dialog), a link, or both. Required for consent channels.
   */
  partners?: {
    /**
     * Page listing every partner with a link to its privacy policy: an absolute https: URL, or a path on the signup site ("/partenaires", the page cachet serve generates).
     */
    listUrl?: HttpsUrl;
    /**
     * Date the list shown in the widget's dialog was last updated (YYYY-MM-DD). Better left out: cachet serve dates the partner page from the ledger, cachet partners-page from --updated-at or the configVersion.
     */
    updatedAt?: string;
    /**
     * The partners, each with its privacy policy.
     */
    entries?: Partner[];
  };
  /**
   * The channels partners may use. postal and phone: legitimate-interest (objection box, R1) or consent; email and sms: consent only (R4).
   */
  channels: {
    postal?: Channel;
    phone?: Channel1;
    email?: ConsentChannel;
    sms?: ConsentChannel1;
  };
  /**
   * One objection box for postal mail and phone together (default true).
   */
  combineObjection?: boolean;
  /**
   * How long contact data is kept (R9).
   */
  retention: {
    /**
     * Retention in months; the CNIL recommends at most 36 for prospects.
     */
    months: number;
  };
  /**
   * CSS selectors of the host form's contact fields, so that the widget can check the contact a consent needs and bind the receipt to it.
   */
  fields?: {
    /**
     * Email address field.
     */
    email?: string;
    /**
     * Phone number field.
     */
    phone?: string;
    /**
     * Mobile number field (SMS); falls back to phone.
     */
    mobile?: string;
    /**
     * Postal address field.
     */
    postal?: string;
  };
  /**
   * Name of the hidden input that receives the signed receipt.
   */
  receiptInput?: string;
  /**
   * Country whose rules apply (ISO 3166-1 alpha-2), recorded in receipts.
   */
  jurisdiction?: string;
  /**
   * Per-locale replacements for the notice texts.
   */
  texts?: {
    fr?: TextOverrides;
    en?: TextOverrides;
    es?: TextOverrides;
    de?: TextOverrides;
    it?: TextOverrides;
  };
  /**
   * Look of the widget, applied as --cachet-* CSS custom properties.
   */
  theme?: {
    /**
     * Accent colour (boxes, links, buttons).
     */
    accent?: string;
    /**
     * Text colour on the accent colour.
     */
    accentText?: string;
    /**
     * Background colour.
     */
    background?: string;
    /**
     * Text colour.
     */
    text?: string;
    /**
     * Border colour.
     */
    border?: string;
    /**
     * Corner radius: 0 or a length in px, rem, em or %.
     */
    radius?: string;
    /**
     * Font list.
     */
    fontFamily?: string;
    /**
     * auto (default): follow the host page; light or dark: always that scheme.
     */
    colorScheme?: 'auto' | 'light' | 'dark';
  };
}
/**
 * One partner (R3): identity and privacy policy.
 */
export interface Partner {
  /**
   * Stable identifier (used for export file names).
   */
  id: string;
  /**
   * Name shown to the person.
   */
  name: string;
  /**
   * An absolute https: URL with a host, no spaces or user name.
   */
  privacyPolicyUrl: string;
  /**
   * A text the person reads: one string for every language, or one per language.
   */
  sector?:
    | string
    | {
        fr?: string;
        en?: string;
        es?: string;
        de?: string;
        it?: string;
      };
  /**
   * Channels this partner receives (configured channels only); omit for all.
   */
  channels?: ('postal' | 'phone' | 'email' | 'sms')[];
  /**
   * R8: where a person reaches this partner to object or withdraw consent, printed in the first-contact notice beside the privacy policy. Optional; lint warns when missing.
   */
  contact?: {
    /**
     * Email address.
     */
    email?: string;
    /**
     * Postal address, one line.
     */
    postal?: string;
  };
}
/**
 * Postal mail.
 */
export interface Channel {
  /**
   * legitimate-interest: an objection box (R1); consent: a consent box.
   */
  basis: 'legitimate-interest' | 'consent';
  partnerProspecting?: PartnerProspecting;
  checked?: Checked;
}
/**
 * Non-automated phone calls.
 */
export interface Channel1 {
  /**
   * legitimate-interest: an objection box (R1); consent: a consent box.
   */
  basis: 'legitimate-interest' | 'consent';
  partnerProspecting?: PartnerProspecting;
  checked?: Checked;
}
/**
 * Email: consent only (R4).
 */
export interface ConsentChannel {
  /**
   * Always consent for email and SMS (R4).
   */
  basis: 'consent';
  partnerProspecting: PartnerProspecting;
  checked?: Checked;
}
/**
 * SMS: consent only (R4).
 */
export interface ConsentChannel1 {
  /**
   * Always consent for email and SMS (R4).
   */
  basis: 'consent';
  partnerProspecting: PartnerProspecting;
  checked?: Checked;
}
/**
 * Replaces the built-in notice texts for one language; names are the notice's members.
 */
export interface TextOverrides {
  heading?: string;
  intro?: string;
  recipients?: string;
  partnerSummary?: string;
  partnerListTitle?: string;
  rights?: string;
  privacyPolicyLabel?: string;
  /**
   * Box texts by box id.
   */
  boxes?: {
    'object-postal-phone'?: BoxText;
    'object-postal'?: BoxText;
    'object-phone'?: BoxText;
    'consent-email'?: BoxText;
    'consent-sms'?: BoxText;
    'consent-postal'?: BoxText;
    'consent-phone'?: BoxText;
  };
}
export interface BoxText {
  /**
   * The sentence next to the box.
   */
  label?: string;
  /**
   * The line under it (empty string: none).
   */
  hint?: string;
}
