import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { CONSENT_TEXT_VERSION, consentTextsShown } from '../../../core/consent.js';
import { DOCUMENT_TYPES } from '../../../core/identity-document.js';
import { LANGUAGE_NAMES, normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import type { DeskSubscriber } from '../../../services/desk/subscribers.js';
import { html, raw, type SafeHtml } from '../site/html.js';
import {
  checkCsrf, domainError, errorSummary, field, formField, formKey, isRoamError, notFound, staffHeader,
  type DeskDependencies, type FieldError,
} from './desk-common.js';
import { sendDeskPage } from './desk-layout.js';
import type { DeskStaff } from './desk-session.js';
import { deskText, type DeskLanguage } from './desk-text.js';

/**
 * Connecting a foreign visitor (303-FZ), without JavaScript:
 *   GET  /desk/connect                       the visitor's language first (the consent is shown in it)
 *   GET  /desk/connect?language=zh-Hans      the form: document, consent (visitor's language and Russian), IMEI, scanned ICCID or eSIM
 *   POST /desk/connect                       → the line pending verification, the eSIM QR if any, the contract
 *   GET  /desk/subscribers/:line_id          pending / active / rejected (refreshes itself while pending)
 *   POST /desk/subscribers/:line_id/imei     the visitor's new phone; a bad IMEI re-shows the page with the form's error
 *   GET  /desk/subscribers/:line_id/contract.pdf
 * The document number travels only in the form body; pages show it masked (the service's last 4).
 */

/** The languages a visitor's line, consent and contract come in. */
const VISITOR_LANGUAGES: readonly Language[] = ['zh-Hans', 'zh-Hant', 'en', 'ru'];
/** While the verification is pending the status page reloads itself (no script: a meta refresh). */
const PENDING_REFRESH_S = 5;
const FIELD_LENGTH_MAX = 64;

interface ConnectForm {
  readonly language: Language;
  readonly document_type: string;
  readonly issuing_country: string;
  readonly document_number: string;
  readonly surname: string;
  readonly given_names: string;
  readonly birth_date: string;
  readonly imei: string;
  readonly sim: 'iccid' | 'esim';
  readonly iccid: string;
  readonly consent: boolean;
}

export const deskConnectPages: FastifyPluginAsync<DeskDependencies> = async (app, deps) => {
  const { sessions, stylesheet, context } = deps;

  app.get<{ Querystring: Record<string, unknown> }>('/desk/connect', async (request, reply) => {
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    const visitor = typeof request.query.language === 'string' ? normalizeLanguage(request.query.language) : undefined;
    if (visitor === undefined) return sendLanguageChoice(request, reply, staff);
    return sendConnectForm(request, reply, staff, emptyForm(visitor), [], 200);
  });

  app.post<{ Body: unknown }>('/desk/connect', async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    const language = sessions.language(request);
    const form = connectForm(request.body);
    try {
      const { subscriber } = await context.desk_subscribers.connectSubscriber(staff.actor, {
        document: {
          type: form.document_type, issuing_country: form.issuing_country, number: form.document_number,
          surname: form.surname, given_names: form.given_names, birth_date: form.birth_date,
        },
        language: form.language, imei: form.imei,
        consent: { accepted: form.consent, text_version: formField(request.body, 'consent_version') || CONSENT_TEXT_VERSION },
        sim: form.sim === 'esim' ? { esim: true } : { iccid: form.iccid },
      }, request.ip, formField(request.body, 'key').slice(0, FIELD_LENGTH_MAX) || formKey());
      return await sendSubscriber(request, reply, staff, subscriber, true);
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return sendConnectForm(request, reply, staff, form, [connectError(domainError(error, language, 'document_number'))], error.status);
    }
  });

  app.get<{ Params: { line_id: string } }>('/desk/subscribers/:line_id', async (request, reply) => {
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    try {
      const subscriber = await context.desk_subscribers.subscriber(staff.actor, request.params.line_id);
      return await sendSubscriber(request, reply, staff, subscriber, false);
    } catch (error) {
      if (!isRoamError(error) || (error.status !== 404 && error.status !== 403)) throw error;
      const language = sessions.language(request);
      return notFound(deps, reply, language, domainError(error, language, 'line').message);
    }
  });

  app.post<{ Params: { line_id: string }; Body: unknown }>('/desk/subscribers/:line_id/imei', async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    const language = sessions.language(request);
    const imei = formField(request.body, 'imei').slice(0, FIELD_LENGTH_MAX);
    try {
      const subscriber = await context.desk_subscribers.changeImei(staff.actor, request.params.line_id, imei, request.ip);
      request.log.info({ line_id: subscriber.line_id, staff_id: staff.actor.staff_id }, 'desk changed a subscriber\'s IMEI');
      return await sendSubscriber(request, reply, staff, subscriber, false, { changed: true });
    } catch (error) {
      if (!isRoamError(error)) throw error;
      if (error.status === 404 || error.status === 403) return notFound(deps, reply, language, domainError(error, language, 'line').message);
      const subscriber = await context.desk_subscribers.subscriber(staff.actor, request.params.line_id);
      return sendSubscriber(request, reply, staff, subscriber, false, { errors: [domainError(error, language, 'imei')], imei, status: error.status });
    }
  });

  app.get<{ Params: { line_id: string } }>('/desk/subscribers/:line_id/contract.pdf', async (request, reply) => {
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    const pdf = await context.desk_subscribers.contractPdf(staff.actor, request.params.line_id);
    // Personal data: never kept by a shared cache or the browser's.
    return reply.type('application/pdf').header('cache-control', 'no-store')
      .header('content-disposition', 'inline; filename="contract.pdf"').send(pdf);
  });

  function sendLanguageChoice(request: FastifyRequest, reply: FastifyReply, staff: DeskStaff): FastifyReply {
    const language = sessions.language(request);
    const text = deskText(language);
    const body = html`<h1>${text.connect_title}</h1>
<section class="panel"><form method="get" action="/desk/connect">
<div class="field"><label for="language">${text.visitor_language_label}</label><p class="hint" id="language-hint">${text.visitor_language_hint}</p>
<select id="language" name="language" aria-describedby="language-hint" autofocus>${VISITOR_LANGUAGES.map((visitor) => html`<option value="${visitor}" lang="${visitor}">${LANGUAGE_NAMES[visitor]}</option>`)}</select></div>
<button type="submit">${text.continue_button}</button></form></section>`;
    const header = staffHeader(deps, request, reply, staff, language);
    return sendDeskPage(reply, stylesheet, { language, title: text.connect_title, body, header });
  }

  function sendConnectForm(
    request: FastifyRequest, reply: FastifyReply, staff: DeskStaff, form: ConnectForm, errors: readonly FieldError[], status: number,
  ): FastifyReply {
    const language = sessions.language(request);
    const text = deskText(language);
    const body = html`<h1>${text.connect_title}</h1>
${errorSummary(errors)}
<form method="post" action="/desk/connect" novalidate>${sessions.csrfField(request, reply)}
<input type="hidden" name="key" value="${formKey()}"><input type="hidden" name="language" value="${form.language}">
<input type="hidden" name="consent_version" value="${CONSENT_TEXT_VERSION}">
<p>${text.visitor_language_label}: <strong lang="${form.language}">${LANGUAGE_NAMES[form.language]}</strong> (<a href="/desk/connect">${text.change_language}</a>)</p>
<div class="columns">
${documentFields(language, form, errors)}
<div>
${consentFields(language, form, errors)}
<section class="panel">
${field({ id: 'imei', label: text.imei_label, hint: text.imei_hint, value: form.imei, errors, attributes: html`type="text" inputmode="numeric" autocomplete="off" maxlength="20"` })}
</section>
${simFields(language, form, errors)}
</div></div>
<button type="submit">${text.connect_button}</button></form>`;
    const header = staffHeader(deps, request, reply, staff, language);
    return sendDeskPage(reply, stylesheet, { language, title: text.connect_title, body, status, header });
  }

  async function sendSubscriber(
    request: FastifyRequest, reply: FastifyReply, staff: DeskStaff, subscriber: DeskSubscriber, just_connected: boolean,
    imei_form: ImeiFormState = {},
  ): Promise<FastifyReply> {
    const language = sessions.language(request);
    const text = deskText(language);
    const state = subscriber.verification.state;
    const path = `/desk/subscribers/${encodeURIComponent(subscriber.line_id)}`;
    const qr = subscriber.esim_activation_code === null ? null
      : await QRCode.toString(subscriber.esim_activation_code, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    const body = html`<h1>${just_connected ? text.connected_title : text.verification_status}: ${subscriber.msisdn}</h1>
<section class="panel${state === 'confirmed' ? ' done' : ''}" aria-labelledby="verification-title"><h2 id="verification-title">${text.verification_status}</h2>
<p class="state" id="verification-state" data-state="${state}" role="status">${text.verification_states[state]}</p>
<dl class="facts"><dt>${text.number_label}</dt><dd>${subscriber.msisdn}</dd><dt>${text.iccid_label}</dt><dd>${subscriber.iccid_masked}</dd>
<dt>${text.document_number_label}</dt><dd>${subscriber.document.number_masked}</dd><dt>${text.imei_label}</dt><dd>${subscriber.imei}</dd></dl>
${state === 'pending' ? html`<p><a href="${path}">${text.refresh}</a></p>` : ''}
</section>
${imeiForm(request, reply, language, path, imei_form)}
${qr === null ? '' : html`<section class="panel qr" aria-labelledby="qr-title"><h2 id="qr-title">${text.esim_qr_title}</h2><div class="qr-code" role="img" aria-label="${text.esim_qr_title}">${raw(qr)}</div></section>`}
<ul class="links"><li><a href="${path}/contract.pdf" target="_blank">${text.contract_pdf}</a></li>
${just_connected ? html`<li><a href="${path}">${text.verification_status}</a></li>` : ''}<li><a href="/desk">${text.home_link}</a></li></ul>`;
    return sendDeskPage(reply, stylesheet, {
      language, title: text.verification_status, body, header: staffHeader(deps, request, reply, staff, language),
      status: imei_form.status ?? 200,
      ...(state === 'pending' && !just_connected ? { refresh_s: PENDING_REFRESH_S } : {}),
    });
  }

  /** The phone-change form: its error and the typed value when refused, a status line once recorded. */
  function imeiForm(request: FastifyRequest, reply: FastifyReply, language: DeskLanguage, path: string, state: ImeiFormState): SafeHtml {
    const text = deskText(language);
    const errors = state.errors ?? [];
    return html`<section class="panel" aria-labelledby="imei-title"><h2 id="imei-title">${text.imei_change_title}</h2>
${state.changed ? html`<p role="status" id="imei-changed">${text.imei_changed}</p>` : ''}
${errorSummary(errors)}
<form method="post" action="${path}/imei" novalidate>${sessions.csrfField(request, reply)}
${field({ id: 'imei', label: text.imei_label, hint: text.imei_hint, value: state.imei, errors, attributes: html`type="text" inputmode="numeric" autocomplete="off" maxlength="20"` })}
<button type="submit">${text.imei_change_button}</button></form></section>`;
  }
};

