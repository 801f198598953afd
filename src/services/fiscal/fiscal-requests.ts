import { assert } from '../../core/errors.js';
import {
  ITEM_NAME_LENGTH_MAX, MEASURE_PIECE, vatTypeFor,
  type FiscalAgent, type FiscalCompany, type FiscalItem, type FiscalPaymentType, type FiscalRequest,
} from '../../ports/fiscal-register.js';
import type { FiscalItemTerms } from '../../config.js';

/**
 * The fiscal documents' requests, built from stored facts only: the receipt (price, VAT rate of the
 * sale's date, how it was paid, when), the order's payer, the line, the store or the payment agent
 * that took the money. Never from "now" or the current catalogue: the same receipt gives the same
 * request every time, and once built the request is frozen in its fiscal_documents row.
 */

/** What a sale's (or an advance's) fiscal document is made from: all of it recorded when the money came. */
export interface SaleFacts {
  readonly amount_minor: number;
  readonly currency: string;
  /** The receipt's rate: the one of the payment's date (null: the seller is not a VAT payer). */
  readonly vat_rate_percent: number | null;
  /** The payments row's method (card, sbp, cash, card_present, wallet, agent, …). */
  readonly payment_method: string;
  /** When the payment was taken: the document's settlement time. */
  readonly paid_at_ms: number;
  /** The item's name as the tax service reads it (Russian): the pack's, or ADVANCE_ITEM_NAME. */
  readonly item_name: string;
  /** Where the register sends the electronic receipt: the payer's e-mail, else the line's number. */
  readonly client: { readonly email?: string; readonly phone?: string };
  /** A desk sale: the store's address is the place of settlement (tag 1187). */
  readonly store_address: string | null;
  /** A sale whose money a payment agent took (method `agent`): the agent, as its partner row names it. */
  readonly agent: { readonly name: string; readonly inn: string } | null;
}

/** Who sells: the seller's name and INN, named as the supplier of a service an agent took money for. */
export interface SupplierDetails {
  readonly name: string;
  readonly inn: string;
}

/** A request without its external_id: that is the fiscal document's own id, given when its row is written. */
export type FiscalRequestDraft = Omit<FiscalRequest, 'external_id'>;

/**
 * The item of an advance: money whose use is not known when it is paid — a wallet top-up, or a
 * payment that reached an order which did not use it (and is returned). The tax service reads it
 * in Russian; FISCAL_TOP_UP_PAYMENT_METHOD / _OBJECT itemise it (advance, "payment" by default).
 */
export const ADVANCE_ITEM_NAME = 'Аванс за услуги связи';

/** Tag 1044 (the payment agent's operation) holds at most 24 characters. */
export const AGENT_OPERATION_LENGTH_MAX = 24;

/**
 * How a payment method pays a fiscal document (tag 1031 / 1081 / 1215):
 * - `cash`: notes and coins over a desk's counter;
 * - `prepaid` (зачёт аванса): a pack bought from the line's wallet balance. The money was an advance
 *   when it reached the wallet, and that top-up is where it is fiscalised (advance + payment object
 *   "payment", src/adapters/fiscal/README.md); spending it on a pack offsets the advance, so this
 *   document takes no new money and must not count it twice;
 * - `electronic`: everything else — cards online and on a desk's terminal, SBP, e-wallets, bank
 *   transfers, and a payment agent's remittance (the money reached us by the agent's bank, not in cash).
 */
export function fiscalPaymentTypeOf(payment_method: string): FiscalPaymentType {
  if (payment_method === 'cash') return 'cash';
  if (payment_method === 'wallet') return 'prepaid';
  return 'electronic';
}

/**
 * A sale's document: one item, quantity 1, at the sum paid — a pack (the pack's terms and name) or
 * an advance (the top-up's terms, ADVANCE_ITEM_NAME).
 */
