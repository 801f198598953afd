import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { formatShortDateTime } from '../../../core/i18n/format.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { maskIccid } from '../../../core/iccid.js';
import { receiptVerifyPath } from '../../../services/receipts/receipt-document.js';
import type { DeskLineLookup, DeskLineQuery } from '../../../services/desk/lookups.js';
import type { DeskSale } from '../../../services/desk/desk-sales.js';
import type { IssuedInvoice } from '../../../services/desk/desk-service.js';
import { serviceStateSentences } from '../../../services/lines/service-state.js';
import type { PricedPackage } from '../../../services/catalog/catalog.js';
import { html, type SafeHtml } from '../site/html.js';
import {
  caller, checkCsrf, domainError, errorSummary, field, formField, formKey, isRoamError, money, notFound, parseRubles,
  staffHeader, type DeskDependencies, type FieldError,
} from './desk-common.js';
import { sendDeskPage } from './desk-layout.js';
import type { DeskStaff } from './desk-session.js';
import { sendDeskHome } from './desk-staff-pages.js';
import { deskText, type DeskLanguage } from './desk-text.js';

/**
 *   POST /desk/lookup                     a number or an ICCID (a scanner types it, then Enter) → 303 to the line
 *   GET  /desk/lines/:line_id             the line: its state and why, packs, recent orders; the sale and invoice forms
 *   POST /desk/lines/:line_id/sale        cash (tender, change, document checked) or card on the terminal → the result
 *   POST /desk/lines/:line_id/invoice     a company invoice (name, INN, KPP) → its links
 *   GET  /desk/orders/:id/receipt.pdf     the receipt's PDF (its print view is /orders/:id/receipt)
 * Numbers and ICCIDs travel in form bodies, never in addresses: the line's page is named by its id.
 */

/** An ICCID is 18 to 22 digits starting 89 (E.118); anything else typed in the box is a phone number. */
const ICCID_INPUT_PATTERN = /^89\d{16,20}$/;
const LOOKUP_LENGTH_MAX = 32;
const IDEMPOTENCY_KEY_LENGTH_MAX = 64;

interface SaleForm {
  readonly package_code: string;
  readonly method: string;
  readonly tendered: string;
  readonly terminal_reference: string;
  readonly card_last4: string;
  readonly document_checked: boolean;
}

interface InvoiceForm {
  readonly package_code: string;
  readonly buyer_name: string;
  readonly buyer_inn: string;
  readonly buyer_kpp: string;
}

const EMPTY_SALE: SaleForm = { package_code: '', method: 'cash', tendered: '', terminal_reference: '', card_last4: '', document_checked: false };
const EMPTY_INVOICE: InvoiceForm = { package_code: '', buyer_name: '', buyer_inn: '', buyer_kpp: '' };