interface ImeiFormState {
  readonly errors?: readonly FieldError[];
  /** The refused value, shown back so the agent can correct one digit. */
  readonly imei?: string;
  readonly changed?: boolean;
  readonly status?: number;
}

function emptyForm(language: Language): ConnectForm {
  return {
    language, document_type: 'passport', issuing_country: '', document_number: '', surname: '', given_names: '', birth_date: '',
    imei: '', sim: 'iccid', iccid: '', consent: false,
  };
}

function connectForm(body: unknown): ConnectForm {
  const value = (name: string) => formField(body, name).slice(0, FIELD_LENGTH_MAX);
  return {
    language: normalizeLanguage(value('language')) ?? 'en', document_type: value('document_type'), issuing_country: value('issuing_country'),
    document_number: value('document_number'), surname: value('surname'), given_names: value('given_names'), birth_date: value('birth_date'),
    imei: value('imei'), sim: value('sim') === 'esim' ? 'esim' : 'iccid', iccid: value('iccid'), consent: value('consent') === 'yes',
  };
}

/** The service names its API's fields; the form names its own. */
function connectError(error: FieldError): FieldError {
  const fields: Record<string, string> = { 'consent.accepted': 'consent', 'consent.text_version': 'consent', 'sim.iccid': 'iccid', 'sim.esim': 'sim-esim' };
  return { ...error, field: fields[error.field] ?? error.field };
}

