import type { Language } from '../core/i18n/languages.js';

/**
 * The SmsSender port: hands one text message to an SMS network (an SMSC over SMPP, an SMS
 * gateway's API) or, in development, to the console. It is only ever called by the outbox worker
 * (job kind `sms.send`), so a send happens after the transaction that asked for it committed, and
 * at least once: a retried job may send twice, which drivers should avoid where their network
 * lets them. The SMPP driver records every part the SMSC accepted against `reference` and sends
 * only the others on a retry; only a part whose answer never came can go twice.
 */
export interface SmsMessage {
  /** E.164, e.g. "+79001234567". */
  readonly to_msisdn: string;
  readonly text: string;
  /** The reader's language: a driver picks the encoding (GSM-7 or UCS-2) from the text, not from this. */
  readonly language: Language;
  /** Stable per message (the outbox job id): drivers that can deduplicate use it. */
  readonly reference: string;
}

export type SmsSendResult =
  | {
    readonly accepted: true;
    /** The first (or only) part's id at the network. */
    readonly message_id: string;
    /** Every part's id, in order, when the text went as several concatenated parts. */
    readonly message_ids?: readonly string[];
  }
  /** `retryable`: the network may take it later (throttled, SMSC down); otherwise it never will (bad number, barred). */
  | {
    readonly accepted: false;
    readonly retryable: boolean;
    readonly reason: string;
    /** The network could not be reached at all (link down), so nothing was tried: the try does not count. */
    readonly unreachable?: boolean;
  };

export interface SmsSender {
  readonly name: string;
  send(message: SmsMessage): Promise<SmsSendResult>;
}

export const SMS_DRIVERS = ['console', 'smpp'] as const;
export type SmsDriver = (typeof SMS_DRIVERS)[number];
