import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { EMAIL_LENGTH_MAX, isEmailAddress } from '../../../core/email-address.js';
import { isRoamError, RoamError } from '../../../core/errors.js';
import { describeError, formatMoney } from '../../../core/i18n/format.js';
import type { Language } from '../../../core/i18n/languages.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { maskMsisdn, parseMsisdn } from '../../../core/phone.js';
import type { PaymentMethod } from '../../../ports/payment-provider.js';
import type { PricedPackage } from '../../../services/catalog/catalog.js';
import type { PlacedOrder } from '../../../services/renewal/renewal-service.js';
import {
  APPROXIMATE_CURRENCIES,
  approximatePrice,
  defaultApproximateCurrency,
  isApproximateCurrency,
  type ApproximateCurrency,
} from './approximate-price.js';
import { html, type SafeHtml } from './html.js';
import { sendPage } from './layout.js';
import { allowanceText, groupPacks } from './pack-view.js';
import { payableMethods, providerPageUrl, type SiteDependencies } from './site-dependencies.js';
import { preferenceCookie, readCookie, siteLanguage } from './site-language.js';
import { renderStatusPage } from './status-page.js';
import { siteText, type SiteText } from './text/site-text.js';

/**
 * "Renew any number", without signing in and without JavaScript:
 *   /                       what the card is; renew, check the balance
 *   /renew                  the number
 *   /renew/packs?msisdn=…   packs grouped by kind with prices (≈ in the reader's currency), the
 *                           payment method, an optional e-mail
 *   POST /renew/order       order + payment through the renewal service, 303 to the provider's page
 * The form carries a key made when it was drawn, so a double submit makes one order and one payment.
 */

export const CURRENCY_COOKIE = 'rc_cur';
const CURRENCY_OFF = 'none';
const FORM_KEY_PATTERN = /^[A-Za-z0-9-]{16,64}$/;

type CheckedNumber = { ok: true; msisdn: string; masked: string } | { ok: false; message: string; status: number };
type FieldName = 'msisdn' | 'package_code' | 'method' | 'email' | 'key';
type FieldErrors = Partial<Record<FieldName, string>>;

interface PackFormValues {
  readonly msisdn: string;
  /** What the page shows of the number: a stranger may be the one typing it. */
  readonly masked?: string;
  readonly package_code?: string | undefined;
  readonly method?: string | undefined;
  readonly email?: string | undefined;
  readonly key: string;
}

