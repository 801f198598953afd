import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { RecordingProvisioner } from '../../adapters/network/recording/recording-provisioner.js';
import { jobHandlers } from '../../app/jobs.js';
import { inTransaction } from '../../db/transaction.js';
import type { Job } from '../jobs/outbox.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { DEMO_START_MS, openDemoLikeLine, seededContext, type SeededContext } from '../../testing/seeded-context.js';
import { findLine } from '../lines/lines.js';
import { noticesFromConfig, NOTICE_CAP_WINDOW_MS, queueNotice } from './notices.js';
import { NOTICE_TEST_AUTH_SECRET, noticesOf } from '../../testing/sent-notices.js';
import { payFromWallet } from '../../testing/wallet-payers.js';

const EN_LINE = '+79001234568'; // demo: English, no pack, empty wallet
const ZH_LINE = '+79001234567'; // demo: 简体中文, 500 ₽, the 5 GB pack


describeEachDatabase('SMS notices', (t) => {
  let seeded: SeededContext;
  before(async () => {
    seeded = await seededContext(t.database, { AUTH_SECRET: NOTICE_TEST_AUTH_SECRET, SMS_NOTICES_PER_NUMBER_DAY_MAX: '4' });
  });

  /** An order for a pack, paid by card through the sandbox and settled by asking the provider (twice: the second changes nothing). */
  async function paidByCard(msisdn: string, package_code: string, key: string) {
    const { renewal, payments } = seeded.context;
    const { order } = await renewal.createOrder({ line: { msisdn }, package_code, channel: 'web', idempotency_key: `${key}-order` });
    const { payment } = await renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: `${key}-pay` });
    await payments.sandbox!.finish(payment.provider_payment_id!, { status: 'succeeded', card_last4: '4242' });
    assert.equal(await renewal.refreshPayment(payment.id), 'activated');
    assert.equal(await renewal.refreshPayment(payment.id), 'unchanged');
    return { order: (await renewal.getOrder(order.id)).order, payment };
  }

  function receiptHandler() {
    const { database, clock, renewal, config } = seeded.context;
    return jobHandlers({ database, clock, renewal, provisioner: new RecordingProvisioner(database, clock), notices: noticesFromConfig(config) })['receipt.issue']!;
  }

  it('payment received and pack active, then the receipt link: each once, in the line\'s language, retries change nothing', async () => {
    const line = await findLine(t.database.db, { msisdn: ZH_LINE });
    const { order } = await paidByCard(ZH_LINE, 'data-1gb-1d', 'zh-card');
    const issue = receiptHandler();
    const job = { id: 'job_receipt' } as Job;
    await issue({ order_id: order.id }, job);
    await issue({ order_id: order.id }, job); // the job retried (a lease lapsed): the receipt exists, nothing more is queued

    const receipt = await t.database.db.selectFrom('receipts').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
    const sent = await noticesOf(t.database, line.id);
    assert.deepEqual(sent.map((notice) => [notice.cause, notice.dedupe_key, notice.status, notice.language, notice.to_msisdn]), [
      ['pack_active', order.id, 'queued', 'zh-Hans', ZH_LINE],
      ['receipt', order.id, 'queued', 'zh-Hans', ZH_LINE],
    ]);
    // Activated at 12:00 Moscow (09:00Z) for 24 hours; the line is in Moscow.
    assert.equal(sent[0]!.text, '已收到付款，“1GB 流量 1天”已生效，有效期至11月27日 12:00。查询余额请拨#100#。');
    assert.equal(sent[1]!.text, `远游卡收据：http://localhost:3000/receipts/${receipt.number}?t=${receipt.verification_token}`);
  });

  it('a refund: announced when the provider confirms it, once however often confirmed', async () => {
    const line = await findLine(t.database.db, { msisdn: EN_LINE });
    const { order } = await paidByCard(EN_LINE, 'data-5gb-7d', 'en-refund');
    const { renewal } = seeded.context;
    await renewal.refundUnusedPack({ order_id: order.id, requested_by: 'staff:test', idempotency_key: 'refund-1' });
    const refund = await t.database.db.selectFrom('refunds').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
    assert.equal(refund.status, 'pending');
    assert.deepEqual((await noticesOf(t.database, line.id)).map((notice) => notice.cause), ['pack_active'], 'nothing said before the money moved');
    await renewal.executeRefund(refund.id);
    await renewal.executeRefund(refund.id);
    const sent = await noticesOf(t.database, line.id);
    assert.deepEqual(sent.map((notice) => [notice.cause, notice.dedupe_key]), [['pack_active', order.id], ['refund', refund.id]]);
    assert.equal(sent[0]!.text, 'Payment received: 5 GB data, 7 days is active until 3 Dec 12:00. Balance: dial #100#.');
    assert.equal(sent[1]!.text, '690.00 RUB has been refunded to the card or account you paid with. Banks may take a few days to show it.');
  });

  it('a pack paid from the balance, then refunded to it: "pack active" and "refunded to your balance", once each', async () => {
    const line = await openDemoLikeLine(seeded, 'en', 'Asia/Vladivostok');
    const { renewal, database, clock } = seeded.context;
    const { order } = await renewal.createOrder({ line: { line_id: line.id }, package_code: 'sms-50-30d', channel: 'ussd', idempotency_key: 'wallet-order' });
    await payFromWallet({ database, clock, renewal }, order.id, 'wallet-pay');
    await payFromWallet({ database, clock, renewal }, order.id, 'wallet-pay'); // the same request again: replayed
    const refund_input = { order_id: order.id, requested_by: 'staff:test', idempotency_key: 'wallet-refund' };
    await renewal.refundUnusedPack(refund_input);
    await renewal.refundUnusedPack(refund_input);
    const refund = await database.db.selectFrom('refunds').select('id').where('order_id', '=', order.id).executeTakeFirstOrThrow();
    const sent = await noticesOf(database, line.id);
    assert.deepEqual(sent.map((notice) => [notice.cause, notice.dedupe_key]), [['pack_active', order.id], ['refund', refund.id]]);
    // 30 days from 12:00 Moscow, shown in Vladivostok (+7 hours from Moscow).
    assert.equal(sent[0]!.text, 'Payment received: 50 SMS, 30 days is active until 26 Dec 19:00. Balance: dial #100#.');
    assert.equal(sent[1]!.text, '190.00 RUB has been refunded to your roamcard balance.');
    assert.deepEqual(sent.map((notice) => notice.send_before_ms), [null, null], 'news of money is sent however late');
  });

  it('caps notices per number over a rolling 24 hours: beyond the cap recorded as capped, never sent; sign-in codes are not capped', async () => {
    const line = await findLine(t.database.db, { msisdn: ZH_LINE });
    const { database, config, customers } = seeded.context;
    const { clock } = seeded;
    const notices = noticesFromConfig(config);
    const already = (await noticesOf(database, line.id)).filter((notice) => notice.status === 'queued').length;
    const queue = (key: string) => inTransaction(database, (trx) => queueNotice(trx, notices, {
      line_id: line.id, cause: 'refund', dedupe_key: key, text: () => `test ${key}`,
    }, clock.now_ms()));
    const outcomes: string[] = [];
    for (let index = 0; index < 4 - already + 2; index += 1) outcomes.push(await queue(`cap-${index}`));
    assert.deepEqual(outcomes, [...Array<string>(4 - already).fill('queued'), 'capped', 'capped']);
    assert.equal(await queue('cap-0'), 'duplicate');
    const capped = (await noticesOf(database, line.id)).filter((notice) => notice.status === 'capped');
    assert.deepEqual(capped.map((notice) => [notice.dedupe_key, notice.text]), [[`cap-${4 - already}`, null], [`cap-${5 - already}`, null]]);

    await customers.requestCode({ target: { msisdn: ZH_LINE }, ip: '192.0.2.1' });
    const codes = await database.db.selectFrom('jobs').select('id').where('kind', '=', 'sms.send').where('dedupe_key', 'like', 'sms:%')
      .where('line_id', '=', line.id).execute();
    assert.equal(codes.length, 1, 'the sign-in code went out although the notices are capped');

    clock.advance(NOTICE_CAP_WINDOW_MS);
    assert.equal(await queue('cap-later'), 'queued', 'a day later the window has room again');
    assert.equal(await queue(`cap-${4 - already}`), 'duplicate', 'a capped notice is not sent later either');
    clock.set(DEMO_START_MS);
  });

  it('a notice asked for by many transactions at once is one row and one SMS', async () => {
    const line = await openDemoLikeLine(seeded, 'ru', 'Asia/Vladivostok');
    const { database, config, clock } = seeded.context;
    const notices = noticesFromConfig(config);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => inTransaction(database, (trx) => queueNotice(trx, notices, {
      line_id: line.id, cause: 'receipt', dedupe_key: `same-${line.id}`, text: (reader) => `язык ${reader.language}`,
    }, clock.now_ms()))));
    assert.equal(outcomes.filter((outcome) => outcome === 'queued').length, 1);
    assert.equal(outcomes.filter((outcome) => outcome === 'duplicate').length, 19);
    const sent = await noticesOf(database, line.id);
    assert.deepEqual(sent.map((notice) => [notice.dedupe_key, notice.text]), [[`same-${line.id}`, 'язык ru']]);
  });
});
