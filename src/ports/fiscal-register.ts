/**
 * The FiscalRegister port: a cloud cash register (ККТ) that turns a payment or a refund into a
 * 54-FZ fiscal document and sends it to the tax service through a fiscal data operator
 * (protocols/fiscal-54fz.md). Every adapter implements it in its own folder under
 * src/adapters/fiscal/<name>/ — atol (ATOL Online API v5), sandbox (test mode only).
 *
 * One document per `external_id`, ever: the register keeps the first document under our id, and
 * `register` with an id it has seen answers with that document, never a second receipt. That is
 * why this port has no "indeterminate" outcome, unlike the PaymentProvider's: an answer lost on
 * the way (a timeout, a dropped connection) is simply asked for again with the same request.
 *
 * Outcomes, never guessed:
 *   registered  the register made the document: its fiscal attributes, to print and to put in the QR code
 *   pending     accepted, not made yet: ask `report(uuid)` later (a cloud register takes seconds)
 *   failed      retryable — nothing is known to be made, and the same request later may well
 *               succeed (the register or the network is down, a timeout, the register's own system error);
 *               final — the register refused this document (its data: a validation or a register
 *               driver error): sending it again as it is fails the same way, a person must look
 *
 * There is no report by external_id (ATOL has none): a document whose uuid was never heard — the
 * answer was lost — is found by calling `register` again with the same request.
 *
 * Neither method throws for what the register answers. They throw only for a programmer's error,
 * before anything is sent: a request that breaks the rules below (see assertFiscalRequest), or a
 * uuid that is not the register's form.
 */

export const FISCAL_OPERATIONS = [
  'sell',            // приход: a customer pays us
  'sell_refund',     // возврат прихода: we pay a customer back
  'sell_correction', // коррекция прихода: a sale that should have been registered and was not (or wrongly)
] as const;
export type FiscalOperation = (typeof FISCAL_OPERATIONS)[number];

/** Taxation system of the seller (СНО, tag 1055), as the cloud registers name them. */
export const TAXATION_SYSTEMS = ['osn', 'usn_income', 'usn_income_outcome', 'esn', 'patent'] as const;
export type TaxationSystem = (typeof TAXATION_SYSTEMS)[number];

/**
 * Payment method of an item (признак способа расчёта, tag 1214): 1 full_prepayment (the item is
 * known, paid in full before delivery), 2 prepayment (partly), 3 advance (paid before the item is
 * known), 4 full_payment (paid in full at delivery), 5 partial_payment, 6 credit, 7 credit_payment.
 */
export const FISCAL_PAYMENT_METHODS = [
  'full_prepayment', 'prepayment', 'advance', 'full_payment', 'partial_payment', 'credit', 'credit_payment',
] as const;
export type FiscalPaymentMethod = (typeof FISCAL_PAYMENT_METHODS)[number];

/** Methods paid before the service is delivered: VAT on them is at the calculated rate (22/122). */
export const ADVANCE_PAYMENT_METHODS: readonly FiscalPaymentMethod[] = ['full_prepayment', 'prepayment', 'advance'];

/**
 * Payment object of an item (признак предмета расчёта, tag 1212), FFD 1.2 numbers 1…33. The ones
 * roamcard uses are named; the rest are valid too (the register checks what it takes).
 */
export const PAYMENT_OBJECT = {
  commodity: 1,
  service: 4,
  /** "платёж": an advance, a deposit, a top-up whose use is not known yet. */
  payment: 10,
  agent_commission: 11,
  another: 13,
} as const;
export const PAYMENT_OBJECT_MIN = 1;
export const PAYMENT_OBJECT_MAX = 33;

/** Unit of quantity (tag 2108): 0 is "pieces or units", what services are counted in. */
export const MEASURE_PIECE = 0;
export const MEASURE_MAX = 255;

/**
 * VAT of an item (tag 1199). vat22 … the rates; vat122 … the calculated rates (22/122) of an advance
 * or a prepayment; none: the seller charges no VAT.
 */
export const VAT_TYPES = ['none', 'vat0', 'vat5', 'vat7', 'vat10', 'vat20', 'vat22', 'vat105', 'vat107', 'vat110', 'vat120', 'vat122'] as const;
export type VatType = (typeof VAT_TYPES)[number];

/** The rates with a calculated twin (vat22 → vat122); 0 has none. */
const VAT_RATES_PERCENT = [5, 7, 10, 20, 22] as const;

