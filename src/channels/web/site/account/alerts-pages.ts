import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isRoamError } from '../../../../core/errors.js';
import { describeError } from '../../../../core/i18n/format.js';
import { messagesFor } from '../../../../core/i18n/messages.js';
import type { Language } from '../../../../core/i18n/languages.js';
import type { CustomerLine } from '../../../../services/customers/index.js';
import { parseThresholdList, type AlertSettings } from '../../../../services/notices/alert-settings.js';
import { html, type SafeHtml } from '../html.js';
import { displayNumber } from '../renew-pages.js';
import {
  checkCsrf, csrfField, customerOrSignIn, errorSummary, formField, notFoundPage, pageLanguage, sendAccountPage, textField,
  type AccountDependencies,
} from './account-common.js';
import { accountText } from './account-text.js';
import { LINES_PATH } from './account-common.js';
import { alertsPath, linePath } from './lines-paths.js';

/**
 * A line's SMS alerts, without JavaScript:
 *   GET  /lines/:id/alerts   the form: all alerts on/off, the usage thresholds (typed, "50, 80, 100"),
 *                            the expiry alert
 *   POST /lines/:id/alerts   saves, then 303 back to the form saying so; a bad threshold shows the
 *                            form again with the typed text and the reason, and changes nothing
 * Another customer's line is "not found", like one that does not exist.
 */

const THRESHOLDS_FIELD = 'usage_thresholds_percent';
const ALERTS_ROUTE = `${LINES_PATH}/:id/alerts`;

export const alertsPages: FastifyPluginAsync<AccountDependencies> = async (app, deps) => {
  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>(ALERTS_ROUTE, async (request, reply) => {
    const line = await ownedLine(request, reply);
    if (!line) return reply;
    const settings = await deps.customers.alertSettings(line.customer_id, line.line.line_id);
    const form = { enabled: settings.alerts_enabled, thresholds: settings.usage_thresholds_percent.join(', '), expiry: settings.expiry_alert };
    return sendForm(request, reply, line.line, form, { saved: request.query.saved === '1', error: null, status: 200 });
  });

  app.post<{ Params: { id: string }; Body: unknown }>(ALERTS_ROUTE, async (request, reply) => {
    const line = await ownedLine(request, reply);
    if (!line || !checkCsrf(deps, request, reply)) return reply;
    const form = {
      enabled: formField(request.body, 'alerts_enabled') === '1',
      thresholds: formField(request.body, THRESHOLDS_FIELD),
      expiry: formField(request.body, 'expiry_alert') === '1',
    };
    const language = pageLanguage(deps, request);
    try {
      const settings: AlertSettings = {
        alerts_enabled: form.enabled, usage_thresholds_percent: parseThresholdList(form.thresholds), expiry_alert: form.expiry,
      };
      await deps.customers.updateAlertSettings(line.customer_id, line.line.line_id, settings);
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return sendForm(request, reply, line.line, form, { saved: false, error: thresholdsError(error, language), status: error.status });
    }
    return reply.redirect(`${alertsPath(line.line.line_id)}?saved=1`, 303);
  });

  async function ownedLine(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
    const principal = await customerOrSignIn(request, reply);
    if (!principal) return null;
    const line = (await deps.customers.listLines(principal.customer_id)).find((candidate) => candidate.line_id === request.params.id);
    if (line) return { customer_id: principal.customer_id, line };
    notFoundPage(deps, request, reply);
    return null;
  }

  function sendForm(
    request: FastifyRequest, reply: FastifyReply, line: CustomerLine,
    form: { enabled: boolean; thresholds: string; expiry: boolean },
    state: { saved: boolean; error: string | null; status: number },
  ): FastifyReply {
    const language = pageLanguage(deps, request);
    const text = accountText(language);
    const body = html`<h1>${text.alerts_title}</h1>
<p><span class="number">${displayNumber(line.msisdn)}</span></p>
<p>${text.alerts_intro}</p>
${state.saved ? html`<div class="success" role="status"><p>${text.alerts_saved}</p></div>` : ''}
${errorSummary(language, state.error ? [{ field: THRESHOLDS_FIELD, message: state.error }] : [])}
<form method="post" action="${alertsPath(line.line_id)}" novalidate>${csrfField(request, reply)}
${checkbox('alerts_enabled', text.alerts_enabled_label, form.enabled)}
${textField({
    id: THRESHOLDS_FIELD, label: text.alerts_thresholds_label, hint: text.alerts_thresholds_hint, value: form.thresholds,
    error: state.error ?? undefined, attributes: html`type="text" inputmode="numeric" autocomplete="off" maxlength="40"`,
  })}
${checkbox('expiry_alert', text.alerts_expiry_label, form.expiry)}
<button class="cta wide" type="submit">${text.alerts_save}</button></form>
<p><a href="${linePath(line.line_id)}">${displayNumber(line.msisdn)}</a></p>`;
    return sendAccountPage(deps, reply, { language, title: text.alerts_title, url: alertsPath(line.line_id), body, status: state.status });
  }
};

function checkbox(name: string, label: string, checked: boolean): SafeHtml {
  return html`<div class="field"><label><input type="checkbox" id="${name}" name="${name}" value="1"${checked ? html` checked` : ''}> ${label}</label></div>`;
}

/** "Alert when … in %: must be whole numbers from 1 to 100" — the field's label and the reason, in the page's language. */
function thresholdsError(error: Parameters<typeof describeError>[0], language: Language): string {
  const reason = error.params.reason ? messagesFor(language).field_problems[error.params.reason] : undefined;
  return reason ? `${accountText(language).alerts_thresholds_label}: ${reason}` : describeError(error, language);
}
