import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isRoamError } from '../../../core/errors.js';
import { describeError, failureText, formatMoney, formatShortDateTime } from '../../../core/i18n/format.js';
import { normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import { messagesFor, type Messages } from '../../../core/i18n/messages.js';
import { isOpenOrder } from '../../../core/order-state.js';
import { maskMsisdn } from '../../../core/phone.js';
import { ProviderError, type PaymentMethod } from '../../../ports/payment-provider.js';
import type { LineOverview } from '../../../services/lines/overview.js';
import type { OrderView } from '../../../services/renewal/orders.js';
import { kindSummaryLines } from '../../../services/lines/pack-summary.js';
import { orderDocumentLink } from '../receipt-pages.js';
import { balanceSnapshot } from './balance-snapshot.js';
import { html, raw, type SafeHtml } from './html.js';
import { sendPage } from './layout.js';
import { contentHash } from './site-assets.js';
import { payableMethods, providerPageUrl, type SiteDependencies } from './site-dependencies.js';
import { siteLanguage } from './site-language.js';
import { siteText, type SiteText } from './text/site-text.js';

/**
 * The order's status page (/orders/<id>), where every provider sends the customer back:
 * - on arrival it asks the provider about open payments, rather than wait for the webhook;
 * - while the payment is under way it follows the order by itself: site.js polls
 *   /orders/<id>/status.json and swaps in the fragment rendered here; without JavaScript a
 *   <noscript> refresh does the same;
 * - a failed attempt shows its reason in the reader's language and one button per method
 *   (POST /orders/<id>/pay), which goes straight to that provider;
 * - once active: the new pack, the line's balance now, and the receipt.
 * The order id is an unguessable capability, so the page needs no sign-in; it masks the number.
 */

const REFRESH_S = 2;
const WAITING_STATES = new Set(['awaiting_payment', 'paid']);
const ATTEMPT_PATTERN = /^\d{1,3}$/;

interface StatusModel {
  readonly view: OrderView;
  readonly overview: LineOverview;
  readonly pack_name: string;
  readonly language: Language;
  readonly methods: readonly PaymentMethod[];
  readonly now_ms: number;
  /** A problem with what the visitor just did (a payment that could not start). */
  readonly alert: string | null;
}

export const statusPages: FastifyPluginAsync<SiteDependencies> = async (app, deps) => {
  app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
    const current = await deps.renewal.findOrderView(request.params.id);
    if (!current) return notFound(deps, request, reply);
    // The customer came back from the provider: ask it now rather than wait for the webhook.
    const open = current.payments.filter((payment) => payment.status === 'pending' || payment.status === 'requires_action');
    // A provider that cannot answer now must not keep the page from showing what we know.
    await Promise.all(open.map((payment) => deps.renewal.refreshPayment(payment.id).catch((error: unknown) => {
      if (error instanceof ProviderError || isRoamError(error)) return 'unchanged';
      throw error;
    })));
    return renderStatusPage(deps, request, reply, request.params.id, null, 200);
  });

  app.get<{ Params: { id: string } }>('/orders/:id/status.json', async (request, reply) => {
    const view = await deps.renewal.findOrderView(request.params.id);
    if (!view) return reply.code(404).header('cache-control', 'no-store').send({ state: null, final: true, version: '', html: '' });
    const model = await statusModel(deps, request, view, null);
    const fragment = statusFragment(model).toString();
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
      .send({ state: view.order.state, final: isFinal(view), version: contentHash(Buffer.from(fragment)), html: fragment });
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>('/orders/:id/pay', async (request, reply) => {
    const method = typeof request.body?.method === 'string' ? request.body.method : '';
    // The balance pays only for the line's owner: the wallet page asks who is paying.
    if (method === 'wallet') return reply.redirect(`/orders/${encodeURIComponent(request.params.id)}/wallet`, 303);
    const attempt = typeof request.body?.attempt === 'string' && ATTEMPT_PATTERN.test(request.body.attempt) ? request.body.attempt : 'x';
    try {
      // One key per (order, how many attempts it had, method): a double tap starts one payment.
      const { payment } = await deps.renewal.startPayment({ order_id: request.params.id, method, idempotency_key: `site:retry:${request.params.id}:${attempt}:${method}` });
      return reply.redirect(providerPageUrl(payment.next_action) ?? `/orders/${encodeURIComponent(request.params.id)}`, 303);
    } catch (error) {
      if (!isRoamError(error)) throw error;
      const view = await deps.renewal.findOrderView(request.params.id);
      if (!view) return notFound(deps, request, reply);
      const language = pageLanguage(deps, request, view);
      return renderStatusPage(deps, request, reply, request.params.id, describeError(error, language), error.status);
    }
  });
};

/** The whole status page; also used by the renewal form when a payment could not start. */
export async function renderStatusPage(
  deps: SiteDependencies, request: FastifyRequest, reply: FastifyReply, order_id: string, alert: string | null, status: number,
): Promise<FastifyReply> {
  const view = await deps.renewal.findOrderView(order_id);
  if (!view) return notFound(deps, request, reply);
  const model = await statusModel(deps, request, view, alert);
  const text = siteText(model.language);
  const fragment = statusFragment(model);
  const final = isFinal(view);
  const body = html`<h1>${text.status_title}</h1>
<div id="status" data-status-url="/orders/${encodeURIComponent(order_id)}/status.json" data-version="${contentHash(Buffer.from(fragment.toString()))}" data-final="${String(final)}" aria-live="polite">${fragment}</div>`;
  // The page's own address, also after a POST: the language switcher must come back to something it can GET.
  const url = `/orders/${encodeURIComponent(order_id)}`;
  const document = deps.shell.render({ language: model.language, title: text.status_title, url, section: 'renew', body, refresh_s: final ? null : REFRESH_S });
  return sendPage(reply, document, { status, private: true });
}

/** The visitor's chosen language first; else the order's (the payer's when it was made). */
function pageLanguage(deps: SiteDependencies, request: FastifyRequest, view: OrderView): Language {
  return siteLanguage(request, deps.default_language, normalizeLanguage(view.order.language));
}

async function statusModel(deps: SiteDependencies, request: FastifyRequest, view: OrderView, alert: string | null): Promise<StatusModel> {
  const language = pageLanguage(deps, request, view);
  const [overview, pack] = await Promise.all([
    deps.lineOverview({ line_id: view.order.line_id }),
    // A pack taken out of the catalog since: its code stands in for its name.
    deps.findPackage(view.order.package_code).catch((error: unknown) => {
      if (isRoamError(error) && error.code === 'ROAM_ERR_PACKAGE_NOT_FOUND') return undefined;
      throw error;
    }),
  ]);
  return {
    view, overview, pack_name: pack?.names[language] ?? view.order.package_code, language,
    methods: payableMethods(deps), now_ms: deps.now_ms(), alert,
  };
}

/** Still changing by itself (the provider or activation is under way): the page follows it. */
function isFinal(view: OrderView): boolean {
  return !WAITING_STATES.has(view.order.state);
}

/** The part of the page that changes with the order; rendered the same for the page and for status.json. */
export function statusFragment(model: StatusModel): SafeHtml {
  const { view, language } = model;
  const text = siteText(language);
  const messages = messagesFor(language);
  const { order } = view;
  return html`<h2>${messages.renewal.order_states[order.state]}</h2>
${model.alert ? html`<div class="alert" role="alert"><p>${model.alert}</p></div>` : ''}
${stateSection(model, text, messages)}
<dl class="facts"><dt>${text.number_label}</dt><dd>${maskMsisdn(model.overview.line.msisdn)}</dd>
<dt>${text.pack_label}</dt><dd>${model.pack_name}</dd>
<dt>${text.price_label}</dt><dd>${formatMoney(order.amount_minor, language)}</dd>
<dt>${text.order_label}</dt><dd>${order.id}</dd></dl>
${raw(orderDocumentLink(view, language))}`;
}

function stateSection(model: StatusModel, text: SiteText, messages: Messages): SafeHtml {
  const { order } = model.view;
  const failure = failureText(order.failure_code, model.language)?.message ?? null;
  switch (order.state) {
    case 'awaiting_payment':
      // Paying another way stays possible (a customer who left the provider's page would
      // otherwise wait for the order to expire), but folded away: the payment may still succeed.
      return html`<p class="pending">${text.status_waiting}</p><p class="hint">${text.status_updates_live}</p>
${continuePayment(model, text)}<details class="other-ways"><summary>${text.retry_legend}</summary>${methodButtons(model, text, 'folded')}</details>`;
    case 'paid':
      return html`<p class="pending">${text.status_paid}</p><p class="hint">${text.status_updates_live}</p>`;
    case 'created':
      return html`${failure ? html`<div class="alert" role="alert"><p>${failure}</p><p>${messages.renewal.try_another_method}</p></div>` : ''}${methodButtons(model, text)}`;
    case 'active':
      return activeSection(model, text);
    case 'refunded':
      return html`<p class="success">${text.status_refunded}</p>`;
    case 'failed':
    case 'canceled':
    case 'expired':
      return html`<div class="alert"><p>${failure ?? text.status_closed}</p><p>${text.status_closed}</p></div>
<p><a class="cta secondary" href="/renew">${text.renew_again}</a></p>`;
  }
}

/** Back to the provider's page of the attempt under way (the customer left it before finishing). */
function continuePayment(model: StatusModel, text: SiteText): SafeHtml {
  const waiting = [...model.view.payments].reverse().find((payment) => payment.status === 'requires_action' && payment.next_action !== null);
  const url = providerPageUrl(waiting?.next_action ?? null);
  return url ? html`<p><a class="cta" href="${url}">${text.pay_button}</a></p>` : html``;
}

/**
 * One button per method. 'after_failure': under a legend, the first (untried) method the obvious
 * next tap. 'folded': all alike, inside a <details> whose summary names them.
 */
function methodButtons(model: StatusModel, text: SiteText, mode: 'after_failure' | 'folded' = 'after_failure'): SafeHtml {
  if (!isOpenOrder(model.view.order.state) || model.methods.length === 0) return html``;
  const names = messagesFor(model.language).receipts.methods;
  const failed = new Set(model.view.payments.filter((payment) => payment.status === 'failed').map((payment) => payment.method));
  // Methods not tried yet first: after a declined card, the next tap should be something else.
  const ordered = [...model.methods.filter((method) => !failed.has(method)), ...model.methods.filter((method) => failed.has(method))];
  return html`<form method="post" action="/orders/${encodeURIComponent(model.view.order.id)}/pay">
<input type="hidden" name="attempt" value="${model.view.payments.length}">
${mode === 'after_failure' ? html`<h3>${text.retry_legend}</h3>` : ''}<div class="methods">
${ordered.map((method, index) => html`<button class="cta${index === 0 && mode === 'after_failure' ? '' : ' secondary'}" name="method" value="${method}">${names[method]}</button>`)}
</div></form>`;
}

/**
 * The pack just bought: what it holds and until when. Only that pack — the page is open to whoever
 * has the order's link (the payer may be a friend), and the line's money and other packs are its
 * owner's business (the signed-in pages show them).
 */
function activeSection(model: StatusModel, text: SiteText): SafeHtml {
  const { language, overview } = model;
  const time_zone = overview.line.time_zone;
  const bought = overview.bundles.filter((view) => view.bundle.id === model.view.order.bundle_id);
  const bundle = bought[0]?.bundle;
  const items = kindSummaryLines(bought, language, time_zone);
  const checked_at = formatShortDateTime(model.now_ms, language, time_zone);
  const snapshot = { line: maskMsisdn(overview.line.msisdn), items, at_ms: model.now_ms, at_text: checked_at };
  return html`<p class="success">${text.status_active}</p>
${bundle ? html`<p><strong>${model.pack_name}</strong> · ${text.pack_until(formatShortDateTime(bundle.expires_at_ms, language, time_zone))}</p>` : ''}
<section aria-labelledby="balance-title"><h3 id="balance-title">${text.new_balance} <small class="muted">${text.balance_checked_at(checked_at)}</small></h3>
<ul class="balance">${items.map((item) => html`<li>${item}</li>`)}</ul></section>
${balanceSnapshot(snapshot)}`;
}

function notFound(deps: SiteDependencies, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const language = siteLanguage(request, deps.default_language);
  const text = siteText(language);
  const body = html`<h1>${text.not_found_title}</h1><p class="alert" role="alert">${messagesFor(language).errors.ROAM_ERR_ORDER_NOT_FOUND({})}</p><p><a href="/">${text.go_home}</a></p>`;
  return sendPage(
    reply, deps.shell.render({ language, title: text.not_found_title, url: request.url, body }), { status: 404, private: true },
  );
}
