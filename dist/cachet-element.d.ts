// `import 'cachet-consent/element'` (dist/cachet-element.mjs): defines <cachet-consent> on import.
export type { CachetConsentElement } from './cachet.js';
