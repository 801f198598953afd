import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_PARTNER, DEMO_PARTNER_SECRETS } from '../../../services/demo/seed.js';
import { accountBalance } from '../../../services/ledger/ledger.js';
import { ledgerViolations } from '../../../services/ledger/invariants.js';
import type { Line } from '../../../services/lines/lines.js';
import { partnerSignature, SIGNATURE_WINDOW_MS } from '../../../services/partners/partner-service.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { openDemoLikeLine, seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { captureLogs, testServer } from '../../../testing/test-server.js';

/**
 * The signed JSON partner API as a partner's integration meets it: a request signed with the
 * demo key pays; one signed wrongly, tampered with after signing, or replayed after the window is
 * refused before its body is even looked at; a pay sent twice is one payment; a body that does not
 * fit the schema is a 400 naming the field — once the signature holds.
 */

const TILL = '127.0.0.1';
const KEY = DEMO_PARTNER_SECRETS.hmac_key;

interface Signed {
  readonly body?: string;
  readonly key?: string;
  readonly timestamp_ms?: number;
  readonly ip?: string;
  readonly headers?: Record<string, string>;
  /** Sent instead of the body that was signed. */
  readonly sent?: string;
  readonly partner?: string;
}

type Answer = {
  result: number; outcome: string; reason: string; message: string; prv_txn: string | null; sum: string | null;
  purchase: { kind: 'pack'; package_code: string; name: string } | { kind: 'top_up' } | null; msisdn_masked: string | null; replayed: boolean;
};

let serial = 0;
function txnId(): string {
  serial += 1;
  return `json-${serial}`;
}

