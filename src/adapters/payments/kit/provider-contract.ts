import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isFinalPaymentStatus, WEBHOOK_BODY_BYTES_MAX, type NextAction, type PaymentFailureCode, type PaymentMethod, type PaymentProvider, type ProviderPaymentState, type ProviderRefundState, type WebhookEvent, type WebhookRejected, type WebhookRequest } from '../../../ports/payment-provider.js';
import { paymentInput, providerError, webhookRejection } from './provider-testing.js';

/**
 * One contract, every adapter (Kysely's "one test suite looped over every dialect"): the same
 * cases run against the sandbox, YooKassa, Stripe, PayPal and the in-house bank transfer, each
 * against its own local fake (or, in-house, its own books). An adapter takes part through a
 * driver (`<name>-contract-driver.ts`) that tells the suite how to make its provider succeed,
 * decline, answer too late and send webhooks. A case an adapter truly cannot play is not left
 * out silently: its driver says why, the suite prints the reason, and checks instead what the
 * adapter does do where there is something to check.
 *
 * Cases: create; succeed; decline; time out (the outcome unknown — never assumed failed);
 * duplicate webhook; out-of-order webhook; refund; bad signature (a forged, or oversized,
 * delivery is refused with WebhookRejected); cancel.
 */

/** A case the adapter cannot play: why, and what it does instead when that can be checked. */
export interface DoesNotApply {
  readonly does_not_apply: string;
  readonly instead?: { readonly what: string; check(provider: PaymentProvider): Promise<void> };
}

export interface ProviderDriver {
  /** Names the adapter (and its flow, where it has several) in test titles. */
  readonly label: string;
  /** The method the contract pays with. */
  readonly method: PaymentMethod;
  /** What a new payment asks of the customer. */
  readonly next_action: NextAction['type'];
  /** Starts the fake (or opens the books) and returns the provider under test, wired to it. */
  start(): Promise<PaymentProvider>;
  stop(): Promise<void>;
  /** How many payments the provider holds: what a create made, seen from the provider's side. */
  paymentCount(): Promise<number>;
  /** The customer pays (the bank approves); returns the webhooks the provider sends about it, none for a provider without webhooks. */
  pay(provider_payment_id: string): Promise<readonly WebhookRequest[]>;
  readonly decline: DoesNotApply | {
    /** What the customer's bank refuses with, in our words. */
    readonly failure_code: PaymentFailureCode;
    refuse(provider_payment_id: string): Promise<readonly WebhookRequest[]>;
  };
  readonly time_out: DoesNotApply | {
    /**
     * Makes the provider's next call do its work and answer too late; returns the provider to call
     * (with a short timeout where that is how it waits).
     */
    answerLate(): Promise<PaymentProvider>;
  };
  readonly webhooks: DoesNotApply | {
    /** The payment passes a step before it succeeds: the webhooks sent at each, the earlier one first. */
    steps(provider_payment_id: string): Promise<{ readonly earlier: WebhookRequest; readonly later: WebhookRequest }>;
    /** The webhook the provider sends about this refund. */
    refunded(provider_payment_id: string, refund: ProviderRefundState): Promise<WebhookRequest>;
    /** How a forger goes wrong at this provider, the reason the forgery is refused with, and a forged copy of a genuine delivery. */
    readonly forgery: { readonly what: string; readonly reason: WebhookRejected['reason']; forge(delivery: WebhookRequest): WebhookRequest };
  };
  readonly refund: { readonly refunds: true } | { readonly refused_because: string };
  /** `lapses_because`: the provider has no cancel; an unpaid payment ends by itself and is reported as it is. */
  readonly cancel: { readonly cancels: true } | { readonly refused_because: string } | { readonly lapses_because: string };
}

function applies<T extends object>(support: T | DoesNotApply): support is T {
  return !('does_not_apply' in support);
}

