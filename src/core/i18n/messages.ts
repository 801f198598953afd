import type { ErrorCode, ErrorParams } from '../errors.js';
import type { PartnerReason, PartnerReasonParams } from '../osmp.js';
import type { Language } from './languages.js';
import { messagesEn } from './messages-en.js';
import { messagesRu } from './messages-ru.js';
import { messagesZhHans } from './messages-zh-hans.js';
import { messagesZhHant } from './messages-zh-hant.js';
import type { ServiceStateMessages } from './service-state-messages.js';

/** Payment failure codes (ports/payment-provider.ts) plus the order-level reasons. */
type PaymentFailureCodeText =
  | 'insufficient_funds' | 'card_expired' | 'three_d_secure_failed' | 'fraud_suspected' | 'declined' | 'expired'
  | 'canceled_by_customer' | 'issuer_unavailable' | 'provider_error' | 'line_not_active' | 'unused_pack_refunded';

/**
 * Every text a person reads, in our four languages. A typed catalogue rather than a message-format
 * library: the compiler proves each language has every message with the right parameters, and the
 * USSD texts must be hand-fitted to 80-character screens anyway.
 *
 * This file holds the types and the look-up; the texts are in one file per language
 * (messages-en.ts, messages-ru.ts, messages-zh-hans.ts, messages-zh-hant.ts). To add a text: add its
 * key to Messages here, and the compiler lists each language file that still lacks it.
 */

/** What the #100# summary says of one kind (data, calls, SMS). */
export interface KindSummary {
  readonly amount: string;
  readonly until: string;
  /** How many live packs hold this kind: with more than one, `until` is only the first to end. */
  readonly packs: number;
}

/** Payment methods as a receipt names them (ports/payment-provider.ts PAYMENT_METHODS). */
type ReceiptMethodText =
  | 'card' | 'yoomoney' | 'paypal' | 'alipay' | 'wechat_pay' | 'sbp' | 'bank_transfer' | 'cash' | 'card_present' | 'wallet' | 'agent';

/** Receipts (every paid order) and bank-transfer invoices: labels of the HTML page and the PDF. */
export interface ReceiptMessages {
  readonly receipt_title: string;
  readonly number: string;
  readonly seller: string;
  readonly inn: string;
  readonly kpp: string;
  readonly address: string;
  readonly item: string;
  readonly quantity: string;
  readonly price: string;
  readonly total: string;
  readonly vat_included: (p: { rate_percent: number }) => string;
  readonly vat_none: string;
  readonly payment_method: string;
  readonly paid_at: string;
  readonly order: string;
  readonly phone_number: string;
  readonly issued_at: string;
  readonly scan_to_verify: string;
  readonly verified: string;
  readonly not_found: string;
  readonly download_pdf: string;
  readonly view_receipt: string;
  /** The order is paid but the receipt job has not run yet (seconds). */
  readonly being_prepared: string;
  readonly methods: Readonly<Record<ReceiptMethodText, string>>;
  /** The 54-FZ fiscal receipt of the register beside ours: its attributes, its QR code, or that it is being registered. */
  readonly fiscal: FiscalReceiptMessages;
  /** A company invoice's buyer (the desk's company invoice). */
  readonly buyer: string;
  readonly buyer_inn: string;
  readonly buyer_kpp: string;
  readonly invoice_title: string;
  readonly invoice_reference: string;
  readonly payee: string;
  readonly bank: string;
  readonly bic: string;
  readonly correspondent_account: string;
  readonly account: string;
  readonly amount_due: string;
  readonly purpose: string;
  readonly pay_by: string;
  readonly scan_to_pay: string;
  readonly invoice_note: string;
  readonly invoice_not_found: string;
  readonly view_invoice: string;
  /** On every receipt and invoice made in test mode (the sandbox): no money moved. */
  readonly test_notice: string;
  /** The e-mail that carries the receipt as a PDF to the payer (services/receipts/receipt-email.ts). */
  readonly email: {
    readonly subject: (p: { number: string }) => string;
    readonly paid: (p: { item: string; amount: string }) => string;
    readonly attached: (p: { number: string }) => string;
    /** Followed by the receipt's link on its own line. */
    readonly verify: string;
    /** Why this e-mail came, and that no one reads answers. */
    readonly footer: string;
  };
}

/** The fiscal register's documents on a receipt (services/fiscal): the attributes' names are the law's abbreviations. */
export interface FiscalReceiptMessages {
  readonly sale_heading: string;
  readonly refund_heading: string;
  readonly correction_heading: string;
  /** ФН: the fiscal drive's number. */
  readonly fn: string;
  /** ФД: the fiscal document's number. */
  readonly fd: string;
  /** ФП: the fiscal sign. */
  readonly fp: string;
  /** РН ККТ: the register's registration number. */
  readonly rn: string;
  readonly shift: string;
  /** The date and time the register printed (Moscow time for the cloud registers). */
  readonly time: string;
  readonly scan_to_check: string;
  readonly being_registered: string;
  /** A test register's document (the sandbox): never to pass for a fiscal receipt. */
  readonly test_document: string;
  /** The page of a wallet top-up's fiscal receipt (an advance: no receipt of ours behind it). */
  readonly top_up_title: string;
  /** The page of a payment an order did not use: registered when it came, refunded when returned. */
  readonly unused_payment_title: string;
  /** The item of an advance, in the reader's language (the document itself says it in Russian). */
  readonly advance_item: string;
  readonly amount: string;
  readonly not_found: string;
}