describeEachDatabase('the signed JSON partner API', (test_db) => {
  let seeded: SeededContext;
  let app: ReturnType<typeof testServer>;

  before(async () => {
    seeded = await seededContext(test_db.database);
    app = testServer(seeded.context);
  });
  after(async () => {
    await app.close();
  });

  /** POSTs `body` to check or pay, signed as told (by default: rightly, now, with the demo key). */
  async function signed(command: 'check' | 'pay', fields: Record<string, unknown>, options: Signed = {}) {
    const body = options.body ?? JSON.stringify(fields);
    const timestamp = String(options.timestamp_ms ?? seeded.clock.now_ms());
    return app.inject({
      method: 'POST', url: `/partner-api/v1/${options.partner ?? DEMO_PARTNER.code}/${command}`, remoteAddress: options.ip ?? TILL,
      payload: options.sent ?? body,
      headers: {
        'content-type': 'application/json', 'x-roamcard-timestamp': timestamp, 'x-roamcard-signature': partnerSignature(options.key ?? KEY, timestamp, body),
        ...options.headers,
      },
    });
  }

  async function answered(command: 'check' | 'pay', fields: Record<string, unknown>, options: Signed = {}): Promise<Answer> {
    const response = await signed(command, fields, options);
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    return response.json<Answer>();
  }

  const line = (): Promise<Line> => openDemoLikeLine(seeded, 'ru', 'Europe/Moscow');
  const national = (target: Line) => target.msisdn.slice(2);
  const wallet = (target: Line) => accountBalance(test_db.database.db, target.wallet_account_id);
  const paymentsOf = (txn_id: string) => test_db.database.db.selectFrom('partner_payments').selectAll().where('txn_id', '=', txn_id).execute();

  describe('signed rightly', () => {
    it('pays a pack priced at the sum, and says what it bought', async () => {
      const target = await line();
      const answer = await answered('pay', { account: national(target), sum: '690.00', txn_id: txnId(), txn_date: '2025-11-26T12:00:00+03:00' });
      assert.match(answer.prv_txn ?? '', /^ptx_[0-9a-f]{32}$/);
      assert.deepEqual({ ...answer, prv_txn: '' }, {
        result: 0, outcome: 'ok', reason: 'paid_pack', message: 'Оплачено: пакет Интернет 5 ГБ на 7 дней подключён.', prv_txn: '', sum: '690.00',
        purchase: { kind: 'pack', package_code: 'data-5gb-7d', name: 'Интернет 5 ГБ на 7 дней' },
        msisdn_masked: `${target.msisdn.slice(0, 5)}***${target.msisdn.slice(-4)}`, replayed: false,
      });
    });

    it('tops up by any other sum; the message and pack names follow Accept-Language', async () => {
      const target = await line();
      const before_minor = await wallet(target);
      const answer = await answered('pay', { account: `+7${national(target)}`, sum: '250.00', txn_id: txnId() }, { headers: { 'accept-language': 'en' } });
      assert.deepEqual([answer.result, answer.reason, answer.message, answer.purchase], [0, 'paid_top_up', 'Paid: the line\'s balance is topped up by 250.00 RUB.', { kind: 'top_up' }]);
      assert.equal(await wallet(target), before_minor + 25_000);
      const checked = await answered('check', { account: national(target), sum: '690.00' }, { headers: { 'accept-language': 'zh-Hant' } });
      assert.deepEqual([checked.result, checked.reason, checked.prv_txn], [0, 'pays_pack', null]);
      assert.equal(checked.purchase?.kind === 'pack' ? checked.purchase.package_code : '', 'data-5gb-7d');
      assert.match(checked.message, /5GB/);
    });

    it('answers refusals as the protocol does, with HTTP 200 and their OSMP code', async () => {
      const target = await line();
      const cases: Array<[Record<string, unknown>, number, string]> = [
        [{ account: national(target) }, 0, 'account_payable'],
        [{ account: '900123456' }, 4, 'account_format'],
        [{ account: '9005550000', sum: '250.00' }, 5, 'account_not_found'],
        [{ account: national(target), sum: '99.99' }, 241, 'sum_too_small'],
        [{ account: national(target), sum: '15000.01' }, 242, 'sum_too_large'],
        [{ account: national(target), sum: '10,45' }, 300, 'sum_format'],
      ];
      for (const [fields, result, reason] of cases) {
        const answer = await answered('check', fields);
        assert.deepEqual([answer.result, answer.reason], [result, reason], JSON.stringify(fields));
      }
      const bad_txn = await answered('pay', { account: national(target), sum: '250.00', txn_id: 'no spaces' });
      assert.deepEqual([bad_txn.result, bad_txn.reason, bad_txn.prv_txn], [300, 'txn_id_format', null]);
    });

    it('the same signed pay twice: the same prv_txn, replayed the second time, paid once', async () => {
      const target = await line();
      const before_minor = await wallet(target);
      const body = JSON.stringify({ account: national(target), sum: '250.00', txn_id: txnId() });
      const first = await answered('pay', {}, { body });
      const second = await answered('pay', {}, { body });
      assert.equal(first.replayed, false);
      assert.equal(second.replayed, true);
      assert.equal(second.prv_txn, first.prv_txn);
      assert.deepEqual({ ...second, replayed: false }, first);
      assert.equal(await wallet(target), before_minor + 25_000);
    });

    it('is the same payment as an OSMP pay with the same txn_id', async () => {
      const target = await line();
      const txn_id = String(8_800_000 + serial);
      const osmp = await app.inject({
        url: `/osmp/demo-store?command=pay&txn_id=${txn_id}&txn_date=20251126120000&account=${national(target)}&sum=250.00`,
        headers: { authorization: `Basic ${Buffer.from('demo-store:demo-secret').toString('base64')}` }, remoteAddress: TILL,
      });
      const prv_txn = /<prv_txn>([^<]+)<\/prv_txn>/.exec(osmp.body)?.[1];
      const json = await answered('pay', { account: `8${national(target)}`, sum: '250', txn_id });
      assert.deepEqual([json.prv_txn, json.replayed, json.result], [prv_txn, true, 0]);
      assert.equal((await paymentsOf(txn_id)).length, 1);
    });
  });

  describe('refused before the body is read', () => {
    it('401 for a wrong key, a body changed after signing, a missing or malformed signature, an unknown partner', async () => {
      const target = await line();
      const before_minor = await wallet(target);
      const fields = { account: national(target), sum: '250.00', txn_id: txnId() };
      const body = JSON.stringify(fields);
      for (const [options, what] of [
        [{ key: 'not-the-key' }, 'another key'],
        [{ body, sent: body.replace('250.00', '2500.00') }, 'tampered'],
        [{ body, sent: `${body} ` }, 'a byte added'],
        [{ headers: { 'x-roamcard-signature': 'zz' } }, 'not hex'],
        [{ headers: { 'x-roamcard-signature': '' } }, 'empty'],
        [{ partner: 'nobody-store' }, 'unknown partner'],
      ] as Array<[Signed, string]>) {
        const response = await signed('pay', fields, options);
        assert.equal(response.statusCode, 401, what);
        assert.equal(response.json<{ code: string }>().code, 'ROAM_ERR_PARTNER_SIGNATURE_INVALID', what);
        assert.equal(response.headers['www-authenticate'], 'Roamcard-Signature realm="roamcard partner-api"', what);
      }
      const unsigned = await app.inject({
        method: 'POST', url: '/partner-api/v1/demo-store/pay', remoteAddress: TILL, payload: body,
        headers: { 'content-type': 'application/json', 'x-roamcard-timestamp': String(seeded.clock.now_ms()) },
      });
      assert.equal(unsigned.json<{ code: string }>().code, 'ROAM_ERR_PARTNER_SIGNATURE_INVALID');
      assert.equal(await wallet(target), before_minor);
      assert.equal((await paymentsOf(fields.txn_id)).length, 0);
    });

    it('401 naming the timestamp: a request replayed with the clock moved 10 minutes on, or stamped too far ahead, or not stamped', async () => {
      const target = await line();
      const before_minor = await wallet(target);
      const fields = { account: national(target), sum: '250.00', txn_id: txnId() };
      const captured_at_ms = seeded.clock.now_ms();
      seeded.clock.advance(10 * 60_000);
      const replayed = await signed('pay', fields, { timestamp_ms: captured_at_ms, headers: { 'accept-language': 'en' } });
      assert.equal(replayed.statusCode, 401);
      const problem = replayed.json<{ code: string; detail: string }>();
      assert.equal(problem.code, 'ROAM_ERR_PARTNER_TIMESTAMP_STALE');
      assert.match(problem.detail, /more than 5 min from our clock/);
      const ahead = await signed('pay', fields, { timestamp_ms: seeded.clock.now_ms() + SIGNATURE_WINDOW_MS + 1 });
      assert.equal(ahead.json<{ code: string }>().code, 'ROAM_ERR_PARTNER_TIMESTAMP_STALE');
      const unstamped = await signed('pay', fields, { headers: { 'x-roamcard-timestamp': '' } });
      assert.equal(unstamped.json<{ code: string }>().code, 'ROAM_ERR_PARTNER_TIMESTAMP_STALE');
      assert.equal(await wallet(target), before_minor);
      const fresh = await answered('pay', fields);
      assert.equal(fresh.result, 0, 'signed again now, it pays');
    });

    it('403 from an address outside the allow-list; 401 even for a body that is not JSON when unsigned', async () => {
      const response = await signed('pay', { account: '9001234567', sum: '250.00', txn_id: txnId() }, { ip: '203.0.113.9' });
      assert.equal(response.statusCode, 403);
      assert.equal(response.json<{ code: string }>().code, 'ROAM_ERR_FORBIDDEN');
      const garbage = await app.inject({
        method: 'POST', url: '/partner-api/v1/demo-store/pay', remoteAddress: TILL, payload: '{"account":',
        headers: { 'content-type': 'application/json', 'x-roamcard-timestamp': String(seeded.clock.now_ms()), 'x-roamcard-signature': 'ab'.repeat(32) },
      });
      assert.equal(garbage.statusCode, 401, 'who cannot sign learns nothing of the schema');
    });
  });

  describe('a signed body that does not fit', () => {
    it('400 naming the field: missing, of the wrong type, or a txn_date that is not ISO 8601', async () => {
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [{ sum: '250.00', txn_id: txnId() }, 'account', 'missing'],
        [{ account: '9001234567', txn_id: txnId() }, 'sum', 'missing'],
        [{ account: '9001234567', sum: '250.00' }, 'txn_id', 'missing'],
        [{ account: '9001234567', sum: 250, txn_id: txnId() }, 'sum', 'wrong_type'],
        [{ account: 9001234567, sum: '250.00', txn_id: txnId() }, 'account', 'wrong_type'],
        [{ account: '9001234567', sum: '250.00', txn_id: txnId(), txn_date: '20251126120000' }, 'txn_date', 'invalid_format'],
        [{ account: '9001234567', sum: '250.00', txn_id: 'x'.repeat(65) }, 'txn_id', 'too_big'],
      ];
      for (const [fields, field, problem] of cases) {
        const response = await signed('pay', fields);
        assert.equal(response.statusCode, 400, JSON.stringify(fields));
        const body = response.json<{ code: string; errors: Array<{ field: string; problem: string }> }>();
        assert.equal(body.code, 'ROAM_ERR_VALIDATION');
        assert.deepEqual(body.errors.map((error) => [error.field, error.problem]), [[field, problem]], JSON.stringify(fields));
      }
    });

    it('400 for a body that is not JSON, signed rightly', async () => {
      for (const body of ['{"account":', '', 'account=9001234567']) {
        const response = await signed('pay', {}, { body });
        assert.equal(response.statusCode, 400, JSON.stringify(body));
        assert.deepEqual(response.json<{ errors: Array<{ field: string }> }>().errors.map((error) => error.field), ['body']);
      }
    });
  });

  it('logs partner, command, txn_id and result, never the number or the signature', async () => {
    const logs = captureLogs();
    const logged = testServer(seeded.context, { logs });
    try {
      const body = JSON.stringify({ account: '+79001234568', sum: '250.00', txn_id: 'logged-1' });
      const timestamp = String(seeded.clock.now_ms());
      const signature = partnerSignature(KEY, timestamp, body);
      const response = await logged.inject({
        method: 'POST', url: '/partner-api/v1/demo-store/pay', remoteAddress: TILL, payload: body,
        headers: { 'content-type': 'application/json', 'x-roamcard-timestamp': timestamp, 'x-roamcard-signature': signature },
      });
      assert.equal(response.json<Answer>().result, 0);
      const text = logs.text();
      for (const secret of ['9001234568', signature, KEY]) assert.ok(!text.includes(secret), `${secret} is in the log`);
      const answer = logs.records().find((record) => record.msg === 'partner answer')?.partner_answer as Record<string, unknown> | undefined;
      assert.deepEqual(
        [answer?.api, answer?.partner, answer?.command, answer?.txn_id, answer?.result, answer?.account_masked],
        ['json', 'demo-store', 'pay', 'logged-1', 0, '+7900***4568'],
      );
    } finally {
      await logged.close();
    }
  });

  it('leaves the ledger\'s invariants holding', async () => {
    assert.deepEqual(await ledgerViolations(test_db.database.db), []);
  });
});
