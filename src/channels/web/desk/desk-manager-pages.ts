import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { formatShortDateTime } from '../../../core/i18n/format.js';
import type { StaffActor } from '../../../services/staff/staff-actor.js';
import { html, type SafeHtml } from '../site/html.js';
import { DESK_TIME_ZONE, domainError, errorSummary, field, isRoamError, money, staffHeader, type DeskDependencies, type FieldError } from './desk-common.js';
import { sendDeskPage } from './desk-layout.js';
import type { DeskStaff } from './desk-session.js';
import { deskText, type DeskLanguage } from './desk-text.js';

/**
 *   GET /desk/audit    the audit log, newest first: store managers their store, admins any (a store code field);
 *                      filters subject_type + subject_id, paging back with before=<ms>; agents get a 403 page.
 * The entries' before/after are shown as stored: the audit service redacted them on the way in.
 * The overdue-shifts panel of the home page is here too (managers and admins).
 */

/** One page of the log: enough to scan a day of a hall, small enough to render at once. */
const AUDIT_PAGE_ENTRIES = 50;
const FILTER_LENGTH_MAX = 128;

export function managesStores(actor: StaffActor): boolean {
  return actor.role === 'store_manager' || actor.role === 'admin';
}

export const deskManagerPages: FastifyPluginAsync<DeskDependencies> = async (app, deps) => {
  const { sessions, stylesheet } = deps;

  app.get<{ Querystring: Record<string, unknown> }>('/desk/audit', async (request, reply) => {
    const staff = await sessions.staffOrSignIn(request, reply);
    if (!staff) return reply;
    const language = sessions.language(request);
    if (!managesStores(staff.actor)) return sendForbidden(request, reply, staff, language);
    const filters = auditFilters(request.query, staff.actor);
    const errors: FieldError[] = [];
    if ((filters.subject_type === '') !== (filters.subject_id === '')) {
      errors.push({ field: filters.subject_type === '' ? 'subject_type' : 'subject_id', message: deskText(language).field_empty });
      return sendAudit(request, reply, staff, language, filters, [], errors, 400);
    }
    try {
      const entries = await deps.context.staff.readAudit(staff.actor, {
        store_code: filters.store_code === '' ? undefined : filters.store_code,
        subject: filters.subject_type === '' ? undefined : { type: filters.subject_type, id: filters.subject_id },
        before_ms: filters.before_ms, limit: AUDIT_PAGE_ENTRIES,
      });
      return sendAudit(request, reply, staff, language, filters, entries, [], 200);
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return sendAudit(request, reply, staff, language, filters, [], [domainError(error, language, 'store_code')], error.status);
    }
  });

  function sendForbidden(request: FastifyRequest, reply: FastifyReply, staff: DeskStaff, language: DeskLanguage): FastifyReply {
    const text = deskText(language);
    return sendDeskPage(reply, stylesheet, {
      language, title: text.audit_title, status: 403, header: staffHeader(deps, request, reply, staff, language),
      body: html`<h1>${text.audit_title}</h1><div class="alert" role="alert"><p>${text.managers_only}</p></div><p><a href="/desk">${text.home_link}</a></p>`,
    });
  }

  function sendAudit(
    request: FastifyRequest, reply: FastifyReply, staff: DeskStaff, language: DeskLanguage, filters: AuditFilters,
    entries: readonly AuditRow[], errors: readonly FieldError[], status: number,
  ): FastifyReply {
    const text = deskText(language);
    const columns = text.audit_columns;
    const last = entries.at(-1);
    const older = entries.length === AUDIT_PAGE_ENTRIES && last !== undefined ? olderLink(filters, last.at_ms) : undefined;
    const body = html`<h1>${text.audit_title}</h1>
${errorSummary(errors)}
<form method="get" action="/desk/audit" class="panel" novalidate>
${staff.actor.role === 'admin' ? field({ id: 'store_code', label: text.audit_store_label, hint: text.audit_store_hint, value: filters.store_code, errors, required: false, attributes: html`type="text" autocomplete="off" spellcheck="false" maxlength="64"` }) : ''}
${field({ id: 'subject_type', label: text.audit_subject_type_label, hint: text.audit_subject_hint, value: filters.subject_type, errors, required: false, attributes: html`type="text" autocomplete="off" spellcheck="false" maxlength="64"` })}
${field({ id: 'subject_id', label: text.audit_subject_id_label, value: filters.subject_id, errors, required: false, attributes: html`type="text" autocomplete="off" spellcheck="false" maxlength="${FILTER_LENGTH_MAX}"` })}
<button type="submit">${text.audit_filter_button}</button></form>
${entries.length === 0 ? html`<p>${text.audit_none}</p>` : html`<div class="table-scroll" tabindex="0" role="region" aria-label="${text.audit_title}"><table class="audit">
<thead><tr><th scope="col">${columns.at}</th><th scope="col">${columns.login}</th><th scope="col">${columns.role}</th><th scope="col">${columns.action}</th><th scope="col">${columns.subject}</th><th scope="col">${columns.before}</th><th scope="col">${columns.after}</th></tr></thead>
<tbody>${entries.map((entry) => auditRow(language, entry))}</tbody></table></div>`}
${older === undefined ? '' : html`<p><a href="${older}">${text.audit_older}</a></p>`}
<p><a href="/desk">${text.home_link}</a></p>`;
    const header = staffHeader(deps, request, reply, staff, language);
    return sendDeskPage(reply, stylesheet, { language, title: text.audit_title, body, status, header });
  }
};

