// Public API of Cachet (dist/cachet.mjs, and the global `Cachet` of dist/cachet.js).

export interface Problem {
  /** Stable identifier, e.g. "choice_contact_missing". */
  code: string;
  /** RFC 6901 JSON Pointer into the input. */
  path: string;
  /** A sentence in the config's locale. */
  message: string;
}

export interface LintReport {
  ok: boolean;
  errors: Problem[];
  warnings: Problem[];
}

export class CachetError extends Error {
  readonly code: string;
  readonly problems: Problem[];
}

export type Decision = 'objected' | 'not-objected' | 'granted' | 'not-granted' | 'withdrawn';
export type ChannelName = 'postal' | 'phone' | 'email' | 'sms';

export interface Choices {
  decisions: Partial<Record<ChannelName, Decision>>;
  contacts: Partial<Record<'email' | 'phone' | 'mobile' | 'postal', string>>;
}

/** A Cachet configuration: generated from cachet-config.schema.json (strict: an unknown member is a type error). */
export type { CachetConfig } from './cachet-config.js';
import type { CachetConfig } from './cachet-config.js';

/**
 * The config's `theme` (all optional; colours "#rgb", "#rrggbb" or with alpha). Every key becomes --cachet-*
 * custom properties: accent (--cachet-accent, --cachet-focus), accentText (--cachet-accent-text), background
 * (--cachet-bg, --cachet-surface), text (--cachet-text, --cachet-muted), border (--cachet-border), radius
 * (--cachet-radius), fontFamily (--cachet-font). colorScheme "auto" (default) follows the host page.
 */
export interface CachetTheme {
  colorScheme?: 'auto' | 'light' | 'dark';
  accent?: string;
  accentText?: string;
  background?: string;
  text?: string;
  border?: string;
  radius?: string;
  fontFamily?: string;
}

export interface MountOptions {
  /** "fr", "en", "es", "de" or "it"; default: the page's lang, else the config's locale. */
  locale?: string;
  /** Server-issued challenge the receipt carries; default: data-cachet-challenge. */
  challenge?: string;
  /** Salt for keyed contact digests, from GET /api/challenge; default: data-cachet-digest-salt. */
  digestSalt?: string;
  /** Key for keyed contact digests (base64url), from GET /api/challenge; default: data-cachet-digest-key.
   *  With digestSalt, the receipt is cachet-receipt/2; without, cachet-receipt/1. */
  digestKey?: string;
  /** false: on submit, write the receipt but do not submit the form. */
  submit?: boolean;
  /**
   * How the person sees their receipt copy (default: data-cachet-receipt-copy on the host element or form, else "pause").
   * - "pause": on submit the copy (naming the partners) appears in the form, focused and announced, with a download
   *   link, "Continue" (sends the form) and "Change my choices" (takes the receipt back out);
   * - "next-page": the form is sent at once and the copy is kept in sessionStorage for the host's next page, which shows
   *   it with `<div data-cachet-kept-receipt>` (script tag) or `showReceiptCopy(element)`;
   * - "host": the form is sent at once; the host shows the copy itself (e.g. `cachet serve`'s result page, or
   *   `receiptText()` / the `cachet:receipt` event).
   */
  receiptCopy?: 'pause' | 'next-page' | 'host';
  /**
   * The config's notice bundle, written by `cachet build` or `build()` (object or its JSON text): the compiled path.
   * The choices are rendered from it at once, with no WebAssembly; the module loads after first paint (idle time or the
   * person's first move in the form) and mount() resolves once it has confirmed the bundle. A bundle that is malformed,
   * altered (integritySha256), built from another config (configSha256) or by a Cachet that words the notice otherwise
   * is set aside with one console.warn, and the safe path renders instead. Default: data-cachet-bundle (a URL, or
   * `#id` of an inline `<script type="application/json">` holding it) beside data-cachet-config with the script tag.
   */
  bundle?: NoticeBundle | string;
}

/** A notice bundle (`cachet build`, docs/widget.md "Compiled path"): RFC 8785 JSON. */
export interface NoticeBundle {
  content: {
    bundleVersion: 1;
    configVersion: string;
    /** hex SHA-256 of the RFC 8785 config: the published version's digest. */
    configSha256: string;
    /** The receipt's notice.partnerListSha256. */
    partnerListSha256: string;
    defaultLocale: string;
    /** Every locale the core speaks; `locales` may carry fewer (cachet build --only). */
    supportedLocales: string[];
    host: Record<string, unknown>;
    lint: LintReport;
    /** Every locale the core speaks. */
    locales: Record<
      string,
      {
        notice: Record<string, unknown>;
        /** The receipt's notice.sha256 in this locale. */
        noticeSha256: string;
        initialBoxes: { default: Record<string, boolean>; globalPrivacyControl: Record<string, boolean> };
        ui: Record<string, string>;
      }
    >;
  };
  /** hex SHA-256 of the RFC 8785 content. */
  integritySha256: string;
}

