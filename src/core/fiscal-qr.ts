import { minorToDecimalString } from './money.js';
import { wallClockAt } from './time-zone.js';

/**
 * The QR code of a fiscal receipt, in the tax service's format (what its "Проверка чеков" app scans):
 *
 *   t=20260115T1423&s=190.00&fn=7380440700076549&i=12345&fp=2729614457&n=1
 *
 * t the date and time of the document (YYYYMMDDTHHMM), s the total with a dot and two decimals,
 * fn the fiscal drive's number, i the fiscal document's number, fp its fiscal sign, n the operation
 * (1 sale, 2 refund of a sale).
 *
 * `t` is the time the register printed, on its own clock — not our clock and not the customer's
 * zone. The tax service finds a receipt by fn, i and fp and compares t and s with what the drive
 * recorded (tag 1012), which is the register's local time; a receipt from Vladivostok sold by a
 * cloud register in Moscow prints Moscow time, so its QR code must say Moscow time too. The cloud
 * registers (ATOL Online, OrangeData, CloudKassir) keep Moscow time, hence the default; a register
 * elsewhere passes its own zone. Seconds are dropped, not rounded: 14:23:59 prints as 14:23.
 */

export const FISCAL_REGISTER_TIME_ZONE = 'Europe/Moscow';

/**
 * n: the settlement's sign (tag 1054). A correction of a sale corrects a приход, so it is a 1 too
 * (the sale correction roamcard makes; a refund's correction would be a 2).
 */
export const QR_OPERATION_CODES = { sell: 1, sell_refund: 2, sell_correction: 1 } as const;
export type QrOperation = keyof typeof QR_OPERATION_CODES;

/** What the QR code takes from a registered document's attributes (ports/fiscal-register.ts FiscalAttributes). */
export interface FiscalQrFields {
  readonly receipt_datetime_ms: number;
  readonly total_minor: number;
  readonly fn_number: string;
  readonly fiscal_document_number: number;
  readonly fiscal_document_attribute: number;
}

/** A fiscal sign is a 32-bit number: at most 10 digits. */
const FISCAL_SIGN_MAX = 4_294_967_295;

export function fiscalQrText(attributes: FiscalQrFields, operation: QrOperation, time_zone: string = FISCAL_REGISTER_TIME_ZONE): string {
  const { receipt_datetime_ms, total_minor, fn_number, fiscal_document_number, fiscal_document_attribute } = attributes;
  if (!/^\d{16}$/.test(fn_number)) throw new RangeError(`fn_number must be 16 digits, got "${fn_number}"`);
  if (!Number.isSafeInteger(fiscal_document_number) || fiscal_document_number < 1) throw new RangeError(`fiscal_document_number must be a positive whole number, got ${fiscal_document_number}`);
  if (!Number.isInteger(fiscal_document_attribute) || fiscal_document_attribute < 0 || fiscal_document_attribute > FISCAL_SIGN_MAX) {
    throw new RangeError(`fiscal_document_attribute must be a whole number 0–${FISCAL_SIGN_MAX}, got ${fiscal_document_attribute}`);
  }
  if (!Number.isSafeInteger(total_minor) || total_minor < 0) throw new RangeError(`total_minor must be a non-negative whole number of kopecks, got ${total_minor}`);
  const code = QR_OPERATION_CODES[operation];
  if (code === undefined) throw new RangeError(`no QR operation code for "${operation}"`);
  const wall = wallClockAt(receipt_datetime_ms, time_zone);
  const two = (value: number) => String(value).padStart(2, '0');
  const t = `${String(wall.year).padStart(4, '0')}${two(wall.month)}${two(wall.day)}T${two(wall.hour)}${two(wall.minute)}`;
  return `t=${t}&s=${minorToDecimalString(total_minor, 'RUB')}&fn=${fn_number}&i=${fiscal_document_number}&fp=${fiscal_document_attribute}&n=${code}`;
}
