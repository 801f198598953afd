import { formatMoney } from '../../../core/i18n/format.js';
import type { Language } from '../../../core/i18n/languages.js';

/**
 * Prices are in roubles and paid in roubles; a traveller also sees roughly what that is in their
 * own currency. The rates (RUB → X, from FX_RATES) are indicative only, so the figure is always
 * marked "≈" and never used for money.
 */

export const APPROXIMATE_CURRENCIES = ['CNY', 'USD', 'EUR'] as const;
export type ApproximateCurrency = (typeof APPROXIMATE_CURRENCIES)[number];
export type FxRates = Readonly<Record<ApproximateCurrency, number>>;

/** Chinese readers think in yuan, English readers most often in dollars; Russian readers pay in roubles already. */
const CURRENCY_BY_LANGUAGE: Readonly<Record<Language, ApproximateCurrency | null>> = {
  'zh-Hans': 'CNY',
  'zh-Hant': 'CNY',
  en: 'USD',
  ru: null,
};

export function isApproximateCurrency(value: unknown): value is ApproximateCurrency {
  return typeof value === 'string' && (APPROXIMATE_CURRENCIES as readonly string[]).includes(value);
}

export function defaultApproximateCurrency(language: Language): ApproximateCurrency | null {
  return CURRENCY_BY_LANGUAGE[language];
}

/** "≈ 14,65 CNY": the rouble price converted at the indicative rate, rounded to the cent. */
export function approximatePrice(amount_minor_rub: number, currency: ApproximateCurrency, rates: FxRates, language: Language): string {
  // Both currencies have two minor digits, so minor units convert at the same rate as major ones.
  const amount_minor = Math.round(amount_minor_rub * rates[currency]);
  return `≈ ${formatMoney(amount_minor, language, currency)}`;
}
