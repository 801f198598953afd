import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { isRoamError } from '../../core/errors.js';
import { LANGUAGES } from '../../core/i18n/languages.js';
import { formatMoney } from '../../core/i18n/format.js';
import { gsm7Septets } from '../../core/ussd-text.js';
import { cashDrawerAccountId } from '../ledger/accounts.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { openDemoLikeLine, seededContext, type SeededContext } from '../../testing/seeded-context.js';
import { testServer } from '../../testing/test-server.js';
import { paymentLinkSmsText } from '../customers/sms-text.js';
import { PAYMENT_LINK_RATE_LIMITS } from './line-renewal.js';
import { SHORT_LINK_ALPHABET, SHORT_LINK_TOKEN_LENGTH, newShortLinkToken } from './short-links.js';

const DAY_MS = 86_400_000;

describeEachDatabase('LineRenewal (USSD renewal service)', (test_db) => {
  let seeded: SeededContext;
  let serial = 0;
  const session = () => `test:${test_db.dialect}:${(serial += 1)}`;

  before(async () => {
    seeded = await seededContext(test_db.database);
  });

  async function richLine(amount_minor: number) {
    const line = await openDemoLikeLine(seeded, 'en', 'Europe/Moscow');
    await seeded.context.services.creditWallet({
      line: { line_id: line.id }, amount_minor, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: `test:rich:${line.id}`, memo: 'test',
    });
    return line;
  }

  it('lists USSD packs best-selling first over whole past days, the catalog order among equals', async () => {
    const { lineRenewal } = seeded.context;
    const before_sales = (await lineRenewal.packsForSale()).map((pack) => pack.code);
    assert.deepEqual(before_sales, ['data-1gb-1d', 'data-5gb-7d', 'data-20gb-30d', 'voice-100min-30d', 'sms-50-30d', 'combo-10gb-200min-30d']);
    const line = await richLine(1_000_000);
    for (const package_code of ['combo-10gb-200min-30d', 'combo-10gb-200min-30d', 'sms-50-30d']) {
      const bought = await lineRenewal.buyFromBalance({ line_id: line.id, package_code, session_id: session(), language: 'en' });
      assert.equal(bought.outcome, 'active');
    }
    assert.deepEqual((await lineRenewal.packsForSale()).map((pack) => pack.code), before_sales, 'today\'s sales count from tomorrow on');
    seeded.clock.advance(DAY_MS);
    assert.deepEqual((await lineRenewal.packsForSale()).map((pack) => pack.code), [
      'combo-10gb-200min-30d', 'sms-50-30d', 'data-1gb-1d', 'data-5gb-7d', 'data-20gb-30d', 'voice-100min-30d',
    ]);
    seeded.clock.advance(31 * DAY_MS);
    assert.deepEqual((await lineRenewal.packsForSale()).map((pack) => pack.code), before_sales, 'sales older than the window no longer count');
  });

  it('the line pays only for its own orders: another line\'s order refuses it', async () => {
    const payer = await richLine(500_000);
    const other = await openDemoLikeLine(seeded, 'en', 'Europe/Moscow');
    const { order } = await seeded.context.renewal.createOrder({
      line: { line_id: other.id }, package_code: 'data-1gb-1d', channel: 'ussd', idempotency_key: `test:other:${other.id}`,
    });
    await assert.rejects(
      seeded.context.renewal.startPayment({ order_id: order.id, method: 'wallet', idempotency_key: `test:pay:${order.id}`, payer: { kind: 'line_itself', line_id: payer.id } }),
      (error) => isRoamError(error) && error.code === 'ROAM_ERR_WALLET_PAYER_UNPROVEN',
    );
    assert.equal((await seeded.context.renewal.getOrder(order.id)).payments.length, 0);
  });

  it('the HTTP API cannot claim the line as payer: a payer in the body is refused', async () => {
    const line = await openDemoLikeLine(seeded, 'en', 'Europe/Moscow');
    const { order } = await seeded.context.renewal.createOrder({
      line: { line_id: line.id }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: `test:api:${line.id}`,
    });
    const app = testServer(seeded.context);
    try {
      const response = await app.inject({
        method: 'POST', url: `/api/v1/orders/${order.id}/payments`, headers: { 'idempotency-key': `api:${order.id}` },
        payload: { method: 'wallet', payer: { kind: 'line_itself', line_id: line.id } },
      });
      assert.ok(response.statusCode === 400 || response.statusCode === 403, response.body);
    } finally {
      await app.close();
    }
    assert.equal((await seeded.context.renewal.getOrder(order.id)).order.state, 'created');
  });

  it('texts one link per order however often, and at most the hourly limit of links per line', async () => {
    const line = await openDemoLikeLine(seeded, 'ru', 'Europe/Moscow');
    const { lineRenewal, database } = seeded.context;
    const request = { line_id: line.id, package_code: 'data-20gb-30d', session_id: session(), language: 'ru' as const };
    const twice = await Promise.all([lineRenewal.sendPaymentLink(request), lineRenewal.sendPaymentLink(request)]);
    assert.deepEqual(twice.map((sent) => sent.outcome), ['sent', 'sent']);
    const links = await database.db.selectFrom('short_links').selectAll().where('line_id', '=', line.id).execute();
    assert.equal(links.length, 1);
    for (let count = 2; count <= PAYMENT_LINK_RATE_LIMITS.per_line_hour.hits_max; count += 1) {
      assert.equal((await lineRenewal.sendPaymentLink({ ...request, session_id: session() })).outcome, 'sent');
    }
    const refused = await lineRenewal.sendPaymentLink({ ...request, session_id: session() });
    assert.deepEqual(refused, { outcome: 'refused', reason: 'limit_reached' });
    const jobs = await database.db.selectFrom('jobs').select('id').where('kind', '=', 'sms.send').where('line_id', '=', line.id).execute();
    assert.equal(jobs.length, PAYMENT_LINK_RATE_LIMITS.per_line_hour.hits_max);
  });

  it('a pack not sold over USSD is refused as unavailable, and nothing is ordered', async () => {
    const line = await openDemoLikeLine(seeded, 'en', 'Europe/Moscow');
    const bought = await seeded.context.lineRenewal.buyFromBalance({ line_id: line.id, package_code: 'no-such-pack', session_id: session(), language: 'en' });
    assert.deepEqual(bought, { outcome: 'refused', reason: 'pack_unavailable' });
  });
});

