// A signup form in React with the Cachet widget as a plain custom element:
// no wrapper component. The widget validates the choices on submit, signs the
// receipt and puts it in the form's hidden `cachet_receipt` input; this
// component then sends the form with fetch, and the backend
// (examples/backend/server.mjs) hands the receipt to `cachet serve`.
import { useEffect, useRef, useState } from 'react';

export function SignupForm() {
  const [challenge, setChallenge] = useState(null);
  const [state, setState] = useState({ status: 'editing' });
  const form = useRef(null);

  // The server's one-time challenge binds the receipt to this page view
  // (docs/server.md, "Challenges"); the widget is rendered once it is here.
  useEffect(() => {
    let live = true;
    fetch('/api/challenge', { headers: { Accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))))
      .then((answer) => live && setChallenge(answer))
      .catch((error) => live && setState({ status: 'error', message: `No challenge from the server (${error.message}).` }));
    return () => {
      live = false;
    };
  }, []);

  // The widget's events bubble from <cachet-consent> like any DOM event.
  useEffect(() => {
    const node = form.current;
    if (!node) return undefined;
    const onReceipt = (event) => setState((s) => ({ ...s, receiptId: event.detail.receipt.receiptId }));
    node.addEventListener('cachet:receipt', onReceipt);
    return () => node.removeEventListener('cachet:receipt', onReceipt);
  }, []);

  async function onSubmit(event) {
    // The widget cancels the first submit, writes the receipt into the form,
    // shows the person their receipt copy, and submits again when they press
    // Continue: that second event is the one to send.
    if (event.defaultPrevented) return;
    event.preventDefault();
    setState((s) => ({ ...s, status: 'sending' }));
    const response = await fetch('/signup', {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body: new URLSearchParams(new FormData(event.currentTarget)),
    });
    const answer = await response.json();
    if (response.ok) setState({ status: 'done', receiptId: answer.receiptId, email: answer.email });
    else setState({ status: 'error', message: answer.error?.message || `HTTP ${response.status}` });
  }

  if (state.status === 'done') {
    return (
      <p role="status" className="signup-done">
        Welcome! We sent {state.email} a link to change your choices at any time (receipt {state.receiptId}).
      </p>
    );
  }
  return (
    <form ref={form} method="post" action="/signup" onSubmit={onSubmit}>
      <p>
        <label htmlFor="name">Name</label> <input id="name" name="name" autoComplete="name" required />
      </p>
      <p>
        <label htmlFor="email">Email</label> <input id="email" name="email" type="email" autoComplete="email" required />
      </p>
      <p>
        <label htmlFor="address">Postal address</label> <textarea id="address" name="address" rows={2} autoComplete="street-address" />
      </p>
      {challenge && (
        <cachet-consent
          config="/consent.json"
          challenge={challenge.challenge}
          digest-salt={challenge.digestSalt}
          digest-key={challenge.digestKey}
        />
      )}
      {state.status === 'error' && <p role="alert">{state.message}</p>}
      <p>
        <button type="submit" disabled={state.status === 'sending'}>Create my account</button>
      </p>
    </form>
  );
}
