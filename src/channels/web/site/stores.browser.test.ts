import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { keepScreenshot, newVisitor, overflowsSideways, PHONE_VIEWPORT, seriousAxeViolations } from '../../../testing/browser.js';
import { browserSuite } from '../../../testing/browser-suite.js';
import type { RunningSite } from '../../../testing/running-site.js';
import { siteText } from './text/site-text.js';

/**
 * The store finder in headless Chromium: "Near me" with the browser's geolocation (asked for on
 * the click only, refused with a message), and the city picker without JavaScript. SQLite only:
 * the finder's queries run on both engines in store-finder.test.ts and store-pages.test.ts.
 */

/** On Nevsky Prospekt, a few steps from Perekrestok at number 114. */
const ON_NEVSKY = { latitude: 59.93124, longitude: 30.36077 };

/** Counts the page's calls to getCurrentPosition (before its own scripts run), so a test can see when it asked. */
const COUNT_LOCATION_REQUESTS = `(() => {
  window.__location_requests = 0;
  const ask = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);
  navigator.geolocation.getCurrentPosition = (...args) => { window.__location_requests += 1; return ask(...args); };
})()`;

async function storeOrder(page: Page): Promise<string[]> {
  return page.locator('article.store').evaluateAll((articles) => articles.map((article) => article.id.replace(/^store-/, '')));
}

describe('store finder in a browser', () => {
  let site: RunningSite;
  let browser: Browser;
  const suite = browserSuite();

  before(() => {
    ({ browser, site } = suite);
  });

  it('"Near me" asks for the location on the click only, then lists the nearest store first', async () => {
    const text = siteText('en');
    const visitor = await newVisitor(browser, 'en', { geolocation: ON_NEVSKY, permissions: ['geolocation'] });
    await visitor.addInitScript(COUNT_LOCATION_REQUESTS);
    const page = await visitor.newPage();
    await page.goto(`${site.base}/stores`);
    const button = page.getByRole('button', { name: text.finder_near_me });
    await button.waitFor();
    assert.equal(await page.evaluate('window.__location_requests'), 0, 'nothing asked on load');
    await button.click();
    await page.waitForURL(`${site.base}/stores?lat=59.931&lon=30.361`);
    assert.deepEqual((await storeOrder(page)).slice(0, 2), ['perekrestok-nevsky', 'led-hall']);
    assert.equal(await page.getByRole('heading', { level: 2 }).first().innerText(), text.finder_nearest_title);
    assert.match(await page.locator('#store-perekrestok-nevsky .distance').innerText(), /^\d+ m away$/);
    await visitor.close();
  });

  it('says so in the visitor\'s language when the location is refused', async () => {
    const text = siteText('ru');
    const visitor = await newVisitor(browser, 'ru', { geolocation: ON_NEVSKY });
    await visitor.addInitScript(COUNT_LOCATION_REQUESTS);
    const page = await visitor.newPage();
    await page.goto(`${site.base}/stores`);
    await page.getByRole('button', { name: text.finder_near_me }).click();
    const status = page.locator('#near-me-status');
    await page.getByText(text.finder_denied).waitFor();
    assert.equal(await status.innerText(), text.finder_denied);
    assert.equal(await page.evaluate('window.__location_requests'), 1);
    assert.equal(page.url(), `${site.base}/stores`, 'stays on the page, the city picker still there');
    assert.ok(await page.getByRole('button', { name: text.finder_near_me }).isEnabled(), 'may try again');
    await visitor.close();
  });

  it('without JavaScript: no "Near me", and a city picked through the form shows that city\'s stores', async () => {
    const text = siteText('zh-Hant');
    const visitor = await newVisitor(browser, 'zh-Hant', { javaScriptEnabled: false });
    const page = await visitor.newPage();
    await page.goto(`${site.base}/stores`);
    assert.ok(await page.locator('#near-me-box').isHidden(), 'the button needs the script');
    assert.equal((await storeOrder(page)).length, 7);
    await page.getByLabel(text.finder_city_label).selectOption({ label: '喀山' });
    await page.getByRole('button', { name: text.finder_show }).click();
    await page.waitForURL(`${site.base}/stores?city=Kazan`);
    assert.deepEqual(await storeOrder(page), ['magnit-kazan']);
    assert.equal(await page.getByRole('heading', { level: 2 }).first().innerText(), '喀山');
    assert.equal(await page.locator('#city').inputValue(), 'Kazan', 'the picker keeps the choice');
    await page.getByLabel(text.finder_city_label).selectOption({ label: '海參崴' });
    await page.getByRole('button', { name: text.finder_show }).click();
    await page.waitForURL(`${site.base}/stores?city=Vladivostok`);
    assert.deepEqual(await storeOrder(page), ['magnit-vladivostok']);
    await visitor.close();
  });

  it('on a phone: fits the screen, no serious axe-core violations, with the position and with an error', async () => {
    const problems: string[] = [];
    for (const language of ['ru', 'zh-Hans'] as const) {
      const visitor = await newVisitor(browser, language, { viewport: PHONE_VIEWPORT });
      const page = await visitor.newPage();
      for (const path of ['/stores?lat=55.758&lon=37.613', '/stores?city=Atlantis']) {
        await page.goto(`${site.base}${path}`);
        if (await overflowsSideways(page)) problems.push(`${language} ${path} overflows`);
        for (const violation of await seriousAxeViolations(page)) problems.push(`${language} ${path}: ${violation.id} at ${violation.targets.join(', ')}`);
        await keepScreenshot(page, `stores-${language}-${path.includes('lat') ? 'near' : 'error'}`);
      }
      await visitor.close();
    }
    assert.deepEqual(problems, []);
  });
});
