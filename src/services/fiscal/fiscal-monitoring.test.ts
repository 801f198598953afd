import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { AppContext } from '../../app/context.js';
import { loadConfig } from '../../config.js';
import type { ManualClock } from '../../ports/clock.js';
import type { FiscalRequest } from '../../ports/fiscal-register.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seededContext } from '../../testing/seeded-context.js';
import { testServer } from '../../testing/test-server.js';
import { drainUntilIdle } from '../../testing/waiting.js';
import { payFromWallet } from '../../testing/wallet-payers.js';
import { cashDrawerAccountId } from '../ledger/accounts.js';
import { CORRECTION_REASON_LENGTH_MAX, FiscalService, type FiscalDocument } from './fiscal-service.js';

/**
 * What needs a person, on both engines: documents pending past FISCAL_PENDING_ALERT_MINUTES and
 * failed ones (the service's list and counts, and the /metrics gauge), and a correction of a
 * registered sale — refused for what cannot be corrected, made once per reason, registered with its
 * base date, its QR n=1.
 */

const LINE = '+79001234567';
const PACK = 'data-1gb-1d';
const SANDBOX_DELAY_MS = 5_000;
const ALERT_MINUTES = 15;
const MINUTE_MS = 60_000;

describeEachDatabase('fiscal documents needing a person: pending too long, failed; corrections', (t) => {
  let context: AppContext;
  let clock: ManualClock;
  let serial = 0;

  before(async () => {
    ({ context, clock } = await seededContext(t.database, { FISCAL_SANDBOX_DELAY_MS: String(SANDBOX_DELAY_MS) }));
    const line = await t.database.db.selectFrom('lines').select('id').where('msisdn', '=', LINE).executeTakeFirstOrThrow();
    await context.services.creditWallet({
      line: { line_id: line.id }, amount_minor: 2_000_000, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: 'fiscal-monitoring-topup', memo: 'test',
    });
  });

  after(async () => {
    await context.close();
  });

  /** A pack paid from the wallet and its receipt issued: its sale document queued (pending at the register's delay). */
  async function sale(): Promise<FiscalDocument> {
    serial += 1;
    const key = `fiscal-mon-${serial}`;
    const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: key });
    await payFromWallet(context, order.id, `fiscal-mon-pay-${serial}`);
    await drainUntilIdle(context.createWorker());
    return (await context.fiscal.saleOfOrder(order.id))!;
  }

  async function registerAll(): Promise<void> {
    for (let round = 0; round < 3; round += 1) {
      clock.advance(SANDBOX_DELAY_MS * 3);
      await drainUntilIdle(context.createWorker());
    }
  }

  async function scrapeGauge(): Promise<Record<string, number>> {
    const app = testServer(context);
    try {
      const response = await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
      assert.equal(response.statusCode, 200);
      const gauge: Record<string, number> = {};
      const lines = response.body.matchAll(/^roamcard_fiscal_documents_attention\{state="(\w+)"\} (\d+)$/gm);
      for (const [, state, value] of lines) gauge[state!] = Number(value);
      return gauge;
    } finally {
      await app.close();
    }
  }

  it('lists a document pending past the alert\'s minutes, and every failed one; the gauge counts them', async () => {
    const alert_ms = loadConfig({ FISCAL_PENDING_ALERT_MINUTES: String(ALERT_MINUTES) }).fiscal_pending_alert_ms;
    assert.equal(alert_ms, ALERT_MINUTES * MINUTE_MS);
    assert.equal(loadConfig({}).fiscal_pending_alert_ms, ALERT_MINUTES * MINUTE_MS, 'the default is 15 minutes');
    assert.deepEqual(await context.fiscal.needingAttention(alert_ms), []);
    assert.deepEqual(await scrapeGauge(), { pending_overdue: 0, failed: 0 });

    // A register that never finishes: the document stays pending.
    const stuck = await sale();
    const pending = async () => ({ status: 'pending', uuid: 'stuck' }) as const;
    const never = new FiscalService({
      database: t.database, clock, settings: undefined, seller: context.config.seller, register: { name: 'sandbox', register: pending, report: pending },
    });
    await never.process(stuck.id, 0);
    await t.database.db.deleteFrom('jobs').where('kind', '=', 'fiscal.register').where('status', '=', 'pending').execute();
    // A register that refuses: failed.
    const refused = await sale();
    const refusal = async () => ({ status: 'failed', kind: 'final', error: { code: '32', text: 'phone +79001234567 refused', type: 'agent' } }) as const;
    const refusing = new FiscalService({
      database: t.database, clock, settings: undefined, seller: context.config.seller, register: { name: 'sandbox', register: refusal, report: refusal },
    });
    // What goes to the job's last error and the logs carries no full number the register quoted.
    await assert.rejects(refusing.process(refused.id, 0), (error: Error) => error.message.includes('refused') && !error.message.includes(LINE));

    clock.advance((ALERT_MINUTES - 1) * MINUTE_MS);
    assert.deepEqual((await context.fiscal.needingAttention(alert_ms)).map((document) => document.id), [refused.id]);
    assert.deepEqual(await context.fiscal.attention(alert_ms), { pending_overdue: 0, failed: 1 });
    clock.advance(2 * MINUTE_MS);
    assert.deepEqual((await context.fiscal.needingAttention(alert_ms)).map((document) => document.id), [stuck.id, refused.id]);
    assert.deepEqual(await context.fiscal.attention(alert_ms), { pending_overdue: 1, failed: 1 });
    assert.deepEqual(await scrapeGauge(), { pending_overdue: 1, failed: 1 });
    // Put them out of the way of the next tests: both registered for real.
    await t.database.db.updateTable('fiscal_documents')
      .set({ status: 'pending', register_uuid: null, error_kind: null, error_code: null, error_text: null })
      .where('id', 'in', [stuck.id, refused.id]).execute();
    await context.fiscal.process(stuck.id, 0);
    await context.fiscal.process(refused.id, 0);
    await registerAll();
    assert.deepEqual(await context.fiscal.attention(alert_ms), { pending_overdue: 0, failed: 0 });
  });

  it('corrects a registered sale once per reason: the sale as it should be, dated by it, registered with n=1', async () => {
    const document = await sale();
    assert.deepEqual(await context.fiscal.correct('RC-2099-000001', 'wrong VAT'), { kind: 'not_found' });
    assert.deepEqual(await context.fiscal.correct(document.receipt_number!, 'wrong VAT'), { kind: 'not_registered', status: 'pending' });
    await registerAll();
    for (const reason of ['', '   ', 'two\nlines', 'x'.repeat(CORRECTION_REASON_LENGTH_MAX + 1)]) {
      assert.deepEqual(await context.fiscal.correct(document.receipt_number!, reason), { kind: 'bad_reason' }, JSON.stringify(reason));
    }
    const queued = await context.fiscal.correct(document.receipt_number!, ' VAT rate was wrong ');
    assert.equal(queued.kind, 'queued');
    const correction = queued.kind === 'queued' ? queued.document : assert.fail('queued');
    assert.equal(correction.operation, 'sell_correction');
    assert.equal(correction.corrects_id, document.id);
    assert.equal(correction.receipt_number, document.receipt_number);
    const repeated = await context.fiscal.correct(document.receipt_number!, 'VAT rate was wrong');
    assert.deepEqual(repeated.kind === 'repeated' ? repeated.document.id : undefined, correction.id);
    const another = await context.fiscal.correct(document.receipt_number!, 'item name was wrong');
    assert.equal(another.kind, 'queued');

    await registerAll();
    const registered = (await context.fiscal.find(correction.id))!;
    assert.equal(registered.status, 'registered');
    assert.match(registered.qr_text ?? '', /&n=1$/);
    const request = JSON.parse(registered.request_json) as FiscalRequest;
    const sold = JSON.parse(document.request_json) as FiscalRequest;
    assert.deepEqual(request.correction, { type: 'self', base_document: { date_ms: sold.time_ms }, reason: 'VAT rate was wrong' });
    assert.deepEqual([request.items, request.payments, request.total_minor], [sold.items, sold.payments, sold.total_minor]);
    const made = await t.database.db.selectFrom('fiscal_sandbox_documents').select('operation').where('external_id', '=', correction.id)
      .executeTakeFirstOrThrow();
    assert.equal(made.operation, 'sell_correction');

    const without = new FiscalService({
      database: t.database, clock, register: undefined, settings: undefined, seller: context.config.seller,
    });
    assert.deepEqual(await without.correct(document.receipt_number!, 'another'), { kind: 'no_register' });
  });
});
