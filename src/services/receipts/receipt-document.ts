import { FISCAL_REGISTER_TIME_ZONE } from '../../core/fiscal-qr.js';
import { formatMoney } from '../../core/i18n/format.js';
import type { Language } from '../../core/i18n/languages.js';
import { messagesFor, type ReceiptMessages } from '../../core/i18n/messages.js';
import { isCurrency } from '../../core/money.js';
import { maskMsisdn } from '../../core/phone.js';
import type { FiscalDocumentsTable } from '../../db/schema.js';
import type { Invoice } from './invoice.js';
import type { Receipt } from './receipt-service.js';

/**
 * What a receipt or an invoice says, in its language, as labelled fields: the HTML page and the
 * PDF both draw from this one model, so they can never disagree about a figure or a label.
 */

export interface DocumentField {
  readonly label: string;
  readonly value: string;
}

export interface ItemTable {
  readonly header: readonly [string, string, string, string];
  readonly row: readonly [string, string, string, string];
}

/** What receipts and invoices have alike: a titled document in one language, one item, its totals. */
interface MoneyDocument {
  readonly language: Language;
  readonly title: string;
  readonly items: ItemTable;
  readonly totals: readonly DocumentField[];
  /** Made in test mode: said first on the page and in bold on the PDF. */
  readonly test_notice: string | null;
}

export interface ReceiptDocument extends MoneyDocument {
  readonly number: DocumentField;
  readonly seller: readonly DocumentField[];
  readonly payment: readonly DocumentField[];
  /** The link in the QR code: the receipt's verification page. */
  readonly verify_url: string;
  readonly verify_hint: string;
  /** The fiscal register's documents of this receipt (54-FZ): its sale, then any refund or correction. */
  readonly fiscal: readonly FiscalSection[];
}

/** What a receipt shows of a fiscal document (services/fiscal): only what the customer or the tax service reads. */
export type FiscalDocumentFacts = Pick<FiscalDocumentsTable, 'operation' | 'status' | 'fn_number' | 'fiscal_document_number'
| 'fiscal_document_attribute' | 'ecr_registration_number' | 'shift_number' | 'receipt_datetime_ms' | 'is_test' | 'qr_text'>;

/** One fiscal document on the receipt: its attributes and the tax service's QR code once registered, "being registered" before. */
export interface FiscalSection {
  readonly heading: string;
  /** ФН, ФД, ФП, РН ККТ, shift, time; empty until registered. */
  readonly fields: readonly DocumentField[];
  /** The 54-FZ QR text (t=…&s=…&fn=…&i=…&fp=…&n=…); null until registered. */
  readonly qr_text: string | null;
  readonly qr_hint: string;
  /** "Being registered" until the register has made it (a refused one too: the seller corrects it); null once registered. */
  readonly pending_note: string | null;
  /** A test register's document: "TEST DOCUMENT — not a fiscal receipt". */
  readonly test_notice: string | null;
}

export interface InvoiceDocument extends MoneyDocument {
  readonly reference: DocumentField;
  readonly payee: readonly DocumentField[];
  /** The company buying (a desk's company invoice): its name, INN and KPP; empty for a person. */
  readonly buyer: readonly DocumentField[];
  readonly purpose: DocumentField;
  readonly pay_by: DocumentField;
  readonly note: string;
  /** The GOST R 56042 text the QR code carries (a bank app fills the transfer from it). */
  readonly payment_qr_text: string;
  readonly scan_hint: string;
}

export function receiptVerifyPath(receipt: Pick<Receipt, 'number' | 'verification_token'>): string {
  return `/receipts/${receipt.number}?t=${receipt.verification_token}`;
}

/**
 * A receipt in the customer's language with Russian beside every label: the document is shown to
 * Russian staff, tax officers and banks as well as to the traveller (values — money, dates — stay
 * in the customer's notation). A Russian receipt is Russian alone.
 */
