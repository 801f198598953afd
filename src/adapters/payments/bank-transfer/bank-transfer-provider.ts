import { randomBytes } from 'node:crypto';
import type { Database } from '../../../db/database.js';
import type { BankTransfersTable } from '../../../db/schema.js';
import { lockingRows } from '../../../db/locks.js';
import { inTransaction, type Executor } from '../../../db/transaction.js';
import type { Clock } from '../../../ports/clock.js';
import { ProviderError, WebhookRejected, type InitiatePaymentInput, type PaymentMethod, type PaymentProvider, type ProviderPaymentState, type ProviderRefundState, type WebhookEvent } from '../../../ports/payment-provider.js';

/**
 * Bank transfer, in-house: no outside provider stands between the payer's bank and the seller's
 * account. Starting a payment issues an invoice reference (RC-…) that the payer writes in the
 * transfer's purpose; the transfer is paid when a bank statement line with that reference and the
 * exact amount is imported (`roamcard payments import-statement`), which records it here and then
 * settles our payment in the same process — never through a webhook to a guessed address.
 *
 * The seller's bank details on the invoice come from SELLER_BANK_*; PAYMENTS_BANK_TRANSFER turns
 * this provider on (it follows test mode by default, and for real money requires real details).
 */

export const BANK_TRANSFER_PROVIDER_NAME = 'bank_transfer';
export const BANK_TRANSFER_METHODS: readonly PaymentMethod[] = ['bank_transfer'];
/** RC- and 10 characters from 32 unambiguous ones: 50 bits, beyond guessing a reference that is owed. */
const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const REFERENCE_LENGTH = 10;
export const TRANSFER_REFERENCE_PATTERN = /^RC-[A-HJ-NP-Z2-9]{10}$/;

/**
 * What one statement line did: settled now; already settled earlier; or, for a person to look at —
 * no such reference, not the amount due, or money for a transfer whose order closed (to be returned).
 */
export type StatementLineOutcome = 'settled' | 'already_final' | 'unknown_reference' | 'amount_mismatch' | 'transfer_closed';

export interface BankTransferProviderOptions {
  readonly database: Database;
  readonly clock: Clock;
}

export class BankTransferProvider implements PaymentProvider {
  readonly name = BANK_TRANSFER_PROVIDER_NAME;
  readonly methods = BANK_TRANSFER_METHODS;
  readonly #options: BankTransferProviderOptions;

  constructor(options: BankTransferProviderOptions) {
    this.#options = options;
  }

