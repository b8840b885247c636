// The person's copy of their receipt (Kantara CR section 4.7, DESIGN.md 3.2):
// shown in the form before it is sent, or kept for the host's next page.
// The text itself comes from the core (receiptText); this file only shows it,
// offers it as a download and moves focus so that it is announced.

const STORAGE_KEY = 'cachet:receipt-copy';

function el(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

export const copyFileName = (receiptId) => `cachet-receipt-${receiptId}.txt`;

/**
 * Renders the copy into `container` (replacing what it held): a region
 * labelled by its title and described by `intro`, the text, a download link,
 * and the given `actions` (buttons). Returns {region, revoke()}.
 */
export function renderCopy(doc, container, { id, copy, fileName, t, intro, actions = [] }) {
  const region = el(doc, 'section', 'cachet__receipt');
  region.id = id;
  region.setAttribute('role', 'region');
  region.tabIndex = -1;
  const title = el(doc, 'p', 'cachet__receipt-title', t.receiptTitle);
  title.id = `${id}-title`;
  region.setAttribute('aria-labelledby', title.id);
  region.append(title);
  if (intro) {
    const p = el(doc, 'p', 'cachet__text cachet__receipt-intro', intro);
    p.id = `${id}-intro`;
    region.setAttribute('aria-describedby', p.id);
    region.append(p);
  }
  const pre = el(doc, 'pre', 'cachet__receipt-text', copy);
  // Scrollable, so reachable by keyboard (WCAG 2.1.1).
  pre.tabIndex = 0;
  pre.setAttribute('aria-label', t.receiptTitle);
  region.append(pre);
  const row = el(doc, 'p', 'cachet__actions cachet__receipt-actions');
  let url = null;
  if (typeof URL.createObjectURL === 'function') {
    url = URL.createObjectURL(new Blob([copy], { type: 'text/plain;charset=utf-8' }));
    const a = el(doc, 'a', 'cachet__link cachet__download', t.receiptDownload);
    a.href = url;
    a.download = fileName;
    row.append(a);
  }
  row.append(...actions);
  if (row.childNodes.length) region.append(row);
  container.replaceChildren(region);
  container.hidden = false;
  return {
    region,
    revoke() {
      if (url) URL.revokeObjectURL(url);
      url = null;
    },
  };
}

// sessionStorage: this tab only, gone when it closes; the copy holds no
// contact value (digests only, and not even those in the text).
export function keepForNextPage(win, entry) {
  try {
    win.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(entry));
    return true;
  } catch {
    return false;  // storage disabled: the host page still has cachet:receipt
  }
}

export function keptCopy(win) {
  try {
    const entry = JSON.parse(win.sessionStorage.getItem(STORAGE_KEY) || 'null');
    return entry && typeof entry.text === 'string' && typeof entry.fileName === 'string' ? entry : null;
  } catch {
    return null;
  }
}