export function receiptDocument(
  receipt: Receipt,
  language: Language,
  public_base_url: string,
  fiscal: readonly FiscalDocumentFacts[] = [],
): ReceiptDocument {
  const document = receiptDocumentIn(receipt, language, public_base_url, fiscal);
  return language === 'ru' ? document : withRussianLabels(document, receiptDocumentIn(receipt, 'ru', public_base_url, fiscal));
}

/** A label in the reader's language with the Russian beside it (once, when they are the same). */
function both(text: string, russian_text: string): string {
  return text === russian_text ? text : `${text} / ${russian_text}`;
}

function bothOrOwn(text: string | null, russian_text: string | null): string | null {
  return text === null || russian_text === null ? text : both(text, russian_text);
}

function fields(own: readonly DocumentField[], other: readonly DocumentField[]): DocumentField[] {
  return own.map((field, index) => ({ ...field, label: both(field.label, other[index]?.label ?? field.label) }));
}

function fiscalWithRussian(own: readonly FiscalSection[], russian: readonly FiscalSection[]): FiscalSection[] {
  return own.map((section, index) => {
    const other = russian[index] ?? section;
    return {
      ...section,
      heading: both(section.heading, other.heading),
      fields: fields(section.fields, other.fields),
      qr_hint: both(section.qr_hint, other.qr_hint),
      pending_note: bothOrOwn(section.pending_note, other.pending_note),
      test_notice: bothOrOwn(section.test_notice, other.test_notice),
    };
  });
}

function withRussianLabels(document: ReceiptDocument, russian: ReceiptDocument): ReceiptDocument {
  const [h0, h1, h2, h3] = document.items.header;
  const [r0, r1, r2, r3] = russian.items.header;
  return {
    ...document,
    title: both(document.title, russian.title),
    number: { ...document.number, label: both(document.number.label, russian.number.label) },
    seller: fields(document.seller, russian.seller),
    items: { ...document.items, header: [both(h0, r0), both(h1, r1), both(h2, r2), both(h3, r3)] },
    totals: fields(document.totals, russian.totals),
    payment: fields(document.payment, russian.payment),
    verify_hint: both(document.verify_hint, russian.verify_hint),
    test_notice: bothOrOwn(document.test_notice, russian.test_notice),
    fiscal: fiscalWithRussian(document.fiscal, russian.fiscal),
  };
}

function receiptDocumentIn(
  receipt: Receipt,
  language: Language,
  public_base_url: string,
  fiscal: readonly FiscalDocumentFacts[],
): ReceiptDocument {
  const text = messagesFor(language).receipts;
  const money = (amount_minor: number) => formatMoney(amount_minor, language, isCurrency(receipt.currency) ? receipt.currency : 'RUB');
  const method = (text.methods as Record<string, string>)[receipt.payment_method] ?? receipt.payment_method;
  return {
    language,
    title: text.receipt_title,
    number: { label: text.number, value: receipt.number },
    seller: sellerFields(text, receipt.seller_name, receipt.seller_inn, receipt.seller_kpp, receipt.seller_address),
    items: itemTable(text, receipt.item_name, money(receipt.amount_minor)),
    totals: totalFields(text, money(receipt.amount_minor), receipt.vat_rate_percent, money(receipt.vat_minor)),
    payment: [
      { label: text.payment_method, value: receipt.payment_details ? `${method} ${receipt.payment_details}` : method },
      { label: text.paid_at, value: formatDocumentTime(receipt.paid_at_ms, language, receipt.time_zone) },
      { label: text.phone_number, value: receipt.line_msisdn_masked },
      { label: text.order, value: receipt.order_id },
      { label: text.issued_at, value: formatDocumentTime(receipt.issued_at_ms, language, receipt.time_zone) },
    ],
    verify_url: `${public_base_url}${receiptVerifyPath(receipt)}`,
    verify_hint: text.scan_to_verify,
    test_notice: receipt.test_mode === 1 ? text.test_notice : null,
    fiscal: fiscal.map((document) => fiscalSection(document, language)),
  };
}

