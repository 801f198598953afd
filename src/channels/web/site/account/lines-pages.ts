import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isRoamError } from '../../../../core/errors.js';
import { describeError } from '../../../../core/i18n/format.js';
import type { Language } from '../../../../core/i18n/languages.js';
import type { CustomerLine } from '../../../../services/customers/index.js';
import type { CustomerPrincipal } from '../../../http/customer-auth.js';
import { html, type SafeHtml } from '../html.js';
import { displayNumber } from '../renew-pages.js';
import { sameSitePath } from '../site-language.js';
import { siteText } from '../text/site-text.js';
import {
  checkCsrf, csrfField, customerOrSignIn, errorSummary, formField, LINES_PATH, notFoundPage, pageLanguage, sendAccountPage, signOutForm,
  textField, type AccountDependencies,
} from './account-common.js';
import { accountText } from './account-text.js';
import { lineView } from './line-view.js';
import { alertsPath, linePath, verifyPath } from './lines-paths.js';
import { ORDERS_PATH } from './orders-pages.js';

/**
 * The signed-in home and the cards on the account:
 *   GET  /lines                 every line: balance, packs, warnings, usage (home of the app)
 *   GET  /lines/:id             one line
 *   GET|POST /lines/:id/verify  the ICCID step: a card added by its number alone shows nothing
 *                               until the serial number printed on it is entered
 *   GET|POST /lines/add         another card (a child's): its number and its ICCID
 * A line of another account is "not found", exactly like one that does not exist.
 */

const ADD_PATH = `${LINES_PATH}/add`;

type Owned = { principal: CustomerPrincipal; line: CustomerLine };
type FieldError = { field: 'msisdn' | 'iccid'; message: string };

