import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Language } from '../../../core/i18n/languages.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import {
  DESKTOP_VIEWPORT,
  keepScreenshot,
  NARROWEST_WIDTH_PX,
  newVisitor,
  overflowsSideways,
  PHONE_VIEWPORT,
  seriousAxeViolations,
  waitUntilTrue,
} from '../../../testing/browser.js';
import { browserSuite } from '../../../testing/browser-suite.js';
import type { RunningSite } from '../../../testing/running-site.js';
import { siteText } from './text/site-text.js';
import { payFromWallet } from '../../../testing/wallet-payers.js';

/**
 * The rest of the site in headless Chromium: the language (from the browser, switched, and
 * remembered), help, the offline page through the service worker, and every page checked by
 * axe-core and at 320 px. SQLite only: nothing here depends on the database engine (the renewal
 * journeys run on both).
 */

const WALLET_LINE = '+79001234567';
const ESIM_LINE = '+79001234569';
const SERVICE_WORKER_WAIT_MS = 30_000;

describe('customer site in a browser', () => {
  let site: RunningSite;
  let browser: Browser;
  const suite = browserSuite();
  let active_order = '';
  let declined_order = '';

  before(async () => {
    ({ browser, site } = suite);
    active_order = await walletPaidOrder('ru');
    declined_order = await declinedOrder();
  });

  let key_serial = 0;
  /** An order paid from the line's own balance: active at once, with a balance to show. */
  async function walletPaidOrder(language: Language): Promise<string> {
    key_serial += 1;
    const order = await site.context.renewal.createOrder({ line: { msisdn: WALLET_LINE }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: `site-browser-${key_serial}`, language });
    await payFromWallet(site.context, order.order.id, `site-browser-pay-${key_serial}`);
    return order.order.id;
  }

  /** An order whose card was declined at the sandbox: open, with a reason and the other methods. */
  async function declinedOrder(): Promise<string> {
    const order = await site.context.renewal.createOrder({ line: { msisdn: '+79001234568' }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: 'site-browser-declined' });
    const { payment } = await site.context.renewal.startPayment({ order_id: order.order.id, method: 'card', idempotency_key: 'site-browser-declined-card' });
    assert.equal(payment.next_action?.type, 'redirect');
    const url = payment.next_action.url;
    const form = new URLSearchParams({ card_number: '4000000000009995', expiry: '12/34', cvc: '123' });
    const response = await fetch(`${url}/card`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(response.status, 303);
    return order.order.id;
  }

  it('speaks the browser\'s language on a first visit, and remembers the one chosen with the switcher', async () => {
    const visitor = await newVisitor(browser, 'zh-Hans');
    const page = await visitor.newPage();
    await page.goto(`${site.base}/help`);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans');
    await page.getByRole('link', { name: 'Русский' }).click();
    await page.waitForURL(`${site.base}/help`);
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), siteText('ru').help_title);
    const later = await visitor.newPage();
    await later.goto(`${site.base}/renew`);
    assert.equal(await later.getAttribute('html', 'lang'), 'ru', 'the choice is remembered across pages');
    await later.getByRole('link', { name: '繁體中文' }).click();
    assert.equal(await later.getAttribute('html', 'lang'), 'zh-Hant');
    assert.equal(await later.getByRole('heading', { level: 1 }).innerText(), siteText('zh-Hant').renew_title, 'back on the same page');
    await visitor.close();
  });

  it('help: USSD codes, phones, eSIM without revealing any code, questions, the way to the store finder', async () => {
    const visitor = await newVisitor(browser, 'ru');
    const page = await visitor.newPage();
    await page.goto(`${site.base}/help`);
    const content = await page.locator('main').innerText();
    for (const needle of ['#100#', '#101#', 'nano-SIM', 'eSIM', siteText('ru').stores_text]) assert.ok(content.includes(needle), needle);
    assert.equal(await page.getByRole('link', { name: siteText('ru').stores_link }).getAttribute('href'), '/stores');
    assert.equal(await page.locator('main details').count(), siteText('ru').faq.length);
    await page.getByText(siteText('ru').faq[0]?.question ?? '').click();
    assert.ok(await page.getByText(siteText('ru').faq[0]?.answer ?? '').isVisible(), 'a question opens to its answer');
    await page.getByRole('link', { name: siteText('ru').esim_link }).click();
    await page.goto(`${site.base}/help/esim?msisdn=${encodeURIComponent(ESIM_LINE)}`);
    const esim = await page.content();
    assert.doesNotMatch(esim, /LPA:|RC-DEMO|smdp\.roamcard/, 'no activation code without sign-in');
    assert.ok(esim.includes(siteText('ru').esim_page_private));
    await visitor.close();
  });

  it('offline, the installed app shows the last known balance with its time instead of an error', async () => {
    const visitor = await newVisitor(browser, 'ru');
    const page = await visitor.newPage();
    await page.goto(`${site.base}/`);
    await waitUntilTrue(page, 'navigator.serviceWorker.controller !== null', SERVICE_WORKER_WAIT_MS);
    await page.goto(`${site.base}/orders/${active_order}`);
    await page.getByRole('heading', { name: messagesFor('ru').renewal.order_states.active, exact: true }).waitFor();
    await visitor.setOffline(true);
    await page.goto(`${site.base}/`);
    await page.getByRole('heading', { name: siteText('ru').offline_title }).waitFor();
    const card = page.locator('#last-balances article');
    await card.first().waitFor();
    assert.match(await card.first().innerText(), /\+7900\*\*\*4567/);
    assert.match(await card.first().locator('time').getAttribute('datetime') ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.ok(await page.locator('#no-balance').isHidden());
    await keepScreenshot(page, 'offline-ru');
    await visitor.setOffline(false);
    await visitor.close();
  });

  it('manifest, icons and service worker make it installable', async () => {
    const manifest = await (await fetch(`${site.base}/manifest.webmanifest`)).json() as { start_url: string; display: string; icons: Array<{ src: string; sizes: string; purpose: string }> };
    assert.equal(manifest.start_url, '/');
    assert.equal(manifest.display, 'standalone');
    const visitor = await newVisitor(browser, 'en');
    const page = await visitor.newPage();
    for (const icon of manifest.icons) {
      await page.goto(`${site.base}${icon.src}`);
      const width = await page.evaluate('document.images[0].naturalWidth');
      assert.equal(`${String(width)}x${String(width)}`, icon.sizes, `${icon.src} decodes to its declared size`);
    }
    assert.deepEqual(manifest.icons.map((icon) => icon.purpose).sort(), ['any', 'any', 'maskable']);
    await visitor.close();
  });

  /** Every page of the site, in the state a customer sees it; `prepare` drives it there when a URL is not enough. */
  const PAGES: ReadonlyArray<{ name: string; path: () => string; prepare?: (page: Page, language: Language) => Promise<void> }> = [
    { name: 'home', path: () => '/' },
    { name: 'renew', path: () => '/renew' },
    { name: 'renew-error', path: () => '/renew/packs?msisdn=12345' },
    { name: 'packs', path: () => `/renew/packs?msisdn=${encodeURIComponent(WALLET_LINE)}` },
    {
      name: 'packs-errors', path: () => `/renew/packs?msisdn=${encodeURIComponent(WALLET_LINE)}`,
      prepare: async (page) => {
        // Submitted with no pack chosen, past the browser's own check, to show the server's messages.
        await page.evaluate('document.querySelector("form[action=\'/renew/order\']").noValidate = true');
        await page.locator('#pay').click();
        await page.waitForLoadState();
      },
    },
    { name: 'status-active', path: () => `/orders/${active_order}` },
    { name: 'status-declined', path: () => `/orders/${declined_order}` },
    { name: 'status-missing', path: () => '/orders/ord_missing' },
    { name: 'stores', path: () => '/stores' },
    { name: 'stores-near', path: () => '/stores?lat=55.758&lon=37.613' },
    { name: 'stores-error', path: () => '/stores?lat=north&lon=37.613' },
    { name: 'help', path: () => '/help' },
    { name: 'help-esim', path: () => '/help/esim' },
    { name: 'offline', path: () => '/offline' },
  ];

  for (const language of ['zh-Hans', 'ru', 'en', 'zh-Hant'] as const) {
    it(`${language}: every page has no serious or critical axe-core violations and fits 320 px`, async () => {
      const problems: string[] = [];
      for (const viewport of [{ width: NARROWEST_WIDTH_PX, height: 640 }, PHONE_VIEWPORT, DESKTOP_VIEWPORT]) {
        const visitor = await newVisitor(browser, language, { viewport });
        await visitor.addCookies([{ name: 'rc_lang', value: language, url: site.base }]);
        const page = await visitor.newPage();
        for (const entry of PAGES) {
          await page.goto(`${site.base}${entry.path()}`);
          await entry.prepare?.(page, language);
          if (await overflowsSideways(page)) problems.push(`${entry.name} overflows at ${viewport.width} px`);
          if (viewport.width !== NARROWEST_WIDTH_PX) await keepScreenshot(page, `${entry.name}-${language}-${viewport.width}`);
          if (viewport !== PHONE_VIEWPORT) continue;
          for (const violation of await seriousAxeViolations(page)) problems.push(`${entry.name}: ${violation.impact} ${violation.id} (${violation.help}) at ${violation.targets.join(', ')}`);
        }
        await visitor.close();
      }
      assert.deepEqual(problems, []);
    });
  }
});
