import { formatData, formatMoney, formatShortDateTime, formatSms, formatVoice } from '../../../../core/i18n/format.js';
import type { Language } from '../../../../core/i18n/languages.js';
import { messagesFor, type KindSummary, type Messages } from '../../../../core/i18n/messages.js';
import { maskMsisdn } from '../../../../core/phone.js';
import { MS_PER_HOUR, USAGE_KINDS, type UsageKind } from '../../../../core/units.js';
import { USAGE_DAYS_SHORT, type Allowance } from '../../../../services/customers/line-dashboard.js';
import type { DashboardPack, LineDashboard, PackWarning } from '../../../../services/customers/index.js';
import { offGroups, offSentence } from '../../../../services/lines/service-state.js';
import { balanceSnapshot } from '../balance-snapshot.js';
import { html, type SafeHtml } from '../html.js';
import { displayNumber } from '../renew-pages.js';
import { accountText, type AccountText } from './account-text.js';
import { linePath, renewPath } from './lines-paths.js';
import { usageChart } from './usage-chart.js';

/**
 * One line's home screen, drawn from the customer service's dashboard: the money balance, each
 * live pack with what is left as bars (SVG, hidden from screen readers: the sentence beside each
 * bar says the same), time left, warnings with a one-tap renewal, and the usage charts. It embeds
 * the balance snapshot the offline page shows.
 */

const HOURS_PER_DAY = 24;
const BAR_FILL = '#0b5f4f';
const BAR_LOW_FILL = '#a4001d';
const BAR_TRACK = '#e6f2ef';
const LOW_PERCENT = 20;

export interface LineViewInput {
  readonly dashboard: LineDashboard;
  readonly language: Language;
  readonly now_ms: number;
  /** On /lines, a link to the line's own page; on that page, none. */
  readonly link_to_line: boolean;
}

export function lineView({ dashboard, language, now_ms, link_to_line }: LineViewInput): SafeHtml {
  const text = accountText(language);
  const { line } = dashboard;
  const at = formatShortDateTime(now_ms, language, line.time_zone);
  const id = `line-${line.id.replace(/[^A-Za-z0-9_-]/g, '')}`;
  return html`<section class="card" aria-labelledby="${id}-title">
<h2 id="${id}-title"><span class="number">${displayNumber(line.msisdn)}</span></h2>
<dl class="facts"><dt>${text.wallet_label}</dt><dd><strong>${formatMoney(dashboard.wallet.balance_minor, language)}</strong> <span class="muted">${text.balance_at(at)}</span></dd></dl>
${serviceNotice(dashboard, language, `${id}-service`)}
<h3>${text.packs_title}</h3>
${dashboard.packs.length === 0 ? html`<p>${text.no_packs}</p><p><a class="cta" href="${renewPath(line.msisdn)}">${text.renew_line}</a></p>` : dashboard.packs.map((pack) => packView(pack, line, language))}
<h3>${text.usage_title}</h3>
${usageChart(dashboard.usage_by_day.slice(-USAGE_DAYS_SHORT), language, `${id}-7`)}
${usageChart(dashboard.usage_by_day, language, `${id}-30`)}
${link_to_line ? html`<p><a href="${linePath(line.id)}">${text.line_details}</a> · <a href="${renewPath(line.msisdn)}">${text.renew_line}</a></p>` : html`<p><a href="${renewPath(line.msisdn)}">${text.renew_line}</a></p>`}
${balanceSnapshot({ line: maskMsisdn(line.msisdn), items: snapshotItems(dashboard, language), at_ms: now_ms, at_text: at })}
</section>`;
}

/**
 * "Why is my service off?": one sentence per cause, with what to do, when a kind of usage does not
 * work. Something that ends by itself (the arrival pause) is a calm note; anything that needs the
 * customer (renew, the call centre) is an alert. Nothing when everything works.
 */
