import { localDay } from '../../core/local-days.js';

/**
 * VAT included in a price, as Russian receipts state it ("в т.ч. НДС 22%"): the price already
 * contains the tax, so the tax is price × rate / (100 + rate). It is computed exactly in integers
 * (BigInt, no floating point) with the calculated rate of НК РФ ст. 164 п. 4 (22/122), and rounded
 * to the kopeck half up: half a kopeck or more rounds up, less rounds down (ordinary arithmetic
 * rounding, as cash registers print it). Example: 190.00 ₽ at 22% → 19000 × 22 / 122 = 3426.23 → 34.26 ₽.
 */

export const VAT_RATE_PERCENT_MAX = 99;

/** The VAT contained in `amount_minor` at `rate_percent`; null rate (not a VAT payer) contains none. */
export function vatIncludedMinor(amount_minor: number, rate_percent: number | null): number {
  if (!Number.isSafeInteger(amount_minor) || amount_minor < 0) throw new RangeError(`amount_minor must be a non-negative safe integer, not ${amount_minor}`);
  if (rate_percent === null || rate_percent === 0) return 0;
  if (!Number.isInteger(rate_percent) || rate_percent < 0 || rate_percent > VAT_RATE_PERCENT_MAX) throw new RangeError(`VAT rate ${rate_percent}% is not a whole percent in 0..${VAT_RATE_PERCENT_MAX}`);
  const numerator = BigInt(amount_minor) * BigInt(rate_percent);
  const denominator = BigInt(100 + rate_percent);
  // Half up for non-negative values: floor((2n + d) / 2d).
  return Number((2n * numerator + denominator) / (2n * denominator));
}

/**
 * VAT rates by date: each rate applies from the start of its day in the seller's zone until the
 * next one's. A sale takes the rate of its own time, so receipts of December 2025 say 20 % and those
 * of January 2026 say 22 % (НК РФ art. 164 as amended by Federal Law 425-FZ), and the next change is
 * one more entry in VAT_RATES. A seller that is not a VAT payer has one entry with a null rate.
 */
export interface VatPeriod {
  /** The first day it applies, "YYYY-MM-DD" in the seller's zone. */
  readonly from: string;
  readonly from_ms: number;
  /** Whole percent; null: not a VAT payer ("Без НДС"). */
  readonly rate_percent: number | null;
}
export type VatSchedule = readonly VatPeriod[];

export const VAT_RATES_DEFAULT = '2019-01-01:20,2026-01-01:22';

export type VatScheduleParse = { readonly ok: true; readonly schedule: VatSchedule } | { readonly ok: false; readonly problem: string };

/** "none", or "YYYY-MM-DD:rate" entries separated by commas, in ascending date order. */
export function parseVatSchedule(text: string, time_zone: string): VatScheduleParse {
  const trimmed = text.trim();
  if (trimmed === 'none') return { ok: true, schedule: Object.freeze([{ from: '1970-01-01', from_ms: Number.MIN_SAFE_INTEGER, rate_percent: null }]) };
  const periods: VatPeriod[] = [];
  for (const entry of trimmed.split(',').map((part) => part.trim())) {
    const match = /^(\d{4}-\d{2}-\d{2}):(\d{1,2})$/.exec(entry);
    const day = match ? localDay(match[1] ?? '', time_zone) : undefined;
    if (!match || !day) return { ok: false, problem: `"${entry}" is not YYYY-MM-DD:percent` };
    const rate_percent = Number(match[2]);
    if (rate_percent > VAT_RATE_PERCENT_MAX) return { ok: false, problem: `${rate_percent}% is above ${VAT_RATE_PERCENT_MAX}%` };
    const from = match[1] ?? '';
    const previous = periods.at(-1);
    if (previous && previous.from >= from) return { ok: false, problem: `${from} must come after ${previous.from}: list the dates in ascending order` };
    periods.push({ from, from_ms: day.start_ms, rate_percent });
  }
  return { ok: true, schedule: Object.freeze(periods) };
}

/** The rate in force at `at_ms`; before the first date, the first rate (the table starts before any sale). */
export function vatRateAt(schedule: VatSchedule, at_ms: number): number | null {
  let rate = schedule[0]?.rate_percent ?? null;
  for (const period of schedule) if (period.from_ms <= at_ms) rate = period.rate_percent;
  return rate;
}
