import assert from 'node:assert/strict';
import { brotliDecompressSync } from 'node:zlib';
import { before, describe, it } from 'node:test';
import { ConsoleMailer } from '../../../adapters/mail/console/console-mailer.js';
import { contextOver } from '../../../app/context.js';
import { loadConfig } from '../../../config.js';
import { LANGUAGES, type Language } from '../../../core/i18n/languages.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { testServer } from '../../../testing/test-server.js';
import { escapeHtml } from './html.js';
import { orderCount } from '../../../testing/running-site.js';
import { siteText } from './text/site-text.js';

/**
 * The customer site over Fastify's inject (no sockets): validation in every language, the language
 * and currency cookies, the packs page, the idempotent renewal form, the status page and its JSON,
 * and the static files. The browser tests (*.browser.test.ts) drive the same pages in Chromium.
 */

const LINE = '+79001234568';
const ESIM_LINE = '+79001234569';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

describeEachDatabase('customer site pages', (test_db) => {
  let seeded: SeededContext;
  let app: ReturnType<typeof testServer>;

  before(async () => {
    seeded = await seededContext(test_db.database);
    app = testServer(seeded.context);
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
  const cookie = (language: Language) => ({ cookie: `rc_lang=${language}` });
  const htmlLang = (body: string) => /<html lang="([^"]+)"/.exec(body)?.[1];
  const formKey = (body: string) => /name="key" value="([^"]+)"/.exec(body)?.[1] ?? '';

  describe('validation', () => {
    for (const language of LANGUAGES) {
      it(`${language}: names the field, keeps what was typed, changes nothing`, async () => {
        const text = siteText(language);
        const before_count = await orderCount(seeded.context);
        const invalid = await get('/renew/packs?msisdn=12345', cookie(language));
        assert.equal(invalid.statusCode, 400);
        assert.equal(htmlLang(invalid.body), language);
        assert.ok(invalid.body.includes(escapeHtml(text.msisdn_invalid)), 'says the number is not valid');
        assert.match(invalid.body, /id="msisdn" name="msisdn" value="12345"[^>]*aria-invalid="true"/);
        assert.ok((await get('/renew/packs?msisdn=', cookie(language))).body.includes(escapeHtml(text.msisdn_empty)));
        const unknown = await get(`/renew/packs?msisdn=${encodeURIComponent('+79009999999')}`, cookie(language));
        assert.equal(unknown.statusCode, 404);
        assert.ok(unknown.body.includes(escapeHtml(messagesFor(language).errors.ROAM_ERR_LINE_NOT_FOUND({}))));

        const posted = await app.inject({
          method: 'POST', url: '/renew/order', headers: { ...FORM_HEADERS, ...cookie(language) },
          payload: form({ msisdn: LINE, method: 'bitcoin', email: 'not-an-address', key: 'f3b1c2d4-0000-4000-8000-000000000001' }),
        });
        assert.equal(posted.statusCode, 400);
        for (const message of [text.pack_missing, text.method_missing, text.email_invalid]) {
          assert.ok(posted.body.includes(escapeHtml(message)), message);
        }
        assert.match(posted.body, /name="email" value="not-an-address"/, 'what was typed stays');
        assert.match(posted.body, /href="\/lang\/en\?next=%2Frenew%2Fpacks%3Fmsisdn%3D%252B79001234568"/, 'switching language comes back to the packs, not to the POST');
        assert.equal(await orderCount(seeded.context), before_count, 'no order was made');
      });
    }
  });

  describe('language', () => {
    it('comes from Accept-Language on a first visit, then from the remembered choice', async () => {
      assert.equal(htmlLang((await get('/', { 'accept-language': 'zh-TW,zh;q=0.9' })).body), 'zh-Hant');
      assert.equal(htmlLang((await get('/', { 'accept-language': 'ru-RU' })).body), 'ru');
      const switched = await get(`/lang/ru?next=${encodeURIComponent(`/renew/packs?msisdn=${LINE}`)}`);
      assert.equal(switched.statusCode, 303);
      assert.equal(switched.headers.location, `/renew/packs?msisdn=${LINE}`);
      assert.match(String(switched.headers['set-cookie']), /^rc_lang=ru; Path=\/; Max-Age=31536000; SameSite=Lax$/);
      assert.equal(htmlLang((await get('/help', { 'accept-language': 'zh-CN', cookie: 'other=1; rc_lang=ru' })).body), 'ru', 'the choice beats the browser');
      assert.equal(htmlLang((await get('/help?lang=en', cookie('ru'))).body), 'en', '?lang= for one page');
    });

    it('switches back to a page of this site only, and ignores unknown languages', async () => {
      assert.equal((await get('/lang/en?next=//evil.example/')).headers.location, '/');
      assert.equal((await get('/lang/en?next=https://evil.example/')).headers.location, '/');
      // Browsers drop a tab from a Location and read a backslash as a slash: both would leave the site.
      for (const trick of ['/\t/evil.example', '/\\evil.example']) assert.equal((await get(`/lang/en?next=${encodeURIComponent(trick)}`)).headers.location, '/', trick);
      const unknown = await get('/lang/xx?next=/help');
      assert.equal(unknown.headers.location, '/help');
      assert.equal(unknown.headers['set-cookie'], undefined);
    });

    it('every page links every language, marking the current one', async () => {
      const page = await get('/renew', cookie('zh-Hans'));
      for (const language of LANGUAGES) assert.match(page.body, new RegExp(`href="/lang/${language}\\?next=%2Frenew" lang="${language}"`));
      assert.match(page.body, /lang="zh-Hans" hreflang="zh-Hans" aria-current="true">简体中文/);
    });
  });

  describe('packs', () => {
    it('groups data, voice, combo, SMS, each with allowance, validity, price and ≈ in the reader\'s currency', async () => {
      const zh = (await get(`/renew/packs?msisdn=${encodeURIComponent(LINE)}`, cookie('zh-Hans'))).body;
      const legends = [...zh.matchAll(/<legend>([^<]+)<\/legend>/g)].map((match) => match[1]);
      const groups = siteText('zh-Hans').pack_groups;
      assert.deepEqual(legends, [groups.data, groups.voice, groups.combo, groups.sms, siteText('zh-Hans').method_legend]);
      assert.ok(zh.includes('190.00 卢布'));
      assert.ok(zh.includes('≈ 14.65 CNY'), '190 ₽ at the default 0.0771');
      assert.ok(zh.includes('5 GB · 7天'));

      const ru = await get(`/renew/packs?msisdn=${encodeURIComponent(LINE)}`, cookie('ru'));
      assert.ok(!ru.body.includes('class="approx"'), 'a Russian reader sees roubles only by default');
      assert.ok(ru.body.includes('1 ГБ · 1 день') && ru.body.includes('5 ГБ · 7 дней') && ru.body.includes('10 ГБ + 200 мин + 50 SMS · 30 дней'));
      const euro = await get(`/renew/packs?msisdn=${encodeURIComponent(LINE)}&cur=EUR`, cookie('ru'));
      assert.match(String(euro.headers['set-cookie']), /^rc_cur=EUR;/);
      assert.ok(euro.body.includes('≈ 1,92 EUR'));
      assert.ok((await get(`/renew/packs?msisdn=${encodeURIComponent(LINE)}`, { cookie: 'rc_lang=ru; rc_cur=EUR' })).body.includes('≈ 1,92 EUR'), 'remembered');
    });

    it('takes the rates from FX_RATES', async () => {
      const custom = await seededContext(test_db.database, { FX_RATES: 'USD=0.02' });
      const page = await testServer(custom.context).inject({ method: 'GET', url: `/renew/packs?msisdn=${encodeURIComponent(LINE)}`, headers: cookie('en') });
      assert.ok(page.body.includes('≈ 3.80 USD'));
    });

    it('offers the payment router\'s methods and the owner\'s balance, the card first and chosen', async () => {
      const page = (await get(`/renew/packs?msisdn=${encodeURIComponent(LINE)}`, cookie('en'))).body;
      const methods = [...page.matchAll(/name="method" value="([a-z_]+)"/g)].map((match) => match[1]);
      assert.deepEqual(methods, [...seeded.context.payments.router.methods(), 'wallet']);
      assert.ok(page.includes(siteText('en').wallet_method_note.replace("'", '&#39;')), 'the balance says it is for the number\'s owner');
      assert.match(page, /name="method" value="card" required checked/);
    });
  });

  describe('the renewal form', () => {
    it('a double submit makes one order and one payment; another method is another attempt on that order', async () => {
      const page = await get(`/renew/packs?msisdn=${encodeURIComponent(LINE)}`, cookie('ru'));
      const key = formKey(page.body);
      assert.match(key, /^[0-9a-f-]{36}$/);
      assert.notEqual(formKey((await get(`/renew/packs?msisdn=${encodeURIComponent(LINE)}`, cookie('ru'))).body), key, 'each drawing of the form has its own key');
      const before_count = await orderCount(seeded.context);
      const submit = (method: string) => app.inject({
        method: 'POST', url: '/renew/order', headers: { ...FORM_HEADERS, ...cookie('ru') },
        payload: form({ msisdn: LINE, package_code: 'data-1gb-1d', method, email: 'payer@example.com', key }),
      });
      const first = await submit('card');
      const second = await submit('card');
      assert.equal(first.statusCode, 303);
      assert.match(String(first.headers.location), /\/sandbox\/pay\//);
      assert.equal(second.headers.location, first.headers.location, 'the same payment page');
      assert.equal(await orderCount(seeded.context), before_count + 1);
      const order = await seeded.context.database.db.selectFrom('orders').selectAll().where('idempotency_key', '=', `site:order:${key}`).executeTakeFirstOrThrow();
      assert.equal(order.channel, 'web');
      assert.equal(order.language, 'ru', 'the payer\'s language: their pages and receipt');
      assert.equal(order.payer_email, 'payer@example.com');
      const other = await submit('sbp');
      assert.notEqual(other.headers.location, first.headers.location);
      const payments = await seeded.context.database.db.selectFrom('payments').select('method').where('order_id', '=', order.id).execute();
      assert.deepEqual(payments.map((payment) => payment.method).sort(), ['card', 'sbp']);
      assert.equal(await orderCount(seeded.context), before_count + 1);
    });

    it('a form without a valid key does nothing and comes back with a fresh one', async () => {
      const before_count = await orderCount(seeded.context);
      const posted = await app.inject({ method: 'POST', url: '/renew/order', headers: { ...FORM_HEADERS, ...cookie('en') }, payload: form({ msisdn: LINE, package_code: 'data-1gb-1d', method: 'card', key: 'x' }) });
      assert.equal(posted.statusCode, 400);
      assert.ok(posted.body.includes(escapeHtml(siteText('en').form_expired)));
      assert.match(formKey(posted.body), /^[0-9a-f-]{36}$/);
      assert.equal(await orderCount(seeded.context), before_count);
    });

    it('with mail configured the e-mail field is for the receipt, and the paid order\'s receipt goes there', async () => {
      const without_mail = await get(`/renew/packs?msisdn=${encodeURIComponent(LINE)}`, cookie('en'));
      assert.ok(without_mail.body.includes(escapeHtml(siteText('en').email_hint)), 'no promise of an e-mail when none can go');
      assert.ok(!without_mail.body.includes(escapeHtml(siteText('en').email_receipt_label)));
      const mailing = contextOver(loadConfig({ LOG_LEVEL: 'silent', MAIL_DRIVER: 'console' }), test_db.database, seeded.clock);
      const mail_app = testServer(mailing);
      try {
        for (const language of LANGUAGES) {
          const page = await mail_app.inject({ method: 'GET', url: `/renew/packs?msisdn=${encodeURIComponent(LINE)}`, headers: cookie(language) });
          assert.ok(page.body.includes(escapeHtml(siteText(language).email_receipt_label)), language);
          assert.ok(page.body.includes(escapeHtml(siteText(language).email_receipt_hint)), language);
        }
        const page = await mail_app.inject({ method: 'GET', url: `/renew/packs?msisdn=${encodeURIComponent(LINE)}`, headers: cookie('zh-Hant') });
        const key = formKey(page.body);
        const posted = await mail_app.inject({
          method: 'POST', url: '/renew/order', headers: { ...FORM_HEADERS, ...cookie('zh-Hant') },
          payload: form({ msisdn: LINE, package_code: 'data-1gb-1d', method: 'card', email: ' traveller@example.com ', key }),
        });
        assert.equal(posted.statusCode, 303);
        const order = await test_db.database.db.selectFrom('orders').selectAll().where('idempotency_key', '=', `site:order:${key}`).executeTakeFirstOrThrow();
        assert.equal(order.payer_email, 'traveller@example.com', 'stored trimmed on the order');
        const payment = await test_db.database.db.selectFrom('payments').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
        await mailing.payments.sandbox!.finish(payment.provider_payment_id!, { status: 'succeeded', card_last4: '4242' });
        assert.equal(await mailing.renewal.refreshPayment(payment.id), 'activated');
        const worker = mailing.createWorker();
        for (let pass = 0; pass < 10 && (await worker.drainOnce()) > 0; pass += 1);
        const receipt = await test_db.database.db.selectFrom('receipts').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
        assert.ok(mailing.mailer instanceof ConsoleMailer);
        const [mail, ...more] = mailing.mailer.messagesTo('traveller@example.com');
        assert.deepEqual(more, []);
        assert.equal(mail?.subject, `遠遊卡付款收據 ${receipt.number}`);
        assert.deepEqual(mail?.attachments.map((attachment) => [attachment.filename, attachment.content_type, attachment.content.subarray(0, 5).toString('latin1')]), [
          [`${receipt.number}.pdf`, 'application/pdf', '%PDF-'],
        ]);
      } finally {
        await mail_app.close();
      }
    });
  });

  describe('the status page', () => {
    async function cardOrder(language?: Language) {
      const view = await seeded.context.renewal.createOrder({ line: { msisdn: LINE }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: `site-test-${Math.random()}`, language });
      await seeded.context.renewal.startPayment({ order_id: view.order.id, method: 'card', idempotency_key: `site-test-pay-${view.order.id}` });
      return view.order.id;
    }

    it('follows a payment under way: private, refreshing without JavaScript, and as JSON for the script', async () => {
      const id = await cardOrder('zh-Hans');
      const page = await get(`/orders/${id}`);
      assert.equal(page.statusCode, 200);
      assert.equal(htmlLang(page.body), 'zh-Hans', 'the order\'s language when the visitor chose none');
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.match(page.body, /<noscript><meta http-equiv="refresh" content="2"><\/noscript>/);
      assert.match(page.body, new RegExp(`data-status-url="/orders/${id}/status.json"`));
      assert.ok(page.body.includes(messagesFor('zh-Hans').renewal.order_states.awaiting_payment));
      assert.match(page.body, /\+7900\*\*\*4568/);
      assert.ok(!page.body.includes(LINE), 'the number is masked');
      const status = await get(`/orders/${id}/status.json`, cookie('ru'));
      const json = status.json() as { state: string; final: boolean; version: string; html: string };
      assert.equal(json.state, 'awaiting_payment');
      assert.equal(json.final, false);
      assert.match(json.version, /^[0-9a-f]{12}$/);
      assert.ok(json.html.includes(messagesFor('ru').renewal.order_states.awaiting_payment), 'in the visitor\'s chosen language');
    });

    it('an order that does not exist is a 404 page in the visitor\'s language', async () => {
      const page = await get('/orders/ord_nope', cookie('ru'));
      assert.equal(page.statusCode, 404);
      assert.ok(page.body.includes(messagesFor('ru').errors.ROAM_ERR_ORDER_NOT_FOUND({})));
      assert.equal((await get('/orders/ord_nope/status.json')).statusCode, 404);
    });

    it('a payment that cannot start is explained on the status page, and nothing else changes', async () => {
      const id = await cardOrder();
      const refused = await app.inject({ method: 'POST', url: `/orders/${id}/pay`, headers: { ...FORM_HEADERS, ...cookie('en') }, payload: form({ method: 'cash', attempt: '1' }) });
      assert.equal(refused.statusCode, 422);
      assert.ok(refused.body.includes(escapeHtml(messagesFor('en').errors.ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE({}))));
      const payments = await seeded.context.database.db.selectFrom('payments').select('id').where('order_id', '=', id).execute();
      assert.equal(payments.length, 1);
    });
  });

  describe('help', () => {
    it('/help/esim never shows an eSIM activation code, whatever number is asked', async () => {
      const page = await get(`/help/esim?msisdn=${encodeURIComponent(ESIM_LINE)}`, cookie('en'));
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /LPA:|RC-DEMO|smdp\./);
      assert.ok(page.body.includes(escapeHtml(siteText('en').esim_page_private)));
    });
  });

  describe('static files and the app', () => {
    it('serves the stylesheet under its hash, for a year, Brotli-compressed; pages are compressed too', async () => {
      const home = await get('/', { 'accept-encoding': 'br' });
      assert.equal(home.headers['content-encoding'], 'br');
      const html = brotliDecompressSync(home.rawPayload).toString();
      const css_path = /href="(\/assets\/site\.[0-9a-f]{12}\.css)"/.exec(html)?.[1] ?? '';
      const css = await get(css_path, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(css.statusCode, 200);
      assert.equal(css.headers['content-encoding'], 'br');
      assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.match(brotliDecompressSync(css.rawPayload).toString(), /:lang\(zh-Hans\)\{font-family:"PingFang SC"/);
      assert.equal((await get(css_path)).headers['content-encoding'], undefined, 'plain for a client that takes no compression');
      assert.equal((await get('/assets/site.000000000000.css')).statusCode, 404);
    });

    it('has a manifest, a service worker that caches the shell, and real PNG icons', async () => {
      const manifest = (await get('/manifest.webmanifest', cookie('zh-Hans'))).json() as { name: string; start_url: string; display: string; lang: string; icons: Array<{ src: string; sizes: string }> };
      assert.equal(manifest.start_url, '/');
      assert.equal(manifest.display, 'standalone');
      assert.equal(manifest.lang, 'zh-Hans');
      for (const icon of manifest.icons) {
        const png = await get(icon.src);
        assert.equal(png.headers['content-type'], 'image/png');
        assert.deepEqual([...png.rawPayload.subarray(1, 4)], [...Buffer.from('PNG')]);
        assert.equal(`${png.rawPayload.readUInt32BE(16)}x${png.rawPayload.readUInt32BE(20)}`, icon.sizes);
      }
      const worker = await get('/sw.js');
      assert.equal(worker.headers['cache-control'], 'no-cache');
      assert.match(worker.body, /const RC_SHELL = \["\/assets\/site\.[0-9a-f]{12}\.css","\/assets\/site\.[0-9a-f]{12}\.js"/);
      const offline = await get('/offline', cookie('ru'));
      assert.ok(offline.body.includes(siteText('ru').offline_title));
    });

    it('keeps the site out of the API description', async () => {
      const spec = (await get('/openapi.json')).json() as { paths: Record<string, unknown> };
      for (const path of ['/', '/renew', '/renew/packs', '/orders/{id}', '/help', '/sw.js']) assert.equal(spec.paths[path], undefined, path);
    });
  });
});
