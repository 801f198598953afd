import type { Language } from '../../../../core/i18n/languages.js';
import type { UsageKind } from '../../../../core/units.js';
import { accountTextEn } from './account-text-en.js';
import { accountTextRu } from './account-text-ru.js';
import { accountTextZhHans } from './account-text-zh-hans.js';
import { accountTextZhHant } from './account-text-zh-hant.js';

/**
 * Every word of the signed-in pages (sign-in, lines, orders) in our four languages. The record
 * below is typed by Language, so a missing language or key does not compile. Texts shared with
 * other channels (domain errors, order states, receipt words) come from core/i18n/messages.ts;
 * site-wide words (the number field, "not found") from the site's own text.
 */
export interface AccountText {
  readonly signin_title: string;
  readonly signin_intro_msisdn: string;
  readonly signin_intro_iccid: string;
  readonly use_iccid: string;
  readonly use_msisdn: string;
  readonly iccid_label: string;
  readonly iccid_hint: string;
  readonly iccid_empty: string;
  readonly send_code: string;
  readonly code_title: string;
  /** Said whether or not the number is ours: the page reveals nothing. */
  readonly code_sent: (target: string) => string;
  readonly code_label: string;
  readonly code_hint: string;
  readonly code_empty: string;
  readonly sign_in: string;
  readonly code_again: string;
  readonly sign_out: string;
  readonly signed_out: string;

  readonly lines_title: string;
  readonly lines_none: string;
  readonly add_line: string;
  readonly add_line_title: string;
  readonly add_line_intro: string;
  readonly add_line_button: string;
  readonly verify_title: string;
  readonly verify_intro: string;
  readonly verify_needed: string;
  readonly verify_button: string;
  readonly verify_cta: string;
  readonly wallet_label: string;
  readonly balance_at: (time: string) => string;
  readonly packs_title: string;
  readonly no_packs: string;
  readonly kinds: Readonly<Record<UsageKind, string>>;
  /** "4.3 GB of 5.0 GB left". */
  readonly left_of: (left: string, total: string) => string;
  /** "2 d 5 h left" from whole days and hours (hours < 24). */
  readonly time_left: (days: number, hours: number) => string;
  readonly until: (at: string) => string;
  readonly warn_running_low: (kind: string, percent: number) => string;
  readonly warn_expiring: (left: string) => string;
  readonly renew_now: string;
  readonly renew_line: string;
  readonly usage_title: string;
  readonly usage_days: (days: number) => string;
  /** The chart's text alternative: "Data used per day, last 7 days: 1.2 GB in total". */
  readonly usage_chart_label: (days: number, total: string) => string;
  readonly usage_table: string;
  readonly usage_date: string;
  readonly line_details: string;

  readonly orders_title: string;
  readonly orders_none: string;
  readonly order_date: string;
  readonly order_number: string;
  readonly order_pack: string;
  readonly order_amount: string;
  readonly order_state: string;
  readonly order_open: string;
  readonly receipt_pdf: string;
  readonly orders_older: string;

  readonly alerts_link: string;
  readonly alerts_title: string;
  readonly alerts_intro: string;
  readonly alerts_enabled_label: string;
  readonly alerts_thresholds_label: string;
  readonly alerts_thresholds_hint: string;
  readonly alerts_expiry_label: string;
  readonly alerts_save: string;
  readonly alerts_saved: string;
}

const ACCOUNT_TEXT: Readonly<Record<Language, AccountText>> = {
  'zh-Hans': accountTextZhHans,
  'zh-Hant': accountTextZhHant,
  ru: accountTextRu,
  en: accountTextEn,
};

export function accountText(language: Language): AccountText {
  return ACCOUNT_TEXT[language];
}
