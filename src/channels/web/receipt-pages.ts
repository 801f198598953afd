import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import type { OrderView } from '../../services/renewal/orders.js';
import type { RenewalService } from '../../services/renewal/renewal-service.js';
import { invoicePdf, receiptPdf } from '../../services/receipts/pdf.js';
import {
  advanceDocument, invoiceDocument, receiptDocument, receiptVerifyPath,
  type AdvanceDocument, type DocumentField, type FiscalDocumentFacts, type FiscalSection,
  type InvoiceDocument, type ItemTable, type ReceiptDocument,
} from '../../services/receipts/receipt-document.js';
import type { Receipt, ReceiptService } from '../../services/receipts/receipt-service.js';
import type { AdvanceView } from '../../services/fiscal/fiscal-service.js';
import { requestLanguage } from '../http/problem-details.js';
import { inlineStylePagePolicy, PDF_CONTENT_SECURITY_POLICY } from '../http/security-headers.js';
import { escapeHtml } from '../../core/html-escape.js';

/**
 * Receipts and invoices for people, server-rendered and without JavaScript:
 * - /receipts/<number>?t=<token> (and …/<number>.pdf?t=…): the receipt, shown as verified. The
 *   token is the receipt's secret, carried by its QR code; a wrong or missing token is "not found",
 *   exactly like a wrong number, so numbers cannot be probed.
 * - /orders/<id>/receipt: from the order (whose id is already a capability) to its receipt.
 * - /orders/<id>/invoice (and invoice.pdf): the invoice of the order's open bank transfer.
 * - /fiscal/<id>?t=<token>: the fiscal receipts of money without a receipt of ours (a wallet
 *   top-up: the SMS that confirms it links here), in the line's language; "not found" alike for a
 *   wrong id or token.
 */
export interface ReceiptPagesOptions {
  readonly receipts: ReceiptService;
  readonly renewal: RenewalService;
  /** Absolute links for the QR codes (no trailing slash). */
  readonly public_base_url: string;
  readonly default_language: Language;
  /** The receipt's fiscal documents (services/fiscal), shown with it; none without it. */
  readonly fiscal?: {
    documentsOfReceipt(receipt_number: string): Promise<readonly FiscalDocumentFacts[]>;
    /** A document without a receipt (a top-up's), by its link's token. */
    advanceView(document_id: string, token: string): Promise<AdvanceView | undefined>;
  };
}

const RECEIPT_FILE_PATTERN = /^(.+?)(\.pdf)?$/;
/** While the receipt job runs (it follows activation within a second or so), the page polls. */
const PREPARING_REFRESH_S = 2;
/** While the register makes a top-up's document (seconds, or minutes when it is slow), its page polls. */
const REGISTERING_REFRESH_S = 10;

export const receiptPages: FastifyPluginAsync<ReceiptPagesOptions> = async (app, options) => {
  app.get<{ Params: { file: string }; Querystring: { t?: string } }>('/receipts/:file', { schema: { hide: true } }, async (request, reply) => {
    const [, number = '', pdf] = RECEIPT_FILE_PATTERN.exec(request.params.file) ?? [];
    const receipt = await options.receipts.verify(number, typeof request.query.t === 'string' ? request.query.t : '');
    if (!receipt) {
      const language = requestLanguage(request, options.default_language);
      return notFound(reply, language, messagesFor(language).receipts.not_found);
    }
    const fiscal = (await options.fiscal?.documentsOfReceipt(receipt.number)) ?? [];
    const language = normalizeLanguage(receipt.language) ?? options.default_language;
    const document = receiptDocument(receipt, language, options.public_base_url, fiscal);
    if (pdf) return sendPdf(reply, `${receipt.number}.pdf`, await receiptPdf(document));
    return page(reply, document.language, `${document.title} ${document.number.value}`, await receiptHtml(document, receipt));
  });

  app.get<{ Params: { id: string } }>('/orders/:id/receipt', { schema: { hide: true } }, async (request, reply) => {
    const receipt = await options.receipts.findByOrder(request.params.id);
    if (receipt) return reply.redirect(receiptVerifyPath(receipt), 303);
    const view = await options.renewal.findOrderView(request.params.id);
    const language = orderLanguage(view, request, options.default_language);
    if (!view || view.order.bundle_id === null) return notFound(reply, language, messagesFor(language).receipts.not_found);
    return page(reply, language, messagesFor(language).receipts.receipt_title, `<p>${escapeHtml(messagesFor(language).receipts.being_prepared)}</p>`, PREPARING_REFRESH_S);
  });

  app.get<{ Params: { id: string }; Querystring: { t?: string } }>('/fiscal/:id', { schema: { hide: true } }, async (request, reply) => {
    const view = await options.fiscal?.advanceView(request.params.id, typeof request.query.t === 'string' ? request.query.t : '');
    if (!view) {
      const language = requestLanguage(request, options.default_language);
      return notFound(reply, language, messagesFor(language).receipts.fiscal.not_found);
    }
    const document = advanceDocument(view, normalizeLanguage(view.line.language) ?? options.default_language);
    const registering = view.documents.some((fiscal) => fiscal.status === 'pending');
    return page(reply, document.language, document.title, await advanceHtml(document), registering ? REGISTERING_REFRESH_S : null);
  });

  for (const format of ['html', 'pdf'] as const) {
    app.get<{ Params: { id: string } }>(`/orders/:id/invoice${format === 'pdf' ? '.pdf' : ''}`, { schema: { hide: true } }, async (request, reply) => {
      const invoice = await options.receipts.invoice(request.params.id);
      if (!invoice) {
        const language = orderLanguage(await options.renewal.findOrderView(request.params.id), request, options.default_language);
        return notFound(reply, language, messagesFor(language).receipts.invoice_not_found);
      }
      const document = invoiceDocument(invoice);
      if (format === 'pdf') return sendPdf(reply, `${invoice.reference}.pdf`, await invoicePdf(document));
      return page(reply, document.language, `${document.title} ${document.reference.value}`, await invoiceHtml(document, request.params.id));
    });
  }
};

