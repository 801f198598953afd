/**
 * Money is an integer count of minor units (kopecks for RUB) with its ISO 4217 currency.
 * Never a float: amounts parsed from text go through string arithmetic, and every result is
 * checked to be a safe integer (TigerBeetle style: assert, do not hope).
 */

export const CURRENCY_MINOR_DIGITS = { RUB: 2, CNY: 2, USD: 2, EUR: 2 } as const;
export type Currency = keyof typeof CURRENCY_MINOR_DIGITS;
export const LEDGER_CURRENCY: Currency = 'RUB';

export function isCurrency(value: string): value is Currency {
  return Object.hasOwn(CURRENCY_MINOR_DIGITS, value);
}

export function assertMinor(amount_minor: number, what = 'amount_minor'): void {
  if (!Number.isSafeInteger(amount_minor)) {
    throw new RangeError(`${what} must be a safe integer count of minor units, got ${amount_minor}`);
  }
}

export type ParseMoneyResult = { ok: true; amount_minor: number } | { ok: false; problem: 'format' | 'too_many_decimals' | 'too_large' };

/** "500", "500.5", "500,50", "1 250.00" → minor units. Negative amounts are not money people type. */
export function parseMoney(input: string, currency: Currency = LEDGER_CURRENCY): ParseMoneyResult {
  const compact = input.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  const match = /^(\d+)(?:\.(\d*))?$/.exec(compact);
  if (!match) return { ok: false, problem: 'format' };
  const digits = CURRENCY_MINOR_DIGITS[currency];
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return { ok: false, problem: 'too_many_decimals' };
  const minorText = whole + fraction.padEnd(digits, '0');
  const amount_minor = Number(minorText);
  if (!Number.isSafeInteger(amount_minor)) return { ok: false, problem: 'too_large' };
  return { ok: true, amount_minor };
}

/** Plain decimal text, "500.00": for files, wire formats and providers' APIs. */
export function minorToDecimalString(amount_minor: number, currency: Currency = LEDGER_CURRENCY): string {
  assertMinor(amount_minor);
  const digits = CURRENCY_MINOR_DIGITS[currency];
  const sign = amount_minor < 0 ? '-' : '';
  const text = String(Math.abs(amount_minor)).padStart(digits + 1, '0');
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/**
 * Cost of `quantity` units at `rate_minor` per `unit_size` units, rounded up to a whole minor unit
 * (the customer never pays a fraction, and the operator never gives one away).
 * BigInt inside: bytes × rate can exceed 2^53.
 */
export function costMinor(quantity: number, rate_minor: number, unit_size: number): number {
  if (quantity === 0 || rate_minor === 0) return 0;
  const numerator = BigInt(quantity) * BigInt(rate_minor);
  const divisor = BigInt(unit_size);
  const cost = (numerator + divisor - 1n) / divisor;
  // Clamping here would charge less than the usage costs: refuse instead (assert, do not hope).
  if (cost > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`cost of ${quantity} units at ${rate_minor} per ${unit_size} exceeds 2^53 minor units`);
  return Number(cost);
}

/** The most units `balance_minor` pays for at `rate_minor` per `unit_size` (inverse of costMinor). */
export function affordableQuantity(balance_minor: number, rate_minor: number, unit_size: number): number {
  if (rate_minor === 0) return Number.MAX_SAFE_INTEGER;
  if (balance_minor <= 0) return 0;
  return toSafeNumber((BigInt(balance_minor) * BigInt(unit_size)) / BigInt(rate_minor));
}

function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  return Number(value);
}
