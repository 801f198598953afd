import type { Database } from '../../../db/database.js';
import type { Executor } from '../../../db/transaction.js';
import {
  DESK_PAYMENT_METHODS, ProviderError, WebhookRejected, type InitiatePaymentInput, type PaymentMethod, type PaymentProvider,
  type ProviderPaymentState, type ProviderRefundState, type WebhookEvent,
} from '../../../ports/payment-provider.js';

/**
 * The desk, in-house: cash in the drawer and the store's own card terminal. No outside party is
 * asked anything — the money is in the staff member's hand (or the terminal printed its slip)
 * before the payment row is written — so a desk payment is succeeded the moment its desk record
 * (desk_payments: tender, change, document check, terminal reference) exists, and the renewal
 * service settles it in the same request. A payment without that record was never taken at a
 * desk: it is refused, definitively.
 *
 * Always configured: it needs no credentials, and the renewal service accepts its methods only
 * from the desk service (StartPaymentInput.desk), never from a customer's channel.
 */

export const DESK_PROVIDER_NAME = 'desk';

export class DeskProvider implements PaymentProvider {
  readonly name = DESK_PROVIDER_NAME;
  readonly methods: readonly PaymentMethod[] = DESK_PAYMENT_METHODS;
  readonly #database: Database;

  constructor(options: { readonly database: Database }) {
    this.#database = options.database;
  }

  async initiatePayment(input: InitiatePaymentInput): Promise<ProviderPaymentState> {
    return this.#state(this.#database.db, input.payment_id);
  }

  async getPaymentStatus(provider_payment_id: string): Promise<ProviderPaymentState> {
    return this.#state(this.#database.db, paymentIdOf(provider_payment_id));
  }

  /** Money already in the drawer cannot be un-taken by canceling: it stays what it is. */
  async cancelPayment(provider_payment_id: string): Promise<ProviderPaymentState> {
    return this.getPaymentStatus(provider_payment_id);
  }

  /**
   * Cash goes back over the counter and a card payment by the terminal's own refund: staff do
   * either by hand, so the refund job is parked as dead and shows in `roamcard jobs --dead`.
   */
  async refundPayment(): Promise<ProviderRefundState> {
    throw new ProviderError(this.name, 'definitive', 'a desk payment is refunded at the desk (cash back, or the terminal\'s refund) by staff', { provider_code: 'manual_refund' });
  }

  async parseWebhook(): Promise<WebhookEvent> {
    throw new WebhookRejected('unknown_source', 'desk payments have no webhooks: staff take them in person');
  }

  /** The card's last 4 digits from the terminal slip, for the receipt; null for cash or when not recorded. */
  async cardLast4Of(provider_payment_id: string): Promise<string | null> {
    const row = await this.#database.db.selectFrom('desk_payments').select('card_last4')
      .where('payment_id', '=', paymentIdOf(provider_payment_id)).executeTakeFirst();
    return row?.card_last4 ?? null;
  }

  async #state(db: Executor, payment_id: string): Promise<ProviderPaymentState> {
    const row = await db.selectFrom('desk_payments').innerJoin('payments', 'payments.id', 'desk_payments.payment_id')
      .select(['payments.amount_minor', 'payments.currency']).where('desk_payments.payment_id', '=', payment_id).executeTakeFirst();
    if (!row) throw new ProviderError(this.name, 'definitive', `payment ${payment_id} was not taken at a desk`, { provider_code: 'not_at_desk' });
    return {
      provider_payment_id: `${PROVIDER_ID_PREFIX}${payment_id}`, merchant_payment_id: payment_id, status: 'succeeded',
      amount_minor: Number(row.amount_minor), currency: row.currency,
    };
  }
}

const PROVIDER_ID_PREFIX = 'desk:';

function paymentIdOf(provider_payment_id: string): string {
  return provider_payment_id.startsWith(PROVIDER_ID_PREFIX) ? provider_payment_id.slice(PROVIDER_ID_PREFIX.length) : provider_payment_id;
}
