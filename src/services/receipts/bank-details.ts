/**
 * Russian payee details and their check digits. A typo in the seller's INN or bank account would
 * send every customer's transfer back (or to someone else), so the configuration is checked with
 * the same algorithms the banks use before the first invoice is ever shown.
 */

export const INN_LEGAL_ENTITY_DIGITS = 10;
export const INN_INDIVIDUAL_DIGITS = 12;
export const KPP_LENGTH = 9;
export const BIC_DIGITS = 9;
export const ACCOUNT_DIGITS = 20;

const INN_10_WEIGHTS = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN_12_WEIGHTS_11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN_12_WEIGHTS_12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
/** The Bank of Russia's account key: weights 7, 1, 3 repeated over BIC part + account; the sum ends in 0. */
const ACCOUNT_KEY_WEIGHTS = [7, 1, 3];

function digits(value: string): number[] {
  return [...value].map(Number);
}

function innCheckDigit(value: string, weights: readonly number[]): number {
  const sum = digits(value).reduce((total, digit, index) => total + digit * (weights[index] ?? 0), 0);
  return (sum % 11) % 10;
}

/** INN (taxpayer number): 10 digits for an organisation, 12 for an individual entrepreneur, with check digits. */
export function isValidInn(inn: string): boolean {
  if (new RegExp(`^\\d{${INN_LEGAL_ENTITY_DIGITS}}$`).test(inn)) return innCheckDigit(inn.slice(0, 9), INN_10_WEIGHTS) === Number(inn[9]);
  if (!new RegExp(`^\\d{${INN_INDIVIDUAL_DIGITS}}$`).test(inn)) return false;
  return innCheckDigit(inn.slice(0, 10), INN_12_WEIGHTS_11) === Number(inn[10])
    && innCheckDigit(inn.slice(0, 11), INN_12_WEIGHTS_12) === Number(inn[11]);
}

/** KPP (registration reason code): 4 digits of the tax office, 2 of the reason (digits or A–Z), 3 digits. */
export function isValidKpp(kpp: string): boolean {
  return /^\d{4}[\dA-Z]{2}\d{3}$/.test(kpp);
}

export function isValidBic(bic: string): boolean {
  return new RegExp(`^04\\d{${BIC_DIGITS - 2}}$`).test(bic);
}

function accountKeyHolds(prefix: string, account: string): boolean {
  const sum = digits(prefix + account).reduce((total, digit, index) => total + digit * (ACCOUNT_KEY_WEIGHTS[index % 3] ?? 0), 0);
  return sum % 10 === 0;
}

/** A customer's or company's account at the bank with this BIC (the key uses the BIC's last 3 digits). */
export function isValidSettlementAccount(bic: string, account: string): boolean {
  if (!isValidBic(bic) || !new RegExp(`^\\d{${ACCOUNT_DIGITS}}$`).test(account)) return false;
  return accountKeyHolds(bic.slice(6), account);
}

/** The bank's correspondent account at the Bank of Russia (the key uses "0" and the BIC's 5th–6th digits). */
export function isValidCorrespondentAccount(bic: string, account: string): boolean {
  if (!isValidBic(bic) || !/^30101\d{15}$/.test(account)) return false;
  return accountKeyHolds(`0${bic.slice(4, 6)}`, account);
}