/**
 * The VAT type of an item priced with VAT at `rate_percent` (null: not a VAT payer) and paid by
 * `payment_method`: an advance or a prepayment takes the calculated rate (НК РФ ст. 164 п. 4),
 * a payment at delivery the rate itself. Undefined for a rate no register knows.
 */
export function vatTypeFor(rate_percent: number | null, payment_method: FiscalPaymentMethod): VatType | undefined {
  if (rate_percent === null) return 'none';
  if (rate_percent === 0) return 'vat0';
  if (!(VAT_RATES_PERCENT as readonly number[]).includes(rate_percent)) return undefined;
  // The calculated twin of rate r is "vat1" and r in two digits: 5 → vat105, 22 → vat122.
  return (ADVANCE_PAYMENT_METHODS.includes(payment_method) ? `vat1${String(rate_percent).padStart(2, '0')}` : `vat${rate_percent}`) as VatType;
}

/** How a document was paid: electronic (cards, SBP, wallets), cash, or an advance paid earlier (зачёт аванса). */
export const FISCAL_PAYMENT_TYPES = ['electronic', 'cash', 'prepaid'] as const;
export type FiscalPaymentType = (typeof FISCAL_PAYMENT_TYPES)[number];

/**
 * The seller's role when it sells someone else's service (tag 1222): `payment_agent` under 103-FZ,
 * `commission_agent` (a reseller selling an operator's packs in its own name), … The supplier is
 * then named on the item.
 */
export const AGENT_TYPES = [
  'bank_payment_agent', 'bank_payment_subagent', 'payment_agent', 'payment_subagent', 'attorney', 'commission_agent', 'another',
] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

export interface FiscalAgent {
  readonly type: AgentType;
  /** Whose service it is: tag 1224. */
  readonly supplier: { readonly name: string; readonly inn: string; readonly phones?: readonly string[] };
  /** A payment agent's own details (tags 1044, 1073). */
  readonly paying_agent?: { readonly operation: string; readonly phones: readonly string[] };
  /** The operator that receives the agent's payments (tag 1074). */
  readonly receive_payments_operator?: { readonly phones: readonly string[] };
}

export interface FiscalItem {
  /** As printed: at most ITEM_NAME_LENGTH_MAX characters. */
  readonly name: string;
  readonly price_minor: number;
  /** Positive, at most three decimal places (1 for a pack). */
  readonly quantity: number;
  /** price × quantity, rounded half up to the kopeck. */
  readonly sum_minor: number;
  readonly measure: number;
  readonly payment_method: FiscalPaymentMethod;
  readonly payment_object: number;
  readonly vat: VatType;
  readonly agent?: FiscalAgent;
}

export interface FiscalPayment {
  readonly type: FiscalPaymentType;
  readonly sum_minor: number;
}

/** The seller block of every document (tags 1018, 1055, 1117, 1187). */
export interface FiscalCompany {
  readonly inn: string;
  readonly sno: TaxationSystem;
  /** Where the register's copy is sent from; also the client's address when the customer left none. */
  readonly email: string;
  /** Place of settlement: the site's address for online sales, a store's address for a desk. */
  readonly payment_address: string;
}

/**
 * A correction (sell_correction): registers a sale that was not registered, or not rightly.
 * `self`: on our own initiative; `instruction`: by the tax office's order, whose number is then required.
 */
export interface FiscalCorrection {
  readonly type: 'self' | 'instruction';
  /** The corrected settlement's date (tag 1178) and, for an instruction, the order's number (tag 1179). */
  readonly base_document: { readonly date_ms: number; readonly number?: string };
  /** Why, in our words: kept with our records (FFD 1.2 has no tag for it). */
  readonly reason: string;
}

export interface FiscalRequest {
  /** Our receipt's id: the idempotency key of the register (one document per id, ever). */
  readonly external_id: string;
  readonly operation: FiscalOperation;
  /** When the settlement took place (our clock, UTC milliseconds). */
  readonly time_ms: number;
  /** Where the register sends the electronic receipt (tag 1008); an adapter falls back to the company's e-mail when empty. */
  readonly client: { readonly email?: string; readonly phone?: string };
  readonly company: FiscalCompany;
  readonly items: readonly FiscalItem[];
  readonly payments: readonly FiscalPayment[];
  readonly total_minor: number;
  /** Exactly for sell_correction. */
  readonly correction?: FiscalCorrection;
}

