import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { isRoamError } from '../../core/errors.js';
import { describeError, formatMoney } from '../../core/i18n/format.js';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import { isOpenOrder } from '../../core/order-state.js';
import type { PaymentMethod } from '../../ports/payment-provider.js';
import type { RenewalService } from '../../services/renewal/renewal-service.js';
import { orderDocumentLink } from './receipt-pages.js';

/**
 * The order page the providers send the customer back to (/orders/<id>): the state in the order's
 * language, refreshing itself without JavaScript until the pack is active; on a failure, the reason
 * and one button per other method. The full customer site (issue "self-service") builds on this.
 */
export interface OrderPageOptions {
  readonly renewal: RenewalService;
  readonly methods: () => readonly PaymentMethod[];
}

const REFRESH_S = 2;
const METHOD_NAMES: Record<PaymentMethod, string> = {
  card: 'Visa / MasterCard / Mir / UnionPay', yoomoney: 'YooMoney', paypal: 'PayPal', alipay: 'Alipay', wechat_pay: 'WeChat Pay',
  sbp: 'SBP', bank_transfer: 'Bank transfer', cash: 'Cash', card_present: 'Card terminal', wallet: 'Balance',
};

export const orderPage: FastifyPluginAsync<OrderPageOptions> = async (app, { renewal, methods }) => {
  await app.register(formbody, { bodyLimit: 2048 });

  app.get<{ Params: { id: string } }>('/orders/:id', { schema: { hide: true } }, async (request, reply) => {
    const current = await renewal.getOrder(request.params.id).catch(() => undefined);
    if (!current) return reply.code(404).type('text/html; charset=utf-8').send('<!doctype html><title>404</title><p>Not found</p>');
    // The customer came back from the provider: ask it now rather than wait for the webhook.
    const open = current.payments.filter((payment) => payment.status === 'pending' || payment.status === 'requires_action');
    await Promise.all(open.map((payment) => renewal.refreshPayment(payment.id).catch(() => 'unchanged')));
    const view = open.length > 0 ? await renewal.getOrder(request.params.id) : current;
    const language = normalizeLanguage(view.order.language) ?? 'en';
    const text = messagesFor(language).renewal;
    const waiting = view.order.state === 'awaiting_payment' || view.order.state === 'paid';
    const failure = view.order.failure_code ? (text.payment_failures as Record<string, string>)[view.order.failure_code] ?? text.payment_failures.declined : null;
    const body = [
      `<h1>${text.order_states[view.order.state]}</h1>`,
      `<p>${view.order.package_code} · ${formatMoney(view.order.amount_minor, language)}</p>`,
      failure ? `<p class="error" role="alert">${failure} ${isOpenOrder(view.order.state) ? text.try_another_method : ''}</p>` : '',
      isOpenOrder(view.order.state) && view.order.state === 'created' ? methodButtons(view.order.id, methods()) : '',
      orderDocumentLink(view, language),
    ].join('\n');
    return page(reply, language, body, waiting ? REFRESH_S : null);
  });

  app.post<{ Params: { id: string }; Body: { method?: string; key?: string } }>('/orders/:id/pay', { schema: { hide: true } }, async (request, reply) => {
    try {
      const { payment } = await renewal.startPayment({ order_id: request.params.id, method: request.body?.method ?? '', idempotency_key: request.body?.key ?? randomUUID() });
      const action = payment.next_action ? (JSON.parse(payment.next_action) as { type: string; url?: string }) : null;
      return reply.redirect(action?.url ?? `/orders/${request.params.id}`, 303);
    } catch (error) {
      const language: Language = 'en';
      if (!isRoamError(error)) throw error;
      return page(reply.code(error.status), language, `<p class="error" role="alert">${describeError(error, language)}</p>`, null);
    }
  });
};

function methodButtons(order_id: string, methods: readonly PaymentMethod[]): string {
  const buttons = methods.map((method) => `<button name="method" value="${method}">${METHOD_NAMES[method]}</button>`).join('');
  return `<form method="post" action="/orders/${order_id}/pay"><input type="hidden" name="key" value="${randomUUID()}">${buttons}</form>`;
}

function page(reply: FastifyReply, language: Language, body: string, refresh_s: number | null): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(`<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${refresh_s === null ? '' : `<meta http-equiv="refresh" content="${refresh_s}">`}<title>roamcard</title>
<style>body{font:16px/1.4 system-ui,sans-serif;max-width:30rem;margin:1rem auto;padding:0 1rem}.error{color:#a00}button{display:block;margin:.4rem 0;padding:.6rem;width:100%;font-size:1rem}</style>
</head><body>${body}</body></html>`);
}
