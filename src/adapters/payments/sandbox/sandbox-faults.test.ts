import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ConfigError } from '../../../config.js';
import { RecordingProvisioner } from '../../network/recording/recording-provisioner.js';
import { jobHandlers } from '../../../app/jobs.js';
import type { Database } from '../../../db/database.js';
import { ManualClock } from '../../../ports/clock.js';
import { ProviderError } from '../../../ports/payment-provider.js';
import { seedDemo } from '../../../services/demo/seed.js';
import { jobsOutbox } from '../../../services/jobs/outbox.js';
import { OutboxWorker } from '../../../services/jobs/worker.js';
import { providerClearingAccountId, SYSTEM_ACCOUNTS } from '../../../services/ledger/accounts.js';
import { ledgerViolations } from '../../../services/ledger/invariants.js';
import { accountBalance } from '../../../services/ledger/ledger.js';
import { PaymentRouter } from '../../../services/renewal/payment-router.js';
import { RenewalService } from '../../../services/renewal/renewal-service.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { sandboxConfigFromEnv } from './sandbox-config.js';
import { drawFault, withInjectedFault } from './sandbox-faults.js';
import { SANDBOX_WEBHOOK_JOB, SandboxProvider } from './sandbox-provider.js';
import { SANDBOX_SIGNATURE_HEADER, signatureHeader } from './sandbox-wire.js';

/**
 * The sandbox's injected faults (timeouts, 500s, held-back webhooks), and the renewal service
 * coping with them: an attempt whose outcome is unknown stays visibly pending, a retry with the
 * same key finds the provider's one payment, and nothing is ever charged or refunded twice.
 */

const START_MS = Date.UTC(2026, 10, 25, 9, 0);
const EMPTY_LINE = '+79001234568'; // demo line without packs
const PRICE_1GB = 19_000;
/** Rolls for a scripted random source: below the error share → 500; within the timeout share → timeout. */
const ROLL_ERROR = 0.05;
const ROLL_TIMEOUT = 0.15;
const ROLL_BEFORE_EFFECT = 0.2;
const ROLL_AFTER_EFFECT = 0.7;
const FAULTY_ENV = { SANDBOX_FAULT_ERROR_SHARE: '0.1', SANDBOX_FAULT_TIMEOUT_SHARE: '0.1', SANDBOX_FAULT_TIMEOUT_MS: '0' };

/** Plays back queued rolls, then answers "no fault" (0.99) forever. */
class ScriptedRandom {
  readonly #queue: number[] = [];
  readonly next = (): number => this.#queue.shift() ?? 0.99;
  push(...rolls: number[]): void {
    this.#queue.push(...rolls);
  }
}

describe('sandbox fault settings', () => {
  it('are off by default', () => {
    assert.deepEqual(sandboxConfigFromEnv({}).faults, {
      timeout_share: 0, timeout_ms: 1_000, error_share: 0, webhook_delay_share: 0, webhook_delay_ms: 10_000,
    });
  });

  it('read shares and durations from the environment', () => {
    const { faults } = sandboxConfigFromEnv({ ...FAULTY_ENV, SANDBOX_FAULT_WEBHOOK_DELAY_SHARE: '0.25', SANDBOX_FAULT_WEBHOOK_DELAY_MS: '4000' });
    assert.deepEqual(faults, { timeout_share: 0.1, timeout_ms: 0, error_share: 0.1, webhook_delay_share: 0.25, webhook_delay_ms: 4_000 });
  });

  it('refuse bad values with a ConfigError naming the variable', () => {
    const refused = (env: Record<string, string>, pattern: RegExp) =>
      assert.throws(() => sandboxConfigFromEnv(env), (error: unknown) => error instanceof ConfigError && pattern.test(error.message));
    refused({ SANDBOX_FAULT_TIMEOUT_SHARE: 'often' }, /SANDBOX_FAULT_TIMEOUT_SHARE: must be a number between 0 and 1/);
    refused({ SANDBOX_FAULT_ERROR_SHARE: '1.5' }, /SANDBOX_FAULT_ERROR_SHARE: must be a share between 0 and 1/);
    refused({ SANDBOX_FAULT_WEBHOOK_DELAY_SHARE: '-0.1' }, /SANDBOX_FAULT_WEBHOOK_DELAY_SHARE: must be a share between 0 and 1/);
    refused({ SANDBOX_FAULT_TIMEOUT_MS: '2.5' }, /SANDBOX_FAULT_TIMEOUT_MS: must be a whole number of milliseconds/);
    refused({ SANDBOX_FAULT_WEBHOOK_DELAY_MS: '-1' }, /SANDBOX_FAULT_WEBHOOK_DELAY_MS: must not be negative/);
    refused({ SANDBOX_FAULT_TIMEOUT_SHARE: '0.6', SANDBOX_FAULT_ERROR_SHARE: '0.6' }, /SANDBOX_FAULT_ERROR_SHARE: with SANDBOX_FAULT_TIMEOUT_SHARE must not exceed 1/);
    refused({ SANDBOX_WEBHOOK_SECRET: 'short' }, /SANDBOX_WEBHOOK_SECRET: must be at least 16 characters/);
  });
});