export const deskLinePages: FastifyPluginAsync<DeskDependencies> = async (app, deps) => {
  const { sessions, stylesheet, context } = deps;

  app.post<{ Body: unknown }>('/desk/lookup', async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    const language = sessions.language(request);
    const typed = formField(request.body, 'lookup').slice(0, LOOKUP_LENGTH_MAX);
    if (typed === '') return sendDeskHome(deps, request, reply, staff, { errors: [{ field: 'lookup', message: deskText(language).field_empty }], status: 400 });
    try {
      const found = await context.desk.lookup(staff.actor, lookupQuery(typed));
      return reply.header('cache-control', 'no-store').redirect(linePath(found.overview.line.id), 303);
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return sendDeskHome(deps, request, reply, staff, { errors: [domainError(error, language, 'lookup')], status: error.status, lookup: typed });
    }
  });

  app.get<{ Params: { line_id: string } }>('/desk/lines/:line_id', async (request, reply) => {
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    return sendLine(request, reply, staff, { sale: EMPTY_SALE, invoice: EMPTY_INVOICE, errors: [], status: 200 });
  });

  app.post<{ Params: { line_id: string }; Body: unknown }>('/desk/lines/:line_id/sale', async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    const language = sessions.language(request);
    const text = deskText(language);
    const form = saleForm(request.body);
    const tendered_minor = form.method === 'cash' ? parseRubles(form.tendered) : undefined;
    if (form.method === 'cash' && tendered_minor === undefined) {
      return sendLine(request, reply, staff, { sale: form, invoice: EMPTY_INVOICE, errors: [{ field: 'tendered', message: text.amount_invalid }], status: 400 });
    }
    if (form.method === 'cash' && !form.document_checked) {
      return sendLine(request, reply, staff, { sale: form, invoice: EMPTY_INVOICE, errors: [{ field: 'document_checked', message: text.document_checked_missing }], status: 422 });
    }
    let sale: DeskSale;
    try {
      sale = await context.desk.sell(caller(request, staff), {
        line: { line_id: request.params.line_id }, package_code: form.package_code,
        method: form.method === 'card_present' ? 'card_present' : 'cash', tendered_minor,
        terminal_reference: form.method === 'card_present' ? form.terminal_reference : undefined,
        card_last4: form.method === 'card_present' && form.card_last4 !== '' ? form.card_last4 : undefined,
        document_checked: form.document_checked,
      }, formField(request.body, 'key').slice(0, IDEMPOTENCY_KEY_LENGTH_MAX) || formKey());
    } catch (error) {
      if (!isRoamError(error)) throw error;
      const fallback = form.method === 'cash' ? 'tendered' : 'terminal_reference';
      const errors = [saleError(domainError(error, language, fallback))];
      return sendLine(request, reply, staff, { sale: form, invoice: EMPTY_INVOICE, errors, status: error.status });
    }
    return sendSaleResult(request, reply, staff, sale);
  });

  app.post<{ Params: { line_id: string }; Body: unknown }>('/desk/lines/:line_id/invoice', async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    const language = sessions.language(request);
    const form = invoiceForm(request.body);
    let issued: IssuedInvoice;
    try {
      issued = await context.desk.issueCompanyInvoice(caller(request, staff), {
        line: { line_id: request.params.line_id }, package_code: form.package_code,
        buyer: { name: form.buyer_name, inn: form.buyer_inn, kpp: form.buyer_kpp === '' ? undefined : form.buyer_kpp },
      }, formField(request.body, 'key').slice(0, IDEMPOTENCY_KEY_LENGTH_MAX) || formKey());
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return sendLine(request, reply, staff, { sale: EMPTY_SALE, invoice: form, errors: [invoiceError(domainError(error, language, 'buyer_inn'))], status: error.status });
    }
    const text = deskText(language);
    const body = html`<h1>${text.invoice_done_title}</h1>
<section class="panel done" role="status"><dl class="facts">
<dt>${text.paid}</dt><dd>${money(issued.amount_minor, language)}</dd>
${issued.reference ? html`<dt>${text.invoice_reference}</dt><dd id="invoice-reference">${issued.reference}</dd>` : ''}
</dl></section>
<ul class="links"><li><a href="${issued.invoice_url}" target="_blank">${text.invoice_open}</a></li><li><a href="${issued.invoice_pdf_url}" target="_blank">${text.invoice_pdf}</a></li>
<li><a href="${linePath(request.params.line_id)}">${text.back_to_line}</a></li><li><a href="/desk">${text.home_link}</a></li></ul>`;
    const header = staffHeader(deps, request, reply, staff, language);
    return sendDeskPage(reply, stylesheet, { language, title: text.invoice_done_title, body, header });
  });

  app.get<{ Params: { id: string } }>('/desk/orders/:id/receipt.pdf', async (request, reply) => {
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    const receipt = await deps.receipts.findByOrder(request.params.id);
    // Not issued yet (the receipt job follows the sale within a second): the print view waits for it.
    if (!receipt) return reply.header('cache-control', 'no-store').redirect(`/orders/${encodeURIComponent(request.params.id)}/receipt`, 303);
    const path = receiptVerifyPath(receipt).replace('?', '.pdf?');
    return reply.header('cache-control', 'no-store').redirect(path, 303);
  });

  interface LineState {
    readonly sale: SaleForm;
    readonly invoice: InvoiceForm;
    readonly errors: readonly FieldError[];
    readonly status: number;
  }

  async function sendLine(
    request: FastifyRequest<{ Params: { line_id: string } }>, reply: FastifyReply, staff: DeskStaff, state: LineState,
  ): Promise<FastifyReply> {
    const language = sessions.language(request);
    const text = deskText(language);
    let found: DeskLineLookup;
    try {
      const overview = await context.services.lineOverview({ line_id: request.params.line_id });
      found = await context.desk.lookup(staff.actor, { msisdn: overview.line.msisdn });
    } catch (error) {
      if (!isRoamError(error) || error.status !== 404) throw error;
      return notFound(deps, reply, language, domainError(error, language, 'line').message);
    }
    const packs = await context.services.listPackages({ channel: 'desk' });
    const csrf = sessions.csrfField(request, reply);
    const body = html`<h1>${text.line_title} ${found.overview.line.msisdn}</h1>
${errorSummary(state.errors)}
${lineFacts(language, found)}
<div class="columns">
${saleSection(language, csrf, request.params.line_id, packs, state)}
${invoiceSection(language, csrf, request.params.line_id, packs, state)}
</div>
${ordersSection(language, found)}
<p><a href="/desk">${text.home_link}</a></p>`;
    return sendDeskPage(reply, stylesheet, {
      language, title: `${text.line_title} ${found.overview.line.msisdn}`, body, status: state.status,
      header: staffHeader(deps, request, reply, staff, language),
    });
  }

  async function sendSaleResult(
    request: FastifyRequest<{ Params: { line_id: string } }>, reply: FastifyReply, staff: DeskStaff, sale: DeskSale,
  ): Promise<FastifyReply> {
    const language = sessions.language(request);
    const text = deskText(language);
    const order = await context.renewal.findOrderView(sale.order_id);
    const code = order?.order.package_code ?? '';
    const pack_name = (await context.services.listPackages({ channel: 'desk' })).find((pack) => pack.code === code)?.names[language] ?? code;
    const states = messagesFor(language).renewal.order_states as Readonly<Record<string, string>>;
    const receipt = `/orders/${encodeURIComponent(sale.order_id)}/receipt`;
    const body = html`<h1>${text.sale_done_title}</h1>
<section class="panel done" role="status">
<p class="big" id="sale-state">${text.sale_pack_active(pack_name)}</p>
<dl class="facts">
<dt>${text.paid}</dt><dd>${money(sale.amount_minor, language)}</dd>
<dt>${text.method_legend}</dt><dd>${sale.method === 'cash' ? text.method_cash : text.method_card}</dd>
${sale.tendered_minor === null ? '' : html`<dt>${text.tendered}</dt><dd>${money(sale.tendered_minor, language)}</dd>
<dt>${text.change}</dt><dd class="big" id="change">${money(sale.change_minor, language)}</dd>`}
<dt>${text.state_label}</dt><dd>${states[sale.state] ?? sale.state}</dd>
</dl></section>
<ul class="links"><li><a href="${receipt}" target="_blank">${text.receipt_print}</a></li>
<li><a href="/desk/orders/${encodeURIComponent(sale.order_id)}/receipt.pdf" target="_blank">${text.receipt_pdf}</a></li>
<li><a href="${linePath(request.params.line_id)}" autofocus>${text.back_to_line}</a></li><li><a href="/desk">${text.home_link}</a></li></ul>`;
    const header = staffHeader(deps, request, reply, staff, language);
    return sendDeskPage(reply, stylesheet, { language, title: text.sale_done_title, body, header });
  }
};