export const HTTP_FIELD_PROBLEMS = [
  'missing', 'wrong_type', 'too_small', 'too_big', 'invalid_format', 'invalid_value', 'unexpected', 'invalid', 'msisdn_or_line_id',
] as const;
export type HttpFieldProblem = (typeof HTTP_FIELD_PROBLEMS)[number];

export interface Messages {
  /** BCP 47 locale for Intl number and date formatting. */
  readonly locale: string;
  readonly currency_rub: string;
  readonly units: { mb: string; gb: string; minutes: string; sms: string; less_than_minute: string };
  readonly ussd: {
    balance: (p: { balance: string }) => string;
    /** #100#: what the live packs hold of one kind, and the nearest expiry among those packs. */
    data_left: (p: KindSummary) => string;
    voice_left: (p: KindSummary) => string;
    sms_left: (p: KindSummary) => string;
    no_packs: string;
    packs_header: (p: { count: number }) => string;
    pack_line: (p: { index: number; name: string; left: string; until: string }) => string;
    /** #101# lists a bounded number of packs; this line counts the others. */
    packs_not_listed: (p: { count: number }) => string;
    more: string;
    back: string;
    unknown_number: string;
    unknown_code: (p: { code: string }) => string;
    line_not_active: string;
    temporarily_unavailable: string;
    /** The gateway sent a request we cannot read (no phone number, no code). */
    invalid_request: string;
  };
  /**
   * The USSD menus (channels/ussd/menu-tree.ts): item labels, screen bodies and final replies.
   * Every text must leave a screen room for its items and the "99 More" / "0 Back" footer, so
   * keep them short; English stays within GSM-7 (one other character halves a screen).
   */
  readonly ussd_menu: {
    /** "2 Русский": an item is its key, then its label. */
    item: (p: { key: string; label: string }) => string;
    /** A wrong answer: shown above the screen again. */
    wrong_choice: string;
    /** The first screen of #102#; one line per pack follows. */
    renew_title: string;
    pack_item: (p: { name: string; price: string }) => string;
    no_packs_for_sale: string;
    language: string;
    language_title: string;
    /** After choosing a pack: what it gives for how long, and its price (the ways to pay follow). */
    pack_offer: (p: { amounts: string; validity: string; price: string }) => string;
    validity: (p: { hours: number }) => string;
    pay_from_balance: string;
    pay_by_link: string;
    confirm_question: (p: { name: string; price: string; balance: string }) => string;
    confirm: string;
    activated: (p: { name: string; until: string }) => string;
    balance_short: (p: { missing: string }) => string;
    link_sent: string;
    link_limit_reached: string;
    /** No gateway session id: a purchase cannot be made safely against retries. */
    no_session: string;
    pack_unavailable: string;
    /** The page behind an unknown or expired short link (/p/<token>). */
    link_expired: string;
  };
  /** Problem details of the HTTP API that are about the request itself, not the domain. */
  readonly http: {
    route_not_found: string;
    unauthorized: string;
    not_configured: string;
    /** An endpoint for one known caller (a gateway, the metrics scraper) asked from elsewhere. */
    address_not_allowed: string;
    /** A signed-in staff member whose role may not call this endpoint. */
    role_not_allowed: string;
    basic_credentials_required: string;
    request_rejected: (p: { status: number }) => string;
    /** Why a request field was rejected; phrased to follow the field name in ROAM_ERR_VALIDATION. */
    field_problems: Readonly<Record<HttpFieldProblem, string>>;
  };
  readonly field_problems: Record<string, string>;
  readonly errors: Record<ErrorCode, (p: ErrorParams) => string>;
  /** Renewal: order states and why a payment failed, as the customer reads them. */
  readonly renewal: {
    readonly order_states: Record<'created' | 'awaiting_payment' | 'paid' | 'active' | 'failed' | 'canceled' | 'expired' | 'refunded', string>;
    readonly payment_failures: Record<PaymentFailureCodeText, string>;
    readonly try_another_method: string;
  };
  readonly receipts: ReceiptMessages;
  /** What a payment agent's till is told (the OSMP `comment`, the partner API's `message`): one text per reason. */
  readonly partner: Readonly<Record<PartnerReason, (p: PartnerReasonParams) => string>>;
  /** "Why is my service off?": each state of a line's service and what to do (service-state-messages.ts). */
  readonly service_state: ServiceStateMessages;
}

export const MESSAGES: Readonly<Record<Language, Messages>> = { en: messagesEn, ru: messagesRu, 'zh-Hans': messagesZhHans, 'zh-Hant': messagesZhHant };

export function messagesFor(language: Language): Messages {
  return MESSAGES[language];
}