export interface ValidationResult {
  ok: boolean;
  errors: Problem[];
}

export interface CachetWidget {
  readonly element: HTMLElement;
  readonly locale: string;
  /** The person's current choices, as the core reads them. */
  choices(): Choices;
  /** Validates the choices in the core; shows and announces errors; fires cachet:invalid. */
  validate(): ValidationResult;
  /** Builds and signs the receipt, writes it to the hidden input; resolves to the JWS text. */
  receipt(): Promise<string>;
  /** Human-readable copy of the last receipt, naming the partners ("" before one was made). */
  receiptText(): string;
  destroy(): void;
}

export interface ReceiptEventDetail {
  jws: string;
  receipt: Record<string, unknown>;
}

export interface VerifyResult {
  ok: boolean;
  receipt?: {
    payload: Record<string, unknown>;
    receiptId: string;
    payloadSha256: string;
    countersigned: boolean;
    countersignerKid: string;
  };
  errors?: Problem[];
}

export interface ReceiptContext {
  locale: string;
  collectionMethod?: 'web-form' | 'paper' | 'phone' | 'preference-centre' | 'relayed-by-partner';
  pageUrl?: string;
  challenge?: string;
  relayedBy?: string;
  supersedes?: string;
  globalPrivacyControl?: boolean;
  receiptId?: string;
  issuedAt?: string;
  salt?: string;
  /** base64url HMAC key for keyed contact digests (version 2); pair it with the salt it was derived for. */
  digestKey?: string;
  agent?: string;
}

export const VERSION: string;

export function mount(element: Element, config: CachetConfig | string, options?: MountOptions): Promise<CachetWidget>;
/** Mounts every [data-cachet-config] under root (the script tag does this by itself). */
export function autoMount(root?: ParentNode): Promise<CachetWidget[]>;
/** Lints any config, typed or not (that is its job): an object or its JSON text. */
export function lint(config: object | string, options?: { locale?: string }): Promise<LintReport>;
/**
 * The notice bundle of a config for the compiled path: exactly the bytes `cachet build` writes (one core function);
 * `locales`: carry only these (and the config's default locale), as `cachet build --only`.
 * Rejects with a CachetError whose problems are the lint errors when the config has any.
 */
export function build(config: object | string, options?: { locale?: string; locales?: string[] }): Promise<string>;
/** RFC 8785 canonical JSON; rejects with a CachetError on bad input. */
export function canonicalize(text: string): Promise<string>;
/** Verifies a receipt (JWS JSON serialisation) with WebCrypto. */
export function verify(jws: string | object, options?: { trustedControllerKey?: object }): Promise<VerifyResult>;
export function issueReceipt(
  config: CachetConfig | string,
  choices: Choices,
  context: ReceiptContext,
): Promise<{ jws: string; payload: string; receipt: Record<string, unknown> }>;
/** Human-readable copy of a receipt; given the config it was made under (same configVersion), it names the partners. */
export function receiptText(payload: string | object, locale: string, config?: CachetConfig | string): Promise<string>;
/**
 * Shows, in `element`, the receipt copy a form sent with receiptCopy "next-page" kept (this tab's sessionStorage);
 * resolves to false when there is none. The script tag does it by itself for `[data-cachet-kept-receipt]`.
 */
export function showReceiptCopy(element: Element, options?: { locale?: string }): Promise<boolean>;
/** Resolves once the WebAssembly module is loaded. */
export function ready(): Promise<unknown>;

/** The custom element's default name. */
export const ELEMENT_NAME: 'cachet-consent';

/**
 * <cachet-consent config="/consent.json">: the widget as a custom element (docs/widget.md).
 * Attributes: config (URL), locale, challenge, digest-salt, digest-key, submit="false".
 */
export interface CachetConsentElement extends HTMLElement {
  /** An object (the config itself), or the `config` attribute (the config's URL). */
  config: CachetConfig | string | null;
  /** The mounted widget, or null before it is mounted and after it is removed. */
  readonly widget: CachetWidget | null;
  /** Resolves to the widget once mounted (null when it was replaced meanwhile); rejects when mounting failed. */
  readonly ready: Promise<CachetWidget | null>;
}

/** Defines the custom element (the script-tag build and `cachet-consent/element` do it for you); returns its class. */
export function defineElement(name?: string, registry?: CustomElementRegistry): { new (): CachetConsentElement; prototype: CachetConsentElement };

declare global {
  interface HTMLElementTagNameMap {
    'cachet-consent': CachetConsentElement;
  }
  interface HTMLElementEventMap {
    'cachet:change': CustomEvent<{ choices: Choices }>;
    'cachet:invalid': CustomEvent<{ errors: Problem[]; choices: Choices }>;
    'cachet:receipt': CustomEvent<ReceiptEventDetail>;
  }
}
