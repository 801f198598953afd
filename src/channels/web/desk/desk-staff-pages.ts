import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { formatShortDateTime } from '../../../core/i18n/format.js';
import type { ShiftView } from '../../../services/desk/shifts.js';
import { html, type SafeHtml } from '../site/html.js';
import {
  caller, checkCsrf, DESK_TIME_ZONE, domainError, errorSummary, field, formField, isRoamError, money, parseRubles,
  staffHeader, type DeskDependencies, type FieldError,
} from './desk-common.js';
import { sendDeskPage } from './desk-layout.js';
import { managerPanel } from './desk-manager-pages.js';
import { DESK_PASSWORD_PATH, DESK_PATH, DESK_SIGN_IN_PATH, type DeskStaff } from './desk-session.js';
import { deskText, isDeskLanguage, type DeskLanguage } from './desk-text.js';

/**
 *   GET/POST /desk/signin      login, password, one-time code (TOTP); the language chosen here is remembered
 *   GET/POST /desk/password    a one-time password must be replaced before anything else
 *   POST     /desk/signout
 *   GET      /desk             who, the store, the shift (open form or its state and the close form), the look-up box;
 *                              for managers and admins the shifts left open past their day and the audit log's link
 *   POST     /desk/shifts      open with a float;  POST /desk/shifts/:id/close  the report, and the session ends
 */

const LOGIN_LENGTH_MAX = 64;
const PASSWORD_LENGTH_MAX = 256;
const TOTP_DIGITS = 6;