describe('sandbox fault draws', () => {
  const faults = sandboxConfigFromEnv(FAULTY_ENV).faults;

  it('draw nothing from the random source when faults are off', () => {
    const never = () => assert.fail('random drawn with faults off');
    assert.equal(drawFault(sandboxConfigFromEnv({}).faults, never), 'none');
  });

  it('split a roll into 500s, timeouts before and after the effect, and healthy calls', () => {
    const script = new ScriptedRandom();
    script.push(ROLL_ERROR, ROLL_TIMEOUT, ROLL_BEFORE_EFFECT, ROLL_TIMEOUT, ROLL_AFTER_EFFECT, 0.5);
    assert.deepEqual([1, 2, 3, 4].map(() => drawFault(faults, script.next)), ['error', 'timeout_before_effect', 'timeout_after_effect', 'none']);
  });

  it('hang for the timeout, and run the call only when the provider acted before the answer was lost', async () => {
    const slow = { ...faults, timeout_ms: 30 };
    const script = new ScriptedRandom();
    let calls = 0;
    const call = async () => (calls += 1);
    script.push(ROLL_TIMEOUT, ROLL_AFTER_EFFECT);
    const started_ms = Date.now();
    await assert.rejects(withInjectedFault('sandbox', 'create payment', slow, script.next, call),
      (error: unknown) => error instanceof ProviderError && error.kind === 'indeterminate' && /no answer within 30 ms/.test(error.message));
    assert.ok(Date.now() - started_ms >= 25, 'a timeout hangs before it fails');
    assert.equal(calls, 1);
    script.push(ROLL_ERROR);
    await assert.rejects(withInjectedFault('sandbox', 'create payment', slow, script.next, call), /HTTP 500/);
    assert.equal(calls, 1);
  });
});

interface Harness {
  readonly clock: ManualClock;
  readonly script: ScriptedRandom;
  readonly sandbox: SandboxProvider;
  readonly renewal: RenewalService;
  readonly worker: OutboxWorker;
  deliverWebhooks(options?: { twice?: boolean }): Promise<string[]>;
}

/**
 * The renewal service over a faulty sandbox. Webhooks skip HTTP: the worker hands them to the
 * service signed, as the endpoint would, and tests may deliver the queued ones themselves first.
 */
function harness(database: Database, clock: ManualClock, env: Record<string, string>): Harness {
  const script = new ScriptedRandom();
  const config = sandboxConfigFromEnv(env);
  const sandbox = new SandboxProvider({ database, clock, config, public_base_url: 'http://roamcard.test', webhook_url: 'http://roamcard.test/webhooks/sandbox', outbox: jobsOutbox, random: script.next });
  const renewal = new RenewalService({
    database, clock, router: new PaymentRouter([sandbox]), public_base_url: 'http://roamcard.test', order_ttl_ms: 3_600_000, bank_transfer_ttl_ms: 86_400_000,
  });
  const signed = async (body: string) => ({
    headers: { [SANDBOX_SIGNATURE_HEADER]: signatureHeader(await sandbox.webhookSecret(), body, Math.floor(clock.now_ms() / 1000)) }, raw_body: Buffer.from(body), remote_address: '127.0.0.1',
  });
  const handlers = {
    ...jobHandlers({ database, clock, renewal, provisioner: new RecordingProvisioner(database, clock), sandbox }),
    [SANDBOX_WEBHOOK_JOB]: async (payload: unknown) => void (await renewal.handleWebhook('sandbox', await signed((payload as { body: string }).body))),
  };
  const worker = new OutboxWorker({ database, clock, handlers });
  async function deliverWebhooks({ twice = false } = {}): Promise<string[]> {
    const jobs = await database.db.selectFrom('jobs').selectAll().where('kind', '=', SANDBOX_WEBHOOK_JOB).where('status', '=', 'pending').orderBy('created_at_ms').orderBy('id').execute();
    const outcomes: string[] = [];
    for (const job of jobs) {
      const { body } = JSON.parse(job.payload) as { body: string };
      for (let copy = 0; copy < (twice ? 2 : 1); copy += 1) outcomes.push(await renewal.handleWebhook('sandbox', await signed(body)));
      await database.db.updateTable('jobs').set({ status: 'done' }).where('id', '=', job.id).execute();
    }
    return outcomes;
  }
  return { clock, script, sandbox, renewal, worker, deliverWebhooks };
}

