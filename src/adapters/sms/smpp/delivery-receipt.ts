import type { SmsDeliveryStatus } from '../../../db/schema.js';

/**
 * SMSC delivery receipts (SMPP 3.4 appendix B): a `deliver_sm` whose esm_class message type is
 * "MC delivery receipt", with the outcome in the text
 *   id:0123456789 sub:001 dlvrd:001 submit date:2612070435 done date:2612070436 stat:DELIVRD err:000 text:…
 * and, on SMSCs that send them, the same facts as TLVs (receipted_message_id, message_state),
 * which win over the text when present. Intermediate states (ENROUTE, ACCEPTD) change nothing.
 */

/** esm_class bits 2–5 are the message type; 0x04 is a delivery receipt. */
export const ESM_CLASS_MESSAGE_TYPE_MASK = 0x3c;
export const ESM_CLASS_DELIVERY_RECEIPT = 0x04;
/** A receipt's text is ~100 characters; anything far longer is not one and is not scanned. */
export const RECEIPT_TEXT_LENGTH_MAX = 512;

const STATUS_BY_STAT: Readonly<Record<string, SmsDeliveryStatus | null>> = Object.freeze({
  DELIVRD: 'delivered', EXPIRED: 'expired', UNDELIV: 'undeliverable', DELETED: 'undeliverable',
  REJECTD: 'rejected', UNKNOWN: 'unknown', ACCEPTD: null, ENROUTE: null,
});

/** SMPP 3.4 §5.2.28 message_state values. */
const STATUS_BY_MESSAGE_STATE: Readonly<Record<number, SmsDeliveryStatus | null>> = Object.freeze({
  1: null, 2: 'delivered', 3: 'expired', 4: 'undeliverable', 5: 'undeliverable', 6: null, 7: 'unknown', 8: 'rejected',
});

export interface DeliveryReceipt {
  readonly message_id: string;
  /** null: an intermediate state, nothing to record. */
  readonly status: SmsDeliveryStatus | null;
  /** The network's error code when the text gives one other than 0. */
  readonly error: string | null;
}

export function isDeliveryReceipt(esm_class: number | undefined): boolean {
  return ((esm_class ?? 0) & ESM_CLASS_MESSAGE_TYPE_MASK) === ESM_CLASS_DELIVERY_RECEIPT;
}

/** The receipt's facts, or null when it names no message. */
export function parseDeliveryReceipt(input: {
  readonly text: string;
  readonly receipted_message_id?: string | undefined;
  readonly message_state?: number | undefined;
}): DeliveryReceipt | null {
  const text = input.text.slice(0, RECEIPT_TEXT_LENGTH_MAX);
  const message_id = input.receipted_message_id || /\bid:(\S+)/i.exec(text)?.[1];
  if (!message_id) return null;
  const stat = /\bstat:([A-Za-z]+)/i.exec(text)?.[1]?.toUpperCase();
  const from_state = input.message_state === undefined ? undefined : STATUS_BY_MESSAGE_STATE[input.message_state];
  const from_text = stat === undefined ? undefined : STATUS_BY_STAT[stat];
  const status = from_state !== undefined ? from_state : from_text !== undefined ? from_text : 'unknown';
  const error = /\berr:(\w+)/i.exec(text)?.[1];
  return { message_id, status, error: error === undefined || /^0+$/.test(error) ? null : `err:${error}` };
}

/** The text of a receipt, as the SMSC simulator (and most SMSCs) write it. */
export function deliveryReceiptText(message_id: string, stat: string, now: Date, error = '000'): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(2, 12);
  return `id:${message_id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${stamp} done date:${stamp} stat:${stat} err:${error} text:`;
}
