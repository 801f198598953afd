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
