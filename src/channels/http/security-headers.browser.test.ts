import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SANDBOX_PAGE_TEXT } from '../../adapters/payments/sandbox/sandbox-pages-text.js';
import { newVisitor } from '../../testing/browser.js';
import { browserSuite } from '../../testing/browser-suite.js';
import type { RunningSite } from '../../testing/running-site.js';

/**
 * The pages with their own Content-Security-Policy, in Chromium: a policy that is too strict
 * breaks a page silently (an inline style whose hash does not match is just not applied), so each
 * page is loaded, used, and checked for CSP violations and for its styles and scripts working —
 * the sandbox's checkout (a card paid, the form posted and redirected), the receipt, and /docs
 * (Swagger UI). The headers themselves are checked on every route in security-headers.test.ts.
 */

const ACTIVE_WAIT_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const DOCS_RENDER_WAIT_MS = 15_000;

// The policies do not depend on the database: SQLite only.
describe('pages under their Content-Security-Policy, in Chromium', () => {
  let site: RunningSite;
  let browser: Browser;
  const suite = browserSuite();
  let keys = 0;

  before(async () => {
    ({ browser, site } = suite);
  });

  /** A page that records every console message Chromium writes about a CSP violation. */
  async function watchedPage(): Promise<{ page: Page; violations: string[] }> {
    const page = await (await newVisitor(browser, 'en')).newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
    });
    return { page, violations };
  }

  async function api(path: string, body: unknown): Promise<Record<string, unknown>> {
    keys += 1;
    const response = await fetch(`${site.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `csp-${keys}` }, body: JSON.stringify(body) });
    assert.ok(response.ok, `${path}: ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }

  async function waitUntilActive(order_id: string): Promise<void> {
    const deadline = Date.now() + ACTIVE_WAIT_MS;
    while ((await (await fetch(`${site.base}/api/v1/orders/${order_id}`)).json() as { state: string }).state !== 'active') {
      assert.ok(Date.now() < deadline, `order ${order_id} not active after ${ACTIVE_WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  function computed(page: Page, selector: string, property: string): Promise<string> {
    // A string, not a function: this project's TypeScript has no DOM types, and the page does.
    return page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`) as Promise<string>;
  }

  it('the sandbox\'s checkout is styled, takes a card and sends the customer back; the receipt is styled', async () => {
    const { page, violations } = await watchedPage();
    const order = await api('/api/v1/orders', { msisdn: '+79001234568', package_code: 'data-1gb-1d' }) as { id: string };
    const paid = await api(`/api/v1/orders/${order.id}/payments`, { method: 'card' }) as { payment: { next_action: { url: string } } };
    await page.goto(paid.payment.next_action.url);
    assert.equal(await computed(page, '.banner', 'backgroundColor'), 'rgb(255, 243, 205)', 'the inline style applies (its hash is in the policy)');
    const text = SANDBOX_PAGE_TEXT.en;
    await page.getByLabel(text.card_number).fill('4242 4242 4242 4242');
    await page.getByLabel(text.expiry).fill('12/34');
    await page.getByLabel(text.cvc).fill('123');
    await page.getByRole('button', { name: text.pay, exact: true }).click();
    await page.waitForURL(`${site.base}/orders/${order.id}`);
    await waitUntilActive(order.id);
    await page.goto(`${site.base}/orders/${order.id}/receipt`);
    assert.match(page.url(), /\/receipts\/RC-/);
    assert.equal(await computed(page, 'dl', 'display'), 'grid', 'the receipt\'s inline style applies');
    assert.deepEqual(violations, []);
  });

  it('/docs: Swagger UI runs and renders the API under its policy', async () => {
    const { page, violations } = await watchedPage();
    await page.goto(`${site.base}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: DOCS_RENDER_WAIT_MS });
    await page.locator('.opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor({ timeout: DOCS_RENDER_WAIT_MS });
    assert.deepEqual(violations, []);
  });
});