export const renewPages: FastifyPluginAsync<SiteDependencies> = async (app, deps) => {
  app.get('/', async (request, reply) => {
    const language = siteLanguage(request, deps.default_language);
    const text = siteText(language);
    return sendPage(reply, deps.shell.render({ language, title: text.home_title, url: request.url, body: homeBody(text) }));
  });

  app.get<{ Querystring: { msisdn?: string } }>('/renew', async (request, reply) => {
    const language = siteLanguage(request, deps.default_language);
    return sendNumberForm(reply, language, typeof request.query.msisdn === 'string' ? request.query.msisdn : '', null, 200);
  });

  app.get<{ Querystring: { msisdn?: string; cur?: string } }>('/renew/packs', async (request, reply) => {
    const language = siteLanguage(request, deps.default_language);
    const typed = typeof request.query.msisdn === 'string' ? request.query.msisdn : '';
    const number = await checkNumber(request, typed, language);
    if (!number.ok) return sendNumberForm(reply, language, typed, number.message, number.status);
    const currency = chosenCurrency(request, reply, language);
    const values = { msisdn: number.msisdn, masked: number.masked, key: randomUUID(), method: deps.methods()[0] };
    return sendPacksPage(reply, language, currency, values, {}, null, 200);
  });

  app.post<{ Body: Record<string, unknown> | undefined }>('/renew/order', async (request, reply) => {
    const language = siteLanguage(request, deps.default_language);
    const typed = formValues(request.body);
    const parsed = parseMsisdn(typed.msisdn);
    if (!parsed.ok) return sendNumberForm(reply, language, typed.msisdn, siteText(language)[parsed.problem === 'empty' ? 'msisdn_empty' : 'msisdn_invalid'], 400);
    // The order counts as a look-up of the number (the service does it); the page shows it masked.
    const values = { ...typed, msisdn: parsed.msisdn, masked: maskMsisdn(parsed.msisdn) };
    const errors = fieldErrors(values, payableMethods(deps), siteText(language));
    const currency = chosenCurrency(request, reply, language);
    // An expired or forged key: nothing was done; the form comes back with a fresh key.
    const key = errors.key ? randomUUID() : values.key;
    if (Object.keys(errors).length > 0) return sendPacksPage(reply, language, currency, { ...values, key }, errors, null, 400);
    return placeOrder(request, reply, language, currency, values);
  });

  async function placeOrder(
    request: FastifyRequest, reply: FastifyReply, language: Language, currency: ApproximateCurrency | null, values: PackFormValues,
  ): Promise<FastifyReply> {
    let placed: PlacedOrder;
    try {
      placed = await deps.renewal.placeOrder({
        line: { msisdn: values.msisdn }, package_code: values.package_code ?? '', channel: 'web', idempotency_key: `site:order:${values.key}`,
        language, payer_email: values.email || null, client_address: request.ip, method: values.method ?? '',
        // The method is in the key: choosing another method after going back is a new attempt, not a conflict.
        payment_idempotency_key: `site:pay:${values.key}:${values.method}`,
      });
    } catch (error) {
      if (!isRoamError(error)) throw error;
      if (error.code === 'ROAM_ERR_LINE_NOT_FOUND' || error.code === 'ROAM_ERR_LINE_NOT_ACTIVE' || error.code === 'ROAM_ERR_RATE_LIMITED') {
        return sendNumberForm(reply, language, values.msisdn, describeError(error, language), error.status);
      }
      return sendPacksPage(reply, language, currency, values, {}, error, error.status);
    }
    const order_path = `/orders/${encodeURIComponent(placed.view.order.id)}`;
    // The order exists: its status page offers the other methods, and says what went wrong.
    if (placed.payment_error) {
      return renderStatusPage(
        deps, request, reply, placed.view.order.id, describeError(placed.payment_error, language), placed.payment_error.status,
      );
    }
    // The balance pays only for the line's owner: the wallet page asks who is paying.
    if (!placed.payment) return reply.redirect(`${order_path}/wallet`, 303);
    return reply.redirect(providerPageUrl(placed.payment.next_action) ?? order_path, 303);
  }

  /**
   * A number we can renew: well formed (any spelling), and an active line of ours. Counted against
   * the visitor's address and the number (the service limits strangers' look-ups).
   */
  async function checkNumber(request: FastifyRequest, typed: string, language: Language): Promise<CheckedNumber> {
    const text = siteText(language);
    const parsed = parseMsisdn(typed);
    if (!parsed.ok) return { ok: false, message: parsed.problem === 'empty' ? text.msisdn_empty : text.msisdn_invalid, status: 400 };
    try {
      const line = await deps.renewal.payableLine({ msisdn: parsed.msisdn, client_address: request.ip });
      return { ok: true, msisdn: line.msisdn, masked: line.msisdn_masked };
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return { ok: false, message: describeError(error, language), status: error.status };
    }
  }

  function sendNumberForm(reply: FastifyReply, language: Language, typed: string, error: string | null, status: number): FastifyReply {
    const text = siteText(language);
    const url = typed ? `/renew?msisdn=${encodeURIComponent(typed)}` : '/renew';
    return sendPage(reply, deps.shell.render({ language, title: text.renew_title, url, section: 'renew', body: numberFormBody(text, typed, error) }), { status });
  }

  async function sendPacksPage(
    reply: FastifyReply, language: Language, currency: ApproximateCurrency | null,
    values: PackFormValues, errors: FieldErrors, failure: RoamError | null, status: number,
  ): Promise<FastifyReply> {
    const text = siteText(language);
    const packs = await deps.listPackages();
    const body = packsBody({
      text, language, currency, packs, methods: payableMethods(deps), values, errors, failure, fx: deps,
      email_receipts: deps.email_receipts,
    });
    // The address to come back to after switching language: this page by GET, also after a POST.
    const url = `/renew/packs?msisdn=${encodeURIComponent(values.msisdn)}`;
    // Private: the address carries the number, and the key must be fresh for every drawing of the form.
    return sendPage(reply, deps.shell.render({ language, title: text.packs_title, url, section: 'renew', body }), { status, private: true });
  }

  /** `?cur=` switches the approximate currency and remembers it; otherwise the cookie, else the language's. */
  function chosenCurrency(request: FastifyRequest, reply: FastifyReply, language: Language): ApproximateCurrency | null {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const asked = typeof query.cur === 'string' ? query.cur : undefined;
    if (asked !== undefined && (isApproximateCurrency(asked) || asked === CURRENCY_OFF)) {
      reply.header('set-cookie', preferenceCookie(CURRENCY_COOKIE, asked, deps.secure_cookies));
      return asked === CURRENCY_OFF ? null : asked;
    }
    const remembered = readCookie(request.headers.cookie, CURRENCY_COOKIE);
    if (remembered === CURRENCY_OFF) return null;
    return isApproximateCurrency(remembered) ? remembered : defaultApproximateCurrency(language);
  }
};


