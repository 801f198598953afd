import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ConsoleSmsSender } from '../../../../adapters/sms/console/console-sms-sender.js';
import type { Language } from '../../../../core/i18n/languages.js';
import { messagesFor } from '../../../../core/i18n/messages.js';
import { keepScreenshot, NARROWEST_WIDTH_PX, newVisitor, overflowsSideways, PHONE_VIEWPORT, seriousAxeViolations } from '../../../../testing/browser.js';
import { browserSuite } from '../../../../testing/browser-suite.js';
import { TEST_TIMEOUT_OUTCOME_MS, type RunningSite } from '../../../../testing/running-site.js';
import { accountText } from './account-text.js';

/**
 * The SMS alert settings in headless Chromium: from the line page to the form, a change saved and
 * shown again, a bad threshold refused with its reason next to the field, axe-core on each state,
 * nothing sideways at 320 px. SQLite only: alerts-pages.test.ts runs the form on both engines.
 */

const LINE_3 = { msisdn: '+79001234569', iccid: '8970199000000000239' };
const WAIT_MS = TEST_TIMEOUT_OUTCOME_MS + 60_000;

describe('customer site: SMS alert settings in a browser', () => {
  let site: RunningSite;
  let browser: Browser;
  const suite = browserSuite();
  let sms: ConsoleSmsSender;

  before(() => {
    ({ browser, site } = suite);
    assert.ok(site.context.sms instanceof ConsoleSmsSender);
    sms = site.context.sms;
  });

  async function checkPage(page: Page, name: string): Promise<void> {
    assert.deepEqual(await seriousAxeViolations(page), [], name);
    await page.setViewportSize({ width: NARROWEST_WIDTH_PX, height: PHONE_VIEWPORT.height });
    assert.equal(await overflowsSideways(page), false, `${name} fits 320 px`);
    await page.setViewportSize(PHONE_VIEWPORT);
    await keepScreenshot(page, name);
  }

  async function signInByIccid(page: Page, language: Language): Promise<void> {
    const text = accountText(language);
    await page.goto(`${site.base}/signin?by=iccid`);
    const sent_before = sms.messagesTo(LINE_3.msisdn).length;
    await page.getByLabel(text.iccid_label).fill(LINE_3.iccid);
    await page.getByRole('button', { name: text.send_code }).click();
    await page.waitForURL(/\/signin\/code/);
    const deadline = Date.now() + WAIT_MS;
    while (sms.messagesTo(LINE_3.msisdn).length <= sent_before) {
      if (Date.now() > deadline) throw new Error('no sign-in SMS');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const code = /\d{6}/.exec(sms.lastMessageTo(LINE_3.msisdn)?.text ?? '')?.[0] ?? assert.fail('no code in the SMS');
    await page.getByLabel(text.code_label).fill(code);
    await page.getByRole('button', { name: text.sign_in }).click();
    await page.waitForURL(/\/lines$/);
  }

  it('en: line page → alerts form → save 50/80/100 without the expiry alert → a bad threshold refused beside its field', async () => {
    const language = 'en';
    const text = accountText(language);
    const visitor = await newVisitor(browser, language);
    const page = await visitor.newPage();
    await signInByIccid(page, language);
    await page.locator('a[href^="/lines/ln_"]').first().click();
    await page.getByRole('link', { name: text.alerts_link }).click();
    await page.waitForURL(/\/lines\/[^/]+\/alerts$/);
    assert.equal(await page.getByLabel(text.alerts_thresholds_label).inputValue(), '80, 100');
    assert.equal(await page.getByLabel(text.alerts_expiry_label).isChecked(), true);
    await checkPage(page, `alerts-${language}`);

    await page.getByLabel(text.alerts_thresholds_label).fill('50, 80, 100');
    await page.getByLabel(text.alerts_expiry_label).uncheck();
    await page.getByRole('button', { name: text.alerts_save }).click();
    await page.waitForURL(/\/alerts\?saved=1$/);
    assert.ok((await page.getByRole('status').innerText()).includes(text.alerts_saved));
    assert.equal(await page.getByLabel(text.alerts_thresholds_label).inputValue(), '50, 80, 100');
    assert.equal(await page.getByLabel(text.alerts_expiry_label).isChecked(), false);
    assert.equal(await page.getByLabel(text.alerts_enabled_label).isChecked(), true);
    await checkPage(page, `alerts-saved-${language}`);

    await page.getByLabel(text.alerts_thresholds_label).fill('50, 150');
    await page.getByRole('button', { name: text.alerts_save }).click();
    const reason = messagesFor(language).field_problems.percent_range!;
    await page.getByRole('alert').waitFor();
    assert.ok((await page.locator('.error-text').innerText()).includes(reason));
    assert.equal(await page.getByLabel(text.alerts_thresholds_label).getAttribute('aria-invalid'), 'true');
    await checkPage(page, `alerts-error-${language}`);
    const stored = await site.context.database.db.selectFrom('notice_settings').selectAll().executeTakeFirstOrThrow();
    assert.equal(stored.usage_thresholds_percent, '50,80,100', 'the refused form changed nothing');
    await visitor.close();
  });
});