function lookupQuery(typed: string): DeskLineQuery {
  const compact = typed.replace(/[\s-]+/g, '');
  return ICCID_INPUT_PATTERN.test(compact) ? { iccid: compact } : { msisdn: typed };
}

function linePath(line_id: string): string {
  return `/desk/lines/${encodeURIComponent(line_id)}`;
}

function saleForm(body: unknown): SaleForm {
  return {
    package_code: formField(body, 'package_code'), method: formField(body, 'method') === 'card_present' ? 'card_present' : 'cash',
    tendered: formField(body, 'tendered'), terminal_reference: formField(body, 'terminal_reference'), card_last4: formField(body, 'card_last4'),
    document_checked: formField(body, 'document_checked') === 'yes',
  };
}

function invoiceForm(body: unknown): InvoiceForm {
  return {
    package_code: formField(body, 'package_code'), buyer_name: formField(body, 'buyer_name'),
    buyer_inn: formField(body, 'buyer_inn'), buyer_kpp: formField(body, 'buyer_kpp'),
  };
}

/** The services name API fields; the forms name theirs (tendered_minor → tendered, package_code → sale-pack). */
function saleError(error: FieldError): FieldError {
  const fields: Record<string, string> = { tendered_minor: 'tendered', package_code: 'sale-pack', card_last4: 'card_last4' };
  return { ...error, field: fields[error.field] ?? error.field };
}