export const linesPages: FastifyPluginAsync<AccountDependencies> = async (app, deps) => {
  app.get(LINES_PATH, async (request, reply) => {
    const principal = await customerOrSignIn(request, reply);
    if (!principal) return reply;
    const language = pageLanguage(deps, request);
    const text = accountText(language);
    const lines = await deps.customers.listLines(principal.customer_id);
    const cards = await Promise.all(lines.map((line) => lineCard(principal, line, language, true)));
    const body = html`<h1>${text.lines_title}</h1>
${lines.length === 0 ? html`<p>${text.lines_none}</p>` : cards}
<p><a href="${ADD_PATH}">${text.add_line}</a></p>
<p><a href="${ORDERS_PATH}">${text.orders_title}</a></p>
${signOutForm(request, reply, language)}`;
    return sendAccountPage(deps, reply, { language, title: text.lines_title, url: LINES_PATH, body });
  });

  app.get(ADD_PATH, async (request, reply) => {
    const principal = await customerOrSignIn(request, reply);
    if (!principal) return reply;
    return sendAddForm(request, reply, { msisdn: '', iccid: '' }, null, 200);
  });

  app.post<{ Body: unknown }>(ADD_PATH, async (request, reply) => {
    const principal = await customerOrSignIn(request, reply);
    if (!principal || !checkCsrf(deps, request, reply)) return reply;
    const values = { msisdn: formField(request.body, 'msisdn'), iccid: formField(request.body, 'iccid') };
    const outcome = await addLine(request, reply, principal, values);
    if ('line_id' in outcome) return reply.redirect(linePath(outcome.line_id), 303);
    return sendAddForm(request, reply, values, outcome, reply.statusCode);
  });

  app.get<{ Params: { id: string } }>(`${LINES_PATH}/:id`, async (request, reply) => {
    const owned = await ownedLine(request, reply);
    if (!owned) return reply;
    if (owned.line.verified_by !== 'iccid') return reply.redirect(verifyPath(owned.line.line_id, linePath(owned.line.line_id)), 303);
    const language = pageLanguage(deps, request);
    const body = html`<h1>${accountText(language).lines_title}</h1>${await lineCard(owned.principal, owned.line, language, false)}
<p><a href="${alertsPath(owned.line.line_id)}">${accountText(language).alerts_link}</a></p>
<p><a href="${LINES_PATH}">${siteText(language).nav.lines}</a></p>`;
    return sendAccountPage(deps, reply, { language, title: displayNumber(owned.line.msisdn), url: linePath(owned.line.line_id), body });
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(`${LINES_PATH}/:id/verify`, async (request, reply) => {
    const owned = await ownedLine(request, reply);
    if (!owned) return reply;
    const next = nextPath(request.query);
    if (owned.line.verified_by === 'iccid') return reply.redirect(next, 303);
    return sendVerifyForm(request, reply, owned.line, '', next, null, 200);
  });

  app.post<{ Params: { id: string }; Body: unknown }>(`${LINES_PATH}/:id/verify`, async (request, reply) => {
    const owned = await ownedLine(request, reply);
    if (!owned || !checkCsrf(deps, request, reply)) return reply;
    const iccid = formField(request.body, 'iccid');
    const next = nextPath(request.body);
    // addLine with the number already on the account upgrades its SMS-only link to "iccid".
    const outcome = await addLine(request, reply, owned.principal, { msisdn: owned.line.msisdn, iccid });
    if ('line_id' in outcome) return reply.redirect(next, 303);
    return sendVerifyForm(request, reply, owned.line, iccid, next, outcome.message, reply.statusCode);
  });

  /** The customer's line, or null after answering (sign-in redirect, or 404 when it is not theirs). */
  async function ownedLine(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<Owned | null> {
    const principal = await customerOrSignIn(request, reply);
    if (!principal) return null;
    const line = (await deps.customers.listLines(principal.customer_id)).find((candidate) => candidate.line_id === request.params.id);
    if (line) return { principal, line };
    notFoundPage(deps, request, reply);
    return null;
  }

  /** The added line, or the field at fault and the localized reason (the reply's status is set to match). */
  async function addLine(
    request: FastifyRequest, reply: FastifyReply, principal: CustomerPrincipal, values: { msisdn: string; iccid: string },
  ): Promise<CustomerLine | FieldError> {
    const language = pageLanguage(deps, request);
    if (!values.iccid) {
      reply.code(400);
      return { field: 'iccid', message: accountText(language).iccid_empty };
    }
    try {
      return (await deps.customers.addLine(principal.customer_id, values)).line;
    } catch (error) {
      if (!isRoamError(error)) throw error;
      if (error.params.retry_after_s !== undefined) reply.header('retry-after', String(error.params.retry_after_s));
      reply.code(error.status);
      return { field: error.params.field === 'msisdn' ? 'msisdn' : 'iccid', message: describeError(error, language) };
    }
  }

  async function lineCard(principal: CustomerPrincipal, line: CustomerLine, language: Language, link_to_line: boolean): Promise<SafeHtml> {
    if (line.verified_by !== 'iccid') return verifyCard(line, language);
    const dashboard = await deps.customers.lineDashboard(principal.customer_id, line.line_id);
    return lineView({ dashboard, language, now_ms: deps.now_ms(), link_to_line });
  }

  function sendVerifyForm(
    request: FastifyRequest, reply: FastifyReply, line: CustomerLine, typed: string, next: string, error: string | null, status: number,
  ): FastifyReply {
    const language = pageLanguage(deps, request);
    const text = accountText(language);
    const body = html`<h1>${text.verify_title}</h1>
<p>${text.verify_intro}</p>
<p><span class="number">${displayNumber(line.msisdn)}</span></p>
${errorSummary(language, error ? [{ field: 'iccid', message: error }] : [])}
<form method="post" action="${verifyPath(line.line_id, LINES_PATH)}" novalidate>${csrfField(request, reply)}<input type="hidden" name="next" value="${next}">
${iccidField(language, typed, error)}
<button class="cta wide" type="submit">${text.verify_button}</button></form>
${signOutForm(request, reply, language)}`;
    return sendAccountPage(deps, reply, { language, title: text.verify_title, url: verifyPath(line.line_id, next), body, status });
  }

  function sendAddForm(
    request: FastifyRequest, reply: FastifyReply, values: { msisdn: string; iccid: string }, error: FieldError | null, status: number,
  ): FastifyReply {
    const language = pageLanguage(deps, request);
    const text = accountText(language);
    const site = siteText(language);
    const body = html`<h1>${text.add_line_title}</h1>
<p>${text.add_line_intro}</p>
${errorSummary(language, error ? [error] : [])}
<form method="post" action="${ADD_PATH}" novalidate>${csrfField(request, reply)}
${textField({
    id: 'msisdn', label: site.msisdn_label, hint: site.msisdn_hint, value: values.msisdn, error: error?.field === 'msisdn' ? error.message : undefined,
    attributes: html`type="tel" inputmode="tel" autocomplete="off" maxlength="32"`,
  })}
${iccidField(language, values.iccid, error?.field === 'iccid' ? error.message : null)}
<button class="cta wide" type="submit">${text.add_line_button}</button></form>
<p><a href="${LINES_PATH}">${site.nav.lines}</a></p>`;
    return sendAccountPage(deps, reply, { language, title: text.add_line_title, url: ADD_PATH, body, status });
  }
};

function verifyCard(line: CustomerLine, language: Language): SafeHtml {
  const text = accountText(language);
  return html`<section class="card"><h2><span class="number">${displayNumber(line.msisdn)}</span></h2>
<p>${text.verify_needed}</p><p><a class="cta" href="${verifyPath(line.line_id, LINES_PATH)}">${text.verify_cta}</a></p></section>`;
}

function iccidField(language: Language, typed: string, error: string | null): SafeHtml {
  const text = accountText(language);
  return textField({
    id: 'iccid', label: text.iccid_label, hint: text.iccid_hint, value: typed, error: error ?? undefined,
    attributes: html`type="text" inputmode="numeric" autocomplete="off" maxlength="32"`,
  });
}

function nextPath(source: unknown): string {
  const next = formField(source, 'next');
  return next ? sameSitePath(next) : LINES_PATH;
}
