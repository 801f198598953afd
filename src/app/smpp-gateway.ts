import { shortMessageText } from '../adapters/sms/smpp/pdu-text.js';
import type { PDU } from 'smpp';
import type { SmppConfig } from '../adapters/sms/smpp/smpp-config.js';
import { isDeliveryReceipt, parseDeliveryReceipt } from '../adapters/sms/smpp/delivery-receipt.js';
import { SmppLink, type SmppLinkEvent, type SmppLinkTiming } from '../adapters/sms/smpp/smpp-link.js';
import { SmppSmsSender } from '../adapters/sms/smpp/smpp-sms-sender.js';
import { ESME_ROK } from '../adapters/sms/smpp/submit-status.js';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SmsDeliveryStatus } from '../db/schema.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../ports/clock.js';
import { recordReceipt } from '../services/sms/sms-deliveries.js';
import type { UssdRequest, UssdScreen } from '../channels/ussd/session.js';
import { SmppUssdTransport, type SmppUssdEvent } from '../channels/ussd/transports/smpp/smpp-ussd.js';
import type { UssdSessions } from '../channels/ussd/transports/smpp/ussd-sessions.js';

/**
 * SMS_DRIVER=smpp: the server's one SMPP link and what travels on it. Out: SMS parts (the outbox
 * worker through SmppSmsSender) and USSD replies. In: delivery receipts (recorded against the
 * part's message id) and USSD steps (answered by the same session engine as POST /ussd/at).
 *
 * USSD replies and SMS share the SMSC's per-link rate, so they share one token bucket, but USSD
 * replies never wait in it: a reply is an answer inside a live session that the gateway abandons
 * after 10–15 s, and there is one per human keypress, so it takes its token at once (the bucket
 * may go below zero) and the SMS parts behind it wait a little longer. SMS can wait (the outbox is
 * their queue); a person looking at their phone cannot.
 *
 * Opened with the context but started only by `serve`: a CLI command that opens the context does
 * not bind to the SMSC.
 */

/**
 * A receipt can overtake the record of its own part: the SMSC may send it right behind the
 * submit_sm_resp (the simulator does), or on another server's link, before our row is committed. So
 * a receipt that matches no part is tried again after these pauses before it is given up (and
 * acknowledged anyway: an SMSC resending a receipt we cannot place would gain nothing).
 */
export const RECEIPT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([20, 100, 500]);

export type SmppGatewayEvent =
  | SmppLinkEvent
  | { readonly type: 'receipt'; readonly status: string; readonly recorded: boolean }
  | { readonly type: 'mobile_originated_ignored' }
  | { readonly type: 'ussd_without_engine' }
  | { readonly type: 'ussd'; readonly event: SmppUssdEvent };

export interface SmppGatewayStart {
  /** The USSD session engine; without it USSD steps are acknowledged and not answered. */
  readonly ussdAnswer?: (request: UssdRequest) => Promise<UssdScreen>;
  readonly onEvent?: (event: SmppGatewayEvent) => void;
  readonly ussd_sessions?: UssdSessions;
}

export interface SmppGateway {
  readonly link: SmppLink;
  readonly sender: SmppSmsSender;
  start(options?: SmppGatewayStart): void;
  close(): Promise<void>;
}

export function openSmppGateway(input: {
  readonly config: SmppConfig;
  readonly database: Database;
  readonly clock: Clock;
  readonly timing?: Partial<SmppLinkTiming>;
  readonly random?: () => number;
}): SmppGateway {
  let onEvent: (event: SmppGatewayEvent) => void = () => undefined;
  const link = new SmppLink({
    settings: input.config.link, timing: input.timing, random: input.random, onEvent: (event) => onEvent(event),
  });
  const sender = new SmppSmsSender({
    link, database: input.database, clock: input.clock,
    settings: { source_addr: input.config.source_addr, submit_per_second_max: input.config.submit_per_second_max },
  });
  return {
    link,
    sender,
    start(options = {}) {
      onEvent = options.onEvent ?? onEvent;
      const ussd = options.ussdAnswer ? new SmppUssdTransport({
        answer: options.ussdAnswer,
        reply: (reply) => {
          sender.bucket.consume(performance.now());
          return link.submit(reply);
        },
        operations: input.config.ussd.operations,
        service_type: input.config.ussd.service_type,
        ...(options.ussd_sessions ? { sessions: options.ussd_sessions } : {}),
        onEvent: (event) => onEvent({ type: 'ussd', event }),
      }) : undefined;
      link.onDeliverSm((pdu) => deliverSm(pdu, { database: input.database, clock: input.clock, ussd, onEvent }));
      link.start();
    },
    close: () => link.close(),
  };
}

async function deliverSm(
  pdu: PDU,
  deps: { database: Database; clock: Clock; ussd: SmppUssdTransport | undefined; onEvent: (event: SmppGatewayEvent) => void },
): Promise<number> {
  if (SmppUssdTransport.carriesUssd(pdu)) {
    if (!deps.ussd) deps.onEvent({ type: 'ussd_without_engine' });
    // Acknowledged at once; the reply is a submit_sm of its own (the transport reports failures).
    else void deps.ussd.handle(pdu);
    return ESME_ROK;
  }
  if (isDeliveryReceipt(pdu.esm_class)) {
    const receipt = parseDeliveryReceipt({
      text: shortMessageText(pdu), receipted_message_id: pdu.receipted_message_id, message_state: pdu.message_state,
    });
    if (!receipt?.status) return ESME_ROK;
    const { message_id, status, error } = receipt;
    // Recorded before deliver_sm_resp: if this fails the SMSC sends the receipt again.
    const recorded = await recordReceiptPatiently(deps, { message_id, status, error });
    deps.onEvent({ type: 'receipt', status, recorded });
    return ESME_ROK;
  }
  deps.onEvent({ type: 'mobile_originated_ignored' });
  return ESME_ROK;
}

async function recordReceiptPatiently(
  deps: { database: Database; clock: Clock },
  receipt: { message_id: string; status: SmsDeliveryStatus; error: string | null },
): Promise<boolean> {
  for (const delay_ms of [0, ...RECEIPT_RETRY_DELAYS_MS]) {
    if (delay_ms > 0) await sleep(delay_ms);
    if (await recordReceipt(deps.database.db, receipt, deps.clock.now_ms())) return true;
  }
  return false;
}
