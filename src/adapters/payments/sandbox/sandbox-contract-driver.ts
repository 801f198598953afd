import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from '../../../db/database.js';
import { ManualClock } from '../../../ports/clock.js';
import type { WebhookRequest } from '../../../ports/payment-provider.js';
import { jobsOutbox } from '../../../services/jobs/outbox.js';
import type { ProviderDriver } from '../kit/provider-contract.js';
import { sandboxConfigFromEnv } from './sandbox-config.js';
import { sandboxPages } from './sandbox-pages.js';
import { SANDBOX_WEBHOOK_JOB, SandboxProvider } from './sandbox-provider.js';
import { SANDBOX_JOB_PAYLOADS, sandboxWebhookDelivery } from './sandbox-webhook-sender.js';
import { signatureHeader, SANDBOX_SIGNATURE_HEADER } from './sandbox-wire.js';

const START_MS = Date.UTC(2026, 10, 25, 9, 0);
const PUBLIC_BASE_URL = 'http://roamcard.test';
/** The documented test cards (README, sandbox-wire.ts TEST_CARDS). */
const CARD_PAYS = '4242 4242 4242 4242';
const CARD_INSUFFICIENT_FUNDS = '4000 0000 0000 9995';
const CARD_TIMEOUT = '4000 0000 0000 0119';
/**
 * Injected faults (sandbox-faults.ts): half the calls could time out, but the scripted random
 * source answers "no fault" unless a test queues the rolls of one: below the share, a timeout;
 * then at least 0.5, one that took effect before its answer was lost.
 */
const FAULTS = { SANDBOX_FAULT_TIMEOUT_SHARE: '0.5', SANDBOX_FAULT_TIMEOUT_MS: '10' };
const ROLL_NO_FAULT = 0.99;
const ROLLS_TIMEOUT_AFTER_EFFECT = [0.1, 0.7];

/**
 * The sandbox on a test database (`database` is read at start), driven as a customer drives it:
 * through its hosted pages with the documented test cards. Its webhooks are the jobs it queued
 * through the real outbox, signed as its sender signs them.
 */
export function sandboxDriver(database: () => Database): ProviderDriver {
  const clock = new ManualClock(START_MS);
  const rolls: number[] = [];
  let sandbox: SandboxProvider | undefined;
  let pages: FastifyInstance | undefined;
  const started = (): { sandbox: SandboxProvider; pages: FastifyInstance } => (sandbox && pages ? { sandbox, pages } : assert.fail('the sandbox is not started'));

  async function enterCard(id: string, card_number: string): Promise<void> {
    const response = await started().pages.inject({
      method: 'POST', url: `/sandbox/pay/${id}/card`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ card_number, expiry: '12/34', cvc: '123' }).toString(),
    });
    assert.ok(response.statusCode === 303 || response.statusCode === 200, `the card page answered ${response.statusCode}`);
  }

  /** The webhooks queued about this payment and not yet taken, as the sender would deliver them now. */
  async function webhooksOf(id: string): Promise<WebhookRequest[]> {
    const secret = await started().sandbox.webhookSecret();
    const jobs = await database().db.selectFrom('jobs').select(['id', 'payload']).where('kind', '=', SANDBOX_WEBHOOK_JOB).where('status', '=', 'pending').orderBy('created_at_ms').orderBy('id').execute();
    const deliveries: WebhookRequest[] = [];
    for (const job of jobs) {
      const payload = SANDBOX_JOB_PAYLOADS[SANDBOX_WEBHOOK_JOB].parse(JSON.parse(job.payload));
      const { headers, body } = sandboxWebhookDelivery(payload, secret, clock.now_ms());
      if ((JSON.parse(body) as { data?: { payment_id?: string } }).data?.payment_id !== id) continue;
      await database().db.updateTable('jobs').set({ status: 'done' }).where('id', '=', job.id).execute();
      deliveries.push({ headers, raw_body: Buffer.from(body), remote_address: '127.0.0.1' });
    }
    return deliveries;
  }

  return {
    label: 'sandbox',
    method: 'card',
    next_action: 'redirect',
    async start() {
      sandbox = new SandboxProvider({
        database: database(), clock, config: sandboxConfigFromEnv(FAULTS), public_base_url: PUBLIC_BASE_URL,
        webhook_url: `${PUBLIC_BASE_URL}/webhooks/sandbox`, outbox: jobsOutbox, random: () => rolls.shift() ?? ROLL_NO_FAULT,
      });
      pages = Fastify();
      await pages.register(sandboxPages, { sandbox, clock });
      return sandbox;
    },
    stop: async () => pages?.close(),
    async paymentCount() {
      const { count } = await database().db.selectFrom('sandbox_payments').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      return Number(count);
    },
    async pay(id) {
      await enterCard(id, CARD_PAYS);
      return webhooksOf(id);
    },
    decline: {
      failure_code: 'insufficient_funds',
      async refuse(id) {
        await enterCard(id, CARD_INSUFFICIENT_FUNDS);
        return webhooksOf(id);
      },
    },
    time_out: {
      async answerLate() {
        rolls.push(...ROLLS_TIMEOUT_AFTER_EFFECT);
        return started().sandbox;
      },
    },
    webhooks: {
      // The "timeout" test card: pending, announced; then the late outcome (SANDBOX_SETTLE_JOB's work).
      async steps(id) {
        await enterCard(id, CARD_TIMEOUT);
        const [earlier] = await webhooksOf(id);
        await started().sandbox.finish(id, { status: 'succeeded' });
        const [later] = await webhooksOf(id);
        return { earlier: earlier ?? assert.fail('no pending webhook'), later: later ?? assert.fail('no outcome webhook') };
      },
      async refunded(id) {
        const [delivery] = await webhooksOf(id);
        return delivery ?? assert.fail(`no refund webhook for ${id}`);
      },
      forgery: {
        what: 'signed with a secret that is not this installation\'s',
        reason: 'signature',
        forge: (delivery) => ({
          ...delivery,
          headers: { ...delivery.headers, [SANDBOX_SIGNATURE_HEADER]: signatureHeader('forger-secret-0123456789', delivery.raw_body.toString('utf8'), Math.floor(clock.now_ms() / 1000)) },
        }),
      },
    },
    refund: { refunds: true },
    cancel: { cancels: true },
  };
}