function formValues(body: Record<string, unknown> | undefined): PackFormValues {
  const field = (name: string) => (typeof body?.[name] === 'string' ? (body[name] as string).trim() : undefined);
  return { msisdn: field('msisdn') ?? '', package_code: field('package_code'), method: field('method'), email: field('email'), key: field('key') ?? '' };
}

function fieldErrors(values: PackFormValues, methods: readonly PaymentMethod[], text: SiteText): FieldErrors {
  const errors: FieldErrors = {};
  if (!values.package_code) errors.package_code = text.pack_missing;
  if (!values.method || !(methods as readonly string[]).includes(values.method)) errors.method = text.method_missing;
  if (values.email && !isEmailAddress(values.email)) errors.email = text.email_invalid;
  if (!FORM_KEY_PATTERN.test(values.key)) errors.key = text.form_expired;
  return errors;
}

function homeBody(text: SiteText): SafeHtml {
  return html`<div class="home"><div>
<h1>${text.home_title}</h1>
<p class="lead">${text.home_lead}</p>
<p><a class="cta wide" href="/renew">${text.home_renew_cta}</a></p>
<p class="hint">${text.home_renew_note}</p>
<ul class="points">${text.home_points.map((point) => html`<li>${point}</li>`)}</ul>
</div>
<section class="card" aria-labelledby="balance-title"><h2 id="balance-title">${text.home_balance_title}</h2>
<p class="code">#100#</p><p>${text.home_balance_text}</p>
<p><a href="/help">${text.home_help_cta}</a></p></section></div>`;
}

function numberFormBody(text: SiteText, typed: string, error: string | null): SafeHtml {
  return html`<h1>${text.renew_title}</h1>
<p>${text.renew_intro}</p>
${error ? html`<div class="errors" role="alert"><p>${text.errors_summary}</p><ul><li><a href="#msisdn">${error}</a></li></ul></div>` : ''}
<form method="get" action="/renew/packs">
<div class="field"><label for="msisdn">${text.msisdn_label}</label>
<p class="hint" id="msisdn-hint">${text.msisdn_hint}</p>
${error ? html`<p class="error-text" id="msisdn-error">${error}</p>` : ''}
<input type="tel" id="msisdn" name="msisdn" value="${typed}" autocomplete="tel" inputmode="tel" required maxlength="32"
 aria-describedby="msisdn-hint${error ? ' msisdn-error' : ''}"${error ? html` aria-invalid="true"` : ''}></div>
<button class="cta wide" type="submit">${text.show_packs}</button>
</form>
<p class="hint">${text.renew_in_store} <a href="/stores">${text.renew_in_store_link}</a></p>`;
}

interface PacksBodyInput {
  readonly text: SiteText;
  readonly language: Language;
  readonly currency: ApproximateCurrency | null;
  readonly packs: readonly PricedPackage[];
  readonly methods: readonly PaymentMethod[];
  readonly values: PackFormValues;
  readonly errors: FieldErrors;
  readonly failure: RoamError | null;
  readonly fx: Pick<SiteDependencies, 'fx_rates'>;
  readonly email_receipts: boolean;
}