/**
 * For the order page: a link to the receipt once the order was activated, or to the invoice while
 * a bank transfer is awaited; nothing otherwise.
 */
export function orderDocumentLink(view: OrderView, language: Language): string {
  const text = messagesFor(language).receipts;
  const order_path = `/orders/${encodeURIComponent(view.order.id)}`;
  if (view.order.bundle_id !== null) return `<p><a href="${order_path}/receipt">${escapeHtml(text.view_receipt)}</a></p>`;
  const awaiting_transfer = view.payments.some((payment) => payment.method === 'bank_transfer' && (payment.status === 'pending' || payment.status === 'requires_action'));
  return awaiting_transfer ? `<p><a href="${order_path}/invoice">${escapeHtml(text.view_invoice)}</a></p>` : '';
}

function orderLanguage(view: OrderView | undefined, request: FastifyRequest, fallback: Language): Language {
  return normalizeLanguage(view?.order.language) ?? requestLanguage(request, fallback);
}

async function receiptHtml(document: ReceiptDocument, receipt: Receipt): Promise<string> {
  const text = messagesFor(document.language).receipts;
  return `${testNotice(document.test_notice)}<p class="verified" role="status">✓ ${escapeHtml(text.verified)}</p>
<header><div><h1>${escapeHtml(document.title)}</h1><p class="number">${escapeHtml(document.number.label)} ${escapeHtml(document.number.value)}</p></div>
<figure class="qr">${await qrSvg(document.verify_url)}<figcaption>${escapeHtml(document.verify_hint)}</figcaption></figure></header>
${fieldList(document.seller)}
${itemTable(document.items)}
${fieldList(document.totals, 'totals')}
${fieldList(document.payment)}
${(await Promise.all(document.fiscal.map(fiscalHtml))).join('\n')}
<p><a href="/receipts/${escapeHtml(receipt.number)}.pdf?t=${escapeHtml(receipt.verification_token)}">${escapeHtml(text.download_pdf)}</a></p>`;
}

async function advanceHtml(document: AdvanceDocument): Promise<string> {
  return `${testNotice(document.test_notice)}<header><div><h1>${escapeHtml(document.title)}</h1></div></header>
${fieldList(document.fields)}
${(await Promise.all(document.fiscal.map(fiscalHtml))).join('\n')}`;
}

async function invoiceHtml(document: InvoiceDocument, order_id: string): Promise<string> {
  const text = messagesFor(document.language).receipts;
  return `${testNotice(document.test_notice)}<header><div><h1>${escapeHtml(document.title)}</h1><p class="number">${escapeHtml(document.reference.label)} <strong>${escapeHtml(document.reference.value)}</strong></p></div>
<figure class="qr">${await qrSvg(document.payment_qr_text)}<figcaption>${escapeHtml(document.scan_hint)}</figcaption></figure></header>
${fieldList(document.payee)}
${document.buyer.length > 0 ? fieldList(document.buyer) : ''}
${itemTable(document.items)}
${fieldList(document.totals, 'totals')}
${fieldList([document.purpose, document.pay_by])}
<p class="note">${escapeHtml(document.note)}</p>
<p><a href="/orders/${encodeURIComponent(order_id)}/invoice.pdf">${escapeHtml(text.download_pdf)}</a></p>`;
}

