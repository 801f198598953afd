/**
 * SMPP addresses: the digits or name, with their type of number (TON) and numbering plan (NPI).
 * "+79001234567" goes as international (TON 1, NPI 1 E.164) without the "+"; a sender name with
 * letters as alphanumeric (TON 5, NPI 0); other digits (a short code) as TON 0 "unknown", NPI 1,
 * which SMSCs read in their own numbering plan.
 */

export const TON_UNKNOWN = 0;
export const TON_INTERNATIONAL = 1;
export const TON_ALPHANUMERIC = 5;
export const NPI_UNKNOWN = 0;
export const NPI_E164 = 1;
/** SMPP 3.4: source_addr is a C-octet string of at most 21 octets; an alphanumeric name at most 11 characters. */
export const ADDRESS_LENGTH_MAX = 20;
export const ALPHANUMERIC_LENGTH_MAX = 11;

export interface SmppAddress {
  readonly ton: number;
  readonly npi: number;
  readonly address: string;
}

export function addressOf(text: string): SmppAddress {
  if (/^\+\d{1,15}$/.test(text)) return { ton: TON_INTERNATIONAL, npi: NPI_E164, address: text.slice(1) };
  if (/^\d+$/.test(text)) return { ton: TON_UNKNOWN, npi: NPI_E164, address: text };
  return { ton: TON_ALPHANUMERIC, npi: NPI_UNKNOWN, address: text };
}

/** A problem with SMPP_SOURCE_ADDR, or null when it can be sent as is. */
export function sourceAddressProblem(text: string): string | null {
  if (/^\+?\d{1,20}$/.test(text)) return text.replace('+', '').length <= ADDRESS_LENGTH_MAX ? null : `must be at most ${ADDRESS_LENGTH_MAX} digits`;
  if (/^[\x20-\x7e]+$/.test(text) && text.length <= ALPHANUMERIC_LENGTH_MAX) return null;
  return `must be a short code, an E.164 number (+7…) or a sender name of at most ${ALPHANUMERIC_LENGTH_MAX} ASCII characters`;
}

/**
 * The caller's number as E.164 with "+", from a deliver_sm's source_addr: international (TON 1)
 * digits as they are; national or unknown digits are passed on as they came, with "+" only when
 * they already look international (the USSD engine parses numbers with its own default country).
 */
export function msisdnOf(address: string, ton: number | undefined): string {
  const digits = address.replace(/^\+/, '');
  if (ton === TON_INTERNATIONAL || address.startsWith('+')) return `+${digits}`;
  return digits;
}
