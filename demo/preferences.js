// Demo only: turns a receipt id into a preference-centre link (the server
// allows this with --show-preference-links; a real site emails the link).
const lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'fr';
document.documentElement.lang = lang;
for (const node of document.querySelectorAll('[data-fr]')) node.textContent = node.getAttribute(`data-${lang}`);

const form = document.getElementById('link-form');
const result = document.getElementById('link-result');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  result.textContent = '';
  const receiptId = form.elements.receiptId.value.trim();
  try {
    const response = await fetch('/api/preference-link', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ receiptId }),
    });
    const body = await response.json();
    if (!response.ok) {
      result.textContent = body?.error?.message || `HTTP ${response.status}`;
      return;
    }
    const a = document.createElement('a');
    a.href = `${body.path}&lang=${lang}`;
    a.textContent = lang === 'fr' ? 'Ouvrir mon centre de préférences' : 'Open my preference centre';
    a.className = 'button';
    result.append(a);
  } catch {
    result.textContent = lang === 'fr' ? 'Le serveur ne répond pas.' : 'The server does not answer.';
  }
});
