import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isRoamError } from '../../../../core/errors.js';
import { describeError } from '../../../../core/i18n/format.js';
import type { Language } from '../../../../core/i18n/languages.js';
import { maskIccid } from '../../../../core/iccid.js';
import { maskMsisdn, parseMsisdn } from '../../../../core/phone.js';
import type { SignInTarget } from '../../../../services/customers/one-time-codes.js';
import { clearSessionCookie, optionalCustomer, setSessionCookie } from '../../../http/customer-auth.js';
import { html, type SafeHtml } from '../html.js';
import { sameSitePath } from '../site-language.js';
import { siteText } from '../text/site-text.js';
import {
  checkCsrf, csrfField, errorSummary, formField, LINES_PATH, pageLanguage, sendAccountPage, SIGN_IN_PATH, textField,
  type AccountDependencies,
} from './account-common.js';
import { accountText } from './account-text.js';
import { verifyPath } from './lines-paths.js';

/**
 * Sign-in without a password, and without JavaScript:
 *   GET  /signin[?by=iccid]      the number (or the card's serial number)
 *   POST /signin                 a code by SMS (the same answer for numbers that are not ours)
 *   GET  /signin/code?msisdn=…   the 6 digits; POST signs in (or up) and sets the session cookie
 *   POST /signout
 * Every POST carries the CSRF token. `next` (a path on this site only) is where to go afterwards.
 */

type By = 'msisdn' | 'iccid';
const CODE_DIGITS = 6;
const RETRY_AFTER_HEADER = 'retry-after';

interface SignInForm {
  readonly by: By;
  readonly value: string;
  readonly next: string;
}

export const signInPages: FastifyPluginAsync<AccountDependencies> = async (app, deps) => {
  app.get<{ Querystring: Record<string, unknown> }>(SIGN_IN_PATH, async (request, reply) => {
    const form = signInForm(request.query);
    if (await optionalCustomer(request)) return reply.header('cache-control', 'no-store').redirect(form.next, 303);
    return sendSignInForm(request, reply, form, null, 200);
  });

  app.post<{ Body: unknown }>(SIGN_IN_PATH, async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const form = signInForm(request.body);
    const language = pageLanguage(deps, request);
    if (!form.value) return sendSignInForm(request, reply, form, emptyMessage(form.by, language), 400);
    try {
      await deps.customers.requestCode({ target: target(form), ip: request.ip, language });
    } catch (error) {
      if (!isRoamError(error)) throw error;
      if (error.params.retry_after_s !== undefined) reply.header(RETRY_AFTER_HEADER, String(error.params.retry_after_s));
      return sendSignInForm(request, reply, form, describeError(error, language), error.status);
    }
    return reply.redirect(codePath(form), 303);
  });

  app.get<{ Querystring: Record<string, unknown> }>(`${SIGN_IN_PATH}/code`, async (request, reply) => {
    const form = signInForm(request.query);
    if (!form.value) return reply.redirect(signInPath(form), 303);
    return sendCodeForm(request, reply, form, null, 200);
  });

  app.post<{ Body: unknown }>(`${SIGN_IN_PATH}/code`, async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const form = signInForm(request.body);
    const language = pageLanguage(deps, request);
    const code = formField(request.body, 'code').replace(/\s+/g, '');
    if (!form.value) return reply.redirect(signInPath(form), 303);
    if (!code) return sendCodeForm(request, reply, form, accountText(language).code_empty, 400);
    try {
      const signed_in = await deps.customers.verifyCode({ target: target(form), code, session_kind: 'cookie', language, ip: request.ip });
      setSessionCookie(reply, signed_in.token, signed_in.session.expires_at_ms);
      return reply.header('cache-control', 'no-store').redirect(await afterSignIn(signed_in.customer_id, form.next), 303);
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return sendCodeForm(request, reply, form, describeError(error, language), error.status);
    }
  });

  app.post<{ Body: unknown }>('/signout', async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const principal = await optionalCustomer(request);
    if (principal) await deps.customers.signOut(principal.session_id);
    clearSessionCookie(reply);
    return reply.header('cache-control', 'no-store').redirect('/', 303);
  });

  /** A card first added by its number alone must be confirmed by its ICCID before anything else. */
  async function afterSignIn(customer_id: string, next: string): Promise<string> {
    const unverified = (await deps.customers.listLines(customer_id)).find((line) => line.verified_by !== 'iccid');
    return unverified ? verifyPath(unverified.line_id, next) : next;
  }

  function sendSignInForm(
    request: FastifyRequest, reply: FastifyReply, form: SignInForm, error: string | null, status: number,
  ): FastifyReply {
    const language = pageLanguage(deps, request);
    const text = accountText(language);
    const body = html`<h1>${text.signin_title}</h1>
<p>${form.by === 'iccid' ? text.signin_intro_iccid : text.signin_intro_msisdn}</p>
${errorSummary(language, error ? [{ field: form.by, message: error }] : [])}
<form method="post" action="${SIGN_IN_PATH}" novalidate>${csrfField(request, reply)}
<input type="hidden" name="by" value="${form.by}"><input type="hidden" name="next" value="${form.next}">
${targetField(language, form, error)}
<button class="cta wide" type="submit">${text.send_code}</button></form>
<p><a href="${signInPath({ ...form, by: form.by === 'iccid' ? 'msisdn' : 'iccid', value: '' })}">${form.by === 'iccid' ? text.use_msisdn : text.use_iccid}</a></p>`;
    return sendAccountPage(deps, reply, { language, title: text.signin_title, url: signInPath({ ...form, value: '' }), body, status });
  }

  function sendCodeForm(
    request: FastifyRequest, reply: FastifyReply, form: SignInForm, error: string | null, status: number,
  ): FastifyReply {
    const language = pageLanguage(deps, request);
    const text = accountText(language);
    const body = html`<h1>${text.code_title}</h1>
<p>${text.code_sent(form.by === 'iccid' ? maskIccid(form.value) : maskMsisdn(form.value))}</p>
${errorSummary(language, error ? [{ field: 'code', message: error }] : [])}
<form method="post" action="${SIGN_IN_PATH}/code" novalidate>${csrfField(request, reply)}
<input type="hidden" name="by" value="${form.by}"><input type="hidden" name="${form.by}" value="${form.value}"><input type="hidden" name="next" value="${form.next}">
${textField({
    id: 'code', label: text.code_label, hint: text.code_hint, value: '', error: error ?? undefined,
    attributes: html`type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{${CODE_DIGITS}}" maxlength="${CODE_DIGITS}"`,
  })}