/** The facts of a document without a receipt (FiscalService.advanceView), as its page needs them. */
export interface AdvanceFacts {
  readonly subject: 'payment' | 'top_up';
  readonly documents: readonly FiscalDocumentFacts[];
  readonly amount_minor: number;
  readonly paid_at_ms: number;
  readonly seller: { readonly name: string; readonly inn: string };
  readonly line: { readonly msisdn: string; readonly time_zone: string };
}

/** The page of a wallet top-up's (or an unused payment's) fiscal receipts: no receipt of ours stands behind it. */
export interface AdvanceDocument {
  readonly language: Language;
  readonly title: string;
  readonly test_notice: string | null;
  readonly fields: readonly DocumentField[];
  readonly fiscal: readonly FiscalSection[];
}

/** In the line's language with Russian beside every label, as a receipt is. */
export function advanceDocument(facts: AdvanceFacts, language: Language): AdvanceDocument {
  const document = advanceDocumentIn(facts, language);
  if (language === 'ru') return document;
  const russian = advanceDocumentIn(facts, 'ru');
  return {
    ...document,
    title: both(document.title, russian.title),
    test_notice: bothOrOwn(document.test_notice, russian.test_notice),
    fields: fields(document.fields, russian.fields),
    fiscal: fiscalWithRussian(document.fiscal, russian.fiscal),
  };
}

function advanceDocumentIn(facts: AdvanceFacts, language: Language): AdvanceDocument {
  const text = messagesFor(language).receipts;
  const fiscal = text.fiscal;
  // The document says it in Russian; a reader of another language gets both.
  const item = language === 'ru' ? fiscal.advance_item : `${fiscal.advance_item} (${messagesFor('ru').receipts.fiscal.advance_item})`;
  return {
    language,
    title: facts.subject === 'top_up' ? fiscal.top_up_title : fiscal.unused_payment_title,
    test_notice: facts.documents.some((document) => document.is_test === 1) ? fiscal.test_document : null,
    fields: [
      { label: text.seller, value: facts.seller.name },
      { label: text.inn, value: facts.seller.inn },
      { label: text.phone_number, value: maskMsisdn(facts.line.msisdn) },
      { label: text.item, value: item },
      { label: fiscal.amount, value: formatMoney(facts.amount_minor, language, 'RUB') },
      { label: text.paid_at, value: formatDocumentTime(facts.paid_at_ms, language, facts.line.time_zone) },
    ],
    fiscal: facts.documents.map((document) => fiscalSection(document, language)),
  };
}

const FISCAL_HEADINGS = { sell: 'sale_heading', sell_refund: 'refund_heading', sell_correction: 'correction_heading' } as const;

function fiscalSection(document: FiscalDocumentFacts, language: Language): FiscalSection {
  const text = messagesFor(language).receipts.fiscal;
  const test_notice = document.is_test === 1 ? text.test_document : null;
  const heading = text[FISCAL_HEADINGS[document.operation]];
  if (document.status !== 'registered' || document.qr_text === null) {
    return { heading, fields: [], qr_text: null, qr_hint: text.scan_to_check, pending_note: text.being_registered, test_notice };
  }
  const number = (value: number | null) => (value === null ? '—' : String(value));
  return {
    heading,
    fields: [
      { label: text.fn, value: document.fn_number ?? '—' },
      { label: text.fd, value: number(document.fiscal_document_number) },
      { label: text.fp, value: number(document.fiscal_document_attribute) },
      { label: text.rn, value: document.ecr_registration_number ?? '—' },
      { label: text.shift, value: number(document.shift_number) },
      // The register's own clock (Moscow for the cloud registers): what the QR code's t says and the tax service checks.
      {
        label: text.time,
        value: document.receipt_datetime_ms === null ? '—' : formatDocumentTime(document.receipt_datetime_ms, language, FISCAL_REGISTER_TIME_ZONE, true),
      },
    ],
    qr_text: document.qr_text, qr_hint: text.scan_to_check, pending_note: null, test_notice,
  };
}