function invoiceError(error: FieldError): FieldError {
  const fields: Record<string, string> = { inn: 'buyer_inn', kpp: 'buyer_kpp', name: 'buyer_name', package_code: 'invoice-pack' };
  return { ...error, field: fields[error.field] ?? error.field };
}

function lineFacts(language: DeskLanguage, found: DeskLineLookup): SafeHtml {
  const text = deskText(language);
  const { line, service, bundles, wallet_balance_minor } = found.overview;
  return html`<section class="panel" aria-labelledby="state-title"><h2 id="state-title">${text.state_label}</h2>
<dl class="facts"><dt>${text.number_label}</dt><dd>${line.msisdn}</dd><dt>${text.iccid_label}</dt><dd>${maskIccid(line.iccid)}</dd>
<dt>${text.wallet_label}</dt><dd>${money(wallet_balance_minor, language)}</dd></dl>
${serviceState(language, serviceStateSentences(service, language, line.time_zone))}
<h2>${text.packs_title}</h2>
${bundles.length === 0 ? html`<p>${text.no_packs}</p>` : html`<ul id="packs">${bundles.map(({ bundle, pack }) => html`<li>${pack.names[language]} · ${text.pack_until(formatShortDateTime(bundle.expires_at_ms, language, line.time_zone))}</li>`)}</ul>`}
</section>`;
}

/** Why something does not work (the explainer's sentences), or that everything does. */
function serviceState(language: DeskLanguage, sentences: readonly string[]): SafeHtml {
  if (sentences.length === 0) return html`<p id="service-state">${deskText(language).service_ok}</p>`;
  return html`<ul id="service-state">${sentences.map((sentence) => html`<li>${sentence}</li>`)}</ul>`;
}

function packOptions(language: DeskLanguage, packs: readonly PricedPackage[], selected: string): SafeHtml {
  return html`${packs.map((pack) => html`<option value="${pack.code}"${pack.code === selected ? html` selected` : ''}>${pack.names[language]} — ${money(pack.price.amount_minor, language)}</option>`)}`;
}

function fieldErrorText(errors: readonly FieldError[], id: string): SafeHtml {
  const error = errors.find((candidate) => candidate.field === id);
  return error ? html`<p class="error-text" id="${id}-error">${error.message}</p>` : html``;
}

