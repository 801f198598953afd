import type { Database } from '../../../db/database.js';
import {
  ProviderError, WebhookRejected, type InitiatePaymentInput, type PaymentMethod, type PaymentProvider, type ProviderPaymentState,
  type ProviderRefundState, type WebhookEvent,
} from '../../../ports/payment-provider.js';

/**
 * Payment agents, in-house: a store chain's till or a payment terminal took the customer's money
 * and told us over OSMP or the partner API (services/partners). Like the desk, no outside party is
 * asked anything here — the agent already holds the money and owes it to us — so an agent payment
 * is succeeded the moment the partner payment that names it exists, written in the payment row's
 * own transaction; a payment no agent reported is refused, definitively.
 *
 * Always configured: it needs no credentials, and the renewal service accepts its method only from
 * the partner service (StartPaymentInput.in_person), never from a customer's channel.
 */

export const AGENT_PROVIDER_NAME = 'agent';
const PROVIDER_ID_PREFIX = 'agent:';

export class AgentProvider implements PaymentProvider {
  readonly name = AGENT_PROVIDER_NAME;
  readonly methods: readonly PaymentMethod[] = ['agent'];
  readonly #database: Database;

  constructor(options: { readonly database: Database }) {
    this.#database = options.database;
  }

  initiatePayment(input: InitiatePaymentInput): Promise<ProviderPaymentState> {
    return this.#state(input.payment_id);
  }

  getPaymentStatus(provider_payment_id: string): Promise<ProviderPaymentState> {
    return this.#state(paymentIdOf(provider_payment_id));
  }

  /** The agent's cashier already handed over the pack: canceling changes nothing. */
  cancelPayment(provider_payment_id: string): Promise<ProviderPaymentState> {
    return this.getPaymentStatus(provider_payment_id);
  }

  /**
   * The money is at the agent, who pays the customer back under its own rules and deducts it from
   * its settlement: the refund job is parked as dead and shows in `roamcard jobs --dead`.
   */
  async refundPayment(): Promise<ProviderRefundState> {
    throw new ProviderError(this.name, 'definitive', 'a payment taken by an agent is refunded by that agent and settled with it', { provider_code: 'manual_refund' });
  }

  async parseWebhook(): Promise<WebhookEvent> {
    throw new WebhookRejected('unknown_source', 'agents report payments over OSMP or the partner API, not by webhook');
  }

  async #state(payment_id: string): Promise<ProviderPaymentState> {
    const row = await this.#database.db.selectFrom('partner_payments').innerJoin('payments', 'payments.id', 'partner_payments.payment_id')
      .select(['payments.amount_minor', 'payments.currency']).where('partner_payments.payment_id', '=', payment_id).executeTakeFirst();
    if (!row) throw new ProviderError(this.name, 'definitive', `payment ${payment_id} was not reported by an agent`, { provider_code: 'not_from_agent' });
    return {
      provider_payment_id: `${PROVIDER_ID_PREFIX}${payment_id}`, merchant_payment_id: payment_id, status: 'succeeded',
      amount_minor: Number(row.amount_minor), currency: row.currency,
    };
  }
}

function paymentIdOf(provider_payment_id: string): string {
  return provider_payment_id.startsWith(PROVIDER_ID_PREFIX) ? provider_payment_id.slice(PROVIDER_ID_PREFIX.length) : provider_payment_id;
}
