import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { RecordingProvisioner } from '../../adapters/network/recording/recording-provisioner.js';
import { sandboxConfigFromEnv } from '../../adapters/payments/sandbox/sandbox-config.js';
import { SANDBOX_WEBHOOK_JOB, SandboxProvider } from '../../adapters/payments/sandbox/sandbox-provider.js';
import { SANDBOX_SIGNATURE_HEADER, signatureHeader } from '../../adapters/payments/sandbox/sandbox-wire.js';
import { BankTransferProvider, TRANSFER_REFERENCE_PATTERN } from '../../adapters/payments/bank-transfer/bank-transfer-provider.js';
import { settleStatementLine } from '../../app/bank-statement.js';
import { jobHandlers } from '../../app/jobs.js';
import { RoamError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';
import { ManualClock } from '../../ports/clock.js';
import { ProviderError, WebhookRejected, type PaymentProvider } from '../../ports/payment-provider.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seedDemo } from '../demo/seed.js';
import { jobsOutbox } from '../jobs/outbox.js';
import { OutboxWorker } from '../jobs/worker.js';
import { SYSTEM_ACCOUNTS, providerClearingAccountId } from '../ledger/accounts.js';
import { ledgerViolations } from '../ledger/invariants.js';
import { accountBalance } from '../ledger/ledger.js';
import { PaymentRouter } from './payment-router.js';
import { deriveAuthKeys } from '../customers/auth-crypto.js';
import { WalletAuthority } from '../customers/wallet-authority.js';
import { sentPaymentCode } from '../../testing/wallet-payers.js';
import { RenewalService, type PaymentResult } from './renewal-service.js';

const START_MS = Date.UTC(2026, 10, 25, 9, 0);
const LINE = '+79001234567'; // demo line: 500 ₽ and a 5 GB pack
const EMPTY_LINE = '+79001234568';
const PRICE_1GB = 19_000;
const AUTH_SECRET = 'renewal-test-auth-secret-0123456789abcdef';

interface Harness {
  clock: ManualClock;
  sandbox: SandboxProvider;
  bank: BankTransferProvider;
  renewal: RenewalService;
  worker: OutboxWorker;
  /** Pays from the line's wallet with the code sent by SMS to the line (its owner's proof). */
  payFromWallet(order_id: string, idempotency_key: string): Promise<PaymentResult>;
  /** Delivers every queued sandbox webhook straight to the renewal service, signed as over HTTP. */
  deliverWebhooks(options?: { twice?: boolean; reverse?: boolean }): Promise<string[]>;
}

function harness(database: Database): Harness {
  const clock = new ManualClock(START_MS);
  const config = sandboxConfigFromEnv({});
  const sandbox = new SandboxProvider({ database, clock, config, public_base_url: 'http://roamcard.test', webhook_url: 'http://roamcard.test/webhooks/sandbox', outbox: jobsOutbox });
  const bank = new BankTransferProvider({ database, clock });
  const wallet_payers = new WalletAuthority({ database, clock, keys: deriveAuthKeys(AUTH_SECRET) });
  const renewal = new RenewalService({
    database, clock, router: new PaymentRouter([sandbox, bank]), public_base_url: 'http://roamcard.test', order_ttl_ms: 3_600_000, bank_transfer_ttl_ms: 5 * 86_400_000,
    wallet_payers,
  });
  const handlers = jobHandlers({ database, clock, renewal, provisioner: new RecordingProvisioner(database, clock), sandbox });
  const { [SANDBOX_WEBHOOK_JOB]: _delivered, ...internal } = handlers;
  const worker = new OutboxWorker({ database, clock, handlers: internal });
  return {
    clock, sandbox, bank, renewal, worker,
    async payFromWallet(order_id: string, idempotency_key: string) {
      await wallet_payers.requestCode({ order_id, ip: '127.0.0.1' });
      const code = await sentPaymentCode(database, AUTH_SECRET, order_id);
      return renewal.startPayment({ order_id, method: 'wallet', idempotency_key, payer: { kind: 'payment_code', code } });
    },
    async deliverWebhooks(options = {}) {
      const secret = await sandbox.webhookSecret();
      const jobs = await database.db.selectFrom('jobs').selectAll().where('kind', '=', SANDBOX_WEBHOOK_JOB).where('status', '=', 'pending').orderBy('created_at_ms').orderBy('id').execute();
      const ordered = options.reverse ? [...jobs].reverse() : jobs;
      const outcomes: string[] = [];
      for (const job of ordered) {
        const { body } = JSON.parse(job.payload) as { body: string };
        for (let copy = 0; copy < (options.twice ? 2 : 1); copy += 1) {
          outcomes.push(await renewal.handleWebhook('sandbox', signed(body, secret, clock.now_ms())));
        }
        await database.db.updateTable('jobs').set({ status: 'done' }).where('id', '=', job.id).execute();
      }
      return outcomes;
    },
  };
}

function signed(body: string, secret: string, now_ms: number, timestamp_s = Math.floor(now_ms / 1000)) {
  return { headers: { [SANDBOX_SIGNATURE_HEADER]: signatureHeader(secret, body, timestamp_s) }, raw_body: Buffer.from(body), remote_address: '127.0.0.1' };
}

let key_serial = 0;
const key = (label: string) => `${label}-${(key_serial += 1)}`;

describeEachDatabase('renewal: orders, payments, exactly-once activation', (t) => {
  let h: Harness;

  before(async () => {
    await seedDemo(t.database, () => null, START_MS - 1_000);
    h = harness(t.database);
  });

  async function newOrder(msisdn = LINE, package_code = 'data-1gb-1d') {
    return h.renewal.createOrder({ line: { msisdn }, package_code, channel: 'web', idempotency_key: key('order') });
  }

  async function assertLedgerSound() {
    assert.deepEqual(await ledgerViolations(t.database.db), []);
  }

  it('renews by card: redirect to the hosted page, signed webhook, pack active exactly once', async () => {
    const { order } = await newOrder();
    assert.equal(order.state, 'created');
    assert.equal(order.amount_minor, PRICE_1GB);
    const { payment } = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    assert.equal(payment.status, 'requires_action');
    assert.equal(payment.next_action?.type, 'redirect');
    assert.match(payment.next_action.url, /^http:\/\/roamcard\.test\/sandbox\/pay\/sbxpay_/);
    assert.equal((await h.renewal.getOrder(order.id)).order.state, 'awaiting_payment');

    await h.sandbox.finish(payment.provider_payment_id!, { status: 'succeeded', card_last4: '4242' });
    assert.deepEqual(await h.deliverWebhooks({ twice: true }), ['activated', 'duplicate']);

    const view = await h.renewal.getOrder(order.id);
    assert.equal(view.order.state, 'active');
    assert.equal(view.order.activating_payment_id, payment.id);
    const bundle = await t.database.db.selectFrom('bundles').selectAll().where('id', '=', view.order.bundle_id!).executeTakeFirstOrThrow();
    assert.equal(bundle.package_code, 'data-1gb-1d');
    assert.equal(bundle.price_minor, PRICE_1GB);
    assert.equal(bundle.data_bytes_remaining, 1024 * 1_048_576);

    await h.worker.drainOnce();
    const pushed = await t.database.db.selectFrom('network_activations').select('bundle_id').where('bundle_id', '=', bundle.id).execute();
    assert.equal(pushed.length, 1);
    await assertLedgerSound();
  });

  it('explains a decline and lets the customer pay with another method', async () => {
    const { order } = await newOrder();
    const declined = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    await h.sandbox.finish(declined.payment.provider_payment_id!, { status: 'failed', failure_code: 'insufficient_funds' });
    assert.deepEqual(await h.deliverWebhooks(), ['failed']);
    const open = await h.renewal.getOrder(order.id);
    assert.equal(open.order.state, 'created');
    assert.equal(open.order.failure_code, 'insufficient_funds');

    const sbp = await h.renewal.startPayment({ order_id: order.id, method: 'sbp', idempotency_key: key('pay') });
    assert.equal(sbp.payment.next_action?.type, 'qr');
    await h.sandbox.finish(sbp.payment.provider_payment_id!, { status: 'succeeded' });
    await h.deliverWebhooks();
    const paid = await h.renewal.getOrder(order.id);
    assert.equal(paid.order.state, 'active');
    assert.equal(paid.order.failure_code, null);
    assert.deepEqual(paid.payments.map((p) => [p.method, p.status]), [['card', 'failed'], ['sbp', 'succeeded']]);
  });

  it('never lets a late or reordered "pending" undo a success', async () => {
    const { order } = await newOrder();
    const { payment } = await h.renewal.startPayment({ order_id: order.id, method: 'yoomoney', idempotency_key: key('pay') });
    await h.sandbox.completeStep(payment.provider_payment_id!, 'approval', { status: 'pending' });
    await h.sandbox.finish(payment.provider_payment_id!, { status: 'succeeded' });
    // Delivered newest first: "succeeded" arrives before the earlier "pending".
    assert.deepEqual(await h.deliverWebhooks({ reverse: true }), ['activated', 'unchanged']);
    const view = await h.renewal.getOrder(order.id);
    assert.equal(view.order.state, 'active');
    assert.equal(view.payments[0]?.status, 'succeeded');
  });

  it('rejects forged and stale webhooks and changes nothing', async () => {
    const { order } = await newOrder();
    const { payment } = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    const forgedBody = JSON.stringify({ id: 'evt_forged', type: 'payment.updated', created: 0, sequence: 9, data: { payment_id: payment.provider_payment_id, merchant_payment_id: payment.id, status: 'succeeded', amount_minor: PRICE_1GB, currency: 'RUB', failure_code: null } });
    await assert.rejects(h.renewal.handleWebhook('sandbox', signed(forgedBody, 'whsec_not_the_real_secret_at_all', h.clock.now_ms())), (error: unknown) => error instanceof WebhookRejected && error.reason === 'signature');
    await assert.rejects(h.renewal.handleWebhook('sandbox', signed(forgedBody, await h.sandbox.webhookSecret(), h.clock.now_ms(), Math.floor(h.clock.now_ms() / 1000) - 3_600)), (error: unknown) => error instanceof WebhookRejected && error.reason === 'stale');
    await assert.rejects(h.renewal.handleWebhook('sandbox', { headers: {}, raw_body: Buffer.from(forgedBody), remote_address: '127.0.0.1' }), WebhookRejected);
    assert.equal((await h.renewal.getOrder(order.id)).order.state, 'awaiting_payment');
  });

  it('activates once and refunds the second of two successful payments for one order', async () => {
    const clearing = providerClearingAccountId('sandbox');
    const clearingBefore = await accountBalance(t.database.db, clearing);
    const { order } = await newOrder();
    const first = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    const second = await h.renewal.startPayment({ order_id: order.id, method: 'alipay', idempotency_key: key('pay') });
    await Promise.all([
      h.sandbox.finish(first.payment.provider_payment_id!, { status: 'succeeded' }),
      h.sandbox.finish(second.payment.provider_payment_id!, { status: 'succeeded' }),
    ]);
    const outcomes = await h.deliverWebhooks();
    assert.deepEqual([...outcomes].sort(), ['activated', 'refund_queued']);
    const view = await h.renewal.getOrder(order.id);
    assert.equal(view.order.state, 'active');
    assert.equal(view.refunds.length, 1);
    assert.equal(view.refunds[0]?.reason, 'duplicate_payment');
    assert.equal(await accountBalance(t.database.db, SYSTEM_ACCOUNTS.refunds.id), PRICE_1GB);

    await h.worker.drainOnce(); // refund through the provider, cancel job for nothing else, provisioning
    await h.deliverWebhooks(); // the sandbox's refund.updated event: already completed, changes nothing
    const refunded = await h.renewal.getOrder(order.id);
    assert.equal(refunded.refunds[0]?.status, 'succeeded');
    assert.equal(await accountBalance(t.database.db, SYSTEM_ACCOUNTS.refunds.id), 0);
    // The provider holds exactly one payment's money for us: one pack sold, one payment returned.
    assert.equal(await accountBalance(t.database.db, clearing), clearingBefore - PRICE_1GB);
    const bundles = await t.database.db.selectFrom('bundles').select('id').where('idempotency_key', '=', `order:${order.id}`).execute();
    assert.equal(bundles.length, 1);
    await assertLedgerSound();
  });

  it('returns the same order and payment for a repeated key, and refuses a key reused for another request', async () => {
    const order_key = key('order');
    const first = await h.renewal.createOrder({ line: { msisdn: LINE }, package_code: 'data-1gb-1d', channel: 'app', idempotency_key: order_key });
    const again = await h.renewal.createOrder({ line: { msisdn: LINE }, package_code: 'data-1gb-1d', channel: 'app', idempotency_key: order_key });
    assert.equal(again.order.id, first.order.id);
    await assert.rejects(h.renewal.createOrder({ line: { msisdn: LINE }, package_code: 'data-5gb-7d', channel: 'app', idempotency_key: order_key }),
      (error: unknown) => error instanceof RoamError && error.code === 'ROAM_ERR_IDEMPOTENCY_CONFLICT');
    const pay_key = key('pay');
    const p1 = await h.renewal.startPayment({ order_id: first.order.id, method: 'card', idempotency_key: pay_key });
    const p2 = await h.renewal.startPayment({ order_id: first.order.id, method: 'card', idempotency_key: pay_key });
    assert.equal(p2.payment.id, p1.payment.id);
    assert.equal(p2.view.payments.length, 1);
    await assert.rejects(h.renewal.startPayment({ order_id: first.order.id, method: 'sbp', idempotency_key: pay_key }),
      (error: unknown) => error instanceof RoamError && error.code === 'ROAM_ERR_IDEMPOTENCY_CONFLICT');
  });

  it('pays from the line\'s own balance for its owner only, or explains that it is too low', async () => {
    const walletBefore = await accountBalance(t.database.db, (await t.database.db.selectFrom('lines').select('wallet_account_id').where('msisdn', '=', LINE).executeTakeFirstOrThrow()).wallet_account_id);
    const { order } = await newOrder();
    await assert.rejects(h.renewal.startPayment({ order_id: order.id, method: 'wallet', idempotency_key: key('pay') }),
      (error: unknown) => error instanceof RoamError && error.code === 'ROAM_ERR_WALLET_PAYER_UNPROVEN');
    const paid = await h.payFromWallet(order.id, key('pay'));
    assert.equal(paid.payment.status, 'succeeded');
    assert.equal(paid.view.order.state, 'active');
    const wallet = (await t.database.db.selectFrom('lines').select('wallet_account_id').where('msisdn', '=', LINE).executeTakeFirstOrThrow()).wallet_account_id;
    assert.equal(await accountBalance(t.database.db, wallet), walletBefore - PRICE_1GB);

    const empty = await newOrder(EMPTY_LINE);
    const refused = await h.payFromWallet(empty.order.id, key('pay'));
    assert.equal(refused.payment.status, 'failed');
    assert.equal(refused.payment.failure_code, 'insufficient_funds');
    assert.equal(refused.view.order.state, 'created');
    await assertLedgerSound();
  });

  it('keeps a timed-out card payment pending until the outcome arrives, never guessing', async () => {
    const { order } = await newOrder(EMPTY_LINE);
    const { payment } = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    assert.equal(await h.sandbox.completeStep(payment.provider_payment_id!, 'card', { status: 'pending', card_last4: '0119' }), 'accepted');
    await h.deliverWebhooks();
    assert.equal(await h.renewal.refreshPayment(payment.id), 'unchanged');
    assert.equal((await h.renewal.getOrder(order.id)).order.state, 'awaiting_payment');
    h.clock.advance(sandboxConfigFromEnv({}).timeout_outcome_ms);
    await h.worker.drainOnce(); // the sandbox settles the payment
    await h.deliverWebhooks();
    assert.equal((await h.renewal.getOrder(order.id)).order.state, 'active');
  });

  it('settles a bank transfer when its reference appears in a statement', async () => {
    const { order } = await newOrder(EMPTY_LINE, 'voice-100min-30d');
    const { payment } = await h.renewal.startPayment({ order_id: order.id, method: 'bank_transfer', idempotency_key: key('pay') });
    const action = payment.next_action;
    assert.equal(action?.type, 'bank_transfer');
    assert.match(action.reference, TRANSFER_REFERENCE_PATTERN);
    assert.equal(payment.provider, 'bank_transfer');
    const context = { payments: { bank_transfer: h.bank }, renewal: h.renewal } as unknown as Parameters<typeof settleStatementLine>[0];
    assert.equal(await settleStatementLine(context, action.reference, order.amount_minor - 1), 'amount_mismatch');
    assert.equal(await settleStatementLine(context, 'RC-NSUCHREF2', order.amount_minor), 'unknown_reference');
    assert.equal((await h.renewal.getOrder(order.id)).order.state, 'awaiting_payment');
    // Settled in this process: no webhook, no worker needed for the pack to be active.
    assert.equal(await settleStatementLine(context, action.reference, order.amount_minor), 'settled');
    assert.equal((await h.renewal.getOrder(order.id)).order.state, 'active');
    assert.equal(await settleStatementLine(context, action.reference, order.amount_minor), 'already_final');
    await assertLedgerSound();
  });

  it('expires unpaid orders, and refunds a payment that succeeds after its order closed', async () => {
    const { order } = await newOrder(EMPTY_LINE);
    const { payment } = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    h.clock.advance(3_600_000);
    const report = await h.renewal.reconcile();
    assert.ok(report.expired >= 1);
    assert.equal((await h.renewal.getOrder(order.id)).order.state, 'expired');
    await assert.rejects(h.renewal.startPayment({ order_id: order.id, method: 'sbp', idempotency_key: key('pay') }),
      (error: unknown) => error instanceof RoamError && error.code === 'ROAM_ERR_ORDER_CLOSED');
    // The customer completes the provider's page anyway before our cancel reaches it.
    await h.sandbox.finish(payment.provider_payment_id!, { status: 'succeeded' });
    await h.deliverWebhooks();
    const view = await h.renewal.getOrder(order.id);
    assert.equal(view.order.state, 'expired');
    assert.equal(view.refunds[0]?.reason, 'order_closed');
    await h.worker.drainOnce();
    assert.equal((await h.renewal.getOrder(order.id)).refunds[0]?.status, 'succeeded');
    await assertLedgerSound();
  });

  it('never creates a provider payment for an attempt whose order closed before the provider heard of it', async () => {
    // The provider's first answer is lost (indeterminate): the attempt stays pending with no provider id.
    let initiations = 0;
    const unreachable: PaymentProvider = {
      name: h.sandbox.name, methods: h.sandbox.methods,
      initiatePayment: async () => {
        initiations += 1;
        throw new ProviderError('sandbox', 'indeterminate', 'no answer (test)');
      },
      getPaymentStatus: (id) => h.sandbox.getPaymentStatus(id), cancelPayment: (id) => h.sandbox.cancelPayment(id),
      refundPayment: (input) => h.sandbox.refundPayment(input), parseWebhook: (request) => h.sandbox.parseWebhook(request),
    };
    const flaky = new RenewalService({
      database: t.database, clock: h.clock, router: new PaymentRouter([unreachable]), public_base_url: 'http://roamcard.test', order_ttl_ms: 3_600_000, bank_transfer_ttl_ms: 5 * 86_400_000,
    });
    const { order } = await newOrder(EMPTY_LINE);
    const { payment } = await flaky.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    assert.deepEqual([payment.status, payment.provider_payment_id, initiations], ['pending', null, 1]);
    h.clock.advance(3_600_000);
    await flaky.reconcile(); // expires the order; its attempt never reached the provider
    h.clock.advance(1);
    await h.renewal.reconcile(0); // with the provider reachable again, reconciliation asks about the attempt
    const view = await h.renewal.getOrder(order.id);
    assert.equal(view.order.state, 'expired');
    assert.deepEqual(view.payments.map((attempt) => [attempt.status, attempt.next_action]), [['canceled', null]]);
    assert.equal(await t.database.db.selectFrom('sandbox_payments').select('id').where('merchant_payment_id', '=', payment.id).executeTakeFirst(), undefined);
    await assertLedgerSound();
  });

  it('settles concurrent deliveries of one success once', async () => {
    const { order } = await newOrder();
    const { payment } = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    const state = await h.sandbox.finish(payment.provider_payment_id!, { status: 'succeeded' });
    const results = await Promise.all(Array.from({ length: 6 }, () => h.renewal.refreshPayment(payment.id)));
    assert.equal(results.filter((result) => result === 'activated').length, 1);
    assert.equal(state.status, 'succeeded');
    const bundles = await t.database.db.selectFrom('bundles').select('id').where('idempotency_key', '=', `order:${order.id}`).execute();
    assert.equal(bundles.length, 1);
    await assertLedgerSound();
  });
}, { pool_size_max: 8 });