function saleSection(
  language: DeskLanguage, csrf: SafeHtml, line_id: string, packs: readonly PricedPackage[],
  state: { sale: SaleForm; errors: readonly FieldError[] },
): SafeHtml {
  const text = deskText(language);
  const { sale, errors } = state;
  return html`<section class="panel" aria-labelledby="sale-title"><h2 id="sale-title">${text.sale_title}</h2>
<form method="post" action="${linePath(line_id)}/sale" novalidate>${csrf}<input type="hidden" name="key" value="${formKey()}">
<div class="field"><label for="sale-pack">${text.pack_label}</label>${fieldErrorText(errors, 'sale-pack')}
<select id="sale-pack" name="package_code" required autofocus>${packOptions(language, packs, sale.package_code)}</select></div>
<fieldset><legend>${text.method_legend}</legend>
<div class="choice"><input type="radio" id="method-cash" name="method" value="cash"${sale.method === 'cash' ? html` checked` : ''}><label for="method-cash">${text.method_cash}</label></div>
<div class="method">
${field({ id: 'tendered', label: text.tendered_label, hint: text.amount_hint, value: sale.tendered, errors, required: false, attributes: html`type="text" inputmode="decimal" autocomplete="off" maxlength="16"` })}
${fieldErrorText(errors, 'document_checked')}
<div class="check"><input type="checkbox" id="document_checked" name="document_checked" value="yes"${sale.document_checked ? html` checked` : ''}><label for="document_checked">${text.document_checked_label}</label></div>
</div>
<div class="choice"><input type="radio" id="method-card" name="method" value="card_present"${sale.method === 'card_present' ? html` checked` : ''}><label for="method-card">${text.method_card}</label></div>
<div class="method">
${field({ id: 'terminal_reference', label: text.terminal_reference_label, hint: text.terminal_reference_hint, value: sale.terminal_reference, errors, required: false, attributes: html`type="text" autocomplete="off" spellcheck="false" maxlength="32"` })}
${field({ id: 'card_last4', label: text.card_last4_label, value: sale.card_last4, errors, required: false, attributes: html`type="text" inputmode="numeric" autocomplete="off" pattern="[0-9]{4}" maxlength="4"` })}
</div></fieldset>
<button type="submit">${text.sell_button}</button></form></section>`;
}

function invoiceSection(
  language: DeskLanguage, csrf: SafeHtml, line_id: string, packs: readonly PricedPackage[],
  state: { invoice: InvoiceForm; errors: readonly FieldError[] },
): SafeHtml {
  const text = deskText(language);
  const { invoice, errors } = state;
  return html`<section class="panel" aria-labelledby="invoice-title"><h2 id="invoice-title">${text.invoice_title}</h2>
<form method="post" action="${linePath(line_id)}/invoice" novalidate>${csrf}<input type="hidden" name="key" value="${formKey()}">
<div class="field"><label for="invoice-pack">${text.pack_label}</label>${fieldErrorText(errors, 'invoice-pack')}
<select id="invoice-pack" name="package_code" required>${packOptions(language, packs, invoice.package_code)}</select></div>
${field({ id: 'buyer_name', label: text.buyer_name_label, value: invoice.buyer_name, errors, attributes: html`type="text" autocomplete="organization" maxlength="200"` })}
${field({ id: 'buyer_inn', label: text.buyer_inn_label, hint: text.buyer_inn_hint, value: invoice.buyer_inn, errors, attributes: html`type="text" inputmode="numeric" autocomplete="off" maxlength="12"` })}
${field({ id: 'buyer_kpp', label: text.buyer_kpp_label, hint: text.buyer_kpp_hint, value: invoice.buyer_kpp, errors, required: false, attributes: html`type="text" inputmode="numeric" autocomplete="off" maxlength="9"` })}
<button type="submit">${text.invoice_button}</button></form></section>`;
}

function ordersSection(language: DeskLanguage, found: DeskLineLookup): SafeHtml {
  const text = deskText(language);
  const states = messagesFor(language).renewal.order_states as Readonly<Record<string, string>>;
  const zone = found.overview.line.time_zone;
  return html`<section class="panel" aria-labelledby="orders-title"><h2 id="orders-title">${text.orders_title}</h2>
${found.recent_orders.length === 0 ? html`<p>${text.no_orders}</p>` : html`<table><thead><tr><th scope="col">${text.order_columns.date}</th><th scope="col">${text.order_columns.pack}</th>
<th scope="col">${text.order_columns.channel}</th><th scope="col">${text.order_columns.state}</th><th scope="col">${text.order_columns.amount}</th></tr></thead>
<tbody>${found.recent_orders.map((order) => html`<tr><td>${formatShortDateTime(order.created_at_ms, language, zone)}</td><td>${order.package_code}</td><td>${order.channel}</td>
<td>${states[order.state] ?? order.state}</td><td>${money(order.amount_minor, language)}</td></tr>`)}</tbody></table>`}
</section>`;
}
