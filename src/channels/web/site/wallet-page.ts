import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isRoamError, RoamError } from '../../../core/errors.js';
import { describeError, formatMoney } from '../../../core/i18n/format.js';
import { normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import { maskMsisdn } from '../../../core/phone.js';
import type { OrderView } from '../../../services/renewal/orders.js';
import type { WalletPayer } from '../../../services/renewal/wallet-payer.js';
import { optionalCustomer, verifyCsrf } from '../../http/customer-auth.js';
import { csrfField, type AccountDependencies } from './account/account-common.js';
import { html, type SafeHtml } from './html.js';
import { sendPage } from './layout.js';
import { siteLanguage } from './site-language.js';
import { siteText } from './text/site-text.js';

/**
 * Paying an order from the line's own money balance, on the site: only the line's owner may.
 *   GET  /orders/<id>/wallet        what will be taken; for a signed-in owner one button, for anyone
 *                                   a code sent by SMS to the line, to be typed here
 *   POST /orders/<id>/wallet/code   sends that code (rate-limited by the service)
 *   POST /orders/<id>/wallet        pays: as the signed-in customer (with the CSRF token), or with the code
 * The service decides who may pay (services/customers/wallet-authority.ts); this page only asks.
 */

const CODE_PATTERN = /^\d{6}$/;
const ATTEMPT_PATTERN = /^\d{1,3}$/;

interface WalletPageState {
  readonly alert?: string | undefined;
  readonly code_sent?: boolean;
  readonly status?: number;
}

export const walletPages: FastifyPluginAsync<AccountDependencies> = async (app, deps) => {
  app.get<{ Params: { id: string } }>('/orders/:id/wallet', async (request, reply) => renderWalletPage(deps, request, reply, request.params.id, {}));

  app.post<{ Params: { id: string } }>('/orders/:id/wallet/code', async (request, reply) => {
    try {
      await deps.customers.requestPaymentCode({ order_id: request.params.id, ip: request.ip });
      return await renderWalletPage(deps, request, reply, request.params.id, { code_sent: true });
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return renderWalletPage(deps, request, reply, request.params.id, {
        alert: describeError(error, languageOf(deps, request)), status: error.status,
      });
    }
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>('/orders/:id/wallet', async (request, reply) => {
    const order_id = request.params.id;
    const payer = await payerOf(request);
    if (!payer) {
      const refusal = new RoamError(request.body?.code === undefined ? 'ROAM_ERR_WALLET_PAYER_UNPROVEN' : 'ROAM_ERR_CODE_INVALID');
      return renderWalletPage(deps, request, reply, order_id, {
        alert: describeError(refusal, languageOf(deps, request)), status: refusal.status,
      });
    }
    const attempt = typeof request.body?.attempt === 'string' && ATTEMPT_PATTERN.test(request.body.attempt) ? request.body.attempt : 'x';
    try {
      // One key per (order, attempts it had): a double tap pays once.
      await deps.renewal.startPayment({ order_id, method: 'wallet', idempotency_key: `site:wallet:${order_id}:${attempt}`, payer });
      return reply.redirect(`/orders/${encodeURIComponent(order_id)}`, 303);
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return renderWalletPage(deps, request, reply, order_id, {
        alert: describeError(error, languageOf(deps, request)), status: error.status,
      });
    }
  });
};

/** The code when one was typed; else the signed-in customer, whose form must carry the CSRF token. */
async function payerOf(request: FastifyRequest<{ Body: Record<string, unknown> | undefined }>): Promise<WalletPayer | undefined> {
  const code = typeof request.body?.code === 'string' ? request.body.code.replace(/\s/g, '') : undefined;
  if (code !== undefined) return CODE_PATTERN.test(code) ? { kind: 'payment_code', code } : undefined;
  const principal = await optionalCustomer(request);
  if (!principal || !verifyCsrf(request)) return undefined;
  return { kind: 'customer', customer_id: principal.customer_id };
}

function languageOf(deps: AccountDependencies, request: FastifyRequest): Language {
  return siteLanguage(request, deps.default_language);
}

async function renderWalletPage(
  deps: AccountDependencies, request: FastifyRequest, reply: FastifyReply, order_id: string, state: WalletPageState,
): Promise<FastifyReply> {
  const view = await deps.renewal.findOrderView(order_id);
  const language = siteLanguage(request, deps.default_language, normalizeLanguage(view?.order.language));
  const text = siteText(language);
  const url = `/orders/${encodeURIComponent(order_id)}/wallet`;
  if (!view) {
    const body = html`<h1>${text.not_found_title}</h1><p class="alert" role="alert">${describeError(new RoamError('ROAM_ERR_ORDER_NOT_FOUND'), language)}</p>`;
    return sendPage(reply, deps.shell.render({ language, title: text.not_found_title, url, body }), { status: 404, private: true });
  }
  const overview = await deps.lineOverview({ line_id: view.order.line_id });
  const number = maskMsisdn(overview.line.msisdn);
  const signed_in = (await optionalCustomer(request)) !== null;
  const body = walletBody({ request, reply, view, language, number, signed_in, state });
  return sendPage(reply, deps.shell.render({ language, title: text.wallet_title, url, section: 'renew', body }), { status: state.status ?? 200, private: true });
}

interface WalletBodyInput {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly view: OrderView;
  readonly language: Language;
  readonly number: string;
  readonly signed_in: boolean;
  readonly state: WalletPageState;
}

function walletBody({ request, reply, view, language, number, signed_in, state }: WalletBodyInput): SafeHtml {
  const text = siteText(language);
  const { order } = view;
  const amount = formatMoney(order.amount_minor, language);
  const action = `/orders/${encodeURIComponent(order.id)}/wallet`;
  const attempt = html`<input type="hidden" name="attempt" value="${view.payments.length}">`;
  const open = order.state === 'created' || order.state === 'awaiting_payment';
  return html`<h1>${text.wallet_title}</h1>
<p>${text.wallet_intro(amount)}</p>
<dl class="facts"><dt>${text.number_label}</dt><dd>${number}</dd><dt>${text.price_label}</dt><dd>${amount}</dd><dt>${text.order_label}</dt><dd>${order.id}</dd></dl>
${state.alert ? html`<div class="alert" role="alert"><p>${state.alert}</p></div>` : ''}
${open && signed_in ? html`<form method="post" action="${action}">${csrfField(request, reply)}${attempt}
<button class="cta wide" type="submit">${text.wallet_signed_in_pay(amount)}</button></form>` : ''}
${open ? html`<fieldset><legend>${text.wallet_code_legend}</legend>
${state.code_sent ? html`<p class="success" role="status">${text.wallet_code_sent(number)}</p>` : ''}
<form method="post" action="${action}/code"><button class="cta secondary" type="submit">${text.wallet_send_code(number)}</button></form>
<form method="post" action="${action}">${attempt}
<div class="field"><label for="code">${text.wallet_code_label}</label><p class="hint" id="code-hint">${text.wallet_code_hint}</p>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required aria-describedby="code-hint"></div>
<button class="cta" type="submit">${text.wallet_pay_with_code}</button></form></fieldset>` : ''}
<p><a href="/orders/${encodeURIComponent(order.id)}">${open ? text.wallet_other_method : text.status_title}</a></p>`;
}