function packsBody(input: PacksBodyInput): SafeHtml {
  const { text, values, errors } = input;
  const messages = Object.entries(errors).map(([field, message]) => html`<li><a href="#${field === 'key' ? 'pay' : field}">${message}</a></li>`);
  return html`<h1>${text.packs_title}</h1>
<p>${text.packs_for} <strong class="number">${values.masked ?? maskMsisdn(values.msisdn)}</strong> · <a href="/renew">${text.change_number}</a></p>
${messages.length > 0 ? html`<div class="errors" role="alert"><p>${text.errors_summary}</p><ul>${messages}</ul></div>` : ''}
${input.failure ? html`<div class="alert" role="alert"><p>${describeError(input.failure, input.language)}</p></div>` : ''}
${currencySwitch(input)}
${input.packs.length === 0 ? html`<p class="alert">${text.no_packs}</p>` : html`<form method="post" action="/renew/order">
<input type="hidden" name="msisdn" value="${values.msisdn}"><input type="hidden" name="key" value="${values.key}">
${packChoices(input)}
${methodChoices(input)}
<div class="field"><label for="email">${input.email_receipts ? text.email_receipt_label : text.email_label}</label>
<p class="hint" id="email-hint">${input.email_receipts ? text.email_receipt_hint : text.email_hint}</p>
${errors.email ? html`<p class="error-text" id="email-error">${errors.email}</p>` : ''}
<input type="email" id="email" name="email" value="${values.email ?? ''}" autocomplete="email" maxlength="${EMAIL_LENGTH_MAX}"
 aria-describedby="email-hint${errors.email ? ' email-error' : ''}"${errors.email ? html` aria-invalid="true"` : ''}></div>
<button class="cta wide" id="pay" type="submit">${text.pay_button}</button>
<p class="hint">${text.pay_note}</p>
</form>`}`;
}

function packChoices({ text, language, currency, packs, values, errors, fx }: PacksBodyInput): SafeHtml {
  return html`<div id="package_code">${errors.package_code ? html`<p class="error-text">${errors.package_code}</p>` : ''}
${groupPacks(packs).map((group, group_index) => html`<fieldset><legend>${text.pack_groups[group.kind]}</legend><div class="choices">
${group.packs.map((pack) => html`<label class="choice"><input type="radio" name="package_code" value="${pack.code}"${group_index === 0 ? html` required` : ''}${pack.code === values.package_code ? html` checked` : ''}>
<span class="name">${pack.names[language]}</span><span class="meta">${allowanceText(pack, language)} · ${text.validity(pack.validity_hours)}</span>
<span class="price">${formatMoney(pack.price.amount_minor, language)}${currency ? html`<span class="approx">${approximatePrice(pack.price.amount_minor, currency, fx.fx_rates, language)}</span>` : ''}</span></label>`)}
</div></fieldset>`)}</div>`;
}

function methodChoices({ text, language, methods, values, errors }: PacksBodyInput): SafeHtml {
  const names = messagesFor(language).receipts.methods;
  return html`<fieldset id="method"><legend>${text.method_legend}</legend>
${errors.method ? html`<p class="error-text">${errors.method}</p>` : ''}<div class="choices">
${methods.map((method) => html`<label class="choice"><input type="radio" name="method" value="${method}" required${method === values.method ? html` checked` : ''}>
<span class="name">${names[method]}</span>${methodNote(method, text)}</label>`)}
</div></fieldset>`;
}

function methodNote(method: PaymentMethod, text: SiteText): SafeHtml | string {
  if (method === 'card') return html`<span class="meta">${text.card_brands}</span>`;
  if (method === 'wallet') return html`<span class="meta">${text.wallet_method_note}</span>`;
  return '';
}

function currencySwitch({ text, currency, values }: PacksBodyInput): SafeHtml {
  const base = `/renew/packs?msisdn=${encodeURIComponent(values.msisdn)}&cur=`;
  const option = (value: string, label: string, current: boolean) => html`<a href="${base}${value}"${current ? html` aria-current="true"` : ''}>${label}</a>`;
  return html`<nav class="switch" aria-label="${text.approx_currency_label}"><span>${text.approx_currency_label}:</span>
${APPROXIMATE_CURRENCIES.map((code) => option(code, code, code === currency))}${option(CURRENCY_OFF, text.approx_currency_off, currency === null)}</nav>
<p class="hint">${text.approx_note}</p>`;
}

/** "+7 900 123 45 68": the number as people read it (it is the payer's own input, so shown in full). */
export function displayNumber(msisdn: string): string {
  try {
    return parsePhoneNumberWithError(msisdn).formatInternational();
  } catch {
    return msisdn;
  }
}
