import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// Defines <cachet-consent>; the stylesheet comes with the package.
import 'cachet-consent/element';
import 'cachet-consent/cachet.css';
import { SignupForm } from './SignupForm.jsx';

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <h1>Create your account</h1>
    <SignupForm />
  </StrictMode>,
);