<button class="cta wide" type="submit">${text.sign_in}</button></form>
<p><a href="${signInPath(form)}">${text.code_again}</a></p>`;
    return sendAccountPage(deps, reply, { language, title: text.code_title, url: codePath(form), body, status });
  }
};

function targetField(language: Language, form: SignInForm, error: string | null): SafeHtml {
  const text = accountText(language);
  const site = siteText(language);
  if (form.by === 'iccid') {
    return textField({
      id: 'iccid', label: text.iccid_label, hint: text.iccid_hint, value: form.value, error: error ?? undefined,
      attributes: html`type="text" inputmode="numeric" autocomplete="off" maxlength="32"`,
    });
  }
  return textField({
    id: 'msisdn', label: site.msisdn_label, hint: site.msisdn_hint, value: form.value, error: error ?? undefined,
    attributes: html`type="tel" inputmode="tel" autocomplete="tel" maxlength="32"`,
  });
}

/** What a query or a form body says: by ICCID or by number, what was typed, where to go next. */
function signInForm(source: unknown): SignInForm {
  const by: By = formField(source, 'by') === 'iccid' || (formField(source, 'iccid') !== '' && formField(source, 'msisdn') === '') ? 'iccid' : 'msisdn';
  const next = formField(source, 'next');
  return { by, value: formField(source, by).slice(0, 32), next: next ? sameSitePath(next) : LINES_PATH };
}

function target(form: SignInForm): SignInTarget {
  if (form.by === 'iccid') return { iccid: form.value };
  // The E.164 form when it parses, so the code page and the SMS agree on the number; else as typed (the service names the problem).
  const parsed = parseMsisdn(form.value);
  return { msisdn: parsed.ok ? parsed.msisdn : form.value };
}

function codePath(form: SignInForm): string {
  const chosen = target(form);
  const value = 'msisdn' in chosen ? chosen.msisdn : chosen.iccid;
  return `${SIGN_IN_PATH}/code?${new URLSearchParams({ by: form.by, [form.by]: value, next: form.next }).toString()}`;
}

function signInPath(form: SignInForm): string {
  const query = new URLSearchParams({ ...(form.by === 'iccid' ? { by: 'iccid' } : {}), ...(form.value ? { [form.by]: form.value } : {}), ...(form.next !== LINES_PATH ? { next: form.next } : {}) });
  const search = query.toString();
  return search ? `${SIGN_IN_PATH}?${search}` : SIGN_IN_PATH;
}

function emptyMessage(by: By, language: Language): string {
  return by === 'iccid' ? accountText(language).iccid_empty : siteText(language).msisdn_empty;
}