/** A fiscal document: its attributes beside the tax service's QR code once registered, "being registered" before. */
async function fiscalHtml(section: FiscalSection): Promise<string> {
  const body = section.qr_text === null
    ? `<p class="pending" role="status">${escapeHtml(section.pending_note ?? '')}</p>`
    : `<div class="fiscal-body">${fieldList(section.fields)}<figure class="qr">${await qrSvg(section.qr_text)}<figcaption>${escapeHtml(section.qr_hint)}</figcaption></figure></div>`;
  return `<section class="fiscal"><h2>${escapeHtml(section.heading)}</h2>${testNotice(section.test_notice)}${body}</section>`;
}

function testNotice(notice: string | null): string {
  return notice === null ? '' : `<p class="test-notice" role="note"><strong>${escapeHtml(notice)}</strong></p>`;
}

function fieldList(fields: readonly DocumentField[], css_class = 'fields'): string {
  return `<dl class="${css_class}">${fields.map((field) => `<dt>${escapeHtml(field.label)}</dt><dd>${escapeHtml(field.value)}</dd>`).join('')}</dl>`;
}

function itemTable(table: ItemTable): string {
  const cells = (values: readonly string[], tag: 'th' | 'td') => values.map((value) => `<${tag}>${escapeHtml(value)}</${tag}>`).join('');
  return `<table><thead><tr>${cells(table.header, 'th')}</tr></thead><tbody><tr>${cells(table.row, 'td')}</tr></tbody></table>`;
}

/** Error correction M, as GOST R 56042 recommends for the payment code (and fine for a link). */
function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}


function sendPdf(reply: FastifyReply, filename: string, pdf: Buffer): FastifyReply {
  return privateHeaders(reply).type('application/pdf').header('content-security-policy', PDF_CONTENT_SECURITY_POLICY).header('content-disposition', `inline; filename="${filename}"`).send(pdf);
}

function notFound(reply: FastifyReply, language: Language, message: string): FastifyReply {
  return page(reply.code(404), language, '404', `<p class="error" role="alert">${escapeHtml(message)}</p>`);
}

/** A receipt's link is its key: it must not leak to other sites (Referer), into caches or search engines. */
function privateHeaders(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('x-robots-tag', 'noindex').header('x-content-type-options', 'nosniff');
}

const PAGE_STYLE = `body{font:16px/1.4 system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}
header{display:flex;justify-content:space-between;gap:1rem;align-items:flex-start}h1{margin:.2rem 0}.number{margin:0}
.qr{margin:0;width:9rem;font-size:.75rem;color:#666}.qr svg{width:9rem;height:9rem}
dl{display:grid;grid-template-columns:11rem 1fr;gap:.2rem 1rem;margin:1rem 0}dt{color:#666}dd{margin:0;overflow-wrap:anywhere}
.totals{grid-template-columns:1fr auto;text-align:right}.totals dt:first-of-type,.totals dd:first-of-type{font-weight:bold;color:#1a1a1a}
table{width:100%;border-collapse:collapse}th{background:#eee;text-align:right;padding:.3rem}td{text-align:right;padding:.3rem;border-bottom:1px solid #bbb}
th:first-child,td:first-child{text-align:left}.verified{background:#e8f5e9;padding:.5rem;border-radius:.25rem}.error{color:#a00}.note{color:#666}
.test-notice{background:#fff3cd;border:2px solid #b45309;padding:.5rem;border-radius:.25rem}
.fiscal{border-top:1px solid #bbb;margin-top:1rem}h2{font-size:1.1rem}.fiscal-body{display:flex;justify-content:space-between;gap:1rem}
.fiscal-body dl{grid-template-columns:9rem 1fr;flex:1}.pending{color:#666}
@media (max-width:30rem){.fiscal-body{flex-direction:column}}
@media print{a{display:none}.verified{background:none}}`;
const PAGE_CONTENT_SECURITY_POLICY = inlineStylePagePolicy(PAGE_STYLE);

function page(reply: FastifyReply, language: Language, title: string, body: string, refresh_s: number | null = null): FastifyReply {
  return privateHeaders(reply).type('text/html; charset=utf-8').header('content-security-policy', PAGE_CONTENT_SECURITY_POLICY).send(`<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${refresh_s === null ? '' : `<meta http-equiv="refresh" content="${refresh_s}">`}<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head><body>${body}</body></html>`);
}
