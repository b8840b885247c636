// Signup page: bind the receipt to this server with a one-time challenge
// (GET /api/challenge), then mount the widget. Without a challenge (endpoint
// down), mount anyway: `cachet serve` requires one by default (unless started
// with --allow-unchallenged), so it will refuse the receipt and say why.
(async () => {
  const form = document.querySelector('form.signup');
  try {
    const response = await fetch('/api/challenge', { headers: { Accept: 'application/json' } });
    if (response.ok) {
      const { challenge, digestSalt, digestKey } = await response.json();
      if (form && typeof challenge === 'string') form.setAttribute('data-cachet-challenge', challenge);
      // Keyed contact digests (docs/receipt.md): the receipt cannot be searched for the phone number.
      if (form && typeof digestSalt === 'string' && typeof digestKey === 'string') {
        form.setAttribute('data-cachet-digest-salt', digestSalt);
        form.setAttribute('data-cachet-digest-key', digestKey);
      }
    }
  } catch (error) {
    console.warn('Cachet demo: no server challenge.', error);
  }
  if (window.Cachet) await window.Cachet.autoMount();
})();