export function providerContract(driver: ProviderDriver): void {
  describe(`payment provider contract: ${driver.label}`, () => {
    let provider: PaymentProvider;
    before(async () => {
      provider = await driver.start();
    });
    after(() => driver.stop());

    const newInput = () => paymentInput({ method: driver.method });

    /** A payment waiting for the customer. */
    async function created(): Promise<ProviderPaymentState> {
      return provider.initiatePayment(newInput());
    }

    async function paid(): Promise<{ readonly payment: ProviderPaymentState; readonly webhooks: readonly WebhookRequest[] }> {
      const payment = await created();
      const webhooks = await driver.pay(payment.provider_payment_id);
      assert.equal((await provider.getPaymentStatus(payment.provider_payment_id)).status, 'succeeded');
      return { payment, webhooks };
    }

    /** The event must speak of this payment, in this state. */
    function assertPaymentEvent(event: WebhookEvent, payment: ProviderPaymentState, status: ProviderPaymentState['status']): void {
      assert.equal(event.type, 'payment', JSON.stringify(event));
      assert.ok(event.type === 'payment');
      assert.deepEqual(
        [event.payment.provider_payment_id, event.payment.status, event.payment.amount_minor],
        [payment.provider_payment_id, status, payment.amount_minor],
      );
    }

    it('create: a payment waits for the customer, one per payment id', async () => {
      const count_before = await driver.paymentCount();
      const input = newInput();
      const state = await provider.initiatePayment(input);
      assert.ok(state.status === 'requires_action' || state.status === 'pending', state.status);
      assert.deepEqual([state.amount_minor, state.currency, state.next_action?.type, state.failure], [input.amount_minor, 'RUB', driver.next_action, undefined]);
      assert.equal((await provider.initiatePayment(input)).provider_payment_id, state.provider_payment_id, 'the payment id is the idempotency key');
      assert.equal(await driver.paymentCount(), count_before + 1);
      assert.equal((await provider.getPaymentStatus(state.provider_payment_id)).status, state.status);
    });

    it('create: the same payment id for another amount is refused, definitively', async () => {
      const input = newInput();
      await provider.initiatePayment(input);
      await providerError(provider.initiatePayment({ ...input, amount_minor: input.amount_minor + 100 }), { kind: 'definitive' });
    });

    it('create: a method it does not take is refused before anything is made', async () => {
      const count_before = await driver.paymentCount();
      await providerError(provider.initiatePayment(paymentInput({ method: 'cash' })), { kind: 'definitive' });
      assert.equal(await driver.paymentCount(), count_before);
    });

    it('succeed: the paid payment reads as succeeded, to the kopeck, and so do its webhooks', async () => {
      const payment = await created();
      const webhooks = await driver.pay(payment.provider_payment_id);
      const state = await provider.getPaymentStatus(payment.provider_payment_id);
      assert.deepEqual([state.status, state.amount_minor, state.currency, state.failure, state.next_action], ['succeeded', payment.amount_minor, 'RUB', undefined, undefined]);
      for (const delivery of webhooks) assertPaymentEvent(await provider.parseWebhook(delivery), payment, 'succeeded');
    });

    const decline = driver.decline;
    if (applies(decline)) {
      it(`decline: a refused payment fails with the reason (${decline.failure_code}), and so do its webhooks`, async () => {
        const payment = await created();
        const webhooks = await decline.refuse(payment.provider_payment_id);
        const state = await provider.getPaymentStatus(payment.provider_payment_id);
        assert.deepEqual([state.status, state.failure?.code], ['failed', decline.failure_code]);
        for (const delivery of webhooks) assertPaymentEvent(await provider.parseWebhook(delivery), payment, 'failed');
      });
    } else {
      doesNotApply('decline', decline);
    }

    const time_out = driver.time_out;
    if (applies(time_out)) {
      it('time out: an answer that never came is indeterminate, never a failure; asking again finds the one payment made', async () => {
        const count_before = await driver.paymentCount();
        const input = newInput();
        const impatient = await time_out.answerLate();
        const error = await providerError(impatient.initiatePayment(input), { kind: 'indeterminate' });
        assert.equal(error.failure_code, undefined, 'an unknown outcome carries no failure reason');
        const state = await provider.initiatePayment(input);
        assert.ok(!isFinalPaymentStatus(state.status), state.status);
        assert.equal(await driver.paymentCount(), count_before + 1, 'the provider acted once, though its answer was lost');
        await driver.pay(state.provider_payment_id);
        assert.equal((await provider.getPaymentStatus(state.provider_payment_id)).status, 'succeeded');
      });
    } else {
      doesNotApply('time out', time_out);
    }

    const webhooks = driver.webhooks;
    if (applies(webhooks)) {
      it('duplicate webhook: the same delivery twice is the same event, under the same id (so it is applied once)', async () => {
        const { payment, webhooks: deliveries } = await paid();
        const [delivery] = deliveries;
        assert.ok(delivery, 'a paid payment is announced by webhook');
        const first = await provider.parseWebhook(delivery);
        const again = await provider.parseWebhook(delivery);
        assertPaymentEvent(first, payment, 'succeeded');
        assert.deepEqual(again, first);
      });

      it('out-of-order webhook: an earlier step delivered after the outcome never contradicts it', async () => {
        const payment = await created();
        const { earlier, later } = await webhooks.steps(payment.provider_payment_id);
        const outcome = await provider.parseWebhook(later);
        assertPaymentEvent(outcome, payment, 'succeeded');
        const late = await provider.parseWebhook(earlier);
        assert.notEqual(late.event_id, outcome.event_id, 'another event, not a duplicate of the outcome');
        // Either ignored, or the provider's current word (succeeded), or a step before any outcome:
        // final states never regress, so the succeeded payment stays succeeded.
        if (late.type === 'payment') {
          assert.equal(late.payment.provider_payment_id, payment.provider_payment_id);
          assert.ok(late.payment.status === 'succeeded' || !isFinalPaymentStatus(late.payment.status), `a late ${late.payment.status}`);
        } else {
          assert.equal(late.type, 'ignored');
        }
        assert.equal((await provider.getPaymentStatus(payment.provider_payment_id)).status, 'succeeded');
      });

      const { forgery } = webhooks;
      it(`bad signature: a delivery ${forgery.what} is refused (${forgery.reason}), the genuine one accepted`, async () => {
        const { webhooks: deliveries } = await paid();
        const [genuine] = deliveries;
        assert.ok(genuine, 'a paid payment is announced by webhook');
        await webhookRejection(provider.parseWebhook(forgery.forge(genuine)), forgery.reason);
        assert.equal((await provider.parseWebhook(genuine)).type, 'payment');
      });

      it('bad signature: a body over WEBHOOK_BODY_BYTES_MAX is refused as malformed before it is read', async () => {
        const { webhooks: deliveries } = await paid();
        const [genuine] = deliveries;
        assert.ok(genuine, 'a paid payment is announced by webhook');
        await webhookRejection(provider.parseWebhook({ ...genuine, raw_body: Buffer.alloc(WEBHOOK_BODY_BYTES_MAX + 1, 0x20) }), 'malformed');
      });
    } else {
      doesNotApply('duplicate webhook, out-of-order webhook, bad signature', webhooks);
    }

    const refund = driver.refund;
    if ('refunds' in refund) {
      it('refund: a paid payment is refunded once per refund id, never beyond what was paid', async () => {
        const { payment } = await paid();
        const input = { refund_id: `ref_${payment.provider_payment_id.slice(-12)}_${Date.now()}`, provider_payment_id: payment.provider_payment_id, amount_minor: payment.amount_minor, currency: 'RUB' as const };
        const state = await provider.refundPayment(input);
        assert.ok(state.status === 'succeeded' || state.status === 'pending', state.status);
        assert.equal((await provider.refundPayment(input)).provider_refund_id, state.provider_refund_id, 'the refund id is the idempotency key');
        await providerError(provider.refundPayment({ ...input, refund_id: `${input.refund_id}_more`, amount_minor: 1 }), { kind: 'definitive' });
        if (!applies(webhooks)) return;
        const event = await provider.parseWebhook(await webhooks.refunded(payment.provider_payment_id, state));
        assert.equal(event.type, 'refund', JSON.stringify(event));
        assert.ok(event.type === 'refund');
        assert.deepEqual(
          [event.provider_payment_id, event.refund.provider_refund_id],
          [payment.provider_payment_id, state.provider_refund_id],
        );
      });
    } else {
      it(`refund: refused, definitively — ${refund.refused_because}`, async () => {
        const { payment } = await paid();
        await providerError(provider.refundPayment({ refund_id: `ref_${Date.now()}`, provider_payment_id: payment.provider_payment_id, amount_minor: payment.amount_minor, currency: 'RUB' }), { kind: 'definitive' });
      });
    }

    const cancel = driver.cancel;
    it(`cancel: ${'cancels' in cancel ? 'an unpaid payment ends canceled, never succeeded' : 'refused_because' in cancel ? `refused, definitively — ${cancel.refused_because}` : `reported as it is — ${cancel.lapses_because}`}`, async () => {
      const payment = await created();
      if ('cancels' in cancel) {
        assert.equal((await provider.cancelPayment(payment.provider_payment_id)).status, 'canceled');
        const after_cancel = (await provider.getPaymentStatus(payment.provider_payment_id)).status;
        assert.ok(isFinalPaymentStatus(after_cancel) && after_cancel !== 'succeeded', after_cancel);
        return;
      }
      if ('refused_because' in cancel) await providerError(provider.cancelPayment(payment.provider_payment_id), { kind: 'definitive' });
      else assert.equal((await provider.cancelPayment(payment.provider_payment_id)).status, payment.status);
      assert.equal((await provider.getPaymentStatus(payment.provider_payment_id)).status, payment.status);
    });

    function doesNotApply(cases: string, support: DoesNotApply): void {
      const { instead } = support;
      it(`${cases}: does not apply — ${support.does_not_apply}${instead === undefined ? '' : `; instead, ${instead.what}`}`, async () => {
        assert.match(support.does_not_apply, /\S.{20,}/, 'a driver says why a case does not apply, in a sentence');
        await instead?.check(provider);
      });
    }
  });
}
