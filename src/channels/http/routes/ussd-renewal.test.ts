import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { formatMoney } from '../../../core/i18n/format.js';
import { LANGUAGES, type Language } from '../../../core/i18n/languages.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { fitsOneScreen } from '../../../core/ussd-text.js';
import { deriveAuthKeys, unsealText } from '../../../services/customers/auth-crypto.js';
import { stepKey } from '../../../services/renewal/line-renewal.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { openDemoLikeLine, seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { atForm, testServer } from '../../../testing/test-server.js';
import type { Line } from '../../../services/lines/lines.js';

/**
 * The #102# renewal menu over `POST /ussd/at`, on both databases, in every language: buying from
 * the balance (once, through the ledger, however the gateway repeats itself), a short balance with
 * the amount missing, the payment link by SMS and its short link, back, wrong answers, the language
 * item, and the lines it refuses. Demo lines hold 500 ₽; the 1 GB / 1 day pack costs 190 ₽ and the
 * 20 GB / 30 days pack 1 990 ₽.
 */

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const CHEAP = { number: '1', code: 'data-1gb-1d', price_minor: 19_000 };
const DEAR = { number: '3', code: 'data-20gb-30d', price_minor: 199_000 };
const BALANCE_MINOR = 50_000;

describeEachDatabase('USSD #102# renewal over POST /ussd/at', (test_db) => {
  let seeded: SeededContext;
  let session_serial = 0;

  before(async () => {
    seeded = await seededContext(test_db.database);
  });

  async function dial(phoneNumber: string, text: string, sessionId?: string): Promise<string> {
    const app = testServer(seeded.context);
    try {
      const fields = { serviceCode: '*102#', phoneNumber, networkCode: '25099', text, ...(sessionId === undefined ? {} : { sessionId }) };
      const response = await app.inject({ method: 'POST', url: '/ussd/at', headers: FORM, payload: atForm(fields) });
      assert.equal(response.statusCode, 200, response.body);
      const screen = response.body.replace(/^(CON|END) /, '');
      assert.ok(fitsOneScreen(screen), `does not fit one screen: ${JSON.stringify(screen)}`);
      return response.body;
    } finally {
      await app.close();
    }
  }

  function newSession(): string {
    session_serial += 1;
    return `ATUid_${session_serial}_${test_db.dialect}`;
  }

  async function walletMinor(line: Line): Promise<number> {
    const row = await test_db.database.db.selectFrom('ledger_accounts').select('balance_minor').where('id', '=', line.wallet_account_id).executeTakeFirstOrThrow();
    return row.balance_minor;
  }

  async function ussdOrders(line: Line) {
    return test_db.database.db.selectFrom('orders').selectAll().where('line_id', '=', line.id).where('channel', '=', 'ussd').execute();
  }

  async function sentSms(order_id: string): Promise<string> {
    const job = await test_db.database.db.selectFrom('jobs').select('payload').where('dedupe_key', '=', `sms:pay-link:${order_id}`).executeTakeFirstOrThrow();
    const { text_sealed } = JSON.parse(job.payload) as { text_sealed: string };
    const text = unsealText(deriveAuthKeys(seeded.context.config.auth.secret), text_sealed);
    assert.ok(text !== undefined);
    return text;
  }

  for (const language of LANGUAGES) {
    it(`buys a pack from the balance, once however the gateway repeats the confirm step: ${language}`, async () => {
      const line = await openDemoLikeLine(seeded, language, 'Europe/Moscow');
      const menu = messagesFor(language).ussd_menu;
      const session = newSession();
      const first = await dial(line.msisdn, '', session);
      assert.ok(first.startsWith(`CON ${menu.renew_title}\n1 `), first);
      assert.ok(first.includes(`1 ${menu.pack_item({ name: packName(language, 0), price: wholePrice(19_000, language) })}`), first);
      const details = await dial(line.msisdn, CHEAP.number, session);
      const offer = menu.pack_offer({
        amounts: language === 'ru' ? '1,0 ГБ' : '1.0 GB', validity: menu.validity({ hours: 24 }), price: formatMoney(CHEAP.price_minor, language),
      });
      assert.equal(details, `CON ${offer}\n1 ${menu.pay_from_balance}\n2 ${menu.pay_by_link}\n${messagesFor(language).ussd.back}`);
      const confirm = await dial(line.msisdn, `${CHEAP.number}*1`, session);
      assert.ok(confirm.includes(formatMoney(BALANCE_MINOR, language)) && confirm.includes(`1 ${menu.confirm}`), confirm);
      assert.equal(await walletMinor(line), BALANCE_MINOR, 'nothing is bought before the confirmation');

      const text = `${CHEAP.number}*1*1`;
      const bought = await dial(line.msisdn, text, session);
      assert.match(bought, /^END /);
      assert.ok(bought.includes(packName(language, 0)), bought);
      // A gateway retry, and two more identical requests at once: the same answer, one purchase.
      const again = await Promise.all([1, 2, 3].map(() => dial(line.msisdn, text, session)));
      assert.deepEqual(again, [bought, bought, bought]);

      assert.equal(await walletMinor(line), BALANCE_MINOR - CHEAP.price_minor, 'the wallet is debited once');
      const orders = await ussdOrders(line);
      assert.equal(orders.length, 1);
      const [order] = orders;
      assert.equal(order?.state, 'active');
      assert.equal(order?.idempotency_key, stepKey({ line_id: line.id, package_code: CHEAP.code, session_id: `at:${session}` }, 'order'));
      const payments = await test_db.database.db.selectFrom('payments').selectAll().where('order_id', '=', order?.id ?? '').execute();
      assert.deepEqual(payments.map((payment) => [payment.method, payment.status]), [['wallet', 'succeeded']]);
      const bundle = await test_db.database.db.selectFrom('bundles').selectAll().where('id', '=', order?.bundle_id ?? '').executeTakeFirstOrThrow();
      assert.deepEqual([bundle.package_code, bundle.status, bundle.entry_id], [CHEAP.code, 'active', payments[0]?.entry_id]);
      // The money went through one balanced journal entry.
      const postings = await test_db.database.db.selectFrom('postings').selectAll().where('entry_id', '=', bundle.entry_id ?? '').execute();
      assert.equal(postings.reduce((sum, posting) => sum + posting.amount_minor, 0), 0);
      assert.ok(postings.some((posting) => posting.account_id === line.wallet_account_id && posting.amount_minor === -CHEAP.price_minor));
    });

    it(`a short balance says what is missing and offers the link, which is texted and leads to the order: ${language}`, async () => {
      const line = await openDemoLikeLine(seeded, language, 'Europe/Moscow');
      const menu = messagesFor(language).ussd_menu;
      const session = newSession();
      const short = await dial(line.msisdn, `${DEAR.number}*1*1`, session);
      const missing = formatMoney(DEAR.price_minor - BALANCE_MINOR, language);
      assert.equal(short, `CON ${menu.balance_short({ missing })}\n2 ${menu.pay_by_link}\n${messagesFor(language).ussd.back}`);
      assert.equal(await walletMinor(line), BALANCE_MINOR);
      const sent = await dial(line.msisdn, `${DEAR.number}*1*1*2`, session);
      assert.equal(sent, `END ${menu.link_sent}`);
      assert.equal(await dial(line.msisdn, `${DEAR.number}*1*1*2`, session), sent, 'a retry answers the same');
      const orders = await ussdOrders(line);
      assert.equal(orders.length, 1, 'the link pays the order the balance could not');
      const order = orders[0]!;
      assert.deepEqual([order.state, order.package_code, order.amount_minor], ['created', DEAR.code, DEAR.price_minor]);
      const jobs = await test_db.database.db.selectFrom('jobs').select('id').where('kind', '=', 'sms.send').where('line_id', '=', line.id).execute();
      assert.equal(jobs.length, 1, 'one SMS however often the link is asked for in the session');
      const sms = await sentSms(order.id);
      const token = /\/p\/([a-z0-9]+)$/.exec(sms)?.[1] ?? '';
      assert.match(token, /^[2-9a-km-np-z]{12}$/, sms);
      assert.ok(sms.startsWith(seeded.context.config.public_base_url) === false && sms.includes(`${seeded.context.config.public_base_url}/p/${token}`));
      assert.ok(sms.includes(formatMoney(DEAR.price_minor, language)), sms);

      const app = testServer(seeded.context);
      try {
        const redirect = await app.inject({ url: `/p/${token}` });
        assert.equal(redirect.statusCode, 302);
        assert.equal(redirect.headers.location, `/orders/${order.id}`);
        assert.equal((await app.inject({ url: `/orders/${order.id}` })).statusCode, 200);
      } finally {
        await app.close();
      }
    });

    it(`goes back with 0, hints at a wrong choice, and changes the line's language: ${language}`, async () => {
      const line = await openDemoLikeLine(seeded, language, 'Europe/Moscow');
      const messages = messagesFor(language);
      const session = newSession();
      const first = await dial(line.msisdn, '', session);
      assert.equal(await dial(line.msisdn, `${CHEAP.number}*0`, session), first);
      assert.equal(await dial(line.msisdn, `${CHEAP.number}*1*0*0`, session), first);
      // On the list the hint takes the title's place; on a pack's screen it goes above.
      assert.equal(await dial(line.msisdn, '7', session), first.replace(messages.ussd_menu.renew_title, messages.ussd_menu.wrong_choice));
      assert.equal(await dial(line.msisdn, `${CHEAP.number}*5`, session), `CON ${messages.ussd_menu.wrong_choice}\n${(await dial(line.msisdn, CHEAP.number, session)).slice(4)}`);

      const other: Language = language === 'ru' ? 'zh-Hant' : 'ru';
      const picker = await dial(line.msisdn, '00', session);
      assert.ok(picker.startsWith(`CON ${messages.ussd_menu.language_title}\n1 English\n2 Русский\n3 简体中文\n4 繁體中文`), picker);
      const changed = await dial(line.msisdn, `00*${other === 'ru' ? '2' : '4'}`, session);
      assert.ok(changed.startsWith(`CON ${messagesFor(other).ussd_menu.renew_title}\n`), changed);
      const stored = await test_db.database.db.selectFrom('lines').select('language').where('id', '=', line.id).executeTakeFirstOrThrow();
      assert.equal(stored.language, other);
      // The next step of the same session, and the next session, continue in the new language.
      assert.ok((await dial(line.msisdn, `00*${other === 'ru' ? '2' : '4'}*1`, session)).includes(messagesFor(other).ussd_menu.pay_by_link));
      assert.ok((await dial(line.msisdn, '', newSession())).startsWith(`CON ${messagesFor(other).ussd_menu.renew_title}`));
    });
  }

  it('buys nothing without a gateway session id, and says why', async () => {
    const line = await openDemoLikeLine(seeded, 'en', 'Europe/Moscow');
    assert.equal(await dial(line.msisdn, `${CHEAP.number}*1*1`), `END ${messagesFor('en').ussd_menu.no_session}`);
    assert.equal(await dial(line.msisdn, `${CHEAP.number}*2`), `END ${messagesFor('en').ussd_menu.no_session}`);
    assert.equal(await walletMinor(line), BALANCE_MINOR);
    assert.deepEqual(await ussdOrders(line), []);
  });

  it('answers an unknown number, and #100# / #101# still answer as before', async () => {
    assert.equal(await dial('+79009990000', '', newSession()), 'END This number is not served by roamcard. Please check the SIM.');
    const line = await openDemoLikeLine(seeded, 'en', 'Europe/Moscow');
    const app = testServer(seeded.context);
    try {
      const hundred = await app.inject({ method: 'POST', url: '/ussd/at', headers: FORM, payload: atForm({ sessionId: 's', serviceCode: '#100#', phoneNumber: line.msisdn, text: '' }) });
      assert.equal(hundred.body, 'END Balance: 500.00 RUB\nData: 4.3 GB left, until 3 Dec 12:00');
    } finally {
      await app.close();
    }
  });

  it('a short link that is unknown or past its order\'s time gets a localized 404 page', async () => {
    const line = await openDemoLikeLine(seeded, 'zh-Hans', 'Europe/Moscow');
    const session = newSession();
    await dial(line.msisdn, `${DEAR.number}*2`, session);
    const [order] = await ussdOrders(line);
    const token = /\/p\/([a-z0-9]+)$/.exec(await sentSms(order?.id ?? ''))?.[1] ?? '';
    const app = testServer(seeded.context);
    try {
      const unknown = await app.inject({ url: '/p/zzzzzzzzzzzz', headers: { 'accept-language': 'ru' } });
      assert.equal(unknown.statusCode, 404);
      assert.ok(unknown.body.includes(messagesFor('ru').ussd_menu.link_expired), unknown.body);
      assert.equal((await app.inject({ url: '/p/not-a-token' })).statusCode, 404);
      assert.equal((await app.inject({ url: `/p/${token}` })).statusCode, 302);
      seeded.clock.advance(seeded.context.config.order_ttl_ms + 1);
      const expired = await app.inject({ url: `/p/${token}`, headers: { 'accept-language': 'zh-CN' } });
      assert.equal(expired.statusCode, 404);
      assert.ok(expired.body.includes(messagesFor('zh-Hans').ussd_menu.link_expired));
    } finally {
      await app.close();
    }
  });
});

function packName(language: Language, index: number): string {
  const names = [
    { 'zh-Hans': '1GB 流量 1天', 'zh-Hant': '1GB 流量 1天', ru: 'Интернет 1 ГБ на 1 день', en: '1 GB data, 1 day' },
  ];
  return names[index]![language];
}

function wholePrice(amount_minor: number, language: Language): string {
  return formatMoney(amount_minor, language).replace(/[.,]00(?=\D*$)/, '');
}
