import type { Language } from '../../../core/i18n/languages.js';
import { DESK_TEXT_EN } from './desk-text-en.js';
import { DESK_TEXT_RU } from './desk-text-ru.js';
import { DESK_TEXT_ZH_HANS } from './desk-text-zh-hans.js';

/**
 * The desk pages' own words, in the staff member's language (ru, zh-Hans, en). Customer-facing
 * documents (receipts, invoices, contracts) keep the customer's language; shared texts (domain
 * errors, order states) come from core/i18n/messages.ts.
 */

export const DESK_LANGUAGES = ['ru', 'zh-Hans', 'en'] as const;
export type DeskLanguage = (typeof DESK_LANGUAGES)[number];

export const DESK_LANGUAGE_NAMES: Readonly<Record<DeskLanguage, string>> = { ru: 'Русский', 'zh-Hans': '简体中文', en: 'English' };

export interface DeskText {
  readonly desk_name: string;
  readonly skip_to_content: string;
  readonly language_label: string;
  readonly signin_title: string;
  readonly login_label: string;
  readonly password_label: string;
  readonly totp_label: string;
  readonly totp_hint: string;
  readonly sign_in: string;
  readonly sign_out: string;
  readonly field_empty: string;
  readonly password_title: string;
  readonly password_intro: string;
  readonly current_password_label: string;
  readonly new_password_label: string;
  readonly new_password_hint: string;
  readonly password_save: string;
  readonly home_title: string;
  readonly signed_in_as: (login: string, role: string) => string;
  readonly store_label: string;
  readonly shift_title: string;
  readonly shift_none: string;
  readonly shift_open_since: (when: string) => string;
  readonly shift_past_day: string;
  readonly float_label: string;
  readonly amount_hint: string;
  readonly amount_invalid: string;
  readonly open_shift: string;
  readonly drawer_now: string;
  readonly sales_count: string;
  readonly close_shift: string;
  readonly counted_label: string;
  readonly close_shift_hint: string;
  readonly shift_report_title: string;
  readonly expected: string;
  readonly counted: string;
  readonly difference: string;
  readonly shortage: string;
  readonly overage: string;
  readonly balanced: string;
  readonly session_ended: string;
  readonly sign_in_again: string;
  readonly lookup_title: string;
  readonly lookup_label: string;
  readonly lookup_hint: string;
  readonly lookup_button: string;
  readonly line_title: string;
  readonly number_label: string;
  readonly iccid_label: string;
  readonly state_label: string;
  readonly wallet_label: string;
  readonly service_ok: string;
  readonly packs_title: string;
  readonly no_packs: string;
  readonly pack_until: (when: string) => string;
  readonly orders_title: string;
  readonly no_orders: string;
  readonly order_columns: {
    readonly date: string; readonly pack: string; readonly channel: string; readonly state: string; readonly amount: string;
  };
  readonly sale_title: string;
  readonly pack_label: string;
  readonly method_legend: string;
  readonly method_cash: string;
  readonly method_card: string;
  readonly tendered_label: string;
  readonly document_checked_label: string;
  readonly document_checked_missing: string;
  readonly terminal_reference_label: string;
  readonly terminal_reference_hint: string;
  readonly card_last4_label: string;
  readonly sell_button: string;
  readonly sale_done_title: string;
  readonly sale_pack_active: (pack: string) => string;
  readonly paid: string;
  readonly tendered: string;
  readonly change: string;
  readonly receipt_print: string;
  readonly receipt_pdf: string;
  readonly back_to_line: string;
  readonly home_link: string;
  readonly invoice_title: string;
  readonly buyer_name_label: string;
  readonly buyer_inn_label: string;
  readonly buyer_inn_hint: string;
  readonly buyer_kpp_label: string;
  readonly buyer_kpp_hint: string;
  readonly invoice_button: string;
  readonly invoice_done_title: string;
  readonly invoice_reference: string;
  readonly invoice_open: string;
  readonly invoice_pdf: string;
  readonly connect_link: string;
  readonly connect_title: string;
  readonly visitor_language_label: string;
  readonly visitor_language_hint: string;
  readonly change_language: string;
  readonly continue_button: string;
  readonly document_legend: string;
  readonly document_type_label: string;
  readonly document_types: Readonly<Record<string, string>>;
  readonly issuing_country_label: string;
  readonly issuing_country_hint: string;
  readonly document_number_label: string;
  readonly surname_label: string;
  readonly given_names_label: string;
  readonly latin_hint: string;
  readonly birth_date_label: string;
  readonly birth_date_hint: string;
  readonly consent_legend: string;
  readonly consent_accepted_label: (version: string) => string;
  readonly imei_label: string;
  readonly imei_hint: string;
  readonly sim_legend: string;
  readonly sim_scanned: string;
  readonly iccid_scan_label: string;
  readonly iccid_scan_hint: string;
  readonly sim_esim: string;
  readonly connect_button: string;
  readonly connected_title: string;
  readonly esim_qr_title: string;
  readonly contract_pdf: string;
  readonly verification_status: string;
  readonly verification_states: Readonly<Record<'pending' | 'confirmed' | 'rejected' | 'expired', string>>;
  readonly refresh: string;
  readonly not_found_title: string;
  readonly form_expired: string;
  readonly roles: Readonly<Record<string, string>>;
  readonly imei_change_title: string;
  readonly imei_change_button: string;
  readonly imei_changed: string;
  readonly audit_link: string;
  readonly audit_title: string;
  readonly audit_store_label: string;
  readonly audit_store_hint: string;
  readonly audit_subject_type_label: string;
  readonly audit_subject_id_label: string;
  readonly audit_subject_hint: string;
  readonly audit_filter_button: string;
  readonly audit_columns: {
    readonly at: string; readonly login: string; readonly role: string; readonly action: string; readonly subject: string;
    readonly before: string; readonly after: string;
  };
  readonly audit_none: string;
  readonly audit_older: string;
  readonly managers_only: string;
  readonly overdue_title: string;
  readonly overdue_none: string;
  readonly overdue_shift: (store: string, since: string, drawer: string) => string;
}

const TEXTS: Readonly<Record<DeskLanguage, DeskText>> = { ru: DESK_TEXT_RU, 'zh-Hans': DESK_TEXT_ZH_HANS, en: DESK_TEXT_EN };

export function deskText(language: DeskLanguage): DeskText {
  return TEXTS[language];
}

export function isDeskLanguage(value: string): value is DeskLanguage {
  return (DESK_LANGUAGES as readonly string[]).includes(value);
}

/** The staff member's language as the shared catalogue knows it (errors, money). */
export function asLanguage(language: DeskLanguage): Language {
  return language;
}
