import { shortMessageText } from '../../../../adapters/sms/smpp/pdu-text.js';
import { randomUUID } from 'node:crypto';
import type { PDU, PduOptions } from 'smpp';
import { encodeUnsplit } from '../../../../core/sms-encoding.js';
import { msisdnOf } from '../../../../adapters/sms/smpp/smpp-address.js';
import type { UssdOperations } from '../../../../adapters/sms/smpp/smpp-config.js';
import type { SubmitOutcome } from '../../../../adapters/sms/smpp/smpp-link.js';
import type { UssdRequest, UssdScreen } from '../../session.js';
import { UssdSessions } from './ussd-sessions.js';

/**
 * USSD over SMPP (smpp.md): the gateway sends each step of a session as a `deliver_sm` carrying
 * `ussd_service_op`, and we answer each with a `submit_sm` to the caller carrying the op that
 * continues (USSR request, 2) or ends (PSSR response, 17) the session, and the gateway's
 * `its_session_info` copied back. Which incoming ops start, continue and end a session, and which
 * ops we answer with, differ between gateways: they come from configuration (SMPP_USSD_*).
 *
 * Only translation lives here. The first deliver_sm carries the dialled string ("*102#", or
 * "*102*1#" with inputs); each later one a single input; the session engine takes the HTTP
 * convention's shape (service code plus every input so far joined by "*"), so we keep the code
 * and the inputs per session (UssdSessions) and hand the engine the same request /ussd/at would.
 */

export interface SmppUssdOptions {
  /** The session engine (answerUssd with its dependencies). */
  readonly answer: (request: UssdRequest) => Promise<UssdScreen>;
  /** Sends our reply over the link (the USSD lane: no waiting behind SMS). */
  readonly reply: (options: PduOptions) => Promise<SubmitOutcome>;
  readonly operations: UssdOperations;
  /** service_type on replies ("" by default; "USSD" for gateways that want it). */
  readonly service_type: string;
  readonly sessions?: UssdSessions;
  /** Told what happened, for the log and metrics: never the caller's number or inputs. */
  readonly onEvent?: (event: SmppUssdEvent) => void;
}

export type SmppUssdEvent =
  | { readonly type: 'answered'; readonly code: string; readonly continues: boolean }
  | { readonly type: 'unknown_session' }
  | { readonly type: 'ended_by_gateway' }
  | { readonly type: 'ignored_op'; readonly op: number }
  | { readonly type: 'reply_failed'; readonly reason: string }
  | { readonly type: 'answer_failed'; readonly error: unknown };

/** Longest dialled string or input we take; a person types a handful of characters. */
export const USSD_INPUT_LENGTH_MAX = 182;

export class SmppUssdTransport {
  readonly #options: SmppUssdOptions;
  readonly #sessions: UssdSessions;

  constructor(options: SmppUssdOptions) {
    this.#options = options;
    this.#sessions = options.sessions ?? new UssdSessions();
  }

  /** True for a deliver_sm this transport takes (it carries ussd_service_op). */
  static carriesUssd(pdu: PDU): boolean {
    return typeof pdu.ussd_service_op === 'number';
  }

  /**
   * Handles one USSD deliver_sm. Resolves when our reply has been answered (or failed); the link
   * sends deliver_sm_resp at once, without waiting for this.
   */
  async handle(pdu: PDU): Promise<void> {
    const op = pdu.ussd_service_op ?? -1;
    const { operations } = this.#options;
    const key = sessionKey(pdu);
    const input = shortMessageText(pdu).trim().slice(0, USSD_INPUT_LENGTH_MAX);
    const msisdn = msisdnOf(pdu.source_addr ?? '', pdu.source_addr_ton);
    let request: UssdRequest;
    if (operations.start.includes(op)) {
      const dialled = parseDialled(input);
      const session_id = `smpp:${randomUUID()}`;
      this.#sessions.set(key, { msisdn, service_code: dialled.service_code, inputs: dialled.inputs, session_id });
      request = { msisdn, service_code: dialled.service_code, text: dialled.inputs.join('*'), session_id };
    } else if (operations.continue.includes(op)) {
      const state = this.#sessions.get(key);
      if (!state) {
        // Expired, evicted, or begun on another server: the engine answers its "invalid request"
        // screen (no code) in the caller's language, and the session ends.
        this.#options.onEvent?.({ type: 'unknown_session' });
        request = { msisdn, service_code: '', text: input };
      } else {
        const inputs = [...state.inputs, input];
        this.#sessions.set(key, { ...state, inputs });
        request = { msisdn, service_code: state.service_code, text: inputs.join('*'), session_id: state.session_id };
      }
    } else if (operations.end.includes(op)) {
      this.#sessions.delete(key);
      this.#options.onEvent?.({ type: 'ended_by_gateway' });
      return;
    } else {
      this.#options.onEvent?.({ type: 'ignored_op', op });
      return;
    }
    await this.#answer(pdu, key, request);
  }

  async #answer(pdu: PDU, key: string, request: UssdRequest): Promise<void> {
    let screen: UssdScreen;
    try {
      screen = await this.#options.answer(request);
    } catch (error) {
      this.#sessions.delete(key);
      this.#options.onEvent?.({ type: 'answer_failed', error });
      return;
    }
    const continues = screen.continues && request.service_code !== '';
    if (!continues) this.#sessions.delete(key);
    const outcome = await this.#options.reply(replyOptions(pdu, screen.text, continues, this.#options));
    if (outcome.kind !== 'response' || outcome.pdu.command_status !== 0) {
      const reason = outcome.kind === 'response' ? `command_status 0x${outcome.pdu.command_status.toString(16)}` : outcome.kind;
      this.#options.onEvent?.({ type: 'reply_failed', reason });
      return;
    }
    this.#options.onEvent?.({ type: 'answered', code: screen.code, continues });
  }
}

/** The submit_sm that answers `pdu`: back to the caller, from the address they dialled, its_session_info copied. */
export function replyOptions(
  pdu: PDU,
  text: string,
  continues: boolean,
  options: Pick<SmppUssdOptions, 'operations' | 'service_type'>,
): PduOptions {
  const encoded = encodeUnsplit(text);
  return {
    service_type: options.service_type,
    source_addr_ton: pdu.dest_addr_ton ?? 0, source_addr_npi: pdu.dest_addr_npi ?? 0, source_addr: pdu.destination_addr ?? '',
    dest_addr_ton: pdu.source_addr_ton ?? 0, dest_addr_npi: pdu.source_addr_npi ?? 0, destination_addr: pdu.source_addr ?? '',
    data_coding: encoded.data_coding, short_message: encoded.short_message,
    ussd_service_op: continues ? options.operations.reply_continue : options.operations.reply_end,
    ...(pdu.its_session_info ? { its_session_info: pdu.its_session_info } : {}),
  };
}

/** Caller and the gateway's session number (its_session_info's first octet): one caller may have one session at a time anyway. */
export function sessionKey(pdu: PDU): string {
  const session_number = pdu.its_session_info?.[0];
  return `${pdu.source_addr ?? ''}#${session_number === undefined ? '-' : session_number.toString(16)}`;
}

/** "*102*1*2#" → service code "*102#", inputs ["1", "2"]; anything else is passed on as the code (the engine names it unknown). */
export function parseDialled(dialled: string): { service_code: string; inputs: string[] } {
  const match = /^([*#])(\d+)((?:\*[^*#]*)*)#$/.exec(dialled);
  if (!match) return { service_code: dialled, inputs: [] };
  const inputs = (match[3] ?? '').split('*').slice(1);
  return { service_code: `${match[1]}${match[2]}#`, inputs };
}
