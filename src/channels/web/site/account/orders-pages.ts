import type { FastifyPluginAsync } from 'fastify';
import { isRoamError } from '../../../../core/errors.js';
import { formatMoney, formatShortDateTime } from '../../../../core/i18n/format.js';
import type { Language } from '../../../../core/i18n/languages.js';
import { messagesFor } from '../../../../core/i18n/messages.js';
import { isCurrency } from '../../../../core/money.js';
import { maskMsisdn } from '../../../../core/phone.js';
import type { CustomerOrderSummary } from '../../../../services/customers/index.js';
import { receiptVerifyPath } from '../../../../services/receipts/receipt-document.js';
import { html, type SafeHtml } from '../html.js';
import { customerOrSignIn, LINES_PATH, notFoundPage, pageLanguage, sendAccountPage, type AccountDependencies } from './account-common.js';
import { accountText } from './account-text.js';

/**
 * The customer's orders, newest first, each with its state, pack, amount and date, a link to its
 * status page, and once paid its receipt (page and PDF):
 *   GET /orders[?before=…]                       the history, 20 a page
 *   GET /account/orders/:id/receipt[.pdf]        the receipt of one's own order → its verified address
 * The receipt routes check ownership (another customer's order is "not found"), then send the
 * browser to the receipt's own address, which carries its secret token.
 */

export const ORDERS_PATH = '/orders';
const RECEIPT_PATH = '/account/orders';
const ORDERS_PAGE_SIZE = 20;
const CURSOR_LENGTH_MAX = 200;
/** Every line has a zone; this is only for an order whose line left the account between two reads. */
const DEFAULT_TIME_ZONE = 'Europe/Moscow';

export const ordersPages: FastifyPluginAsync<AccountDependencies> = async (app, deps) => {
  app.get<{ Querystring: Record<string, unknown> }>(ORDERS_PATH, async (request, reply) => {
    const principal = await customerOrSignIn(request, reply);
    if (!principal) return reply;
    const language = pageLanguage(deps, request);
    const text = accountText(language);
    const before = typeof request.query.before === 'string' && request.query.before.length <= CURSOR_LENGTH_MAX ? request.query.before : undefined;
    const [page, lines] = await Promise.all([
      deps.customers.listOrders(principal.customer_id, { limit: ORDERS_PAGE_SIZE, ...(before ? { before } : {}) }),
      deps.customers.listLines(principal.customer_id),
    ]);
    const zones = new Map(lines.map((line) => [line.line_id, line.time_zone]));
    const body = html`<h1>${text.orders_title}</h1>
${page.orders.length === 0 ? html`<p>${text.orders_none}</p>` : html`<div class="orders">${page.orders.map((order) => orderItem(order, language, zones.get(order.line_id) ?? DEFAULT_TIME_ZONE))}</div>`}
${page.next_before ? html`<p><a href="${ORDERS_PATH}?before=${encodeURIComponent(page.next_before)}">${text.orders_older}</a></p>` : ''}
<p><a href="${LINES_PATH}">${text.lines_title}</a></p>`;
    return sendAccountPage(deps, reply, { language, title: text.orders_title, url: ORDERS_PATH, body, section: 'lines' });
  });

  for (const format of ['html', 'pdf'] as const) {
    app.get<{ Params: { id: string } }>(`${RECEIPT_PATH}/:id/receipt${format === 'pdf' ? '.pdf' : ''}`, async (request, reply) => {
      const principal = await customerOrSignIn(request, reply);
      if (!principal) return reply;
      try {
        const receipt = await deps.customers.receiptForOrder(principal.customer_id, request.params.id);
        const path = receiptVerifyPath(receipt);
        return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(format === 'pdf' ? path.replace('?', '.pdf?') : path, 303);
      } catch (error) {
        if (isRoamError(error) && error.code === 'ROAM_ERR_ORDER_NOT_FOUND') return notFoundPage(deps, request, reply);
        throw error;
      }
    });
  }
};

function orderItem(order: CustomerOrderSummary, language: Language, time_zone: string): SafeHtml {
  const text = accountText(language);
  const messages = messagesFor(language);
  const id = encodeURIComponent(order.id);
  return html`<article class="card"><dl class="facts">
<dt>${text.order_date}</dt><dd>${formatShortDateTime(order.created_at_ms, language, time_zone)}</dd>
<dt>${text.order_number}</dt><dd>${maskMsisdn(order.msisdn)}</dd>
<dt>${text.order_pack}</dt><dd>${order.package_names[language]}</dd>
<dt>${text.order_amount}</dt><dd>${formatMoney(order.amount_minor, language, isCurrency(order.currency) ? order.currency : 'RUB')}</dd>
<dt>${text.order_state}</dt><dd><strong>${messages.renewal.order_states[order.state]}</strong></dd></dl>
<p><a href="/orders/${id}">${text.order_open}</a>${order.receipt_number ? html` · <a href="${RECEIPT_PATH}/${id}/receipt">${messages.receipts.view_receipt} ${order.receipt_number}</a> · <a href="${RECEIPT_PATH}/${id}/receipt.pdf">${text.receipt_pdf}</a>` : ''}</p></article>`;
}
