import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AppContext } from '../../app/context.js';
import { isRoamError } from '../../core/errors.js';
import { seededContext } from '../../testing/seeded-context.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { cashDrawerAccountId } from '../ledger/accounts.js';
import { payFromWallet } from '../../testing/wallet-payers.js';

/**
 * The one idempotency path, through the operations that use it: a replay returns the stored
 * effect, another request under the same key is refused and changes nothing, and requests racing
 * with one key make one effect — each caller getting it.
 */

const LINE = '+79001234568';
const RACERS = 12;

describeEachDatabase('idempotency: one path for credits, purchases, orders, payments and refunds', (t) => {
  let context: AppContext;

  before(async () => {
    ({ context } = await seededContext(t.database));
  });

  const conflict = (error: unknown) => isRoamError(error) && error.code === 'ROAM_ERR_IDEMPOTENCY_CONFLICT';
  const entries = async (key: string) => (await t.database.db.selectFrom('journal_entries').select('id').where('idempotency_key', '=', key).execute()).length;

  it('wallet credit: racing requests with one key post once; another amount under that key is refused', async () => {
    const credit = (amount_minor: number) => context.services.creditWallet({
      line: { msisdn: LINE }, amount_minor, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: 'race-credit',
    });
    const results = await Promise.all(Array.from({ length: RACERS }, () => credit(100_000)));
    assert.equal(new Set(results.map((result) => result.entry_id)).size, 1);
    assert.equal(results.filter((result) => !result.replayed).length, 1);
    assert.equal(await entries('race-credit'), 1);
    await assert.rejects(credit(200_000), conflict);
    assert.equal(await entries('race-credit'), 1);
  });

  it('pack bought with the balance: racing requests make one bundle', async () => {
    const buy = () => context.services.buyPackageFromWallet({ line: { msisdn: LINE }, package_code: 'sms-50-30d', channel: 'app', idempotency_key: 'race-buy' });
    const results = await Promise.all(Array.from({ length: RACERS }, buy));
    assert.equal(new Set(results.map((result) => result.bundle.id)).size, 1);
    assert.equal(results.filter((result) => !result.replayed).length, 1);
    await assert.rejects(context.services.buyPackageFromWallet({ line: { msisdn: LINE }, package_code: 'data-1gb-1d', channel: 'app', idempotency_key: 'race-buy' }), conflict);
  });

  it('orders and payments: racing requests with one key make one order and one payment attempt', async () => {
    const order = () => context.renewal.createOrder({ line: { msisdn: LINE }, package_code: 'data-1gb-1d', channel: 'app', idempotency_key: 'race-order' });
    const orders = await Promise.all(Array.from({ length: RACERS }, order));
    assert.equal(new Set(orders.map((view) => view.order.id)).size, 1);
    assert.equal(orders.filter((view) => !view.replayed).length, 1);
    const order_id = orders[0]!.order.id;
    const pay = () => context.renewal.startPayment({ order_id, method: 'card', idempotency_key: 'race-pay' });
    const payments = await Promise.all(Array.from({ length: RACERS }, pay));
    assert.equal(new Set(payments.map((result) => result.payment.id)).size, 1);
    assert.equal((await context.renewal.getOrder(order_id)).payments.length, 1);
    await assert.rejects(context.renewal.startPayment({ order_id, method: 'sbp', idempotency_key: 'race-pay' }), conflict);
  });

  it('staff refund: the same key returns the same refund; another order under that key is refused', async () => {
    const wallet_order = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: 'voice-100min-30d', channel: 'app', idempotency_key: 'refund-order' });
    await payFromWallet(context, wallet_order.order.id, 'refund-pay');
    const refund = (order_id: string) => context.renewal.refundUnusedPack({ order_id, requested_by: 'desk-01', idempotency_key: 'refund-key' });
    const [first, second] = await Promise.all([refund(wallet_order.order.id), refund(wallet_order.order.id)]);
    assert.equal(first.order.state, 'refunded');
    assert.deepEqual(second.refunds.map((row) => row.id), first.refunds.map((row) => row.id));
    const other = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: 'sms-50-30d', channel: 'app', idempotency_key: 'refund-other' });
    await assert.rejects(refund(other.order.id), conflict);
  });

  it('refuses an empty or over-long key before anything happens', async () => {
    for (const idempotency_key of ['', 'k'.repeat(256)]) {
      await assert.rejects(context.renewal.createOrder({ line: { msisdn: LINE }, package_code: 'data-1gb-1d', channel: 'app', idempotency_key }),
        (error: unknown) => isRoamError(error) && error.code === 'ROAM_ERR_VALIDATION' && error.params.field === 'idempotency_key');
    }
  });
});