function documentFields(language: DeskLanguage, form: ConnectForm, errors: readonly FieldError[]): SafeHtml {
  const text = deskText(language);
  const latin = html`type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="${FIELD_LENGTH_MAX}"`;
  return html`<section class="panel" aria-labelledby="document-title"><h2 id="document-title">${text.document_legend}</h2>
<div class="field"><label for="document_type">${text.document_type_label}</label>
<select id="document_type" name="document_type" autofocus>${DOCUMENT_TYPES.map((type) => html`<option value="${type}"${type === form.document_type ? html` selected` : ''}>${text.document_types[type] ?? type}</option>`)}</select></div>
${field({ id: 'issuing_country', label: text.issuing_country_label, hint: text.issuing_country_hint, value: form.issuing_country, errors, attributes: html`type="text" autocomplete="off" autocapitalize="characters" maxlength="3"` })}
${field({ id: 'document_number', label: text.document_number_label, value: form.document_number, errors, attributes: latin })}
${field({ id: 'surname', label: text.surname_label, hint: text.latin_hint, value: form.surname, errors, attributes: latin })}
${field({ id: 'given_names', label: text.given_names_label, hint: text.latin_hint, value: form.given_names, errors, attributes: latin })}
${field({ id: 'birth_date', label: text.birth_date_label, hint: text.birth_date_hint, value: form.birth_date, errors, attributes: html`type="text" inputmode="numeric" autocomplete="off" maxlength="10"` })}
</section>`;
}