let key_serial = 0;
const key = (label: string) => `faults-${label}-${(key_serial += 1)}`;

describeEachDatabase('renewal over a faulty sandbox', (t) => {
  const clock = new ManualClock(START_MS);
  let h: Harness;

  before(async () => {
    await seedDemo(t.database, () => null, START_MS - 1_000);
    h = harness(t.database, clock, FAULTY_ENV);
  });

  const sandboxRowsOf = async (payment_id: string) => (await t.database.db.selectFrom('sandbox_payments').select('id').where('merchant_payment_id', '=', payment_id).execute()).length;
  const bundlesOf = async (order_id: string) => (await t.database.db.selectFrom('bundles').select('id').where('idempotency_key', '=', `order:${order_id}`).execute()).length;
  const newOrder = () => h.renewal.createOrder({ line: { msisdn: EMPTY_LINE }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: key('order') });

  async function payAndSettle(provider_payment_id: string): Promise<string[]> {
    await h.sandbox.finish(provider_payment_id, { status: 'succeeded', card_last4: '4242' });
    return h.deliverWebhooks({ twice: true });
  }

  it('announces one outcome when a late success and a cancel race for one payment (found by the soak)', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { order } = await newOrder();
      const { payment } = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('race') });
      const id = payment.provider_payment_id!;
      const [succeeded, canceled] = await Promise.all([h.sandbox.finish(id, { status: 'succeeded' }), h.sandbox.finish(id, { status: 'canceled', failure_code: 'expired' })]);
      const stored = await t.database.db.selectFrom('sandbox_payments').select('status').where('id', '=', id).executeTakeFirstOrThrow();
      // Both callers see the one final state the row holds, and only that state is announced.
      assert.deepEqual([succeeded.status, canceled.status], [stored.status, stored.status]);
      const announced = (await t.database.db.selectFrom('jobs').select('payload').where('kind', '=', SANDBOX_WEBHOOK_JOB).execute())
        .map((job) => JSON.parse((JSON.parse(job.payload) as { body: string }).body) as { data?: { payment_id?: string; status?: string } })
        .filter((event) => event.data?.payment_id === id && (event.data.status === 'succeeded' || event.data.status === 'canceled'));
      assert.deepEqual([...new Set(announced.map((event) => event.data?.status))], [stored.status], JSON.stringify(announced));
      await h.deliverWebhooks();
    }
  });

  it('keeps an attempt visibly pending after a 500, and a retry with the same key pays once', async () => {
    const { order } = await newOrder();
    const pay_key = key('pay');
    h.script.push(ROLL_ERROR);
    const failed = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: pay_key });
    assert.equal(failed.payment.status, 'pending');
    assert.equal(failed.payment.provider_payment_id, null);
    assert.equal(failed.view.order.state, 'awaiting_payment');
    assert.equal(await sandboxRowsOf(failed.payment.id), 0, 'a 500 has no effect at the provider');

    const retried = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: pay_key });
    assert.equal(retried.payment.id, failed.payment.id);
    assert.equal(retried.payment.status, 'requires_action');
    assert.deepEqual(await payAndSettle(retried.payment.provider_payment_id!), ['activated', 'duplicate']);
    assert.equal((await h.renewal.getOrder(order.id)).order.state, 'active');
    assert.equal(await bundlesOf(order.id), 1);
    assert.deepEqual(await ledgerViolations(t.database.db), []);
  });

  it('never makes a second provider payment when a timeout hid that the first was made', async () => {
    const clearing_before = await accountBalance(t.database.db, providerClearingAccountId('sandbox'));
    const { order } = await newOrder();
    h.script.push(ROLL_TIMEOUT, ROLL_AFTER_EFFECT);
    const { payment } = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    assert.equal(payment.status, 'pending');
    assert.equal(payment.provider_payment_id, null);
    assert.equal(await sandboxRowsOf(payment.id), 1, 'the provider acted before the answer was lost');

    assert.equal(await h.renewal.refreshPayment(payment.id), 'updated');
    const found = (await h.renewal.getOrder(order.id)).payments[0]!;
    assert.equal(found.status, 'requires_action');
    assert.equal(await sandboxRowsOf(payment.id), 1, 'asking again found the same payment');
    assert.deepEqual(await payAndSettle(found.provider_payment_id!), ['activated', 'duplicate']);
    assert.equal(await bundlesOf(order.id), 1);
    // The provider's clearing account paid for exactly one pack.
    assert.equal(await accountBalance(t.database.db, providerClearingAccountId('sandbox')), clearing_before - PRICE_1GB);
  });

  it('keeps a payment as it was when reconciliation\'s status call fails', async () => {
    const { order } = await newOrder();
    const { payment } = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    h.clock.advance(3 * 60_000);
    h.script.push(ROLL_ERROR);
    const report = await h.renewal.reconcile();
    assert.ok(report.errors >= 1);
    const view = await h.renewal.getOrder(order.id);
    assert.equal(view.order.state, 'awaiting_payment');
    assert.equal(view.payments.find((p) => p.id === payment.id)?.status, 'requires_action');
    await h.renewal.cancelOrder(order.id);
    await h.worker.drainOnce(); // the cancel reaches the sandbox and closes the attempt
    assert.deepEqual(await h.deliverWebhooks(), ['unchanged'], 'the cancel webhook finds the attempt closed');
  });

  it('refunds a second payment exactly once when the refund call times out after the provider refunded', async () => {
    const { order } = await newOrder();
    const first = await h.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    const second = await h.renewal.startPayment({ order_id: order.id, method: 'alipay', idempotency_key: key('pay') });
    await h.sandbox.finish(first.payment.provider_payment_id!, { status: 'succeeded' });
    await h.sandbox.finish(second.payment.provider_payment_id!, { status: 'succeeded' });
    assert.deepEqual((await h.deliverWebhooks()).sort(), ['activated', 'refund_queued']);

    h.script.push(ROLL_TIMEOUT, ROLL_AFTER_EFFECT);
    await h.worker.drainOnce();
    const [refund] = (await h.renewal.getOrder(order.id)).refunds;
    assert.equal(refund?.status, 'pending', 'the refund call timed out: the outcome is unknown, so the job is retried');
    const job = await t.database.db.selectFrom('jobs').select(['status', 'last_error']).where('dedupe_key', '=', `refund:${refund.id}`).executeTakeFirstOrThrow();
    assert.equal(job.status, 'pending');
    assert.match(job.last_error ?? '', /injected fault/);

    h.clock.advance(10 * 60_000); // past any backoff: the refund job and the refund's webhook run, in either order
    await h.worker.drainOnce();
    const view = await h.renewal.getOrder(order.id);
    assert.equal(view.refunds[0]?.status, 'succeeded');
    assert.equal(view.order.state, 'active');
    const sandbox_refunds = await t.database.db.selectFrom('sandbox_refunds').select('id').where('merchant_refund_id', '=', refund.id).execute();
    assert.equal(sandbox_refunds.length, 1, 'the provider refunded once');
    assert.equal(await accountBalance(t.database.db, SYSTEM_ACCOUNTS.refunds.id), 0);
    assert.equal(await bundlesOf(order.id), 1);
    const dead = await t.database.db.selectFrom('jobs').select(['kind', 'last_error']).where('status', '=', 'dead').execute();
    assert.deepEqual(dead, []);
    assert.deepEqual(await ledgerViolations(t.database.db), []);
  });

  it('holds back webhooks by the configured delay', async () => {
    const delayed = harness(t.database, clock, { SANDBOX_FAULT_WEBHOOK_DELAY_SHARE: '1', SANDBOX_FAULT_WEBHOOK_DELAY_MS: '7000' });
    const { order } = await newOrder();
    const { payment } = await delayed.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
    await delayed.sandbox.finish(payment.provider_payment_id!, { status: 'succeeded' });
    const jobs = await t.database.db.selectFrom('jobs').select(['run_after_ms', 'created_at_ms']).where('kind', '=', SANDBOX_WEBHOOK_JOB).where('status', '=', 'pending').execute();
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.run_after_ms - jobs[0]!.created_at_ms, 7_000);
    assert.deepEqual(await delayed.deliverWebhooks(), ['activated']);
  });
});
