// An accessible modal dialog on the native <dialog> element, the way
// a11y-dialog does it: labelled by its title, focus moved in on open and given
// back to the opener on close, Esc closes, Tab stays inside.
// showModal() makes the rest of the page inert, but Tab still leaves for the
// browser's own UI after the last control, so Tab and Shift+Tab wrap by hand
// (as a11y-dialog does). Focus is restored by hand because Safari < 16.4 does not.

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function createDialog(doc, { id, title, closeLabel, onClose }) {
  const dialog = doc.createElement('dialog');
  dialog.className = 'cachet__dialog';
  dialog.id = id;
  dialog.setAttribute('aria-labelledby', `${id}-title`);
  // A dialog (not alertdialog): it only informs, it asks for no decision.
  dialog.setAttribute('aria-modal', 'true');

  const header = doc.createElement('div');
  header.className = 'cachet__dialog-header';
  const heading = doc.createElement('h2');
  heading.id = `${id}-title`;
  heading.className = 'cachet__dialog-title';
  heading.textContent = title;
  const close = doc.createElement('button');
  close.type = 'button';
  close.className = 'cachet__button cachet__close';
  close.textContent = closeLabel;
  header.append(heading, close);

  const body = doc.createElement('div');
  body.className = 'cachet__dialog-body';
  dialog.append(header, body);

  let opener = null;
  const hide = () => {
    if (dialog.open) dialog.close();
  };
  close.addEventListener('click', hide);
  // A click on the backdrop lands on the <dialog> itself.
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) hide();
  });
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const items = [...dialog.querySelectorAll(FOCUSABLE)].filter((n) => n.getClientRects().length > 0);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = doc.activeElement;
    if (e.shiftKey && (active === first || !dialog.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !dialog.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  });
  dialog.addEventListener('close', () => {
    const target = opener;
    opener = null;
    if (target && target.isConnected) target.focus();
    if (onClose) onClose();
  });

  return {
    element: dialog,
    body,
    open(from) {
      opener = from || doc.activeElement;
      dialog.showModal();
      // The close button first: the list may be long, and Esc is not known by all.
      close.focus();
    },
    close: hide,
    get isOpen() {
      return dialog.open;
    },
  };
}