export function saleRequestDraft(
  facts: SaleFacts,
  settings: { readonly company: FiscalCompany; readonly terms: FiscalItemTerms; readonly supplier: SupplierDetails },
): FiscalRequestDraft {
  const { terms } = settings;
  const vat = vatTypeFor(facts.vat_rate_percent, terms.payment_method);
  // The configuration refuses a VAT table a register cannot print (config.ts fiscalConfig): a receipt with such a rate is a bug.
  assert(vat !== undefined, `VAT rate ${facts.vat_rate_percent}% has no fiscal VAT type`);
  const item: FiscalItem = {
    name: facts.item_name.slice(0, ITEM_NAME_LENGTH_MAX),
    price_minor: facts.amount_minor,
    quantity: 1,
    sum_minor: facts.amount_minor,
    measure: MEASURE_PIECE,
    payment_method: terms.payment_method,
    payment_object: terms.payment_object,
    vat,
    ...(facts.agent === null ? {} : { agent: agentOf(facts.agent, settings.supplier) }),
  };
  return {
    operation: 'sell',
    time_ms: facts.paid_at_ms,
    client: facts.client,
    company: facts.store_address === null ? settings.company : { ...settings.company, payment_address: facts.store_address },
    items: [item],
    payments: [{ type: fiscalPaymentTypeOf(facts.payment_method), sum_minor: facts.amount_minor }],
    total_minor: facts.amount_minor,
  };
}

/**
 * A payment agent (103-FZ) took the money: the item says so (tag 1222 `payment_agent`), names the
 * seller as the supplier of the service (tag 1224), and carries the agent in its operation (tag
 * 1044) by INN — the fiscal data format has no tag for an agent's name and INN on the principal's
 * own document (on its own register the agent is the company), and 24 characters hold an INN.
 */
function agentOf(agent: { readonly name: string; readonly inn: string }, supplier: SupplierDetails): FiscalAgent {
  return {
    type: 'payment_agent',
    supplier: { name: supplier.name, inn: supplier.inn },
    paying_agent: { operation: `Агент ИНН ${agent.inn}`.slice(0, AGENT_OPERATION_LENGTH_MAX), phones: [] },
  };
}

/**
 * A refund of a sale (sell_refund): the sale's own document turned round — the same seller block,
 * client, items and way of payment (money goes back the way it came: cash from a desk's drawer, to
 * the card, or to the wallet the advance came from), at the refund's time. A refund of part of the
 * sale has one item of the refunded sum.
 */
export function refundRequestDraft(
  sale: FiscalRequestDraft,
  refund: { readonly amount_minor: number; readonly refunded_at_ms: number },
): FiscalRequestDraft {
  const payment_type = sale.payments[0]?.type;
  const first_item = sale.items[0];
  assert(payment_type !== undefined && first_item !== undefined, 'a sale document has an item and a payment');
  const whole = refund.amount_minor === sale.total_minor;
  return {
    operation: 'sell_refund',
    time_ms: refund.refunded_at_ms,
    client: sale.client,
    company: sale.company,
    items: whole ? sale.items : [{ ...first_item, price_minor: refund.amount_minor, quantity: 1, sum_minor: refund.amount_minor }],
    payments: whole ? sale.payments : [{ type: payment_type, sum_minor: refund.amount_minor }],
    total_minor: refund.amount_minor,
  };
}

/**
 * A correction of a registered sale (sell_correction, made on our own initiative): the sale's items
 * and payments as they should have been registered, made now, naming the corrected settlement's
 * date (tag 1178); the reason stays with our records.
 */
export function correctionRequestDraft(
  sale: FiscalRequestDraft,
  correction: { readonly reason: string; readonly corrected_at_ms: number },
): FiscalRequestDraft {
  return {
    operation: 'sell_correction',
    time_ms: correction.corrected_at_ms,
    client: sale.client,
    company: sale.company,
    items: sale.items,
    payments: sale.payments,
    total_minor: sale.total_minor,
    correction: { type: 'self', base_document: { date_ms: sale.time_ms }, reason: correction.reason },
  };
}
