import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { contextOver } from '../../../app/context.js';
import { loadConfig } from '../../../config.js';
import { ManualClock } from '../../../ports/clock.js';
import { DEMO_PARTNER } from '../../../services/demo/seed.js';
import { accountBalance } from '../../../services/ledger/ledger.js';
import { ledgerViolations } from '../../../services/ledger/invariants.js';
import { PARTNER_AUTH_LIMITS } from '../../../services/partners/partner-service.js';
import type { Line } from '../../../services/lines/lines.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { openDemoLikeLine, seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { captureLogs, testServer } from '../../../testing/test-server.js';
import { OSMP_BODY_BYTES_MAX, OSMP_URL_LENGTH_MAX } from './osmp.js';

/**
 * The OSMP endpoint as a store chain's till meets it, on the demo partner (demo-store, basic
 * demo-store:demo-secret, from loopback, sums 100.00–15 000.00): every result code we answer,
 * every notation of a number, pack or top-up by the sum, and the idempotency of a pay by txn_id —
 * repeated in sequence, twenty at once, with another sum, after a restart — with the ledger
 * checked after. Then who may call, and what the log keeps of it.
 */

const BASIC = `Basic ${Buffer.from('demo-store:demo-secret').toString('base64')}`;
const TILL = '127.0.0.1';
const TXN_DATE = '20251126120000';
/** A valid Russian mobile number no line has. */
const UNKNOWN_NUMBER = '9005550000';

interface OsmpXml {
  readonly osmp_txn_id: string | undefined;
  readonly prv_txn: string | undefined;
  readonly sum: string | undefined;
  readonly result: number;
  readonly comment: string | undefined;
}

