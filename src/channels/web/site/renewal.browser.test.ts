import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SANDBOX_PAGE_TEXT } from '../../../adapters/payments/sandbox/sandbox-pages-text.js';
import type { Language } from '../../../core/i18n/languages.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { POSTGRES_SKIP_REASON, TEST_DATABASE_URL } from '../../../testing/databases.js';
import { keepScreenshot, newVisitor } from '../../../testing/browser.js';
import { browserSuite } from '../../../testing/browser-suite.js';
import { TEST_TIMEOUT_OUTCOME_MS, type RunningSite } from '../../../testing/running-site.js';
import { siteText } from './text/site-text.js';

/**
 * The anonymous renewal, as a customer does it in headless Chromium against the sandbox provider:
 * number → pack → method → the sandbox's card page → back to the status page, which follows the
 * order by itself until the pack is active and shows the balance. Also a declined card followed by
 * another method, and the whole path with JavaScript switched off.
 */

const CARD_OK = '4242 4242 4242 4242';
const CARD_DECLINED = '4000 0000 0000 9995';
/** Succeeds only through the webhook, TEST_TIMEOUT_OUTCOME_MS later: the status page must follow it. */
const CARD_SLOW = '4000 0000 0000 0119';
const PACK_CODE = 'data-1gb-1d';
/** Generous: CI machines run other suites at the same time. */
const ACTIVE_WAIT_MS = TEST_TIMEOUT_OUTCOME_MS + 60_000;

// Each engine in turn, like describeEachDatabase, but the server and its worker stop before the
// database closes (describeEachDatabase's own `after` would close it first, under a running worker).
for (const dialect of ['sqlite', 'postgres'] as const) describe(`customer site: renewal in a browser [${dialect}]`, {
  skip: dialect === 'postgres' && !TEST_DATABASE_URL ? POSTGRES_SKIP_REASON : false,
}, () => {
  let site: RunningSite;
  let browser: Browser;
  const suite = browserSuite(dialect);

  before(async () => {
    ({ browser, site } = suite);
  });

  /** From the start page to the sandbox's hosted page, the way a customer clicks. */
  async function choosePackAndPay(page: Page, language: Language, typed_number: string, method = 'card'): Promise<void> {
    const text = siteText(language);
    await page.goto(`${site.base}/`);
    await page.getByRole('link', { name: text.home_renew_cta }).click();
    await page.getByLabel(text.msisdn_label).fill(typed_number);
    await page.getByRole('button', { name: text.show_packs }).click();
    await page.locator(`input[name=package_code][value=${PACK_CODE}]`).check();
    await page.locator(`input[name=method][value=${method}]`).check();
    await keepScreenshot(page, `journey-${language}-packs`);
    await page.getByRole('button', { name: text.pay_button }).click();
    await page.waitForURL(/\/sandbox\/pay\//);
  }

  async function payByCard(page: Page, language: Language, card_number: string): Promise<void> {
    const sandbox = SANDBOX_PAGE_TEXT[language];
    await page.getByLabel(sandbox.card_number).fill(card_number);
    await page.getByLabel(sandbox.expiry).fill('12/34');
    await page.getByLabel(sandbox.cvc).fill('123');
    await page.getByRole('button', { name: sandbox.pay, exact: true }).click();
  }

  async function waitForActive(page: Page, language: Language): Promise<void> {
    await page.getByRole('heading', { name: messagesFor(language).renewal.order_states.active, exact: true }).waitFor({ timeout: ACTIVE_WAIT_MS });
  }

  async function balanceLines(page: Page): Promise<string[]> {
    return page.locator('ul.balance li').allTextContents();
  }

  for (const language of ['zh-Hans', 'ru'] as const) {
    it(`${language}: number → pack → card → sandbox → status page follows the order by itself → balance`, async () => {
      const visitor = await newVisitor(browser, language);
      const page = await visitor.newPage();
      await choosePackAndPay(page, language, '8 900 123-45-68');
      await payByCard(page, language, CARD_SLOW);
      // The slow card: the sandbox says "still processing" and offers the way back.
      await page.getByRole('link', { name: SANDBOX_PAGE_TEXT[language].back_to_merchant }).click();
      await page.waitForURL(/\/orders\/ord_/);
      await page.getByRole('heading', { name: messagesFor(language).renewal.order_states.awaiting_payment, exact: true }).waitFor();
      await keepScreenshot(page, `journey-${language}-waiting`);
      await page.evaluate('window.stayed_on_page = true');
      await waitForActive(page, language);
      assert.equal(await page.evaluate('window.stayed_on_page'), true, 'the page updated itself, without a reload');
      const balance = await balanceLines(page);
      assert.ok(balance.some((line) => line.includes(messagesFor(language).units.gb)), `balance shows data: ${balance.join(' | ')}`);
      assert.match(await page.locator('dl.facts').innerText(), /\+7900\*\*\*4568/, 'the number is masked');
      const remembered = await page.evaluate(`localStorage.getItem('rc:balances')`) as string;
      assert.match(remembered, /\+7900\*\*\*4568/, 'the balance is remembered for the offline page');
      await keepScreenshot(page, `journey-${language}-active`);
      await visitor.close();
    });
  }

  for (const [language, second_method] of [['ru', 'sbp'], ['zh-Hans', 'alipay']] as const) {
    it(`${language}: a declined card explains itself, then one tap pays with ${second_method}`, async () => {
      const visitor = await newVisitor(browser, language);
      const page = await visitor.newPage();
      const messages = messagesFor(language);
      await choosePackAndPay(page, language, '+7 900 123 45 67');
      await payByCard(page, language, CARD_DECLINED);
      await page.waitForURL(/\/orders\/ord_/);
      await page.getByText(messages.renewal.payment_failures.insufficient_funds).waitFor();
      await keepScreenshot(page, `declined-${language}`);
      await page.getByRole('button', { name: messages.receipts.methods[second_method], exact: true }).click();
      await page.waitForURL(/\/sandbox\/pay\//);
      const sandbox = SANDBOX_PAGE_TEXT[language];
      if (second_method === 'sbp') await page.getByRole('link', { name: sandbox.sbp_confirm }).click();
      await page.getByRole('button', { name: second_method === 'sbp' ? sandbox.sbp_confirm : sandbox.approve }).click();
      await page.waitForURL(/\/orders\/ord_/);
      await waitForActive(page, language);
      assert.ok((await balanceLines(page)).length > 0);
      await visitor.close();
    });
  }

  for (const [language, card] of [['ru', CARD_SLOW], ['zh-Hans', CARD_OK]] as const) {
    it(`${language}: the whole renewal works with JavaScript switched off (${card === CARD_SLOW ? 'the page refreshes itself' : 'straight to active'})`, async () => {
      const visitor = await newVisitor(browser, language, { javaScriptEnabled: false });
      const page = await visitor.newPage();
      await choosePackAndPay(page, language, '+79001234569');
      await payByCard(page, language, card);
      if (card === CARD_SLOW) await page.getByRole('link', { name: SANDBOX_PAGE_TEXT[language].back_to_merchant }).click();
      await page.waitForURL(/\/orders\/ord_/);
      // Without JavaScript the <noscript> refresh reloads the page until the pack is active.
      await waitForActive(page, language);
      assert.ok((await balanceLines(page)).length > 0);
      await visitor.close();
    });
  }
});
