import type { PackageKind } from '../../../../core/catalog.js';
import type { Language } from '../../../../core/i18n/languages.js';
import type { StoreKind } from '../../../../services/stores/store-finder.js';
import { siteTextEn } from './site-text-en.js';
import { siteTextRu } from './site-text-ru.js';
import { siteTextZhHans } from './site-text-zh-hans.js';
import { siteTextZhHant } from './site-text-zh-hant.js';

/**
 * Every word the customer site shows, in our four languages. To add a text: add its key here, and
 * the compiler lists each language file that still lacks it. Texts shared with other channels
 * (order states, payment failures, method names, domain errors) stay in core/i18n/messages.ts and
 * are read from there, so the site and the API never disagree.
 */
export interface FaqEntry {
  readonly question: string;
  readonly answer: string;
}

export interface SiteText {
  readonly site_name: string;
  readonly tagline: string;
  readonly skip_to_content: string;
  readonly nav_label: string;
  readonly nav: { readonly renew: string; readonly stores: string; readonly help: string; readonly lines: string };
  readonly language_label: string;
  readonly footer_ussd: string;
  /** On every page while payments run in test mode (the sandbox provider). */
  readonly test_mode_banner: string;
  readonly install_app: string;

  readonly home_title: string;
  readonly home_lead: string;
  readonly home_renew_cta: string;
  readonly home_renew_note: string;
  readonly home_balance_title: string;
  readonly home_balance_text: string;
  readonly home_points: readonly string[];
  readonly home_help_cta: string;

  readonly renew_title: string;
  readonly renew_intro: string;
  readonly msisdn_label: string;
  readonly msisdn_hint: string;
  readonly show_packs: string;
  /** Below the number form: renewing in person, with a link to the store finder. */
  readonly renew_in_store: string;
  readonly renew_in_store_link: string;

  readonly packs_title: string;
  readonly packs_for: string;
  readonly change_number: string;
  readonly pack_groups: Readonly<Record<PackageKind, string>>;
  /** Validity of a pack, counted in rolling hours: "1 day", "7 дней", "30天", "12 hours". */
  readonly validity: (hours: number) => string;
  readonly approx_currency_label: string;
  readonly approx_currency_off: string;
  readonly approx_note: string;
  readonly method_legend: string;
  readonly card_brands: string;
  readonly email_label: string;
  readonly email_hint: string;
  /** The same field when mail is configured: the receipt goes to the address given. */
  readonly email_receipt_label: string;
  readonly email_receipt_hint: string;
  readonly pay_button: string;
  readonly pay_note: string;
  readonly no_packs: string;

  readonly status_title: string;
  readonly status_waiting: string;
  readonly status_paid: string;
  readonly status_active: string;
  readonly status_closed: string;
  readonly status_refunded: string;
  readonly status_updates_live: string;
  readonly number_label: string;
  readonly pack_label: string;
  readonly price_label: string;
  readonly order_label: string;
  readonly retry_legend: string;
  readonly new_balance: string;
  readonly balance_checked_at: (time: string) => string;
  readonly pack_until: (until: string) => string;
  readonly renew_again: string;
  // Paying from the line's balance (/orders/<id>/wallet): the owner's only.
  readonly wallet_method_note: string;
  readonly wallet_title: string;
  readonly wallet_intro: (amount: string) => string;
  readonly wallet_signed_in_pay: (amount: string) => string;
  readonly wallet_code_legend: string;
  readonly wallet_send_code: (number: string) => string;
  readonly wallet_code_sent: (number: string) => string;
  readonly wallet_code_label: string;
  readonly wallet_code_hint: string;
  readonly wallet_pay_with_code: string;
  readonly wallet_other_method: string;

  readonly errors_summary: string;
  readonly msisdn_empty: string;
  readonly msisdn_invalid: string;
  readonly pack_missing: string;
  readonly method_missing: string;
  readonly email_invalid: string;
  readonly form_expired: string;
  readonly not_found_title: string;
  readonly not_found_text: string;
  readonly go_home: string;

  readonly help_title: string;
  readonly ussd_title: string;
  readonly ussd_100: string;
  readonly ussd_101: string;
  readonly ussd_note: string;
  readonly phone_title: string;
  readonly phone_items: readonly string[];
  readonly esim_title: string;
  readonly esim_text: string;
  readonly esim_steps: readonly string[];
  readonly esim_where: string;
  readonly esim_link: string;
  readonly faq_title: string;
  readonly faq: readonly FaqEntry[];
  readonly stores_title: string;
  readonly stores_text: string;
  readonly stores_link: string;

  // The store finder (/stores).
  readonly finder_title: string;
  readonly finder_intro: string;
  readonly finder_city_label: string;
  readonly finder_city_all: string;
  readonly finder_show: string;
  readonly finder_near_me: string;
  readonly finder_near_me_hint: string;
  /** Shown by the script while the browser finds the visitor. */
  readonly finder_locating: string;
  /** The visitor (or the browser's settings) refused to share the location. */
  readonly finder_denied: string;
  /** The location could not be found (no signal, timed out, no geolocation). */
  readonly finder_unavailable: string;
  readonly finder_nearest_title: string;
  readonly finder_none: string;
  readonly finder_lat_invalid: string;
  readonly finder_lon_invalid: string;
  readonly finder_location_incomplete: string;
  readonly finder_city_unknown: (city: string) => string;
  /** Cities by their stored (English) name; a city missing here shows its stored name. */
  readonly city_names: Readonly<Record<string, string>>;
  readonly store_kinds: Readonly<Record<StoreKind, string>>;
  readonly store_address: string;
  readonly store_hours: string;
  readonly store_open_now: string;
  readonly store_closed_now: string;
  /** For a store whose clock differs from Moscow's: "Local time there: 19:00". */
  readonly store_local_time: (time: string) => string;
  readonly store_renews: string;
  readonly store_no_renewal: string;
  readonly store_map_app: string;
  readonly store_map_yandex: string;
  readonly store_map_osm: string;
  /** "1.2 km away", "1,2 км от вас", "距离 1.2 公里". */
  readonly store_distance: (distance: string) => string;
  readonly distance_units: { readonly m: string; readonly km: string };

  readonly esim_page_title: string;
  readonly esim_page_private: string;
  readonly esim_page_sign_in_coming: string;

  readonly offline_title: string;
  readonly offline_text: string;
  readonly offline_last_balance: string;
  readonly offline_saved_at: string;
  readonly offline_none: string;
  readonly offline_retry: string;
}

export { LANGUAGE_NAMES } from '../../../../core/i18n/languages.js';

const SITE_TEXT: Readonly<Record<Language, SiteText>> = {
  'zh-Hans': siteTextZhHans,
  'zh-Hant': siteTextZhHant,
  ru: siteTextRu,
  en: siteTextEn,
};

export function siteText(language: Language): SiteText {
  return SITE_TEXT[language];
}