function element(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

function parseOsmp(xml: string): OsmpXml {
  return {
    osmp_txn_id: element(xml, 'osmp_txn_id'), prv_txn: element(xml, 'prv_txn'), sum: element(xml, 'sum'),
    result: Number(element(xml, 'result')), comment: element(xml, 'comment'),
  };
}

interface Call {
  readonly method?: 'GET' | 'POST';
  readonly authorization?: string | null;
  readonly ip?: string;
  readonly headers?: Record<string, string>;
  readonly partner?: string;
}

let serial = 0;
/** A txn_id no other test used (OSMP's are digits). */
function txnId(): string {
  serial += 1;
  return String(7_000_000 + serial);
}

describeEachDatabase('OSMP at /osmp/:partner', (test_db) => {
  let seeded: SeededContext;
  let app: ReturnType<typeof testServer>;

  before(async () => {
    seeded = await seededContext(test_db.database);
    app = testServer(seeded.context);
  });
  after(async () => {
    await app.close();
  });

  async function osmp(fields: Record<string, string>, call: Call = {}) {
    const { method = 'GET', authorization = BASIC, ip = TILL, headers = {}, partner = DEMO_PARTNER.code } = call;
    const query = new URLSearchParams(fields).toString();
    const response = await app.inject({
      method, url: method === 'GET' ? `/osmp/${partner}?${query}` : `/osmp/${partner}`, remoteAddress: ip,
      headers: {
        ...(authorization === null ? {} : { authorization }), ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      ...(method === 'POST' ? { payload: query } : {}),
    });
    return { response, xml: response.statusCode === 200 ? parseOsmp(response.body) : undefined };
  }

  /** A pay or check answered with HTTP 200 as XML; its parsed fields. */
  async function answered(fields: Record<string, string>, call: Call = {}): Promise<OsmpXml> {
    const { response, xml } = await osmp(fields, call);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['content-type'], 'text/xml; charset=utf-8');
    assert.ok(xml);
    return xml;
  }

  const pay = (account: string, sum: string, txn_id = txnId(), call: Call = {}) =>
    answered({ command: 'pay', txn_id, txn_date: TXN_DATE, account, sum }, call);
  const check = (account: string, sum?: string, call: Call = {}) =>
    answered({ command: 'check', txn_id: txnId(), account, ...(sum === undefined ? {} : { sum }) }, call);

  async function line(): Promise<Line> {
    return openDemoLikeLine(seeded, 'ru', 'Europe/Moscow');
  }
  const national = (target: Line) => target.msisdn.slice(2);
  const wallet = (target: Line) => accountBalance(test_db.database.db, target.wallet_account_id);
  const settlement = async () => {
    const partner = await seeded.context.partners.getPartner(DEMO_PARTNER.code);
    return accountBalance(test_db.database.db, partner.settlement_account_id);
  };
  const bundles = async (target: Line, package_code: string) => (await test_db.database.db.selectFrom('bundles').select('id')
    .where('line_id', '=', target.id).where('package_code', '=', package_code).where('status', '=', 'active').execute()).length;
  const paymentsOf = (txn_id: string) => test_db.database.db.selectFrom('partner_payments').selectAll().where('txn_id', '=', txn_id).execute();

  describe('result codes', () => {
    it('0: answers the protocol\'s exact document, in Russian unless the till asks for another language', async () => {
      const target = await line();
      const txn_id = txnId();
      const { response } = await osmp({ command: 'check', txn_id, account: national(target), sum: '250.00' });
      assert.equal(response.statusCode, 200);
      assert.equal(response.body, [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<response>',
        `  <osmp_txn_id>${txn_id}</osmp_txn_id>`,
        '  <sum>250.00</sum>',
        '  <result>0</result>',
        '  <comment>OK: баланс номера пополнится на 250,00 ₽.</comment>',
        '</response>',
      ].join('\n'));
      const english = await check(national(target), '690.00', { headers: { 'accept-language': 'en-GB,en;q=0.9' } });
      assert.equal(english.comment, 'OK: this sum buys the pack 5 GB data, 7 days.');
      assert.equal((await check(national(target))).comment, 'OK: номер можно оплатить.', 'a check without a sum');
    });

    it('1: a failure on our side mid-pay answers "temporary"; the repeat pays once (a top-up: nothing kept; a pack: resumed)', async () => {
      const target = await line();
      // The ledger's journal is out of reach for a moment.
      const withJournalAway = async <T>(work: () => Promise<T>): Promise<T> => {
        await sql`alter table journal_entries rename to journal_entries_away`.execute(test_db.database.db);
        try {
          return await work();
        } finally {
          await sql`alter table journal_entries_away rename to journal_entries`.execute(test_db.database.db);
        }
      };
      const before_minor = await wallet(target);
      const top_up_txn = txnId();
      const failed = await withJournalAway(() => pay(national(target), '250.00', top_up_txn));
      assert.deepEqual([failed.result, failed.prv_txn, failed.sum], [1, undefined, '250.00']);
      assert.equal(failed.comment, 'Временная ошибка: повторите запрос с тем же txn_id позже.');
      assert.equal(await wallet(target), before_minor, 'nothing paid');
      assert.deepEqual(await paymentsOf(top_up_txn), [], 'a top-up commits whole or not at all');
      const repeated = await pay(national(target), '250.00', top_up_txn);
      assert.equal(repeated.result, 0);
      assert.equal(repeated.prv_txn, (await paymentsOf(top_up_txn))[0]?.id);
      assert.equal(await wallet(target), before_minor + 25_000);

      const pack_txn = txnId();
      const pack_failed = await withJournalAway(() => pay(national(target), '690.00', pack_txn));
      assert.equal(pack_failed.result, 1);
      assert.deepEqual((await paymentsOf(pack_txn)).map((row) => row.state), ['accepted'], 'the pack pay is written, waiting for its repeat');
      const pack_repeated = await pay(national(target), '690.00', pack_txn);
      assert.equal(pack_repeated.result, 0);
      assert.equal(pack_repeated.prv_txn, (await paymentsOf(pack_txn))[0]?.id);
      const orders = await test_db.database.db.selectFrom('orders').select('state').where('id', '=', (await paymentsOf(pack_txn))[0]?.order_id ?? '').execute();
      assert.deepEqual(orders.map((order) => order.state), ['active']);
    });

    it('4: an account that is not a number in one of the accepted notations', async () => {
      for (const account of ['', 'abc', '900123456', '90012345678', '+7 900 123-45-67', '(900)1234567', '+19001234567', '0079001234567', '1234567890']) {
        const answer = await pay(account, '250.00');
        assert.equal(answer.result, 4, account);
        assert.equal(answer.prv_txn, undefined, account);
        assert.equal((await check(account)).result, 4, account);
      }
    });

    it('5: a number no line has (a SIM in stock included)', async () => {
      assert.equal((await check(UNKNOWN_NUMBER)).result, 5);
      const stock = await test_db.database.db.selectFrom('sims').select('msisdn').where('status', '=', 'in_stock').executeTakeFirstOrThrow();
      assert.equal((await check(stock.msisdn.slice(2), '250.00')).result, 5);
      const answer = await pay(UNKNOWN_NUMBER, '250.00');
      assert.deepEqual([answer.result, answer.comment], [5, 'Номер не найден.']);
    });

    it('7: a suspended partner\'s checks and pays are refused', async () => {
      const target = await line();
      const before_minor = await wallet(target);
      await seeded.context.partners.setEnabled(DEMO_PARTNER.code, false);
      try {
        assert.equal((await check(national(target), '250.00')).result, 7);
        const refused = await pay(national(target), '250.00');
        assert.deepEqual([refused.result, refused.comment], [7, 'Приём платежей от этого агента приостановлен.']);
      } finally {
        await seeded.context.partners.setEnabled(DEMO_PARTNER.code, true);
      }
      assert.equal(await wallet(target), before_minor);
      assert.equal((await check(national(target), '250.00')).result, 0, 'enabled again');
    });

    it('79: a line that is not active', async () => {
      const target = await line();
      // No service suspends a line yet (ussd-at.test.ts does the same): the state as one would set it.
      await test_db.database.db.updateTable('lines').set({ status: 'suspended' }).where('id', '=', target.id).execute();
      const before_minor = await wallet(target);
      assert.equal((await check(national(target))).result, 79);
      const answer = await pay(national(target), '690.00');
      assert.deepEqual([answer.result, answer.comment], [79, 'Номер не активен, оплата невозможна.']);
      assert.equal(await wallet(target), before_minor);
      assert.equal(await bundles(target, 'data-5gb-7d'), 1, 'the pack it had, no other');
    });

    it('241 and 242: sums outside the partner\'s limits, which the comment names', async () => {
      const target = await line();
      const small = await pay(national(target), '99.99');
      assert.deepEqual([small.result, small.comment], [241, 'Сумма меньше минимальной (100,00 ₽).']);
      const large = await pay(national(target), '15000.01');
      assert.deepEqual([large.result, large.comment], [242, 'Сумма больше максимальной (15 000,00 ₽).']);
      assert.equal((await check(national(target), '100.00')).result, 0, 'the minimum itself is allowed');
      assert.equal((await check(national(target), '15000')).result, 0, 'and the maximum');
    });

    it('300: a malformed sum, txn_id or txn_date, an unknown or missing command', async () => {
      const target = await line();
      const account = national(target);
      for (const sum of ['10,45', '10.456', '-5', '0', '1e3', ' 250', '']) {
        const answer = await pay(account, sum);
        assert.deepEqual([answer.result, answer.sum], [300, sum], `sum ${JSON.stringify(sum)}`);
      }
      const bad_txn = await answered({ command: 'pay', txn_id: 'txn/1', txn_date: TXN_DATE, account, sum: '250.00' });
      assert.deepEqual([bad_txn.result, bad_txn.osmp_txn_id], [300, 'txn/1']);
      assert.equal((await answered({ command: 'pay', txn_date: TXN_DATE, account, sum: '250.00' })).result, 300, 'no txn_id');
      assert.equal((await answered({ command: 'check', txn_id: 'a'.repeat(65), account })).result, 300, 'a check\'s txn_id is held to the form too');
      for (const txn_date of ['20251340120000', '2025-11-26T12:00:00', '']) {
        const answer = await answered({ command: 'pay', txn_id: txnId(), txn_date, account, sum: '250.00' });
        assert.deepEqual([answer.result, answer.comment], [300, 'Неверная txn_date: время в формате ГГГГММДДччммсс.'], txn_date);
      }
      for (const fields of [{ command: 'cancel' }, { command: 'PAY' }, {}] as Array<Record<string, string>>) {
        const answer = await answered({ ...fields, txn_id: '42', account, sum: '250.00' });
        assert.deepEqual([answer.result, answer.comment, answer.osmp_txn_id, answer.sum], [300, 'Неизвестная команда: check или pay.', '42', '250.00']);
      }
      const twice = await app.inject({
        url: `/osmp/demo-store?command=pay&txn_id=${txnId()}&txn_date=${TXN_DATE}&account=${account}&account=${UNKNOWN_NUMBER}&sum=250`,
        headers: { authorization: BASIC }, remoteAddress: TILL,
      });
      assert.equal(parseOsmp(twice.body).result, 4, 'an account sent twice is no account');
    });

    it('300: the same txn_id with another sum or number pays nothing', async () => {
      const target = await line();
      const txn_id = txnId();
      const first = await pay(national(target), '250.00', txn_id);
      assert.equal(first.result, 0);
      const paid_minor = await wallet(target);
      const other_sum = await pay(national(target), '300.00', txn_id);
      assert.deepEqual([other_sum.result, other_sum.prv_txn, other_sum.comment], [
        300, undefined, 'Этот txn_id уже использован для другого номера или суммы; ничего не оплачено.',
      ]);
      const other_line = await line();
      const other_before = await wallet(other_line);
      assert.equal((await pay(national(other_line), '250.00', txn_id)).result, 300);
      assert.equal(await wallet(target), paid_minor);
      assert.equal(await wallet(other_line), other_before);
      assert.equal((await paymentsOf(txn_id)).length, 1);
    });
  });

  describe('the account', () => {
    it('reaches the same line in every accepted notation, over GET (a bare "+" arriving as a space) and POST', async () => {
      const target = await line();
      const before_minor = await wallet(target);
      const digits = national(target);
      const notations = [digits, `7${digits}`, `8${digits}`, `+7${digits}`];
      const txn_ids: string[] = [];
      for (const account of notations) {
        for (const method of ['GET', 'POST'] as const) {
          const txn_id = txnId();
          txn_ids.push(txn_id);
          assert.equal((await pay(account, '100.00', txn_id, { method })).result, 0, `${method} ${account}`);
        }
      }
      // The "+" unescaped in the address, as a till that builds its own query string sends it.
      const txn_id = txnId();
      txn_ids.push(txn_id);
      const raw = await app.inject({
        url: `/osmp/demo-store?command=pay&txn_id=${txn_id}&txn_date=${TXN_DATE}&account=+7${digits}&sum=100.00`,
        headers: { authorization: BASIC }, remoteAddress: TILL,
      });
      assert.equal(parseOsmp(raw.body).result, 0, raw.body);
      assert.equal(await wallet(target), before_minor + 100_00 * txn_ids.length);
      for (const id of txn_ids) assert.deepEqual((await paymentsOf(id)).map((row) => row.msisdn), [target.msisdn], id);
    });
  });

  describe('what a sum buys', () => {
    it('a pack priced at exactly the sum: 690.00 activates data-5gb-7d and leaves the wallet alone', async () => {
      const target = await line();
      const [wallet_before, packs_before, settlement_before] = [await wallet(target), await bundles(target, 'data-5gb-7d'), await settlement()];
      const answer = await pay(national(target), '690.00');
      assert.equal(answer.result, 0);
      assert.equal(answer.comment, 'Оплачено: пакет Интернет 5 ГБ на 7 дней подключён.');
      assert.equal(answer.sum, '690.00');
      assert.match(answer.prv_txn ?? '', /^ptx_[0-9a-f]{32}$/);
      assert.equal(await bundles(target, 'data-5gb-7d'), packs_before + 1);
      assert.equal(await wallet(target), wallet_before);
      assert.equal(await settlement(), settlement_before - 69_000, 'the agent owes us the pack\'s price');
    });

    it('two packs at one price: the first in catalog order', async () => {
      const target = await line();
      const answer = await pay(national(target), '190.00');
      assert.equal(answer.result, 0);
      assert.equal(await bundles(target, 'data-1gb-1d'), 1);
      assert.equal(await bundles(target, 'sms-50-30d'), 0);
    });

    it('any other sum tops up the wallet: 250.00 → +250.00', async () => {
      const target = await line();
      const [wallet_before, settlement_before] = [await wallet(target), await settlement()];
      const answer = await pay(national(target), '250');
      assert.deepEqual([answer.result, answer.sum, answer.comment], [0, '250.00', 'Оплачено: баланс номера пополнен на 250,00 ₽.']);
      assert.equal(await wallet(target), wallet_before + 25_000);
      assert.equal(await settlement(), settlement_before - 25_000);
    });
  });

  describe('a pay repeated with its txn_id is one payment', () => {
    it('in sequence: the same prv_txn and answer, the wallet moved once', async () => {
      const target = await line();
      const wallet_before = await wallet(target);
      const txn_id = txnId();
      const first = await pay(national(target), '250.00', txn_id);
      const again = await pay(`+7${national(target)}`, '250', txn_id, { method: 'POST' });
      assert.equal(first.result, 0);
      assert.deepEqual(again, first, 'the same answer, whatever notation the repeat uses');
      assert.equal(await wallet(target), wallet_before + 25_000);
    });

    it('twenty at once: one payment, one prv_txn, the ledger moved once', async () => {
      const target = await line();
      const [wallet_before, packs_before, settlement_before] = [await wallet(target), await bundles(target, 'data-5gb-7d'), await settlement()];
      const txn_id = txnId();
      const answers = await Promise.all(Array.from({ length: 20 }, () => pay(national(target), '690.00', txn_id)));
      const prv_txns = new Set(answers.map((answer) => answer.prv_txn));
      assert.equal(prv_txns.size, 1, JSON.stringify(answers));
      assert.deepEqual(new Set(answers.map((answer) => answer.result)), new Set([0]));
      assert.equal((await paymentsOf(txn_id)).length, 1);
      assert.equal(await bundles(target, 'data-5gb-7d'), packs_before + 1);
      assert.equal(await wallet(target), wallet_before);
      assert.equal(await settlement(), settlement_before - 69_000);
      const orders = await test_db.database.db.selectFrom('orders').select('id').where('line_id', '=', target.id).where('channel', '=', 'partner').execute();
      assert.equal(orders.length, 1);
    });

    it('across a restart: a new server over the same database answers the first prv_txn', async () => {
      const target = await line();
      const txn_id = txnId();
      const first = await pay(national(target), '250.00', txn_id);
      const paid_minor = await wallet(target);
      await app.close();
      const context = contextOver(loadConfig({ LOG_LEVEL: 'silent' }), test_db.database, new ManualClock(seeded.clock.now_ms() + 3_600_000));
      app = testServer(context);
      const after_restart = await pay(national(target), '250.00', txn_id);
      assert.equal(after_restart.prv_txn, first.prv_txn);
      assert.deepEqual(after_restart, first);
      assert.equal(await wallet(target), paid_minor);
      // The rest of the suite goes on with the seeded context.
      await app.close();
      app = testServer(seeded.context);
    });
  });

  describe('who may call', () => {
    it('401 with the basic challenge: wrong password, no credentials, another partner\'s name, an unknown partner', async () => {
      const wrong = `Basic ${Buffer.from('demo-store:wrong-secret').toString('base64')}`;
      const other_user = `Basic ${Buffer.from('other-store:demo-secret').toString('base64')}`;
      for (const [authorization, partner, what] of [
        [wrong, 'demo-store', 'wrong password'], [null, 'demo-store', 'no credentials'], ['Bearer demo-secret', 'demo-store', 'not basic'],
        [other_user, 'demo-store', 'another user'], [BASIC, 'nobody-store', 'unknown partner'], [BASIC, 'Demo Store', 'not a partner code'],
      ] as const) {
        const { response } = await osmp({ command: 'check', account: '9001234567' }, { authorization, partner });
        assert.equal(response.statusCode, 401, what);
        assert.equal(response.headers['www-authenticate'], 'Basic realm="roamcard osmp"', what);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/, what);
        assert.doesNotMatch(response.body, /result|<\?xml/, what);
      }
    });

    it('403 from an address outside the partner\'s allow-list, whatever it presents', async () => {
      for (const authorization of [BASIC, null]) {
        const { response } = await osmp({ command: 'pay', txn_id: txnId(), txn_date: TXN_DATE, account: '9001234567', sum: '250' }, { ip: '203.0.113.9', authorization });
        assert.equal(response.statusCode, 403);
        assert.equal(JSON.parse(response.body).code, 'ROAM_ERR_FORBIDDEN');
      }
      assert.equal((await check('9001234567', undefined, { ip: '::1' })).result, 0, 'IPv6 loopback is on the list too');
    });

    it('refuses a body or an address larger than any till sends, and offers no HEAD', async () => {
      const big = await app.inject({
        method: 'POST', url: '/osmp/demo-store', remoteAddress: TILL, payload: `command=check&account=9001234567&pad=${'x'.repeat(OSMP_BODY_BYTES_MAX)}`,
        headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(big.statusCode, 413);
      const long = await app.inject({ url: `/osmp/demo-store?command=check&account=9001234567&pad=${'x'.repeat(OSMP_URL_LENGTH_MAX)}`, headers: { authorization: BASIC }, remoteAddress: TILL });
      assert.equal(long.statusCode, 414);
      const head = await app.inject({ method: 'HEAD', url: '/osmp/demo-store?command=check&account=9001234567', headers: { authorization: BASIC }, remoteAddress: TILL });
      assert.equal(head.statusCode, 404);
    });

    it('429 after too many wrong passwords from one address, the right one included, until the window ends', async () => {
      const wrong = `Basic ${Buffer.from('demo-store:guess').toString('base64')}`;
      const ip = '::1';
      for (let attempt = 0; attempt < PARTNER_AUTH_LIMITS.failures_per_address.hits_max; attempt += 1) {
        assert.equal((await osmp({ command: 'check', account: '9001234567' }, { ip, authorization: wrong })).response.statusCode, 401);
      }
      const locked = await osmp({ command: 'check', account: '9001234567' }, { ip });
      assert.equal(locked.response.statusCode, 429);
      assert.ok(Number(locked.response.headers['retry-after']) > 0);
      assert.equal(JSON.parse(locked.response.body).code, 'ROAM_ERR_RATE_LIMITED');
      assert.equal((await check('9001234567')).result, 0, 'another address of the partner is not locked out');
      seeded.clock.advance(PARTNER_AUTH_LIMITS.failures_per_address.window_ms);
      assert.equal((await check('9001234567', undefined, { ip })).result, 0, 'the next window');
    });
  });

  it('leaves the ledger\'s invariants holding', async () => {
    assert.deepEqual(await ledgerViolations(test_db.database.db), []);
  });
});

describeEachDatabase('OSMP in the log', (test_db) => {
  let seeded: SeededContext;
  before(async () => {
    seeded = await seededContext(test_db.database);
  });

  it('logs each request and answer with partner, command, txn_id and result, and the number only masked', async () => {
    const logs = captureLogs();
    const app = testServer(seeded.context, { logs });
    try {
      const get = await app.inject({
        url: `/osmp/demo-store?command=pay&txn_id=5550001&txn_date=${TXN_DATE}&account=9001234567&sum=250.00`,
        headers: { authorization: BASIC }, remoteAddress: TILL,
      });
      assert.equal(parseOsmp(get.body).result, 0, get.body);
      const post = await app.inject({
        method: 'POST', url: '/osmp/demo-store', remoteAddress: TILL,
        headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `command=pay&txn_id=5550002&txn_date=${TXN_DATE}&account=%2B79001234567&sum=690.00`,
      });
      assert.equal(parseOsmp(post.body).result, 0, post.body);
      const spaced = await app.inject({
        url: `/osmp/demo-store?command=check&account=+79001234567`, headers: { authorization: BASIC }, remoteAddress: TILL,
      });
      assert.equal(parseOsmp(spaced.body).result, 0, spaced.body);
      // A failure on our side is logged as an error, without the number either.
      await sql`alter table journal_entries rename to journal_entries_away`.execute(test_db.database.db);
      try {
        const failed = await app.inject({
          url: `/osmp/demo-store?command=pay&txn_id=5550003&txn_date=${TXN_DATE}&account=79001234567&sum=300.00`,
          headers: { authorization: BASIC }, remoteAddress: TILL,
        });
        assert.equal(parseOsmp(failed.body).result, 1);
      } finally {
        await sql`alter table journal_entries_away rename to journal_entries`.execute(test_db.database.db);
      }
    } finally {
      await app.close();
    }
    const text = logs.text();
    for (const spelling of ['9001234567', '+79001234567', '%2B79001234567', '79001234567', '89001234567']) {
      assert.ok(!text.includes(spelling), `${spelling} is in the log:\n${text}`);
    }
    const records = logs.records();
    const answers = records.flatMap((record) => (record.partner_answer ? [record.partner_answer as Record<string, unknown>] : []));
    assert.deepEqual(answers.map((answer) => [answer.partner, answer.command, answer.txn_id, answer.result, answer.account_masked]), [
      ['demo-store', 'pay', '5550001', 0, '+7900***4567'],
      ['demo-store', 'pay', '5550002', 0, '+7900***4567'],
      ['demo-store', 'check', undefined, 0, '+7900***4567'],
      ['demo-store', 'pay', '5550003', 1, '+7900***4567'],
    ]);
    assert.equal(records.filter((record) => record.msg === 'partner request').length, 4, 'every request is logged as it arrives');
    assert.equal(records.filter((record) => record.level === 50 && record.msg === 'partner request failed on our side: answered "temporary"').length, 1);
    const urls = records.flatMap((record) => ((record.req as { url?: string } | undefined)?.url ?? []));
    assert.ok(urls.some((url) => url.includes('account=[redacted]')), urls.join('\n'));
    assert.deepEqual(await ledgerViolations(test_db.database.db), []);
  });
});