it('short link tokens: 12 characters from an alphabet without look-alikes, different every time', () => {
  const tokens = new Set(Array.from({ length: 1_000 }, () => newShortLinkToken()));
  assert.equal(tokens.size, 1_000);
  for (const token of tokens) assert.match(token, new RegExp(`^[${SHORT_LINK_ALPHABET}]{${SHORT_LINK_TOKEN_LENGTH}}$`));
  assert.equal(SHORT_LINK_ALPHABET.length, 32);
  for (const lookalike of ['0', 'o', '1', 'l']) assert.ok(!SHORT_LINK_ALPHABET.includes(lookalike));
});

it('the payment-link SMS fits one SMS in every language with a 40-character link', () => {
  const url = `https://roamcard.example/p/${'a'.repeat(SHORT_LINK_TOKEN_LENGTH)}`;
  const names = { en: '10 GB + 200 min, 30 days', ru: 'Интернет 20 ГБ на 30 дней', 'zh-Hans': '10GB+200分钟 30天', 'zh-Hant': '10GB+200分鐘 30天' };
  for (const language of LANGUAGES) {
    const text = paymentLinkSmsText(language, names[language], formatMoney(149_000, language), url);
    const septets = gsm7Septets(text);
    assert.ok(septets === null ? text.length <= 70 : septets <= 160, `${language}: ${text.length} characters: ${text}`);
    assert.ok(text.endsWith(url) && text.includes(formatMoney(149_000, language)));
    // A short name stays in.
    assert.ok(paymentLinkSmsText(language, '1 GB', formatMoney(19_000, language), url).includes('1 GB'));
  }
});
