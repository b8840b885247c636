// Page object for a signup form with the Cachet widget.
export class SignupPage {
  constructor(page, origin) {
    this.page = page;
    this.origin = origin;
    this.consoleErrors = [];
    this.pageErrors = [];
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => this.pageErrors.push(String(e)));
    this.dialogs = [];
    page.on('dialog', async (d) => {
      this.dialogs.push(d.message());
      await d.dismiss();
    });
  }

  // Console errors may come after the page shows a refusal: the words of a
  // refused config's problems are fetched then (web/core.mjs, describeRefusal).
  async waitForConsoleError(pattern, timeout = 10000) {
    const until = Date.now() + timeout;
    while (!this.consoleErrors.some((e) => pattern.test(e))) {
      if (Date.now() > until) throw new Error(`no console error matched ${pattern}; got:\n${this.consoleErrors.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async open(name, { waitForWidget = true } = {}) {
    // Collected before any page script runs: CSP reports and a flag hostile markup would set.
    await this.page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    await this.page.goto(`${this.origin}/tests/browser/pages/${name}`);
    if (waitForWidget) await this.page.waitForSelector('.cachet input[type=checkbox]');
  }

  cspViolations() {
    return this.page.evaluate(() => window.__cspViolations);
  }

  activeElement() {
    return this.page.evaluate(() => {
      const a = document.activeElement;
      return {
        tag: a?.tagName,
        id: a?.id,
        name: a?.getAttribute('name'),
        box: a?.dataset?.cachetBox || null,
        type: a?.getAttribute('type'),
        text: a?.textContent?.trim() || '',
        inDialog: !!a?.closest('dialog'),
        classes: a?.className && typeof a.className === 'string' ? a.className.split(/\s+/) : [],
      };
    });
  }

  // Presses Tab until `predicate(activeElement)` holds; fails after `max` presses.
  async tabTo(predicate, max = 30) {
    for (let i = 0; i < max; i++) {
      await this.page.keyboard.press('Tab');
      const a = await this.activeElement();
      if (predicate(a)) return a;
    }
    throw new Error('tabTo: target never received focus');
  }

  box(id) {
    return this.page.locator(`.cachet [data-cachet-box="${id}"]`);
  }

  // The receipt copy the widget shows before the form leaves (receiptCopy "pause").
  receiptCopy() {
    return this.page.locator('.cachet .cachet__receipt');
  }

  // Waits for the copy, checks focus moved to it, then continues with the
  // keyboard (Tab to "Continue", Enter) and waits for the next page.
  async continueFromCopy() {
    await this.receiptCopy().waitFor();
    const focused = await this.activeElement();
    if (!focused.classes.includes('cachet__receipt')) throw new Error(`focus is on ${JSON.stringify(focused)}, not on the copy`);
    await this.tabTo((a) => a.classes.includes('cachet__continue'), 6);
    await Promise.all([this.page.waitForURL('**/submit*'), this.page.keyboard.press('Enter')]);
  }

  receiptInput() {
    return this.page.locator('input[name=cachet_receipt]');
  }
}
