import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { ConsoleSmsSender } from '../../../../adapters/sms/console/console-sms-sender.js';
import type { AppContext } from '../../../../app/context.js';
import { LANGUAGES, type Language } from '../../../../core/i18n/languages.js';
import { messagesFor } from '../../../../core/i18n/messages.js';
import type { OutboxWorker } from '../../../../services/jobs/worker.js';
import { describeEachDatabase } from '../../../../testing/databases.js';
import { seededServer, type testServer } from '../../../../testing/test-server.js';
import { escapeHtml } from '../html.js';
import { accountText } from './account-text.js';

/**
 * The alerts form over inject, as a browser without JavaScript posts it: the defaults, a change
 * saved and shown, a bad threshold refused in the page's language with nothing changed, no form
 * without the CSRF token, and another customer's line not found. Each language renders its form.
 */

const LINE_1 = '+79001234567';
const LINE_2 = '+79001234568';
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };
const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? assert.fail('no CSRF field in the page');

interface SignedIn { cookie: string; ip: string; line_id: string; customer_id: string }

describeEachDatabase('customer site: SMS alert settings', (t) => {
  let context: AppContext;
  let worker: OutboxWorker;
  let server: ReturnType<typeof testServer>;
  let sms: ConsoleSmsSender;
  let address = 0;

  before(async () => {
    ({ context, server, worker, sms } = await seededServer(t.database));
  });
  after(async () => {
    await server.close();
  });

  /** A signed-in browser: its cookie header (session + language) and its address. */
  async function signedIn(msisdn: string, language: Language): Promise<SignedIn> {
    address += 1;
    const ip = `203.0.113.${address}`;
    await context.customers.requestCode({ target: { msisdn }, ip });
    await worker.drainOnce();
    const code = /\d{6}/.exec(sms.lastMessageTo(msisdn)?.text ?? '')?.[0] ?? assert.fail('no code sent');
    const signed = await context.customers.verifyCode({ target: { msisdn }, code, ip, session_kind: 'cookie' });
    const line_id = (await context.customers.listLines(signed.customer_id))[0]!.line_id;
    return { cookie: `rc_session=${signed.token}; rc_lang=${language}`, ip, line_id, customer_id: signed.customer_id };
  }

  async function get(who: { cookie: string; ip: string }, url: string): Promise<LightMyRequestResponse> {
    return server.inject({ method: 'GET', url, headers: { cookie: who.cookie }, remoteAddress: who.ip });
  }

  async function post(who: { cookie: string; ip: string }, url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    return server.inject({ method: 'POST', url, headers: { ...FORM_HEADERS, cookie: who.cookie }, remoteAddress: who.ip, payload: new URLSearchParams(fields).toString() });
  }

  it('shows the defaults, saves a change, and says so; the line page links to it', async () => {
    const who = await signedIn(LINE_1, 'en');
    const url = `/lines/${who.line_id}/alerts`;
    const form = await get(who, url);
    assert.equal(form.statusCode, 200, form.body);
    assert.equal(form.headers['cache-control'], 'no-store');
    assert.match(form.body, /name="alerts_enabled" value="1" checked/);
    assert.match(form.body, /name="usage_thresholds_percent" value="80, 100"/);
    assert.match(form.body, /name="expiry_alert" value="1" checked/);

    const saved = await post(who, url, { _csrf: csrfOf(form.body), alerts_enabled: '1', usage_thresholds_percent: '90,50 , 80%' });
    assert.equal(saved.statusCode, 303, saved.body);
    assert.equal(saved.headers.location, `${url}?saved=1`);
    const stored = await context.customers.alertSettings(who.customer_id, who.line_id);
    assert.deepEqual(stored, { alerts_enabled: true, usage_thresholds_percent: [50, 80, 90], expiry_alert: false });
    const shown = await get(who, String(saved.headers.location));
    assert.ok(shown.body.includes(accountText('en').alerts_saved));
    assert.match(shown.body, /name="usage_thresholds_percent" value="50, 80, 90"/);
    assert.doesNotMatch(shown.body, /name="expiry_alert" value="1" checked/);
  });

  for (const language of LANGUAGES) {
    it(`${language}: a bad threshold is refused in the page's language, the typed text kept, nothing changed`, async () => {
      const who = await signedIn(LINE_2, language);
      const url = `/lines/${who.line_id}/alerts`;
      const form = await get(who, url);
      assert.match(form.body, new RegExp(`<html lang="${language}"`));
      assert.ok(form.body.includes(escapeHtml(accountText(language).alerts_thresholds_label)));
      const before_settings = form.body.match(/name="usage_thresholds_percent" value="[^"]*"/)![0];
      for (const [typed, reason] of [['50, 150', 'percent_range'], ['80, 80', 'repeated'], ['1,2,3,4,5,6', 'too_many_thresholds'], ['eighty', 'percent_range']] as const) {
        const refused = await post(who, url, { _csrf: csrfOf(form.body), alerts_enabled: '1', usage_thresholds_percent: typed, expiry_alert: '1' });
        assert.equal(refused.statusCode, 400, refused.body);
        assert.ok(refused.body.includes(escapeHtml(messagesFor(language).field_problems[reason]!)), `${language} ${typed}`);
        assert.ok(refused.body.includes(`value="${escapeHtml(typed)}"`), 'the typed text is kept');
        assert.match(refused.body, /aria-invalid="true"/);
      }
      assert.ok((await get(who, url)).body.includes(before_settings), 'nothing changed');
    });
  }

  it('refuses a post without the CSRF token, and another customer\'s line is not found', async () => {
    const first = await signedIn(LINE_1, 'ru');
    const second = await signedIn(LINE_2, 'ru');
    const url = `/lines/${first.line_id}/alerts`;
    const before_form = (await get(first, url)).body;
    const forged = await post(first, url, { alerts_enabled: '', usage_thresholds_percent: '' });
    assert.equal(forged.statusCode, 403);
    assert.equal((await get(first, url)).body.match(/name="usage_thresholds_percent" value="[^"]*"/)![0],
      before_form.match(/name="usage_thresholds_percent" value="[^"]*"/)![0]);
    assert.equal((await get(second, url)).statusCode, 404);
    assert.equal((await post(second, url, { _csrf: csrfOf((await get(second, `/lines/${second.line_id}/alerts`)).body) })).statusCode, 404);
    assert.equal((await server.inject({ method: 'GET', url })).statusCode, 303, 'signed out: to the sign-in page');
  });
});
