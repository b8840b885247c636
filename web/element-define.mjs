// Entry of dist/cachet-element.mjs (`import 'cachet-consent/element'`):
// defines <cachet-consent> on import. The build keeps the import of the main
// module as a relative import of ./cachet.mjs, so a page that also imports
// the main module loads the widget once.
import { defineElement } from './index.mjs';

defineElement();