export function invoiceDocument(invoice: Invoice): InvoiceDocument {
  const { language, seller } = invoice;
  const text = messagesFor(language).receipts;
  const money = (amount_minor: number) => formatMoney(amount_minor, language, isCurrency(invoice.currency) ? invoice.currency : 'RUB');
  return {
    language,
    title: text.invoice_title,
    reference: { label: text.invoice_reference, value: invoice.reference },
    payee: [
      ...sellerFields(text, seller.name, seller.inn, seller.kpp, seller.address)
        .map((field, index) => (index === 0 ? { ...field, label: text.payee } : field)),
      { label: text.bank, value: seller.bank.name },
      { label: text.bic, value: seller.bank.bic },
      { label: text.correspondent_account, value: seller.bank.correspondent_account },
      { label: text.account, value: seller.bank.account },
    ],
    buyer: invoice.buyer === null ? [] : [
      { label: text.buyer, value: invoice.buyer.name },
      { label: text.buyer_inn, value: invoice.buyer.inn },
      ...(invoice.buyer.kpp === null ? [] : [{ label: text.buyer_kpp, value: invoice.buyer.kpp }]),
    ],
    items: itemTable(text, invoice.item_name, money(invoice.amount_minor)),
    totals: [
      { label: text.amount_due, value: money(invoice.amount_minor) },
      vatField(text, invoice.vat_rate_percent, money(invoice.vat_minor)),
    ],
    purpose: { label: text.purpose, value: invoice.purpose },
    pay_by: { label: text.pay_by, value: formatDocumentTime(invoice.pay_by_ms, language, invoice.time_zone) },
    note: text.invoice_note,
    payment_qr_text: invoice.payment_qr_text,
    scan_hint: text.scan_to_pay,
    test_notice: invoice.test_mode ? text.test_notice : null,
  };
}

function sellerFields(text: ReceiptMessages, name: string, inn: string, kpp: string | null, address: string): DocumentField[] {
  return [
    { label: text.seller, value: name },
    { label: text.inn, value: inn },
    ...(kpp ? [{ label: text.kpp, value: kpp }] : []),
    { label: text.address, value: address },
  ];
}

function itemTable(text: ReceiptMessages, item_name: string, price: string): ItemTable {
  return { header: [text.item, text.quantity, text.price, text.total], row: [item_name, '1', price, price] };
}

function totalFields(text: ReceiptMessages, total: string, vat_rate_percent: number | null, vat: string): DocumentField[] {
  return [{ label: text.total, value: total }, vatField(text, vat_rate_percent, vat)];
}

function vatField(text: ReceiptMessages, vat_rate_percent: number | null, vat: string): DocumentField {
  return vat_rate_percent === null ? { label: text.vat_none, value: '—' } : { label: text.vat_included({ rate_percent: vat_rate_percent }), value: vat };
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Full date and time in `time_zone`, with the zone named: "26.11.2025 12:00 (GMT+3, Europe/Moscow)";
 * `offset_only` leaves the zone's name out ("26.11.2025 12:00 (GMT+3)") where the zone is known.
 */
export function formatDocumentTime(at_ms: number, language: Language, time_zone: string, offset_only = false): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: time_zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset',
  }).formatToParts(new Date(at_ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const [year, month, day, time] = [part('year'), part('month'), part('day'), `${part('hour')}:${part('minute')}`];
  const offset = offset_only ? part('timeZoneName') : `${part('timeZoneName')}, ${time_zone}`;
  switch (language) {
    case 'ru': return `${day}.${month}.${year} ${time} (${offset})`;
    case 'en': return `${Number(day)} ${MONTHS_EN[Number(month) - 1]} ${year} ${time} (${offset})`;
    case 'zh-Hans':
    case 'zh-Hant': return `${year}年${Number(month)}月${Number(day)}日 ${time}（${offset.replace(', ', '，')}）`;
  }
}
