import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { concatenationReference, encodeSms, type EncodedSms } from '../../../core/sms-encoding.js';
import { TokenBucket } from '../../../core/token-bucket.js';
import type { Database } from '../../../db/database.js';
import type { Clock } from '../../../ports/clock.js';
import type { SmsMessage, SmsSendResult, SmsSender } from '../../../ports/sms-sender.js';
import { acceptedParts, recordAcceptedPart, recordRefusedPart } from '../../../services/sms/sms-deliveries.js';
import type { SmppLink } from './smpp-link.js';
import { addressOf } from './smpp-address.js';
import { classifySubmitStatus, ESME_ROK, LINK_DOWN, RESPONSE_TIMEOUT } from './submit-status.js';

/**
 * SMS_DRIVER=smpp: each message goes as one submit_sm per part over the shared SmppLink.
 *
 * Exactly-once as far as SMPP allows: every part the SMSC accepts is recorded (reference = the
 * outbox job id, part number, the SMSC's message id) right after its submit_sm_resp, and a retried
 * job sends only the parts not recorded, with the same concatenation reference, so the handset
 * joins them. The one gap is the protocol's: a part sent whose response never came (timeout, link
 * lost in between) may have been taken, and is sent again.
 *
 * While the link is down the answer is "retryable": the job waits in the outbox and nothing is lost.
 */

export interface SmppSenderSettings {
  /** SMPP_SOURCE_ADDR: a short code, a number (+7…) or an alphanumeric sender name. */
  readonly source_addr: string;
  /** SMPP_SUBMIT_PER_SECOND_MAX: submit_sm a second over this link, all traffic included. */
  readonly submit_per_second_max: number;
}

/** A part waits at most this long for the throughput limit; beyond, the job is retried later. */
export const THROTTLE_WAIT_MS_MAX = 5_000;
/** SMPP 3.4 §5.2.17: ask for a receipt on final delivery outcome (delivered or failed). */
export const REGISTERED_DELIVERY_FINAL = 0x01;

export interface SmppSmsSenderOptions {
  readonly link: SmppLink;
  readonly database: Database;
  readonly clock: Clock;
  readonly settings: SmppSenderSettings;
  /** Shared with the USSD replies on the same link (they take tokens without waiting). */
  readonly bucket?: TokenBucket;
}

export class SmppSmsSender implements SmsSender {
  readonly name = 'smpp';
  readonly #options: SmppSmsSenderOptions;
  readonly #bucket: TokenBucket;

  constructor(options: SmppSmsSenderOptions) {
    this.#options = options;
    this.#bucket = options.bucket ?? submitBucket(options.settings.submit_per_second_max);
  }

  get bucket(): TokenBucket {
    return this.#bucket;
  }

  async send(message: SmsMessage): Promise<SmsSendResult> {
    const { link, database } = this.#options;
    if (!link.bound) return { accepted: false, retryable: true, unreachable: true, reason: LINK_DOWN.reason };
    let encoded: EncodedSms;
    try {
      encoded = encodeSms(message.text, concatenationReference(message.reference));
    } catch (error) {
      return { accepted: false, retryable: false, reason: `text cannot be sent as SMS: ${error instanceof Error ? error.message : String(error)}` };
    }
    const message_ids = await acceptedParts(database.db, message.reference);
    for (const [index, short_message] of encoded.parts.entries()) {
      const part = index + 1;
      if (message_ids.has(part)) continue;
      const refused = await this.#submitPart(message, encoded, part, short_message);
      if (typeof refused !== 'string') return refused;
      message_ids.set(part, refused);
    }
    const ids = encoded.parts.map((_, index) => message_ids.get(index + 1) ?? '');
    return { accepted: true, message_id: ids[0] ?? '', message_ids: ids };
  }

  /** The part's message id once accepted and recorded, or the refusal to answer with. */
  async #submitPart(message: SmsMessage, encoded: EncodedSms, part: number, short_message: Buffer): Promise<string | SmsSendResult> {
    const { link, database, clock, settings } = this.#options;
    const wait_ms = this.#bucket.reserve(performance.now(), THROTTLE_WAIT_MS_MAX);
    if (wait_ms === null) return { accepted: false, retryable: true, reason: `above SMPP_SUBMIT_PER_SECOND_MAX=${settings.submit_per_second_max}` };
    if (wait_ms > 0) await sleep(wait_ms);
    const source = addressOf(settings.source_addr);
    const destination = addressOf(message.to_msisdn);
    const outcome = await link.submit({
      source_addr_ton: source.ton, source_addr_npi: source.npi, source_addr: source.address,
      dest_addr_ton: destination.ton, dest_addr_npi: destination.npi, destination_addr: destination.address,
      esm_class: encoded.esm_class, data_coding: encoded.data_coding, registered_delivery: REGISTERED_DELIVERY_FINAL,
      short_message,
    });
    if (outcome.kind === 'link_down') return { accepted: false, retryable: true, reason: LINK_DOWN.reason };
    if (outcome.kind === 'timeout') return { accepted: false, retryable: true, reason: RESPONSE_TIMEOUT.reason };
    const row = { reference: message.reference, part, parts_total: encoded.parts.length, to_msisdn: message.to_msisdn };
    if (outcome.pdu.command_status === ESME_ROK) {
      const message_id = outcome.pdu.message_id ?? '';
      await recordAcceptedPart(database.db, { ...row, message_id }, clock.now_ms());
      return message_id;
    }
    const status = classifySubmitStatus(outcome.pdu.command_status);
    const reason = `${status.name}: ${status.reason} (part ${part} of ${encoded.parts.length})`;
    if (!status.retryable) await recordRefusedPart(database.db, { ...row, error: status.name }, clock.now_ms());
    return { accepted: false, retryable: status.retryable, reason };
  }
}

/**
 * Any one-second window sees at most the rate plus the burst, so the burst is a tenth of the rate:
 * at most 10 % over an SMSC's per-second count at the start of a rush, and an ESME_RTHROTTLED
 * that still comes back is retried like any other.
 */
export const SUBMIT_BURST_FRACTION = 0.1;

export function submitBucket(per_second_max: number): TokenBucket {
  return new TokenBucket(per_second_max, Math.max(1, Math.ceil(per_second_max * SUBMIT_BURST_FRACTION)), performance.now());
}
