import type { PDU } from 'smpp';

/**
 * The text of a received PDU's short_message. node-smpp decodes it by data_coding (GSM 03.38
 * table, UCS-2) into { message }; a data_coding it does not know leaves bytes, read here as Latin-1.
 */
export function shortMessageText(pdu: Pick<PDU, 'short_message'>): string {
  const value = pdu.short_message;
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  return typeof value.message === 'string' ? value.message : value.message.toString('latin1');
}
