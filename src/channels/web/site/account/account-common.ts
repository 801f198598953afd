import type { FastifyReply, FastifyRequest } from 'fastify';
import { RoamError } from '../../../../core/errors.js';
import { describeError } from '../../../../core/i18n/format.js';
import type { Language } from '../../../../core/i18n/languages.js';
import type { CustomerService } from '../../../../services/customers/customer-service.js';
import { csrfTokenFor, CSRF_FIELD, optionalCustomer, verifyCsrf, type CustomerPrincipal } from '../../../http/customer-auth.js';
import { html, type SafeHtml } from '../html.js';
import { sendPage, type NavSection } from '../layout.js';
import type { SiteDependencies } from '../site-dependencies.js';
import { sameSitePath, siteLanguage } from '../site-language.js';
import { siteText } from '../text/site-text.js';
import { accountText } from './account-text.js';

/** What the signed-in pages need: the site's dependencies and the customer identity service. */
export interface AccountDependencies extends SiteDependencies {
  readonly customers: CustomerService;
}

export const SIGN_IN_PATH = '/signin';
export const LINES_PATH = '/lines';

/** The page's language: ?lang, the switcher's cookie, the browser's. */
export function pageLanguage(deps: AccountDependencies, request: FastifyRequest): Language {
  return siteLanguage(request, deps.default_language);
}

/**
 * The signed-in customer, or null after answering with a redirect to the sign-in page, which
 * comes back here. Pages check the session themselves: a page never answers 401.
 */
export async function customerOrSignIn(request: FastifyRequest, reply: FastifyReply): Promise<CustomerPrincipal | null> {
  const principal = await optionalCustomer(request);
  if (principal) return principal;
  const next = request.method === 'GET' ? sameSitePath(request.url) : LINES_PATH;
  reply.header('cache-control', 'no-store').redirect(`${SIGN_IN_PATH}?next=${encodeURIComponent(next)}`, 303);
  return null;
}

/** The hidden field every form of these pages carries. */
export function csrfField(request: FastifyRequest, reply: FastifyReply): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfTokenFor(request, reply)}">`;
}

/** False after answering 403 with a page that says the form expired; nothing was done. */
export function checkCsrf(deps: AccountDependencies, request: FastifyRequest, reply: FastifyReply): boolean {
  if (verifyCsrf(request)) return true;
  const language = pageLanguage(deps, request);
  const message = describeError(new RoamError('ROAM_ERR_CSRF_INVALID'), language);
  const body = html`<h1>${accountText(language).signin_title}</h1><div class="alert" role="alert"><p>${message}</p></div>
<p><a class="cta" href="${LINES_PATH}">${siteText(language).nav.lines}</a></p>`;
  sendAccountPage(deps, reply, { language, title: message, url: LINES_PATH, body, status: 403 });
  return false;
}

export interface AccountPage {
  readonly language: Language;
  readonly title: string;
  /** The page's address by GET: the language switcher comes back to it, also after a POST. */
  readonly url: string;
  readonly body: SafeHtml;
  readonly status?: number;
  readonly section?: NavSection | null;
}

/** Every signed-in page is private: never cached, its address never sent as a referrer. */
export function sendAccountPage(deps: AccountDependencies, reply: FastifyReply, page: AccountPage): FastifyReply {
  const document = deps.shell.render({ language: page.language, title: page.title, url: page.url, section: page.section ?? 'lines', body: page.body });
  return sendPage(reply, document, { status: page.status ?? 200, private: true });
}

export function notFoundPage(deps: AccountDependencies, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const language = pageLanguage(deps, request);
  const text = siteText(language);
  const body = html`<h1>${text.not_found_title}</h1><p>${text.not_found_text}</p><p><a href="${LINES_PATH}">${text.nav.lines}</a></p>`;
  return sendAccountPage(deps, reply, { language, title: text.not_found_title, url: LINES_PATH, body, status: 404 });
}

/** The sign-out button: a form, because signing out changes something (and must carry the CSRF token). */
export function signOutForm(request: FastifyRequest, reply: FastifyReply, language: Language): SafeHtml {
  return html`<form class="field" method="post" action="/signout">${csrfField(request, reply)}<button class="cta secondary" type="submit">${accountText(language).sign_out}</button></form>`;
}

export { formField } from '../../form-fields.js';

/** One field's error, linked from the summary at the top of the form (GOV.UK pattern). */
export function errorSummary(language: Language, errors: ReadonlyArray<{ field: string; message: string }>): SafeHtml {
  if (errors.length === 0) return html``;
  return html`<div class="errors" role="alert"><p>${siteText(language).errors_summary}</p><ul>${errors.map((error) => html`<li><a href="#${error.field}">${error.message}</a></li>`)}</ul></div>`;
}

export interface TextFieldInput {
  readonly id: string;
  readonly label: string;
  readonly hint: string;
  readonly value: string;
  readonly error: string | undefined;
  /** Extra attributes: type, inputmode, autocomplete, maxlength. */
  readonly attributes: SafeHtml;
}

export function textField(input: TextFieldInput): SafeHtml {
  const described = `${input.id}-hint${input.error ? ` ${input.id}-error` : ''}`;
  return html`<div class="field"><label for="${input.id}">${input.label}</label>
<p class="hint" id="${input.id}-hint">${input.hint}</p>
${input.error ? html`<p class="error-text" id="${input.id}-error">${input.error}</p>` : ''}
<input id="${input.id}" name="${input.id}" value="${input.value}" ${input.attributes} required aria-describedby="${described}"${input.error ? html` aria-invalid="true"` : ''}></div>`;
}