/** What the register printed: what the customer checks in the tax service's app, and the QR code (core/fiscal-qr.ts). */
export interface FiscalAttributes {
  /** ФН: the fiscal drive's number, 16 digits. */
  readonly fn_number: string;
  /** ФД: the document's number on that drive. */
  readonly fiscal_document_number: number;
  /** ФП(Д): the fiscal sign, up to 10 digits. */
  readonly fiscal_document_attribute: number;
  /** РН ККТ: the register's registration number at the tax service, 16 digits. */
  readonly ecr_registration_number: string;
  readonly shift_number: number;
  /** The receipt's number within its shift. */
  readonly fiscal_receipt_number: number;
  /** When the register made the document (its own clock, as an instant). */
  readonly receipt_datetime_ms: number;
  readonly total_minor: number;
  /** The fiscal data operator's page of this receipt, when it gives one. */
  readonly ofd_receipt_url?: string;
  /** The tax service's site printed on the receipt. */
  readonly fns_site?: string;
  readonly ofd_inn?: string;
}

/** Who said what went wrong. `transport`: no register answered (network, timeout, an HTTP status without a register's error). */
export const FISCAL_ERROR_TYPES = ['system', 'driver', 'agent', 'transport'] as const;
export type FiscalErrorType = (typeof FISCAL_ERROR_TYPES)[number];

/** The register's error in its own words (codes are the register's; ours for transport failures). */
export interface FiscalError {
  readonly code: string;
  readonly text: string;
  readonly type: FiscalErrorType;
}

export type FiscalFailureKind = 'retryable' | 'final';

export type FiscalResult =
  | {
    readonly status: 'registered';
    readonly uuid: string;
    readonly attributes: FiscalAttributes;
    /** A test register's document (the sandbox, a register's test host): not fiscal, and every page printing it says so. */
    readonly is_test: boolean;
  }
  | { readonly status: 'pending'; readonly uuid: string }
  | { readonly status: 'failed'; readonly kind: FiscalFailureKind; readonly error: FiscalError; readonly uuid?: string };

export interface FiscalRegister {
  /** Stored with each document, so a document is always asked about at the register that made it. */
  readonly name: string;
  /** Registers the document, or answers about the one already made under its external_id. */
  register(request: FiscalRequest): Promise<FiscalResult>;
  /** Where the document with this register uuid stands now. */
  report(uuid: string): Promise<FiscalResult>;
}

// ---------------------------------------------------------------------------------------------
// The rules of a request. Breaking one is a bug in the code that built it, not something a
// register should be asked about: assertFiscalRequest throws before anything is sent.

/** ATOL's limit and the FFD's for tag 1030. */
export const ITEM_NAME_LENGTH_MAX = 128;
/** Our receipt ids are far shorter; the registers take up to 128 characters. */
export const EXTERNAL_ID_LENGTH_MAX = 128;
export const ITEMS_MAX = 100;
/**
 * The largest amount a document may carry: 10^10 kopecks (100 million roubles) keeps every amount
 * within 12 significant digits, so its rouble value survives a double (JSON numbers) exactly.
 */
export const FISCAL_AMOUNT_MINOR_MAX = 10_000_000_000;
const QUANTITY_SCALE = 1000n;

/** Every broken rule, each naming its field; empty when the request is sound. */
export function fiscalRequestProblems(request: FiscalRequest): string[] {
  const problems: string[] = [];
  if (!/^[\x21-\x7e]+$/.test(request.external_id) || request.external_id.length > EXTERNAL_ID_LENGTH_MAX) {
    problems.push(`external_id: must be 1–${EXTERNAL_ID_LENGTH_MAX} visible ASCII characters`);
  }
  if (!FISCAL_OPERATIONS.includes(request.operation)) problems.push(`operation: "${request.operation}" is not one of ${FISCAL_OPERATIONS.join(', ')}`);
  if (!Number.isSafeInteger(request.time_ms) || request.time_ms <= 0) problems.push('time_ms: must be a positive whole number of milliseconds');
  if ((request.operation === 'sell_correction') !== (request.correction !== undefined)) problems.push('correction: must be given for sell_correction, and only for it');
  if (request.correction?.type === 'instruction' && !request.correction.base_document.number) problems.push('correction.base_document.number: an instruction correction names the tax office\'s order');
  if (request.items.length === 0 || request.items.length > ITEMS_MAX) problems.push(`items: must hold 1–${ITEMS_MAX} items`);
  if (request.payments.length === 0) problems.push('payments: must hold at least one payment');
  amountProblem(problems, 'total_minor', request.total_minor, 1);
  request.items.forEach((item, index) => itemProblems(problems, `items[${index}]`, item));
  request.payments.forEach((payment, index) => {
    if (!FISCAL_PAYMENT_TYPES.includes(payment.type)) problems.push(`payments[${index}].type: "${payment.type}" is not one of ${FISCAL_PAYMENT_TYPES.join(', ')}`);
    amountProblem(problems, `payments[${index}].sum_minor`, payment.sum_minor, 1);
  });
  if (problems.length > 0) return problems;
  const items_minor = request.items.reduce((sum, item) => sum + item.sum_minor, 0);
  if (items_minor !== request.total_minor) problems.push(`total_minor: ${request.total_minor} is not the items' sum ${items_minor}`);
  const payments_minor = request.payments.reduce((sum, payment) => sum + payment.sum_minor, 0);
  if (payments_minor !== request.total_minor) problems.push(`payments: they sum to ${payments_minor}, not total_minor ${request.total_minor}`);
  return problems;
}

