// The DOM widget: renders the core's notice in the host form, listens, and on
// submit has the core validate the choices and build the receipt, which it
// signs with WebCrypto and writes into a hidden input. It holds no consent
// rule: texts, boxes, validation and the receipt all come from the core.
//
// DOM is built with createElement/textContent only: config text is data,
// never markup (DESIGN.md section 4).
import { checkBundle, shownFromBundle } from './bundle.mjs';
import { canonicalJson } from './canonical.mjs';
import { CachetError, describeRefusal, fullContext, loadCore } from './core.mjs';
import { createDialog } from './dialog.mjs';
import { copyFileName, keepForNextPage, keptCopy, renderCopy } from './receipt-copy.mjs';
import { applyTheme, followScheme } from './theme.mjs';
import { UNAVAILABLE_FALLBACK, uiText } from './ui-text.mjs';

let mountCount = 0;

// href only for https: URLs. The core's lint refuses anything else; this is a
// second lock so that no config can ever reach a javascript: link.
function safeHref(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

// The partner list may also be a page of the signup site itself ("/partenaires",
// which cachet serve generates): a path, never another host ("//x") or scheme.
function listHrefOf(url, doc) {
  if (typeof url === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(url)) return new URL(url, doc.baseURI).href;
  return safeHref(url);
}

function el(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

function externalLink(doc, href, text, t, context = '') {
  const a = el(doc, 'a', 'cachet__link', text);
  // Several "privacy policy" links: the hidden partner name tells them apart (WCAG 2.4.4).
  if (context) a.append(el(doc, 'span', 'cachet__visually-hidden', ` (${context})`));
  a.href = href;
  a.target = '_blank';
  // noopener: the partner's page gets no handle on the signup page.
  a.rel = 'noopener noreferrer';
  a.append(el(doc, 'span', 'cachet__visually-hidden', t.newTab));
  return a;
}

// The locale asked for: mount option, else the page's lang, else '' (the core
// then uses the config's locale).
function requestedLocale(host, options) {
  if (options.locale) return String(options.locale);
  const lang = host.closest('[lang]')?.getAttribute('lang') || '';
  return lang.split('-')[0].toLowerCase();
}

const gpcEnabled = () => globalThis.navigator?.globalPrivacyControl === true;

function logConfigProblems(errors) {
  const lines = errors.map((e) => `  - ${e.code} at ${e.path || '/'}: ${e.message}`);
  console.error(
    `Cachet: the consent configuration is not usable; the person sees a short message instead of the choices, and the form carries no receipt.\n${lines.join('\n')}`,
  );
}

/**
 * In place of the choices when they cannot be shown (a refused or unreachable
 * config, a module that did not load): one polite sentence, so the person knows
 * their details go to no partner. The form still carries no receipt, which the
 * host's backend reads as "no consent, no transfer" (docs/widget.md).
 * The words come from the core (ui.unavailable); `core` may be null when the
 * module itself could not load.
 */
export function renderUnavailable(host, locale, core = null) {
  if (!host || host.nodeType !== 1) return null;
  host.querySelector(':scope > .cachet--unavailable')?.remove();
  let words = null;
  try {
    words = core ? uiText(core.uiText(locale)).unavailable : null;
  } catch {
    words = null;
  }
  // The core's fallback rule (text_locale): the page's language when there is a text for it, else English.
  const lang = Object.hasOwn(UNAVAILABLE_FALLBACK, locale) ? locale : 'en';
  const root = el(host.ownerDocument, 'div', 'cachet cachet--unavailable');
  root.lang = words ? core.uiText(locale).locale : lang;
  followScheme(root, host, null)();
  root.append(el(host.ownerDocument, 'p', 'cachet__unavailable', words || UNAVAILABLE_FALLBACK[lang]));
  host.append(root);
  return root;
}

/**
 * Mounts the widget into `host` (an element inside a form, or the form itself).
 * `config` is the config object or its JSON text.
 * Resolves to {choices(), validate(), receipt(), receiptText(), destroy()}.
 * A config the core refuses logs one console.error, renders no choice but a
 * short message for the person (renderUnavailable), and rejects with a CachetError.
 *
 * options.bundle: the config's notice bundle (`cachet build`, object or JSON
 * text): the compiled path. The choices are rendered from it at once, with no
 * wasm; the module loads after first paint (idle time or the person's first
 * move in the form) and mount() resolves once it has. A bundle that is
 * malformed, altered or built from another config is set aside with one
 * console.warn, and the safe path (the core lints and builds the notice in
 * the page) renders instead.
 */
export async function mount(host, config, options = {}) {
  if (!host || host.nodeType !== 1) throw new TypeError('Cachet.mount: the first argument must be an element.');
  const text = typeof config === 'string' ? config : JSON.stringify(config);
  if (options.bundle != null) {
    const checked = await checkBundle(options.bundle, text);
    if (checked.ok) return mountCompiled(host, text, checked.content, options);
    warnBundle(checked.why);
  }
  return mountSafe(host, text, options);
}

const warnBundle = (why) =>
  console.warn(`Cachet: the notice bundle is not used: ${why}; the choices are rendered from the configuration instead.`);

// The safe path: the core lints the config and builds the notice in the page.
async function mountSafe(host, text, options) {
  let core;
  try {
    core = await loadCore();
  } catch (error) {
    renderUnavailable(host, requestedLocale(host, options));
    throw error;
  }
  const gpc = gpcEnabled();
  const built = core.notice(text, requestedLocale(host, options), { globalPrivacyControl: gpc });
  if (!built.ok) {
    // An unreadable config has no locale: the page's lang decides.
    renderUnavailable(host, requestedLocale(host, options), core);
    // The widget's module names each problem's code and path; the words come
    // from the verification module, loaded only for a refused config.
    const problems = await describeRefusal(text, requestedLocale(host, options), built.errors);
    logConfigProblems(problems);
    throw new CachetError(problems);
  }
  const shown = {
    notice: built.notice,
    initialBoxes: built.initialBoxes,
    settings: built.host,
    words: core.uiText(built.notice.locale),
  };
  const widget = render(host, text, shown, options, { core, gpc });
  widget.noticeCanonical = built.canonical;
  return widget;
}

// Resolves after the first paint that shows the choices, when the page is
// idle or as soon as the person touches the form, whichever comes first.
function afterFirstPaint(win, target) {
  return new Promise((resolve) => {
    const events = ['pointerdown', 'keydown', 'focusin', 'touchstart'];
    const done = () => {
      for (const name of events) target.removeEventListener(name, done, true);
      resolve();
    };
    for (const name of events) target.addEventListener(name, done, { capture: true, passive: true });
    const idle = win?.requestIdleCallback
      ? (fn) => win.requestIdleCallback(fn, { timeout: 2000 })
      : (fn) => setTimeout(fn, 50);
    // rAF runs just before the frame is painted; the idle callback asked
    // from there comes after that paint.
    if (win?.requestAnimationFrame) win.requestAnimationFrame(() => idle(done));
    else idle(done);
  });
}

class BundleMismatch extends Error {}

// What the loaded core says differs from the bundle, as a phrase, or ''.
function mismatchOf(core, built, shown) {
  if (!built.ok) return 'the core refuses the configuration';
  if (canonicalJson(built.notice) !== canonicalJson(shown.notice)) return "its notice differs from the one this Cachet builds (rebuild it with this version's cachet build)";
  if (canonicalJson(built.initialBoxes) !== canonicalJson(shown.initialBoxes)) return 'its initial box states differ from the core\'s';
  if (canonicalJson(built.host) !== canonicalJson(shown.settings)) return 'its host settings differ from the core\'s';
  if (canonicalJson(core.uiText(shown.words.locale).texts) !== canonicalJson(shown.words.texts)) return "its widget texts differ from this Cachet's";
  return '';
}

// The compiled path: render from the bundle now, load the core after first
// paint, and have it confirm the bundle before anything is validated or signed.
async function mountCompiled(host, text, content, options) {
  const requested = requestedLocale(host, options);
  const gpc = gpcEnabled();
  const shown = shownFromBundle(content, requested, gpc);
  if (!shown) {
    warnBundle(`it does not carry the page's locale "${requested}" (built with --only)`);
    return mountSafe(host, text, options);
  }
  let confirmed = null;
  const confirm = () => {
    if (!confirmed) confirmed = loadCore().then((core) => {
      const built = core.notice(text, requested, { globalPrivacyControl: gpc });
      const why = mismatchOf(core, built, shown);
      if (why) throw new BundleMismatch(why);
      return { core, canonical: built.canonical };
    });
    return confirmed;
  };
  let widget;
  try {
    widget = render(host, text, shown, options, { core: null, gpc, loadCore: () => confirm().then((c) => c.core) });
  } catch (error) {
    // A bundle whose integrity holds but whose notice the renderer cannot read.
    warnBundle(`it could not be rendered (${error?.message || error})`);
    return mountSafe(host, text, options);
  }
  await afterFirstPaint(host.ownerDocument.defaultView, host.closest('form') || host);
  try {
    widget.noticeCanonical = (await confirm()).canonical;
    return widget;
  } catch (error) {
    widget.destroy();
    if (error instanceof BundleMismatch) {
      warnBundle(error.message);
      return mountSafe(host, text, options);
    }
    renderUnavailable(host, requested);
    throw error;
  }
}

// Builds the widget's DOM from what the person is shown (the core's notice,
// from the core in the page or from a bundle: the same code for both paths, so
// both give the same DOM) and wires it. `access.core` is the loaded core, or
// null with `access.loadCore()` to get it when first needed (compiled path).
function render(host, text, shown, options, access) {
  const doc = host.ownerDocument;
  const { notice, initialBoxes, settings, words } = shown;
  const { gpc } = access;
  let core = access.core;
  const needCore = async () => {
    if (!core) core = await access.loadCore();
    return core;
  };
  const locale = notice.locale;
  const t = uiText(words);
  const form = host.closest('form') || (host.tagName === 'FORM' ? host : null);
  const prefix = `cachet-${++mountCount}`;
  const hostSetting = (option, attribute) =>
    options[option] ?? host.getAttribute(attribute) ?? form?.getAttribute(attribute) ?? '';
  const challenge = hostSetting('challenge', 'data-cachet-challenge');
  // Keyed contact digests (receipt version 2, docs/receipt.md): the salt and
  // key GET /api/challenge gives. Without both, the receipt is version 1,
  // whose phone digests can be found by searching the number range.
  const digestSalt = String(hostSetting('digestSalt', 'data-cachet-digest-salt') || '');
  const digestKey = String(hostSetting('digestKey', 'data-cachet-digest-key') || '');
  if (Boolean(digestSalt) !== Boolean(digestKey)) {
    console.warn('Cachet: a digest key needs its digest salt (both come from GET /api/challenge); making a version 1 receipt.');
  }
  const keyed = digestSalt && digestKey ? { salt: digestSalt, digestKey } : {};
  // How the person sees their receipt copy: "pause" (default: in the form,
  // before it is sent), "next-page" (kept for showReceiptCopy() on the host's
  // next page) or "host" (the host shows it itself, e.g. cachet serve's page).
  let copyMode = String(hostSetting('receiptCopy', 'data-cachet-receipt-copy') || 'pause');
  if (!['pause', 'next-page', 'host'].includes(copyMode)) {
    console.warn(`Cachet: receiptCopy "${copyMode}" is not one of "pause", "next-page", "host"; using "pause".`);
    copyMode = 'pause';
  }

  // --- render ---------------------------------------------------------------
  host.querySelector(':scope > .cachet--unavailable')?.remove();
  const root = el(doc, 'div', 'cachet');
  root.lang = locale;
  applyTheme(root, settings.theme);
  const stopFollowing = followScheme(root, host, settings.theme);

  const fieldset = el(doc, 'fieldset', 'cachet__fieldset');
  fieldset.append(el(doc, 'legend', 'cachet__legend', notice.heading));

  const described = [];
  const para = (key, value, className = 'cachet__text') => {
    if (!value) return null;
    const p = el(doc, 'p', className, value);
    p.id = `${prefix}-${key}`;
    described.push(p.id);
    fieldset.append(p);
    return p;
  };
  para('intro', notice.intro);
  para('recipients', notice.recipients);

  // The partner list (R3, R7): one control, never two side by side (issue 15):
  // a button that opens the inline list (which then links to the full page),
  // or, with the list only by link, that link.
  const listHref = listHrefOf(notice.partnerListUrl, doc);
  const dialog = notice.partners.length ? buildPartnerDialog(doc, prefix, notice, t, listHref) : null;
  const partnerActions = el(doc, 'p', 'cachet__actions');
  if (dialog) {
    const open = el(doc, 'button', 'cachet__button cachet__partners-button', notice.partnerSummary || t.showPartners(notice.partners.length));
    open.type = 'button';
    open.id = `${prefix}-partners-button`;
    open.setAttribute('aria-haspopup', 'dialog');
    open.setAttribute('aria-controls', dialog.element.id);
    open.addEventListener('click', () => dialog.open(open));
    described.push(open.id);
    partnerActions.append(open);
  } else if (listHref) {
    const link = externalLink(doc, listHref, notice.partnerSummary || t.partnerListLink, t);
    link.id = `${prefix}-partners-link`;
    described.push(link.id);
    partnerActions.append(link);
  } else {
    para('partners', notice.partnerSummary);
  }
  if (partnerActions.childNodes.length) fieldset.append(partnerActions);

  // The box's sentence names the partners and links to their list inside it,
  // as the CNIL's examples do ("aux partenaires [lien]"). A link inside a
  // <label> does not tick the box when followed (HTML, label activation
  // behaviour), and it is the only interactive content a label may hold.
  const labelFor = (box) => {
    const label = el(doc, 'label', 'cachet__label');
    const at = box.partnerLink ? box.label.indexOf(box.partnerLink) : -1;
    if (at < 0 || (!dialog && !listHref)) {
      label.textContent = box.label;
      return label;
    }
    let link;
    if (dialog) {
      link = el(doc, 'a', 'cachet__link cachet__partners-inline', box.partnerLink);
      // Without script the href still leads somewhere: the page, else the dialog's id.
      link.href = listHref || `#${dialog.element.id}`;
      link.setAttribute('aria-haspopup', 'dialog');
      link.setAttribute('aria-controls', dialog.element.id);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        dialog.open(link);
      });
    } else {
      link = externalLink(doc, listHref, box.partnerLink, t);
      link.classList.add('cachet__partners-inline');
    }
    label.append(box.label.slice(0, at), link, box.label.slice(at + box.partnerLink.length));
    return label;
  };

  const boxes = notice.boxes.map((box) => {
    const wrap = el(doc, 'div', `cachet__box cachet__box--${box.basis}`);
    const input = el(doc, 'input', 'cachet__checkbox');
    input.type = 'checkbox';
    input.id = `${prefix}-${box.id}`;
    input.dataset.cachetBox = box.id;
    const label = labelFor(box);
    label.htmlFor = input.id;
    wrap.append(input, label);
    const ids = [...described];
    if (box.hint) {
      const hint = el(doc, 'p', 'cachet__hint', box.hint);
      hint.id = `${input.id}-hint`;
      ids.push(hint.id);
      wrap.append(hint);
    }
    // GPC (R1, object simply): the core pre-selects objections, and it is
    // said next to the box; the receipt records the signal.
    if (initialBoxes[box.id]) {
      input.checked = true;
      const why = el(doc, 'p', 'cachet__hint cachet__gpc', t.gpc);
      why.id = `${input.id}-gpc`;
      ids.push(why.id);
      wrap.append(why);
    }
    const error = el(doc, 'p', 'cachet__error');
    error.id = `${input.id}-error`;
    error.hidden = true;
    wrap.append(error);
    input.setAttribute('aria-describedby', ids.join(' '));
    fieldset.append(wrap);
    return { box, input, error, describedBy: ids };
  });

  para('rights', notice.rights, 'cachet__text cachet__rights');
  const policyHref = safeHref(notice.privacyPolicyUrl);
  if (policyHref) {
    const p = el(doc, 'p', 'cachet__text');
    p.append(externalLink(doc, policyHref, notice.privacyPolicyLabel || t.policy, t));
    fieldset.append(p);
  }

  // One live region: errors are announced when they appear (WCAG 4.1.3).
  const alert = el(doc, 'div', 'cachet__alert');
  alert.setAttribute('role', 'alert');
  alert.id = `${prefix}-alert`;
  fieldset.append(alert);

  root.append(fieldset);
  // The receipt copy appears here, after the choices and before the host's
  // submit button.
  const receiptBox = el(doc, 'div', 'cachet__receipt-box');
  receiptBox.hidden = true;
  root.append(receiptBox);
  if (dialog) root.append(dialog.element);
  host.append(root);

  // --- state ----------------------------------------------------------------
  const emit = (name, detail) =>
    host.dispatchEvent(new CustomEvent(`cachet:${name}`, { bubbles: true, detail: structuredClone(detail) }));

  const fieldFor = (kind) => {
    const selector = settings.fields?.[kind];
    if (!selector || !form) return null;
    try {
      return form.querySelector(selector);
    } catch {
      return null;
    }
  };

  // Box states and contact values as the person left them; the core turns
  // them into decisions (what a ticked box means is a rule, not UI).
  function boxStates() {
    const states = {};
    for (const { box, input } of boxes) states[box.id] = input.checked;
    const contacts = {};
    for (const kind of Object.keys(settings.fields || {})) {
      const value = fieldFor(kind)?.value;
      if (typeof value === 'string' && value.trim()) contacts[kind] = value;
    }
    return { boxes: states, contacts };
  }

  function choices() {
    return core.decisions(text, boxStates(), locale);
  }

  // Which box a problem belongs to: the core names the channels it concerns.
  function boxFor(problem) {
    const channels = problem.channels || [];
    const candidates = boxes.filter((b) => b.box.channels.some((c) => channels.includes(c)));
    return candidates.find((b) => b.input.checked) || candidates[0] || null;
  }

  let invalidFields = [];
  function showErrors(errors) {
    for (const b of boxes) {
      b.error.hidden = true;
      b.error.textContent = '';
      b.input.removeAttribute('aria-invalid');
      b.input.setAttribute('aria-describedby', b.describedBy.join(' '));
    }
    for (const f of invalidFields) f.removeAttribute('aria-invalid');
    invalidFields = [];
    alert.replaceChildren();
    if (!errors.length) return;
    for (const problem of errors) {
      const target = boxFor(problem);
      if (target) {
        target.error.hidden = false;
        target.error.textContent = target.error.textContent ? `${target.error.textContent} ${problem.message}` : problem.message;
        target.input.setAttribute('aria-invalid', 'true');
        target.input.setAttribute('aria-describedby', [...target.describedBy, target.error.id].join(' '));
      }
      const field = problem.path.startsWith('/contacts/') ? fieldFor(problem.path.slice('/contacts/'.length)) : null;
      if (field) {
        field.setAttribute('aria-invalid', 'true');
        invalidFields.push(field);
      }
    }
    alert.append(el(doc, 'p', 'cachet__alert-title', t.fixErrors));
    const list = el(doc, 'ul', 'cachet__alert-list');
    for (const problem of errors) list.append(el(doc, 'li', null, problem.message));
    alert.append(list);
  }

  let shownErrors = false;
  function validate() {
    const current = boxStates();
    const result = core.validateChoices(text, current, locale);
    const errors = result.ok ? [] : result.errors;
    showErrors(errors);
    shownErrors = errors.length > 0;
    if (errors.length) emit('invalid', { errors, choices: choices() });
    return { ok: errors.length === 0, errors };
  }

  let lastReceipt = null;
  let signedState = null;
  async function receipt() {
    const current = boxStates();
    const context = fullContext({
      locale,
      pageUrl: String(doc.location?.href || ''),
      challenge: String(challenge || ''),
      globalPrivacyControl: gpc,
      ...keyed,
    });
    const made = await core.receipt(text, current, context);
    lastReceipt = made;
    signedState = JSON.stringify(current);
    if (form) {
      const name = settings.receiptInput || 'cachet_receipt';
      let input = [...form.querySelectorAll('input[type=hidden]')].find((i) => i.name === name);
      if (!input) {
        input = el(doc, 'input');
        input.type = 'hidden';
        input.name = name;
        form.append(input);
      }
      input.value = made.jws;
    }
    showReceipt(made);
    emit('receipt', { jws: made.jws, receipt: made.receipt });
    return made.jws;
  }

  // The copy names the partners: the core reads their names from the config.
  function receiptText() {
    return lastReceipt ? core.receiptText(lastReceipt.payload, locale, text) : '';
  }

  // The copy in the form, with the download; in "pause" mode also the two
  // ways on, side by side and alike (no nudge): send the form, or go back.
  let shownCopy = null;
  let pausedSubmitter = null;
  function showReceipt(made, { pause = false } = {}) {
    shownCopy?.revoke();
    const actions = [];
    if (pause) {
      const go = el(doc, 'button', 'cachet__button cachet__continue', t.receiptContinue);
      go.type = 'button';
      go.addEventListener('click', () => continueSubmit());
      const back = el(doc, 'button', 'cachet__button cachet__button--secondary cachet__change', t.receiptChange);
      back.type = 'button';
      back.addEventListener('click', () => changeChoices());
      actions.push(go, back);
    }
    shownCopy = renderCopy(doc, receiptBox, {
      id: `${prefix}-receipt`,
      copy: core.receiptText(made.payload, locale, text),
      fileName: copyFileName(made.receipt.receiptId),
      t,
      intro: pause ? t.receiptReady : '',
      actions,
    });
    return shownCopy.region;
  }

  function hideReceipt() {
    shownCopy?.revoke();
    shownCopy = null;
    receiptBox.replaceChildren();
    receiptBox.hidden = true;
  }

  // The person changes their mind: the signed receipt is taken back out of the
  // form (it no longer says what they will choose) and focus returns to the boxes.
  function changeChoices() {
    hideReceipt();
    pausedSubmitter = null;
    const name = settings.receiptInput || 'cachet_receipt';
    const input = form && [...form.querySelectorAll('input[type=hidden]')].find((i) => i.name === name);
    if (input) input.value = '';
    lastReceipt = null;
    signedState = null;
    (boxes[0]?.input || fieldset).focus?.();
  }

  function continueSubmit() {
    // Boxes or contact fields changed since signing: sign again (and show the new copy).
    if (JSON.stringify(boxStates()) !== signedState) {
      form.requestSubmit(pausedSubmitter && pausedSubmitter.form === form ? pausedSubmitter : undefined);
      return;
    }
    submitNow(pausedSubmitter);
  }

  function submitNow(submitter) {
    resubmitting = true;
    try {
      if (typeof form.requestSubmit === 'function') form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      else form.submit();
    } finally {
      resubmitting = false;
    }
  }

  // --- listeners ------------------------------------------------------------
  const onChange = (e) => {
    if (e.target instanceof Element && e.target.matches('[data-cachet-box]') && root.contains(e.target)) {
      // Compiled path: the core may still be on its way; the event follows it.
      if (core) emit('change', { choices: choices() });
      else needCore().then(() => root.isConnected && emit('change', { choices: choices() }), () => {});
    }
    if (shownErrors) validate();
  };
  (form || host).addEventListener('change', onChange);

  // Submit: validate, sign, write the receipt, then let the form go. The second
  // pass (our own requestSubmit) is let through by `resubmitting`.
  let resubmitting = false;
  let busy = false;
  const onSubmit = async (event) => {
    if (resubmitting) return;
    event.preventDefault();
    if (busy) return;
    // Submitting again while the copy waits, nothing changed: that is "Continue".
    if (shownCopy && pausedSubmitter !== null && JSON.stringify(boxStates()) === signedState) {
      submitNow(event.submitter || pausedSubmitter);
      return;
    }
    if (!core) {
      // Compiled path: submitting before the module arrived waits for it.
      busy = true;
      try {
        await needCore();
      } catch {
        // The bundle was set aside (the safe path renders afresh) or the module failed: mount() said why.
        return;
      } finally {
        busy = false;
      }
    }
    const check = validate();
    if (!check.ok) {
      const first = boxes.find((b) => b.input.getAttribute('aria-invalid') === 'true');
      (first ? first.input : fieldset).focus?.();
      return;
    }
    busy = true;
    try {
      await receipt();
      if (options.submit !== false && copyMode === 'pause') {
        // The person sees the copy and chooses when the page leaves.
        pausedSubmitter = event.submitter || false;
        showReceipt(lastReceipt, { pause: true }).focus();
        busy = false;
        return;
      }
      if (copyMode === 'next-page') {
        keepForNextPage(doc.defaultView, { text: receiptText(), fileName: copyFileName(lastReceipt.receipt.receiptId), locale });
      }
    } catch (error) {
      busy = false;
      if (error instanceof CachetError) showErrors(error.problems);
      console.error('Cachet: the receipt could not be made.', error);
      return;
    }
    busy = false;
    if (options.submit === false) return;
    // Chromium 156 silently ignores requestSubmit() from a microtask that a
    // WebCrypto promise resolved (found by tests/browser); a new task works.
    await new Promise((resolve) => setTimeout(resolve, 0));
    submitNow(event.submitter);
  };
  if (form) form.addEventListener('submit', onSubmit);

  return {
    element: root,
    locale,
    notice,
    noticeCanonical: '',
    choices,
    validate,
    receipt,
    receiptText,
    destroy() {
      (form || host).removeEventListener('change', onChange);
      if (form) form.removeEventListener('submit', onSubmit);
      if (dialog && dialog.isOpen) dialog.close();
      shownCopy?.revoke();
      stopFollowing();
      for (const f of invalidFields) f.removeAttribute('aria-invalid');
      root.remove();
    },
  };
}