function consentFields(language: DeskLanguage, form: ConnectForm, errors: readonly FieldError[]): SafeHtml {
  const text = deskText(language);
  const error = errors.find((candidate) => candidate.field === 'consent');
  return html`<section class="panel consent" aria-labelledby="consent-title"><h2 id="consent-title">${text.consent_legend}</h2>
${consentTextsShown(form.language).map((shown, index) => html`<div class="consent-text" lang="${index === 0 ? form.language : 'ru'}"><h3>${shown.title}</h3><p>${shown.body}</p></div>`)}
${error ? html`<p class="error-text" id="consent-error">${error.message}</p>` : ''}
<div class="check"><input type="checkbox" id="consent" name="consent" value="yes"${form.consent ? html` checked` : ''}${error ? html` aria-invalid="true" aria-describedby="consent-error"` : ''}>
<label for="consent">${text.consent_accepted_label(CONSENT_TEXT_VERSION)}</label></div></section>`;
}

function simFields(language: DeskLanguage, form: ConnectForm, errors: readonly FieldError[]): SafeHtml {
  const text = deskText(language);
  const esim_error = errors.find((candidate) => candidate.field === 'sim-esim');
  return html`<section class="panel"><fieldset><legend>${text.sim_legend}</legend>
<div class="choice"><input type="radio" id="sim-iccid" name="sim" value="iccid"${form.sim === 'iccid' ? html` checked` : ''}><label for="sim-iccid">${text.sim_scanned}</label></div>
${field({ id: 'iccid', label: text.iccid_scan_label, hint: text.iccid_scan_hint, value: form.iccid, errors, required: false, attributes: html`type="text" inputmode="numeric" autocomplete="off" spellcheck="false" maxlength="32"` })}
${esim_error ? html`<p class="error-text" id="sim-esim-error">${esim_error.message}</p>` : ''}
<div class="choice"><input type="radio" id="sim-esim" name="sim" value="esim"${form.sim === 'esim' ? html` checked` : ''}><label for="sim-esim">${text.sim_esim}</label></div>
</fieldset></section>`;
}