/** Throws a RangeError naming every broken rule (a bug in the caller: nothing may be sent). */
export function assertFiscalRequest(request: FiscalRequest): void {
  const problems = fiscalRequestProblems(request);
  if (problems.length > 0) throw new RangeError(`fiscal request ${request.external_id}: ${problems.join('; ')}`);
}

function itemProblems(problems: string[], path: string, item: FiscalItem): void {
  if (item.name.trim().length === 0 || item.name.length > ITEM_NAME_LENGTH_MAX) problems.push(`${path}.name: must be 1–${ITEM_NAME_LENGTH_MAX} characters`);
  amountProblem(problems, `${path}.price_minor`, item.price_minor, 0);
  amountProblem(problems, `${path}.sum_minor`, item.sum_minor, 0);
  const thousandths = quantityThousandths(item.quantity);
  if (thousandths === undefined) problems.push(`${path}.quantity: must be positive with at most three decimal places`);
  else if (Number.isSafeInteger(item.price_minor) && item.sum_minor !== itemSumMinor(item.price_minor, thousandths)) {
    problems.push(`${path}.sum_minor: ${item.sum_minor} is not price × quantity (${itemSumMinor(item.price_minor, thousandths)})`);
  }
  if (!Number.isInteger(item.measure) || item.measure < 0 || item.measure > MEASURE_MAX) problems.push(`${path}.measure: must be a tag 2108 value 0–${MEASURE_MAX}`);
  if (!FISCAL_PAYMENT_METHODS.includes(item.payment_method)) problems.push(`${path}.payment_method: "${item.payment_method}" is not a tag 1214 method`);
  if (!Number.isInteger(item.payment_object) || item.payment_object < PAYMENT_OBJECT_MIN || item.payment_object > PAYMENT_OBJECT_MAX) {
    problems.push(`${path}.payment_object: must be a tag 1212 value ${PAYMENT_OBJECT_MIN}–${PAYMENT_OBJECT_MAX}`);
  }
  if (!VAT_TYPES.includes(item.vat)) problems.push(`${path}.vat: "${item.vat}" is not one of ${VAT_TYPES.join(', ')}`);
  if (item.agent !== undefined && !AGENT_TYPES.includes(item.agent.type)) problems.push(`${path}.agent.type: "${item.agent.type}" is not one of ${AGENT_TYPES.join(', ')}`);
}

function amountProblem(problems: string[], path: string, amount_minor: number, min_minor: number): void {
  if (!Number.isSafeInteger(amount_minor) || amount_minor < min_minor || amount_minor > FISCAL_AMOUNT_MINOR_MAX) {
    problems.push(`${path}: must be a whole number of kopecks ${min_minor}–${FISCAL_AMOUNT_MINOR_MAX}`);
  }
}

/** 1 → 1000, 0.5 → 500, 2.125 → 2125; undefined for zero, negatives and a fourth decimal place. */
export function quantityThousandths(quantity: number): bigint | undefined {
  if (!Number.isFinite(quantity) || quantity <= 0) return undefined;
  const match = /^(\d+)(?:\.(\d{1,3}))?$/.exec(String(quantity));
  if (!match) return undefined;
  return BigInt(match[1] ?? '0') * QUANTITY_SCALE + BigInt((match[2] ?? '').padEnd(3, '0'));
}

/** price × quantity in kopecks, half up, exactly (BigInt): what the register prints as the item's sum. */
export function itemSumMinor(price_minor: number, quantity_thousandths: bigint): number {
  return Number((BigInt(price_minor) * quantity_thousandths * 2n + QUANTITY_SCALE) / (2n * QUANTITY_SCALE));
}
