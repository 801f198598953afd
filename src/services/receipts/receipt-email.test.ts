import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { contextOver, type AppContext } from '../../app/context.js';
import { loadConfig } from '../../config.js';
import type { Language } from '../../core/i18n/languages.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { decodeHeader, mimeAttachments, mimeText, splitMimePart } from '../../testing/mime.js';
import { seededContext, type SeededContext } from '../../testing/seeded-context.js';
import { NOTICE_TEST_AUTH_SECRET, noticesOf } from '../../testing/sent-notices.js';
import { startSmtpSink, type SmtpSink } from '../../testing/smtp-sink.js';
import { payFromWallet } from '../../testing/wallet-payers.js';
import type { OutboxWorker } from '../jobs/worker.js';
import { cashDrawerAccountId } from '../ledger/accounts.js';
import { findLine } from '../lines/lines.js';

/**
 * Issue 15's promise, end to end on each database: a payer who gave an e-mail gets the receipt
 * there — one e-mail, the PDF attached, in the order's language — through the outbox worker and a
 * real SMTP server on loopback; one who gave none gets the link by SMS. The e-mail goes once
 * however often its job runs, and when it cannot go at all the SMS link goes instead.
 */

const LINE = '+79001234568'; // demo: English, empty wallet (topped up below)
const REFUSED = 'nobody@example.org';
const LATER = 'greylisted@example.org';
/** Enough passes for every job a payment queues (receipt, then its e-mail or SMS) to run. */
const DRAIN_PASSES_MAX = 10;