type AuditRow = Awaited<ReturnType<DeskDependencies['context']['staff']['readAudit']>>[number];

interface AuditFilters {
  readonly store_code: string;
  readonly subject_type: string;
  readonly subject_id: string;
  readonly before_ms: number | undefined;
}

function auditFilters(query: Record<string, unknown>, actor: StaffActor): AuditFilters {
  const value = (name: string) => (typeof query[name] === 'string' ? query[name].trim().slice(0, FILTER_LENGTH_MAX) : '');
  const before = Number(value('before'));
  return {
    // A manager's page is their own store's: the field is not offered, a typed-in code is ignored.
    store_code: actor.role === 'admin' ? value('store_code') : '',
    subject_type: value('subject_type'), subject_id: value('subject_id'),
    before_ms: value('before') !== '' && Number.isSafeInteger(before) && before > 0 ? before : undefined,
  };
}

function olderLink(filters: AuditFilters, before_ms: number): string {
  const query = new URLSearchParams();
  if (filters.store_code !== '') query.set('store_code', filters.store_code);
  if (filters.subject_type !== '') query.set('subject_type', filters.subject_type);
  if (filters.subject_id !== '') query.set('subject_id', filters.subject_id);
  query.set('before', String(before_ms));
  return `/desk/audit?${query.toString()}`;
}

function auditRow(language: DeskLanguage, entry: AuditRow): SafeHtml {
  const text = deskText(language);
  const role = entry.staff_role === null ? '' : (text.roles[entry.staff_role] ?? entry.staff_role);
  return html`<tr><td>${formatShortDateTime(entry.at_ms, language, DESK_TIME_ZONE)}</td><td>${entry.staff_login ?? ''}</td><td>${role}</td>
<td>${entry.action}</td><td>${entry.subject_type}${entry.subject_id === null ? '' : ` ${entry.subject_id}`}</td>
<td><pre>${entry.before_json ?? ''}</pre></td><td><pre>${entry.after_json ?? ''}</pre></td></tr>`;
}

/** The home page's panel for managers and admins: shifts still open after their day, and the audit log's link. */
export async function managerPanel(deps: DeskDependencies, staff: DeskStaff, language: DeskLanguage): Promise<SafeHtml> {
  if (!managesStores(staff.actor)) return html``;
  const text = deskText(language);
  const overdue = await deps.context.desk.overdueShifts(staff.actor);
  return html`<section class="panel" aria-labelledby="overdue-title"><h2 id="overdue-title">${text.overdue_title}</h2>
${overdue.length === 0 ? html`<p id="overdue-none">${text.overdue_none}</p>` : html`<ul id="overdue-shifts">${overdue.map((shift) => html`<li class="alert" data-shift-id="${shift.id}">${text.overdue_shift(shift.store_code, formatShortDateTime(shift.opened_at_ms, language, DESK_TIME_ZONE), money(shift.drawer_cash_minor, language))}</li>`)}</ul>`}
<p><a href="/desk/audit">${text.audit_link}</a></p></section>`;
}
