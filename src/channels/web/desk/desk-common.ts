import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import { isRoamError, type RoamError } from '../../../core/errors.js';
import { describeError, formatMoney } from '../../../core/i18n/format.js';
import type { DeskCaller } from '../../../services/desk/desk-service.js';
import type { ReceiptService } from '../../../services/receipts/receipt-service.js';
import { html, type SafeHtml } from '../site/html.js';
import { sendDeskPage, type DeskStylesheet } from './desk-layout.js';
import type { DeskSessions, DeskStaff } from './desk-session.js';
import { deskText, type DeskLanguage } from './desk-text.js';

/** What every desk page module receives from desk-pages.ts. */
export interface DeskDependencies {
  readonly context: AppContext;
  readonly sessions: DeskSessions;
  readonly stylesheet: DeskStylesheet;
  readonly receipts: ReceiptService;
}

/** Times on the desk are the service halls' (all in Moscow's zone today; the shift view carries no zone). */
export const DESK_TIME_ZONE = 'Europe/Moscow';
/** The largest ruble amount a desk form takes (9 digits, as the services' own bounds). */
const RUBLES_PATTERN = /^(\d{1,9})(?:[.,](\d{1,2}))?$/;
const KOPECKS_PER_RUBLE = 100;

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export { formField } from '../form-fields.js';

/** "5000", "5 000", "5000.50" or "5000,5" rubles → kopecks; undefined when not an amount. */
export function parseRubles(value: string): number | undefined {
  const match = RUBLES_PATTERN.exec(value.replace(/\s+/g, ''));
  if (!match) return undefined;
  return Number(match[1]) * KOPECKS_PER_RUBLE + Number((match[2] ?? '0').padEnd(2, '0'));
}

export function money(amount_minor: number, language: DeskLanguage): string {
  return formatMoney(amount_minor, language);
}

/** A fresh key for a form that moves money: a double submit replays the first result, never a second sale. */
export function formKey(): string {
  return randomUUID();
}

export function caller(request: FastifyRequest, staff: DeskStaff): DeskCaller {
  return { actor: staff.actor, client_address: request.ip };
}

/** The error summary at the top of a form, each message linked to its field. */
export function errorSummary(errors: readonly FieldError[]): SafeHtml {
  if (errors.length === 0) return html``;
  return html`<div class="errors" role="alert"><ul>${errors.map((error) => html`<li><a href="#${error.field}">${error.message}</a></li>`)}</ul></div>`;
}

export interface FieldInput {
  readonly id: string;
  readonly label: string;
  readonly hint?: string | undefined;
  readonly value?: string | undefined;
  readonly errors: readonly FieldError[];
  /** type, inputmode, autocomplete, maxlength, autofocus … */
  readonly attributes: SafeHtml;
  readonly required?: boolean;
}

export function field(input: FieldInput): SafeHtml {
  const error = input.errors.find((candidate) => candidate.field === input.id)?.message;
  const described = [input.hint ? `${input.id}-hint` : '', error ? `${input.id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field"><label for="${input.id}">${input.label}</label>
${input.hint ? html`<p class="hint" id="${input.id}-hint">${input.hint}</p>` : ''}
${error ? html`<p class="error-text" id="${input.id}-error">${error}</p>` : ''}
<input id="${input.id}" name="${input.id}" value="${input.value ?? ''}" ${input.attributes}${input.required === false ? '' : html` required`}${described ? html` aria-describedby="${described}"` : ''}${error ? html` aria-invalid="true"` : ''}></div>`;
}

/** A domain error as the form's error on `fallback_field` (or the field the service named). */
export function domainError(error: RoamError, language: DeskLanguage, fallback_field: string): FieldError {
  const named = typeof error.params.field === 'string' ? error.params.field : undefined;
  return { field: named ?? fallback_field, message: describeError(error, language) };
}

export { isRoamError };

/** The signed-in header: who, which store, and the sign-out form (POST, with its CSRF token). */
export function staffHeader(
  deps: DeskDependencies, request: FastifyRequest, reply: FastifyReply, staff: DeskStaff, language: DeskLanguage,
): SafeHtml {
  const text = deskText(language);
  return html`<div class="who"><p>${text.signed_in_as(staff.actor.login, text.roles[staff.actor.role] ?? staff.actor.role)} · ${staff.actor.store_code}</p>
<form method="post" action="/desk/signout">${deps.sessions.csrfField(request, reply)}<button class="secondary" type="submit">${text.sign_out}</button></form></div>`;
}

/** False after answering 403 with a page that says the form expired; nothing was done. */
export function checkCsrf(deps: DeskDependencies, request: FastifyRequest, reply: FastifyReply): boolean {
  if (deps.sessions.verifyCsrf(request)) return true;
  const language = deps.sessions.language(request);
  const text = deskText(language);
  sendDeskPage(reply, deps.stylesheet, {
    language, title: text.form_expired, status: 403,
    body: html`<div class="alert" role="alert"><p>${text.form_expired}</p></div><p><a href="/desk">${text.home_link}</a></p>`,
  });
  return false;
}

export function notFound(deps: DeskDependencies, reply: FastifyReply, language: DeskLanguage, message: string): FastifyReply {
  const text = deskText(language);
  return sendDeskPage(reply, deps.stylesheet, {
    language, title: text.not_found_title, status: 404,
    body: html`<h1>${text.not_found_title}</h1><p>${message}</p><p><a href="/desk">${text.home_link}</a></p>`,
  });
}
