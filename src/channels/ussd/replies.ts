import { formatMoney, formatShortDateTime } from '../../core/i18n/format.js';
import type { Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import { USAGE_KINDS } from '../../core/units.js';
import { paginate } from '../../core/ussd-text.js';
import type { Bundle } from '../../services/charging/bundles.js';
import type { LineOverview } from '../../services/lines/overview.js';
import { formatAmount, kindSummaryLines, REMAINING, TOTAL } from '../../services/lines/pack-summary.js';
import { serviceStateLines } from '../../services/lines/service-state.js';

/**
 * The replies behind #100# and #101#, as pure functions of the line's overview, the language and
 * the time zone: no clock, no database. Every reply is split into pages that each fit one USSD
 * screen (182 GSM-7 septets, or 80 UCS-2 characters), with "99 more" / "0 back" choices.
 */

/** Text screens of the menu tree: the line's overview as #100# and #101# show it. */
export type UssdService = 'balance' | 'packages';

/** How a request ended, a bounded label for metrics: served, or why not; and the final replies of #102#. */
export type UssdOutcome =
  | 'ok' | 'unknown_number' | 'unknown_code' | 'line_not_active' | 'unavailable' | 'invalid_request'
  | 'activated' | 'link_sent' | 'refused';

export interface UssdReply {
  readonly outcome: UssdOutcome;
  /** At least one page; each fits one screen. */
  readonly pages: readonly string[];
}

export interface ServiceReplyInput {
  readonly overview: LineOverview;
  readonly service: UssdService;
  readonly language: Language;
  /** IANA zone expiry times are shown in: the line's own. */
  readonly time_zone: string;
}

/**
 * #101# lists at most this many packs (those ending first); the rest are counted in one line.
 * Together with PACK_NAME_LENGTH_MAX it keeps the longest reply well under USSD_PAGES_MAX pages.
 */
export const PACKS_LISTED_MAX = 10;
export const PACK_NAME_LENGTH_MAX = 40;

export function serviceReply(input: ServiceReplyInput): UssdReply {
  if (input.overview.line.status !== 'active') return messageReply('line_not_active', input.language);
  const text = input.service === 'balance' ? balanceText(input) : packagesText(input);
  return { outcome: 'ok', pages: paginateFor(text, input.language) };
}

export type ProblemOutcome = Exclude<UssdOutcome, 'ok' | 'activated' | 'link_sent' | 'refused'>;

/** The reply for anything but a served request; `code` is what was dialled, for unknown codes. */
export function messageReply(outcome: ProblemOutcome, language: Language, code = ''): UssdReply {
  const ussd = messagesFor(language).ussd;
  const text = {
    unknown_number: () => ussd.unknown_number,
    unknown_code: () => ussd.unknown_code({ code }),
    line_not_active: () => ussd.line_not_active,
    unavailable: () => ussd.temporarily_unavailable,
    invalid_request: () => ussd.invalid_request,
  }[outcome]();
  return { outcome, pages: paginateFor(text, language) };
}

function paginateFor(text: string, language: Language): string[] {
  const { more, back } = messagesFor(language).ussd;
  return paginate(text, { more, back });
}

/**
 * #100#: money, then why a kind of service is off (a network block, a used-up or ended pack, no
 * money) — on the first screen, since that is why most people dial — then one line per kind of
 * allowance the live packs hold.
 */
function balanceText({ overview, language, time_zone }: ServiceReplyInput): string {
  const ussd = messagesFor(language).ussd;
  const off = serviceStateLines(overview.service, language, time_zone);
  // With no pack at all, the lines on what is off already say so, and say what to do.
  const summary = off.length > 0 && overview.bundles.length === 0 ? [] : kindSummaryLines(overview.bundles, language, time_zone);
  return [ussd.balance({ balance: formatMoney(overview.wallet_balance_minor, language) }), ...off, ...summary].join('\n');
}

/** #101#: each live pack with its name, what is left of each kind it came with, and its end. */
function packagesText({ overview, language, time_zone }: ServiceReplyInput): string {
  const ussd = messagesFor(language).ussd;
  const views = overview.bundles;
  const off = serviceStateLines(overview.service, language, time_zone);
  if (views.length === 0) return off.length > 0 ? off.join('\n') : ussd.no_packs;
  const listed = views.slice(0, PACKS_LISTED_MAX).map((view, index) =>
    ussd.pack_line({
      index: index + 1,
      name: boundedName(view.pack.names[language]),
      left: packLeft(view.bundle, language),
      until: formatShortDateTime(view.bundle.expires_at_ms, language, time_zone),
    }),
  );
  const unlisted = views.length - listed.length;
  return [
    ussd.packs_header({ count: views.length }), ...off, ...listed, ...(unlisted > 0 ? [ussd.packs_not_listed({ count: unlisted })] : []),
  ].join('\n');
}

/** "4.3 GB + 79 min": the kinds the pack came with, including any it has used up. */
function packLeft(bundle: Bundle, language: Language): string {
  return USAGE_KINDS.filter((kind) => TOTAL[kind](bundle) > 0)
    .map((kind) => formatAmount(kind, REMAINING[kind](bundle), language))
    .join(' + ');
}

export function boundedName(name: string): string {
  const characters = [...name];
  if (characters.length <= PACK_NAME_LENGTH_MAX) return name;
  // Three dots, not "…": one non-GSM character would force a whole English screen into UCS-2.
  return `${characters.slice(0, PACK_NAME_LENGTH_MAX - 3).join('').trimEnd()}...`;
}