export const deskStaffPages: FastifyPluginAsync<DeskDependencies> = async (app, deps) => {
  const { sessions, stylesheet } = deps;
  const staffService = deps.context.staff;

  app.get(DESK_SIGN_IN_PATH, async (request, reply) => {
    const staff = await sessions.current(request);
    if (staff) return reply.header('cache-control', 'no-store').redirect(DESK_PATH, 303);
    return sendSignIn(request, reply, sessions.language(request), '', [], 200);
  });

  app.post<{ Body: unknown }>(DESK_SIGN_IN_PATH, async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const chosen = formField(request.body, 'lang');
    const language = isDeskLanguage(chosen) ? chosen : sessions.language(request);
    const login = formField(request.body, 'login').slice(0, LOGIN_LENGTH_MAX);
    const password = formField(request.body, 'password').slice(0, PASSWORD_LENGTH_MAX);
    const totp = formField(request.body, 'totp').replace(/\s+/g, '').slice(0, TOTP_DIGITS * 2);
    const empty = ([['login', login], ['password', password], ['totp', totp]] as const).filter(([, value]) => value === '')
      .map(([name]) => ({ field: name, message: deskText(language).field_empty }));
    if (empty.length > 0) return sendSignIn(request, reply, language, login, empty, 400);
    try {
      const signed_in = await staffService.signIn({ login, password, totp, client_address: request.ip });
      sessions.signedIn(reply, signed_in.token, signed_in.expires_at_ms);
      sessions.rememberLanguage(reply, language);
      return reply.header('cache-control', 'no-store').redirect(signed_in.password_must_change ? DESK_PASSWORD_PATH : DESK_PATH, 303);
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return sendSignIn(request, reply, language, login, [domainError(error, language, 'login')], error.status);
    }
  });

  app.get(DESK_PASSWORD_PATH, async (request, reply) => {
    const staff = await sessions.current(request);
    if (!staff) return reply.header('cache-control', 'no-store').redirect(DESK_SIGN_IN_PATH, 303);
    if (!staff.session.password_must_change) return reply.header('cache-control', 'no-store').redirect(DESK_PATH, 303);
    return sendPassword(request, reply, staff, [], 200);
  });

  app.post<{ Body: unknown }>(DESK_PASSWORD_PATH, async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const staff = await sessions.current(request);
    if (!staff) return reply.header('cache-control', 'no-store').redirect(DESK_SIGN_IN_PATH, 303);
    const language = sessions.language(request);
    try {
      await staffService.changePassword(staff.session, {
        current_password: formField(request.body, 'current_password').slice(0, PASSWORD_LENGTH_MAX),
        new_password: formField(request.body, 'new_password').slice(0, PASSWORD_LENGTH_MAX),
        client_address: request.ip,
      });
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return sendPassword(request, reply, staff, [domainError(error, language, 'new_password')], error.status);
    }
    return reply.header('cache-control', 'no-store').redirect(DESK_PATH, 303);
  });

  app.post<{ Body: unknown }>('/desk/signout', async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const staff = await sessions.current(request);
    if (staff) await staffService.signOut(staff.session, request.ip);
    sessions.signedOut(reply);
    return reply.header('cache-control', 'no-store').redirect(DESK_SIGN_IN_PATH, 303);
  });

  app.get(DESK_PATH, async (request, reply) => {
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    return sendDeskHome(deps, request, reply, staff, { errors: [], status: 200 });
  });

  app.post<{ Body: unknown }>('/desk/shifts', async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    const language = sessions.language(request);
    const float_minor = parseRubles(formField(request.body, 'float'));
    if (float_minor === undefined) {
      return sendDeskHome(deps, request, reply, staff, { errors: [{ field: 'float', message: deskText(language).amount_invalid }], status: 400 });
    }
    try {
      await deps.context.desk.openShift(caller(request, staff), float_minor);
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return sendDeskHome(deps, request, reply, staff, { errors: [domainError(error, language, 'float')], status: error.status });
    }
    return reply.header('cache-control', 'no-store').redirect(DESK_PATH, 303);
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/desk/shifts/:id/close', async (request, reply) => {
    if (!checkCsrf(deps, request, reply)) return reply;
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    const language = sessions.language(request);
    const counted_minor = parseRubles(formField(request.body, 'counted'));
    if (counted_minor === undefined) {
      return sendDeskHome(deps, request, reply, staff, { errors: [{ field: 'counted', message: deskText(language).amount_invalid }], status: 400 });
    }
    let closed: ShiftView;
    try {
      closed = await deps.context.desk.closeShift(caller(request, staff), { shift_id: request.params.id, counted_minor });
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return sendDeskHome(deps, request, reply, staff, { errors: [domainError(error, language, 'counted')], status: error.status });
    }
    // The close ended the session (staff sessions end at shift close): the report first, then sign-in.
    sessions.signedOut(reply);
    return sendShiftReport(reply, language, closed);
  });

  function sendSignIn(
    request: FastifyRequest, reply: FastifyReply, language: DeskLanguage, login: string, errors: readonly FieldError[], status: number,
  ): FastifyReply {
    const text = deskText(language);
    const body = html`<div class="panel narrow"><h1>${text.signin_title}</h1>
${errorSummary(errors)}
<form method="post" action="${DESK_SIGN_IN_PATH}" novalidate>${sessions.csrfField(request, reply)}
<input type="hidden" name="lang" value="${language}">
${field({ id: 'login', label: text.login_label, value: login, errors, attributes: html`type="text" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="${LOGIN_LENGTH_MAX}" autofocus` })}
${field({ id: 'password', label: text.password_label, errors, attributes: html`type="password" autocomplete="current-password" maxlength="${PASSWORD_LENGTH_MAX}"` })}
${field({ id: 'totp', label: text.totp_label, hint: text.totp_hint, errors, attributes: html`type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{${TOTP_DIGITS}}" maxlength="${TOTP_DIGITS}"` })}
<button type="submit">${text.sign_in}</button></form></div>`;
    return sendDeskPage(reply, stylesheet, { language, title: text.signin_title, body, status, language_links: true });
  }

  function sendPassword(
    request: FastifyRequest, reply: FastifyReply, staff: DeskStaff, errors: readonly FieldError[], status: number,
  ): FastifyReply {
    const language = sessions.language(request);
    const text = deskText(language);
    const body = html`<div class="panel narrow"><h1>${text.password_title}</h1><p>${text.password_intro}</p>
${errorSummary(errors)}
<form method="post" action="${DESK_PASSWORD_PATH}" novalidate>${sessions.csrfField(request, reply)}
${field({ id: 'current_password', label: text.current_password_label, errors, attributes: html`type="password" autocomplete="current-password" autofocus` })}
${field({ id: 'new_password', label: text.new_password_label, hint: text.new_password_hint, errors, attributes: html`type="password" autocomplete="new-password"` })}
<button type="submit">${text.password_save}</button></form></div>`;
    const header = staffHeader(deps, request, reply, staff, language);
    return sendDeskPage(reply, stylesheet, { language, title: text.password_title, body, status, header });
  }

  function sendShiftReport(reply: FastifyReply, language: DeskLanguage, shift: ShiftView): FastifyReply {
    const text = deskText(language);
    const difference = shift.difference_minor ?? 0;
    const verdict = difference < 0 ? text.shortage : difference > 0 ? text.overage : text.balanced;
    const body = html`<h1>${text.shift_report_title}</h1>
<section class="panel"><dl class="facts">
<dt>${text.store_label}</dt><dd>${shift.store_code}</dd>
<dt>${text.float_label}</dt><dd>${money(shift.float_minor, language)}</dd>
<dt>${text.sales_count}</dt><dd>${shift.sales.count}</dd>
<dt>${text.expected}</dt><dd id="expected">${money(shift.expected_minor ?? 0, language)}</dd>
<dt>${text.counted}</dt><dd id="counted">${money(shift.counted_minor ?? 0, language)}</dd>
<dt>${text.difference}</dt><dd id="difference" class="${difference < 0 ? 'shortage' : ''}">${money(difference, language)} · ${verdict}</dd>
</dl></section>
<p role="status">${text.session_ended}</p>
<p><a href="${DESK_SIGN_IN_PATH}">${text.sign_in_again}</a></p>`;
    return sendDeskPage(reply, stylesheet, { language, title: text.shift_report_title, body });
  }
};

export interface HomeState {
  readonly errors: readonly FieldError[];
  readonly status: number;
  readonly lookup?: string;
}

/** The desk's home: who and where, the shift, the look-up box (autofocused: the scanner types into it). */
export async function sendDeskHome(
  deps: DeskDependencies, request: FastifyRequest, reply: FastifyReply, staff: DeskStaff, state: HomeState,
): Promise<FastifyReply> {
  const language = deps.sessions.language(request);
  const text = deskText(language);
  const shift = await deps.context.desk.currentShift(staff.actor);
  const csrf = deps.sessions.csrfField(request, reply);
  const body = html`<h1>${text.home_title}</h1>
${errorSummary(state.errors)}
<div class="columns">
<section class="panel" aria-labelledby="lookup-title"><h2 id="lookup-title">${text.lookup_title}</h2>
<form method="post" action="/desk/lookup" novalidate>${csrf}
${field({ id: 'lookup', label: text.lookup_label, hint: text.lookup_hint, value: state.lookup, errors: state.errors, attributes: html`type="text" inputmode="tel" autocomplete="off" spellcheck="false" maxlength="32" autofocus` })}
<button type="submit">${text.lookup_button}</button></form>
<p><a href="/desk/connect">${text.connect_link}</a></p></section>
<section class="panel" aria-labelledby="shift-title"><h2 id="shift-title">${text.shift_title}</h2>
${shift === undefined ? openShiftForm(language, csrf, state.errors) : shiftState(language, csrf, shift, state.errors)}
</section>
${await managerPanel(deps, staff, language)}
</div>`;
  return sendDeskPage(reply, deps.stylesheet, {
    language, title: text.home_title, body, status: state.status, header: staffHeader(deps, request, reply, staff, language),
  });
}

function openShiftForm(language: DeskLanguage, csrf: SafeHtml, errors: readonly FieldError[]): SafeHtml {
  const text = deskText(language);
  return html`<p>${text.shift_none}</p>
<form method="post" action="/desk/shifts" novalidate>${csrf}
${field({ id: 'float', label: text.float_label, hint: text.amount_hint, errors, attributes: html`type="text" inputmode="decimal" autocomplete="off" maxlength="16"` })}
<button type="submit">${text.open_shift}</button></form>`;
}

function shiftState(language: DeskLanguage, csrf: SafeHtml, shift: ShiftView, errors: readonly FieldError[]): SafeHtml {
  const text = deskText(language);
  return html`<p>${text.shift_open_since(formatShortDateTime(shift.opened_at_ms, language, DESK_TIME_ZONE))}</p>
${shift.open_past_day ? html`<p class="alert">${text.shift_past_day}</p>` : ''}
<dl class="facts"><dt>${text.float_label}</dt><dd>${money(shift.float_minor, language)}</dd>
<dt>${text.drawer_now}</dt><dd>${money(shift.drawer_cash_minor, language)}</dd>
<dt>${text.sales_count}</dt><dd>${shift.sales.count}</dd></dl>
<form method="post" action="/desk/shifts/${encodeURIComponent(shift.id)}/close" novalidate>${csrf}
${field({ id: 'counted', label: text.counted_label, hint: `${text.amount_hint}. ${text.close_shift_hint}`, errors, attributes: html`type="text" inputmode="decimal" autocomplete="off" maxlength="16"` })}
<button class="secondary" type="submit">${text.close_shift}</button></form>`;
}