function serviceNotice(dashboard: LineDashboard, language: Language, id: string): SafeHtml {
  const groups = offGroups(dashboard.service);
  if (groups.length === 0) return html``;
  const calm = groups.every((group) => group.state.action === 'wait');
  const sentences = groups.map((group) => offSentence(group, 'long', language, dashboard.line.time_zone));
  return html`<div class="${calm ? 'note' : 'alert'} service-state" id="${id}" role="status">${sentences.map((sentence) => html`<p>${sentence}</p>`)}</div>`;
}

function packView(pack: DashboardPack, line: LineDashboard['line'], language: Language): SafeHtml {
  const text = accountText(language);
  const until = formatShortDateTime(pack.expires_at_ms, language, line.time_zone);
  return html`<article class="pack">
<h4>${pack.names[language]}</h4>
<p class="muted">${timeLeft(pack.expires_in_ms, text)} · ${text.until(until)}</p>
${USAGE_KINDS.map((kind) => allowanceBar(kind, pack[kind], language))}
${warnings(pack.warnings, line.msisdn, language)}
</article>`;
}

function allowanceBar(kind: UsageKind, allowance: Allowance | null, language: Language): SafeHtml {
  if (!allowance) return html``;
  const text = accountText(language);
  const percent = Math.max(0, Math.min(100, allowance.remaining_percent));
  const sentence = text.left_of(amount(kind, allowance.remaining, language), amount(kind, allowance.total, language));
  return html`<p class="allowance"><strong>${text.kinds[kind]}</strong>: ${sentence}<br>
<svg width="100%" height="12" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect width="100" height="12" rx="3" fill="${BAR_TRACK}"/><rect width="${percent}" height="12" rx="3" fill="${percent <= LOW_PERCENT ? BAR_LOW_FILL : BAR_FILL}"/></svg></p>`;
}

function warnings(list: readonly PackWarning[], msisdn: string, language: Language): SafeHtml {
  if (list.length === 0) return html``;
  const text = accountText(language);
  const sentences = list.map((warning) => warning.type === 'running_low'
    ? text.warn_running_low(text.kinds[warning.resource], warning.remaining_percent)
    : text.warn_expiring(timeLeft(warning.expires_in_ms, text)));
  return html`<div class="alert" role="status">${sentences.map((sentence) => html`<p>${sentence}</p>`)}
<p><a class="cta" href="${renewPath(msisdn)}">${text.renew_now}</a></p></div>`;
}

function timeLeft(ms: number, text: AccountText): string {
  const hours = Math.max(0, Math.floor(ms / MS_PER_HOUR));
  return text.time_left(Math.floor(hours / HOURS_PER_DAY), hours % HOURS_PER_DAY);
}

function amount(kind: UsageKind, quantity: number, language: Language): string {
  if (kind === 'data') return formatData(quantity, language);
  return kind === 'voice' ? formatVoice(quantity, language) : formatSms(quantity, language);
}

const KIND_LINE: Record<UsageKind, (ussd: Messages['ussd']) => (p: KindSummary) => string> = {
  data: (ussd) => ussd.data_left,
  voice: (ussd) => ussd.voice_left,
  sms: (ussd) => ussd.sms_left,
};

/** The sentences #100# would say, for the offline page: the money, then each kind across packs. */
function snapshotItems(dashboard: LineDashboard, language: Language): string[] {
  const { ussd } = messagesFor(language);
  const items = [ussd.balance({ balance: formatMoney(dashboard.wallet.balance_minor, language) })];
  for (const kind of USAGE_KINDS) {
    const holding = dashboard.packs.filter((pack) => (pack[kind]?.remaining ?? 0) > 0);
    if (holding.length === 0) continue;
    const remaining = holding.reduce((sum, pack) => sum + (pack[kind]?.remaining ?? 0), 0);
    const until = formatShortDateTime(Math.min(...holding.map((pack) => pack.expires_at_ms)), language, dashboard.line.time_zone);
    items.push(KIND_LINE[kind](ussd)({ amount: amount(kind, remaining, language), until, packs: holding.length }));
  }
  if (items.length === 1) items.push(ussd.no_packs);
  return items;
}