  /** Issues the invoice reference; the same payment id always gets the same transfer back. */
  async initiatePayment(input: InitiatePaymentInput): Promise<ProviderPaymentState> {
    if (input.method !== 'bank_transfer') throw new ProviderError(this.name, 'definitive', `${this.name} takes bank transfers only, not ${input.method}`);
    const now_ms = this.#options.clock.now_ms();
    return inTransaction(this.#options.database, async (trx) => {
      const existing = await trx.selectFrom('bank_transfers').selectAll().where('payment_id', '=', input.payment_id).executeTakeFirst();
      if (existing) {
        if (existing.amount_minor !== input.amount_minor) {
          throw new ProviderError(this.name, 'definitive', 'idempotency key reused with a different amount', { provider_code: 'idempotency_error' });
        }
        return state(existing);
      }
      const transfer: BankTransfersTable = {
        id: `bt_${randomBytes(12).toString('hex')}`, payment_id: input.payment_id, reference: newReference(),
        amount_minor: input.amount_minor, currency: input.currency, status: 'pending', created_at_ms: now_ms, updated_at_ms: now_ms,
      };
      await trx.insertInto('bank_transfers').values(transfer).execute();
      return state(transfer);
    });
  }

  async getPaymentStatus(provider_payment_id: string): Promise<ProviderPaymentState> {
    return state(await this.#find(this.#options.database.db, provider_payment_id));
  }

  /** The order closed: a transfer arriving after this is not taken (the statement import lists it for a person). */
  async cancelPayment(provider_payment_id: string): Promise<ProviderPaymentState> {
    return this.#transition(provider_payment_id, 'canceled');
  }

  /**
   * Money that came by bank transfer goes back by a payment order from the seller's bank, which
   * a person makes: refused here, so the refund job is parked as dead and shows in `roamcard jobs
   * --dead` and /metrics for staff to handle.
   */
  async refundPayment(): Promise<ProviderRefundState> {
    throw new ProviderError(this.name, 'definitive', 'a bank transfer is refunded by a payment order from the seller\'s bank: staff make it by hand', { provider_code: 'manual_refund' });
  }

  /** No outside party calls us about bank transfers. */
  async parseWebhook(): Promise<WebhookEvent> {
    throw new WebhookRejected('unknown_source', 'bank transfers have no webhooks: they are settled by importing a bank statement');
  }

  /**
   * A bank statement line: the transfer with this reference is paid when the amount matches to the
   * kopeck. Returns the payment id to settle (the caller asks the renewal service to, in-process).
   */
  async recordStatementLine(reference: string, amount_minor: number): Promise<{ outcome: StatementLineOutcome; payment_id?: string }> {
    const now_ms = this.#options.clock.now_ms();
    return inTransaction(this.#options.database, async (trx) => {
      // A settlement and a cancel of one transfer must not both win: the row is locked (PostgreSQL).
      const transfer = await lockingRows(trx, trx.selectFrom('bank_transfers').selectAll().where('reference', '=', reference)).executeTakeFirst();
      if (!transfer) return { outcome: 'unknown_reference' as const };
      if (transfer.amount_minor !== amount_minor) return { outcome: 'amount_mismatch' as const, payment_id: transfer.payment_id };
      if (transfer.status === 'canceled') return { outcome: 'transfer_closed' as const, payment_id: transfer.payment_id };
      if (transfer.status === 'settled') return { outcome: 'already_final' as const, payment_id: transfer.payment_id };
      await trx.updateTable('bank_transfers').set({ status: 'settled', updated_at_ms: now_ms }).where('id', '=', transfer.id).execute();
      return { outcome: 'settled' as const, payment_id: transfer.payment_id };
    });
  }

  /** The transfer a statement line names, if any. */
  async findByReference(reference: string): Promise<BankTransfersTable | undefined> {
    return this.#options.database.db.selectFrom('bank_transfers').selectAll().where('reference', '=', reference).executeTakeFirst();
  }

  /** The reference the payer wrote on the transfer (for the receipt); null for an unknown id. */
  async referenceOf(provider_payment_id: string): Promise<string | null> {
    const row = await this.#options.database.db.selectFrom('bank_transfers').select('reference').where('id', '=', provider_payment_id).executeTakeFirst();
    return row?.reference ?? null;
  }

  async #transition(provider_payment_id: string, status: 'canceled'): Promise<ProviderPaymentState> {
    const now_ms = this.#options.clock.now_ms();
    return inTransaction(this.#options.database, async (trx) => {
      const transfer = await this.#find(trx, provider_payment_id, true);
      if (transfer.status !== 'pending') return state(transfer);
      await trx.updateTable('bank_transfers').set({ status, updated_at_ms: now_ms }).where('id', '=', transfer.id).execute();
      return state({ ...transfer, status });
    });
  }

  async #find(trx: Executor, provider_payment_id: string, lock = false): Promise<BankTransfersTable> {
    const query = trx.selectFrom('bank_transfers').selectAll().where('id', '=', provider_payment_id);
    const transfer = await (lock ? lockingRows(trx, query) : query).executeTakeFirst();
    if (!transfer) throw new ProviderError(this.name, 'definitive', `no bank transfer ${provider_payment_id}`, { provider_code: 'resource_missing' });
    return transfer;
  }
}

function state(transfer: BankTransfersTable): ProviderPaymentState {
  const base = {
    provider_payment_id: transfer.id, merchant_payment_id: transfer.payment_id,
    amount_minor: transfer.amount_minor, currency: transfer.currency,
  };
  switch (transfer.status) {
    case 'pending': return { ...base, status: 'pending', next_action: { type: 'bank_transfer', reference: transfer.reference } };
    case 'settled': return { ...base, status: 'succeeded' };
    case 'canceled': return { ...base, status: 'canceled', failure: { code: 'expired' } };
  }
}

function newReference(): string {
  const bytes = randomBytes(REFERENCE_LENGTH);
  return `RC-${[...bytes].map((byte) => REFERENCE_ALPHABET[byte % REFERENCE_ALPHABET.length]).join('')}`;
}