function buildPartnerDialog(doc, prefix, notice, t, listHref) {
  const dialog = createDialog(doc, { id: `${prefix}-partners`, title: notice.partnerListTitle, closeLabel: t.close });
  const list = el(doc, 'ul', 'cachet__partner-list');
  for (const partner of notice.partners) {
    const item = el(doc, 'li', 'cachet__partner');
    item.append(el(doc, 'span', 'cachet__partner-name', partner.name));
    if (partner.sector) item.append(el(doc, 'span', 'cachet__partner-sector', ` (${partner.sector})`));
    // R3: which of the person's details this partner receives.
    if (partner.channelsText) {
      item.append(doc.createTextNode(' — '), el(doc, 'span', 'cachet__partner-channels', partner.channelsText));
    }
    const href = safeHref(partner.privacyPolicyUrl);
    if (href) {
      item.append(doc.createTextNode(' — '));
      item.append(externalLink(doc, href, t.policy, t, partner.name));
    }
    list.append(item);
  }
  if (notice.partnerListUpdatedAt) dialog.body.append(el(doc, 'p', 'cachet__text', t.updatedAt(notice.partnerListUpdatedAt)));
  dialog.body.append(list);
  if (listHref) {
    const p = el(doc, 'p', 'cachet__text');
    p.append(externalLink(doc, listHref, t.partnerListLink, t));
    dialog.body.append(p);
  }
  return dialog;
}

/**
 * On the host's next page: shows the receipt copy the widget kept when the form
 * was sent with receiptCopy "next-page" (sessionStorage, this tab only), in
 * `element`. Resolves to true when there was a copy to show.
 */
export async function showReceiptCopy(element, options = {}) {
  if (!element || element.nodeType !== 1) throw new TypeError('Cachet.showReceiptCopy: the first argument must be an element.');
  const doc = element.ownerDocument;
  const kept = keptCopy(doc.defaultView);
  if (!kept) return false;
  const core = await loadCore();
  const locale = options.locale || kept.locale || requestedLocale(element, options);
  const words = core.uiText(locale);
  const t = uiText(words);
  const root = el(doc, 'div', 'cachet');
  root.lang = words.locale;
  followScheme(root, element, null)();
  const box = el(doc, 'div', 'cachet__receipt-box');
  root.append(box);
  element.replaceChildren(root);
  renderCopy(doc, box, { id: `cachet-${++mountCount}-receipt`, copy: kept.text, fileName: kept.fileName, t, intro: t.receiptNextPage });
  return true;
}