describeEachDatabase('receipts by e-mail', (t) => {
  let sink: SmtpSink;
  let seeded: SeededContext;
  let context: AppContext;
  let worker: OutboxWorker;
  let serial = 0;

  before(async () => {
    sink = await startSmtpSink({ credentials: { username: 'roamcard', password: 'mail-secret' }, refuse: (to) => (to === REFUSED ? 550 : to === LATER ? 450 : undefined) });
    seeded = await seededContext(t.database, {
      AUTH_SECRET: NOTICE_TEST_AUTH_SECRET, SMS_NOTICES_PER_NUMBER_DAY_MAX: '100',
      SMTP_URL: sink.url, MAIL_FROM: 'roamcard <receipts@roamcard.example>',
    });
    context = seeded.context;
    worker = context.createWorker();
    await context.services.creditWallet({
      line: { msisdn: LINE }, amount_minor: 500_000, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: 'mail-topup', memo: 'test',
    });
  });
  after(async () => {
    await context.close();
    await sink.close();
  });

  async function drain(): Promise<void> {
    for (let pass = 0; pass < DRAIN_PASSES_MAX; pass += 1) {
      if ((await worker.drainOnce()) === 0) return;
    }
    assert.fail(`jobs still due after ${DRAIN_PASSES_MAX} passes`);
  }

  /** An order paid from the line's wallet and activated; its receipt job is queued, not yet run. */
  async function paidOrder(on: AppContext, payer_email: string | null, language: Language = 'en'): Promise<string> {
    serial += 1;
    const { order } = await on.renewal.createOrder({
      line: { msisdn: LINE }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: `mail-order-${serial}`, language, payer_email,
    });
    const { view } = await payFromWallet(on, order.id, `mail-pay-${serial}`);
    assert.equal(view.order.state, 'active');
    return order.id;
  }

  const receiptOf = (order_id: string) => t.database.db.selectFrom('receipts').selectAll().where('order_id', '=', order_id).executeTakeFirstOrThrow();
  const deliveryOf = (number: string) => t.database.db.selectFrom('receipt_deliveries').selectAll().where('receipt_number', '=', number).executeTakeFirst();
  const emailJobsOf = (number: string) => t.database.db.selectFrom('jobs').selectAll().where('kind', '=', 'receipt.email')
    .where('dedupe_key', '=', `receipt-email:${number}`).execute();
  const receiptNoticesOf = async (order_id: string) => {
    const line = await findLine(t.database.db, { msisdn: LINE });
    return (await noticesOf(t.database, line.id)).filter((notice) => notice.cause === 'receipt' && notice.dedupe_key === order_id);
  };
  const mailsFor = (address: string) => sink.received.filter((mail) => mail.to.includes(address));

  it('a payer with an e-mail gets one e-mail with the PDF, in the order\'s language, and no SMS link', async () => {
    const order_id = await paidOrder(context, 'payer@example.com', 'ru');
    await drain();
    const receipt = await receiptOf(order_id);
    const jobs = await emailJobsOf(receipt.number);
    assert.deepEqual(jobs.map((job) => [job.status, job.attempts, JSON.parse(job.payload) as unknown]), [['done', 1, { receipt_number: receipt.number }]]);
    assert.ok(!jobs[0]!.payload.includes('payer@'), 'the address is read from the order, not kept in the job');
    const [mail, ...more] = mailsFor('payer@example.com');
    assert.deepEqual(more, []);
    assert.equal(mail?.user, 'roamcard');
    assert.equal(mail?.from, 'receipts@roamcard.example');
    const { headers } = splitMimePart(mail?.raw ?? '');
    assert.equal(headers.get('message-id'), `<${receipt.number}.${order_id}@roamcard.example>`);
    assert.equal(decodeHeader(headers.get('subject')), `Квитанция roamcard ${receipt.number}`);
    const text = mimeText(mail?.raw ?? '') ?? '';
    assert.ok(text.includes(`Квитанция ${receipt.number} приложена к письму в формате PDF.`), text);
    assert.ok(text.includes(`http://localhost:3000/receipts/${receipt.number}?t=${receipt.verification_token}`), text);
    assert.ok(text.includes('ТЕСТОВЫЙ РЕЖИМ'), 'a test-mode receipt says so in the e-mail too');
    const [pdf] = mimeAttachments(mail?.raw ?? '');
    assert.equal(pdf?.filename, `${receipt.number}.pdf`);
    assert.equal(pdf?.content_type, 'application/pdf');
    assert.equal(pdf?.content.subarray(0, 5).toString('latin1'), '%PDF-');
    const delivery = await deliveryOf(receipt.number);
    assert.deepEqual(
      [delivery?.status, delivery?.attempts, delivery?.to_masked, delivery?.message_id, delivery?.sent_at_ms],
      ['sent', 1, 'p***@example.com', `<${receipt.number}.${order_id}@roamcard.example>`, seeded.clock.now_ms()],
    );
    assert.match(delivery?.server_response ?? '', /^250 /);
    assert.deepEqual(await receiptNoticesOf(order_id), [], 'no SMS link when the receipt goes by e-mail');
  });

  it('the job run again sends nothing more; a try whose outcome was never recorded is sent again with the same Message-ID', async () => {
    const order_id = await paidOrder(context, 'again@example.com');
    await drain();
    const receipt = await receiptOf(order_id);
    assert.equal(mailsFor('again@example.com').length, 1);
    const rerun = async () => {
      await t.database.db.updateTable('jobs').set({ status: 'pending', run_after_ms: seeded.clock.now_ms() })
        .where('dedupe_key', '=', `receipt-email:${receipt.number}`).execute();
      await drain();
    };
    await rerun();
    await rerun();
    assert.equal(mailsFor('again@example.com').length, 1, 'a settled delivery is never sent again');
    // The server took the message and the process stopped before recording it: the row still says `sending`.
    await t.database.db.updateTable('receipt_deliveries').set({ status: 'sending', sent_at_ms: null }).where('receipt_number', '=', receipt.number).execute();
    await rerun();
    const copies = mailsFor('again@example.com');
    assert.equal(copies.length, 2);
    assert.equal(splitMimePart(copies[1]!.raw).headers.get('message-id'), splitMimePart(copies[0]!.raw).headers.get('message-id'));
    const delivery = await deliveryOf(receipt.number);
    assert.deepEqual([delivery?.status, delivery?.attempts], ['sent', 2]);
    assert.match(delivery?.last_error ?? '', /outcome was never recorded: sent again with the same Message-ID/);
    await rerun();
    assert.equal(mailsFor('again@example.com').length, 2);
  });

  it('a payer without an e-mail gets the SMS link and no e-mail job', async () => {
    const order_id = await paidOrder(context, null);
    await drain();
    const receipt = await receiptOf(order_id);
    assert.deepEqual(await emailJobsOf(receipt.number), []);
    assert.equal(await deliveryOf(receipt.number), undefined);
    const [notice, ...more] = await receiptNoticesOf(order_id);
    assert.deepEqual(more, []);
    assert.equal(notice?.status, 'queued');
    assert.equal(notice?.text, `Your roamcard receipt ${receipt.number}: http://localhost:3000/receipts/${receipt.number}?t=${receipt.verification_token}`);
  });

  it('a recipient refused for good: nothing delivered, the delivery failed, the SMS link goes instead, the job is not dead', async () => {
    const order_id = await paidOrder(context, REFUSED);
    await drain();
    const receipt = await receiptOf(order_id);
    assert.deepEqual(mailsFor(REFUSED), []);
    const delivery = await deliveryOf(receipt.number);
    assert.deepEqual([delivery?.status, delivery?.attempts, delivery?.to_masked], ['failed', 1, 'n***@example.org']);
    assert.match(delivery?.last_error ?? '', /RCPT TO.*550/);
    assert.ok(!(delivery?.last_error ?? '').includes(REFUSED));
    assert.deepEqual((await emailJobsOf(receipt.number)).map((job) => job.status), ['done']);
    assert.deepEqual((await receiptNoticesOf(order_id)).map((notice) => notice.status), ['queued']);
  });

  it('a server that says "later" is tried again; after the last try the SMS link goes instead, once', async () => {
    const order_id = await paidOrder(context, LATER);
    await drain();
    const receipt = await receiptOf(order_id);
    let [job] = await emailJobsOf(receipt.number);
    assert.deepEqual([job?.status, job?.attempts], ['pending', 1]);
    assert.match(job?.last_error ?? '', /not taken yet: .*450/);
    assert.equal((await deliveryOf(receipt.number))?.status, 'deferred');
    assert.deepEqual(await receiptNoticesOf(order_id), [], 'no SMS while the e-mail may still go');
    // The next try is the last one.
    await t.database.db.updateTable('jobs').set({ attempts_max: 2 }).where('id', '=', job!.id).execute();
    seeded.clock.advance(10 * 60_000);
    await drain();
    [job] = await emailJobsOf(receipt.number);
    assert.deepEqual([job?.status, job?.attempts], ['done', 2]);
    const delivery = await deliveryOf(receipt.number);
    assert.deepEqual([delivery?.status, delivery?.attempts], ['failed', 2]);
    assert.deepEqual((await receiptNoticesOf(order_id)).map((notice) => notice.status), ['queued']);
    assert.deepEqual(mailsFor(LATER), []);
  });

  it('without mail configured (MAIL_DRIVER none) a payer\'s e-mail changes nothing: the SMS link goes; a job left from before sends the SMS', async () => {
    const plain = contextOver(loadConfig({ LOG_LEVEL: 'silent', AUTH_SECRET: NOTICE_TEST_AUTH_SECRET, SMS_NOTICES_PER_NUMBER_DAY_MAX: '100' }), t.database, seeded.clock);
    assert.equal(plain.mailer, undefined);
    const order_id = await paidOrder(plain, 'unsent@example.com');
    const plain_worker = plain.createWorker();
    for (let pass = 0; pass < DRAIN_PASSES_MAX && (await plain_worker.drainOnce()) > 0; pass += 1);
    const receipt = await receiptOf(order_id);
    assert.deepEqual(await emailJobsOf(receipt.number), []);
    assert.deepEqual((await receiptNoticesOf(order_id)).map((notice) => notice.status), ['queued']);

    // Mail was configured when this receipt was issued, and is not when its e-mail job runs.
    const stranded = await paidOrder(context, 'stranded@example.com');
    const issue_jobs = await t.database.db.selectFrom('jobs').select('id').where('kind', '=', 'receipt.issue').where('dedupe_key', '=', `receipt:${stranded}`).execute();
    assert.equal(issue_jobs.length, 1);
    await worker.drainOnce(); // issues the receipt and queues its e-mail, which the mail-less worker then runs
    for (let pass = 0; pass < DRAIN_PASSES_MAX && (await plain_worker.drainOnce()) > 0; pass += 1);
    const stranded_receipt = await receiptOf(stranded);
    assert.deepEqual((await emailJobsOf(stranded_receipt.number)).map((job) => job.status), ['done']);
    const delivery = await deliveryOf(stranded_receipt.number);
    assert.deepEqual([delivery?.status, delivery?.attempts, delivery?.message_id], ['failed', 0, null]);
    assert.match(delivery?.last_error ?? '', /no mail is configured/);
    assert.deepEqual((await receiptNoticesOf(stranded)).map((notice) => notice.status), ['queued']);
    assert.deepEqual(mailsFor('stranded@example.com'), []);
  });
});
