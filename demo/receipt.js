// Receipt viewer: POST /api/verify, then show the verdict and the human-readable
// receipt. Text only (textContent): a receipt is untrusted input.
const lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'fr';
document.documentElement.lang = lang;
for (const node of document.querySelectorAll('[data-fr]')) node.textContent = node.getAttribute(`data-${lang}`);
const t = (fr, en) => (lang === 'fr' ? fr : en);

const form = document.getElementById('verify-form');
const textarea = document.getElementById('receipt-text');
const verdict = document.getElementById('verdict');

document.getElementById('receipt-file').addEventListener('change', async (event) => {
  const file = event.target.files?.[0];
  if (file) textarea.value = await file.text();
});

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  verdict.replaceChildren();
  let body;
  try {
    const response = await fetch(`/api/verify?lang=${lang}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ receipt: textarea.value.trim() }),
    });
    body = await response.json();
    if (!response.ok) {
      verdict.append(el('p', body?.error?.message || `HTTP ${response.status}`, 'bad'));
      return;
    }
  } catch {
    verdict.append(el('p', t('Le serveur ne répond pas.', 'The server does not answer.'), 'bad'));
    return;
  }
  if (!body.ok) {
    verdict.append(el('p', t('Ce reçu ne se vérifie pas.', 'This receipt does not verify.'), 'bad'));
    const list = el('ul');
    for (const p of body.problems || []) list.append(el('li', `${p.explanation || p.message} [${p.code}]`));
    verdict.append(list);
    return;
  }
  verdict.append(el('p', t('Signature valide : le reçu n\'a pas été modifié depuis sa signature.',
    'Valid signature: the receipt was not altered since it was signed.'), 'good'));
  verdict.append(el('p', body.countersignedByThisServer
    ? t('Contresigné par Société X (ce serveur).', 'Countersigned by Société X (this server).')
    : body.countersigned
      ? t('Contresigné par une autre clé que celle de ce serveur.', 'Countersigned by a key other than this server\'s.')
      : t('Pas encore contresigné par Société X.', 'Not countersigned by Société X yet.')));
  // A valid signature says the receipt was not altered, not that it is still in force.
  if (body.standingText) {
    verdict.append(el('p', body.standingText, body.standing?.status === 'current' ? 'good' : 'warn'));
  }
  verdict.append(el('pre', body.text, 'receipt'));
});
