/**
 * ICCID (ITU-T E.118): "89" (telecom) + country calling code + issuer + account + Luhn check digit.
 * In practice 19 or 20 digits (a SIM stores 10 BCD octets). Inventory files sometimes carry
 * spaces or dashes for readability; we strip those, but never complete a missing check digit.
 */

export const ICCID_LENGTH_MIN = 19;
export const ICCID_LENGTH_MAX = 20;

export type IccidProblem = 'empty' | 'not_digits' | 'length' | 'prefix' | 'luhn';

export type IccidResult = { ok: true; iccid: string } | { ok: false; problem: IccidProblem };

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The Luhn digit that makes `payload` + digit valid; used to mint test and demo ICCIDs. */
export function luhnCheckDigit(payload: string): string {
  for (let digit = 0; digit <= 9; digit += 1) {
    if (luhnValid(payload + String(digit))) return String(digit);
  }
  throw new Error('unreachable: one Luhn digit always fits');
}

export function parseIccid(input: string): IccidResult {
  const compact = input.replace(/[\s-]/g, '');
  if (compact.length === 0) return { ok: false, problem: 'empty' };
  if (!/^\d+$/.test(compact)) return { ok: false, problem: 'not_digits' };
  if (compact.length < ICCID_LENGTH_MIN || compact.length > ICCID_LENGTH_MAX) return { ok: false, problem: 'length' };
  if (!compact.startsWith('89')) return { ok: false, problem: 'prefix' };
  if (!luhnValid(compact)) return { ok: false, problem: 'luhn' };
  return { ok: true, iccid: compact };
}

/** Shows the last 4 digits only, for logs and receipts. */
export function maskIccid(iccid: string): string {
  return iccid.length <= 4 ? iccid : `${'•'.repeat(4)}${iccid.slice(-4)}`;
}
