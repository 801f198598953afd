import { luhnValid } from './iccid.js';

/**
 * IMEI (3GPP TS 23.003): 8-digit type allocation code + 6-digit serial + Luhn check digit, 15
 * digits. 303-FZ writes the device's IMEI into a foreign visitor's contract, so the desk takes
 * exactly this form (what `*#06#` shows); spaces, dashes and slashes people copy along are dropped.
 * The 16-digit IMEISV has no check digit and is refused: it cannot be told from a typo.
 */

export const IMEI_LENGTH = 15;

export type ImeiProblem = 'empty' | 'not_digits' | 'length' | 'luhn';
export type ImeiResult = { ok: true; imei: string } | { ok: false; problem: ImeiProblem };

export function parseImei(input: string): ImeiResult {
  const compact = input.replace(/[\s\-/]/g, '');
  if (compact.length === 0) return { ok: false, problem: 'empty' };
  if (!/^\d+$/.test(compact)) return { ok: false, problem: 'not_digits' };
  if (compact.length !== IMEI_LENGTH) return { ok: false, problem: 'length' };
  if (!luhnValid(compact)) return { ok: false, problem: 'luhn' };
  return { ok: true, imei: compact };
}
