/**
 * The Russian unified payment QR code, GOST R 56042-2014 ("Стандарты финансовых операций.
 * Двумерные символы штрихового кода для осуществления платежей физических лиц"): any Russian bank
 * app that scans it fills in a transfer with the payee's details, the amount and the purpose.
 *
 * The text is a service block — format id `ST`, version `0001`, encoding `2` (UTF-8) — then
 * `Key=Value` pairs separated by `|`. The five mandatory details come first and in this order:
 * Name, PersonalAcc, BankName, BIC, CorrespAcc; additional ones (Sum in kopecks, Purpose, PayeeINN,
 * KPP …) follow. There is no trailing separator. Values longer than the standard allows would be
 * cut or refused by the bank app, so they are refused here instead.
 */

export const GOST_SERVICE_BLOCK = 'ST0001';
/** Encoding flag: 1 = windows-1251, 2 = UTF-8, 3 = KOI8-R. We write UTF-8 (the QR library's byte mode). */
export const GOST_ENCODING_UTF8 = '2';
export const GOST_SEPARATOR = '|';

/** Maximum value lengths in characters, from the standard's tables of mandatory and additional details. */
export const GOST_FIELD_LENGTH_MAX = {
  Name: 160,
  PersonalAcc: 20,
  BankName: 45,
  BIC: 9,
  CorrespAcc: 20,
  Sum: 18,
  Purpose: 210,
  PayeeINN: 12,
  KPP: 9,
} as const;

export type GostField = keyof typeof GOST_FIELD_LENGTH_MAX;

export interface GostPayment {
  readonly Name: string;
  readonly PersonalAcc: string;
  readonly BankName: string;
  readonly BIC: string;
  readonly CorrespAcc: string;
  /** Kopecks, a whole number: the standard's unit for Sum. */
  readonly sum_minor?: number;
  readonly Purpose?: string;
  readonly PayeeINN?: string;
  readonly KPP?: string;
}

export class GostPaymentError extends Error {
  readonly field: GostField;
  constructor(field: GostField, reason: string) {
    super(`GOST R 56042 field ${field}: ${reason}`);
    this.name = 'GostPaymentError';
    this.field = field;
  }
}

/** Digits-only details, where any other character means a wrong value, not just a long one. */
const DIGIT_PATTERNS: Partial<Record<GostField, RegExp>> = {
  PersonalAcc: /^\d{20}$/,
  BIC: /^\d{9}$/,
  CorrespAcc: /^\d{20}$/,
  Sum: /^\d+$/,
  PayeeINN: /^(\d{10}|\d{12})$/,
  KPP: /^\d{4}[\dA-Z]{2}\d{3}$/,
};

const CONTROL_CODE_LIMIT = 0x20;
const DELETE_CODE = 0x7f;

function hasControlCharacter(value: string): boolean {
  return [...value].some((character) => {
    const code = character.charCodeAt(0);
    return code < CONTROL_CODE_LIMIT || code === DELETE_CODE;
  });
}

function checkedPair(field: GostField, value: string): string {
  if (value.length === 0) throw new GostPaymentError(field, 'is empty (leave an optional field out instead)');
  if (value.length > GOST_FIELD_LENGTH_MAX[field]) throw new GostPaymentError(field, `is ${value.length} characters, at most ${GOST_FIELD_LENGTH_MAX[field]} allowed`);
  // The separator inside a value would split it; control characters have no place in a payment detail.
  if (value.includes(GOST_SEPARATOR) || hasControlCharacter(value)) throw new GostPaymentError(field, 'contains "|" or a control character');
  const pattern = DIGIT_PATTERNS[field];
  if (pattern && !pattern.test(value)) throw new GostPaymentError(field, `does not match ${pattern.source}`);
  return `${field}=${value}`;
}

/** The text to encode in the QR code (byte mode, UTF-8). Throws GostPaymentError naming the bad field. */
export function gostPaymentText(payment: GostPayment): string {
  if (payment.sum_minor !== undefined && (!Number.isSafeInteger(payment.sum_minor) || payment.sum_minor <= 0)) {
    throw new GostPaymentError('Sum', 'must be a positive whole number of kopecks');
  }
  const optional: Array<[GostField, string | undefined]> = [
    ['Sum', payment.sum_minor === undefined ? undefined : String(payment.sum_minor)],
    ['Purpose', payment.Purpose],
    ['PayeeINN', payment.PayeeINN],
    ['KPP', payment.KPP],
  ];
  const pairs = [
    checkedPair('Name', payment.Name),
    checkedPair('PersonalAcc', payment.PersonalAcc),
    checkedPair('BankName', payment.BankName),
    checkedPair('BIC', payment.BIC),
    checkedPair('CorrespAcc', payment.CorrespAcc),
    ...optional.filter((pair): pair is [GostField, string] => pair[1] !== undefined).map(([field, value]) => checkedPair(field, value)),
  ];
  return [`${GOST_SERVICE_BLOCK}${GOST_ENCODING_UTF8}`, ...pairs].join(GOST_SEPARATOR);
}
