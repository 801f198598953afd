import type { AddressInfo } from 'node:net';
import smpp, { type PDU, type Server, type Session } from 'smpp';
import { deliveryReceiptText } from '../delivery-receipt.js';
import { shortMessageText } from '../pdu-text.js';
import { ESME_RBINDFAIL, ESME_RINVDSTADR, ESME_RINVPASWD, ESME_RTHROTTLED } from '../submit-status.js';
import { rawShortMessage, SmppFrameReader } from './raw-frames.js';

/**
 * A local SMSC / USSD gateway speaking SMPP 3.4 (node-smpp's server), for tests, the benchmark and
 * `roamcard smsc-simulator`: it accepts bind_transceiver with the configured credentials, answers
 * enquire_link and unbind, takes every submit_sm (keeping the short_message bytes exactly as they
 * came off the wire, beside node-smpp's own decoding), sends a delivery receipt for each SMS part,
 * and plays a USSD gateway: `dial()` sends the dialled code as a deliver_sm and returns our reply,
 * `answer()` sends the next input. Faults on demand: throttle the next submits, refuse
 * destinations, drop every link. A testing tool only: it is a separate command, never a route.
 */

export interface SmscSimulatorOptions {
  readonly system_id: string;
  readonly password: string;
  /** 0 (the default) takes a free port: read `port` after start(). */
  readonly port?: number;
  readonly host?: string;
  /** Told about every exchange (the CLI prints them). */
  readonly onEvent?: (event: SimulatorEvent) => void;
  /** How long a USSD dial or answer waits for our reply. */
  readonly reply_timeout_ms?: number;
}

export interface ReceivedPart {
  readonly destination_addr: string;
  readonly source_addr: string;
  readonly service_type: string;
  readonly data_coding: number;
  readonly esm_class: number;
  readonly registered_delivery: number;
  /** short_message exactly as it was on the wire, UDH included. */
  readonly short_message: Buffer;
  /** node-smpp's decoding of the payload (without UDH). */
  readonly text: string;
  /** From the concatenation UDH, when there is one. */
  readonly concatenation: { readonly reference: number; readonly total: number; readonly sequence: number } | undefined;
  readonly message_id: string;
  readonly ussd_service_op: number | undefined;
  readonly its_session_info: Buffer | undefined;
}

export interface ReceivedSms {
  readonly destination_addr: string;
  readonly text: string;
  readonly encoding: 'gsm7' | 'ucs2' | `data_coding ${number}`;
  readonly parts: readonly ReceivedPart[];
}

export interface UssdReply {
  readonly text: string;
  readonly ussd_service_op: number;
  readonly its_session_info: Buffer | undefined;
  readonly data_coding: number;
  readonly service_type: string;
}

export type SimulatorEvent =
  | { readonly type: 'bound'; readonly system_id: string }
  | { readonly type: 'bind_refused'; readonly system_id: string }
  | { readonly type: 'unbound' }
  | { readonly type: 'sms'; readonly sms: ReceivedSms }
  | { readonly type: 'refused'; readonly destination_addr: string; readonly status: string }
  | { readonly type: 'ussd_reply'; readonly destination_addr: string; readonly reply: UssdReply };

export const USSD_REPLY_TIMEOUT_MS_DEFAULT = 20_000;
/** Parts kept for tests to read; older ones are dropped. */
export const RECEIVED_PARTS_MAX = 100_000;

/** Concatenated messages waiting for their other parts; the oldest is forgotten beyond this. */
export const PENDING_MESSAGES_MAX = 10_000;

const COMMAND_SUBMIT_SM = 0x00000004;
const ESME_RINVBNDSTS = 0x04;
/** SMPP message_state "delivered", sent as TLV beside the receipt text. */
const MESSAGE_STATE_DELIVERED = 2;
const ESM_CLASS_DELIVERY_RECEIPT = 0x04;
const USSD_PSSR_INDICATION = 1;
const USSD_USSR_CONFIRM = 18;

interface Bound {
  readonly session: Session;
  readonly raw: Map<number, Buffer>;
}

export class SmscSimulator {
  readonly #options: SmscSimulatorOptions;
  readonly #server: Server;
  readonly #bound = new Set<Bound>();
  readonly #parts: ReceivedPart[] = [];
  readonly #pending_parts = new Map<string, ReceivedPart[]>();
  readonly #sms: ReceivedSms[] = [];
  readonly #ussd_waiters = new Map<string, (reply: UssdReply) => void>();
  readonly #ussd_sessions = new Map<string, { session_number: number; step: number }>();
  readonly #refused_destinations = new Set<string>();
  #throttle_next = 0;
  #throttle_after = 0;
  #accept_binds = true;
  #answer_enquire_links = true;
  #message_serial = 0;
  #ussd_serial = 0;
  /** What the peer sent us, for tests: enquire_link, unbind, deliver_sm_resp. */
  readonly counts = { enquire_link: 0, unbind: 0, deliver_sm_resp: 0, bind_refused: 0, throttled: 0 };

  private constructor(options: SmscSimulatorOptions) {
    this.#options = options;
    this.#server = smpp.createServer({}, (session) => this.#accept(session));
  }

  static async start(options: SmscSimulatorOptions): Promise<SmscSimulator> {
    const simulator = new SmscSimulator(options);
    await new Promise<void>((resolve, reject) => {
      simulator.#server.once('error', reject);
      simulator.#server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    return simulator;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smpp://127.0.0.1:${this.port}`;
  }

  get bound_links(): number {
    return this.#bound.size;
  }

  /** Every submit_sm part accepted, oldest first (USSD replies included). */
  get parts(): readonly ReceivedPart[] {
    return this.#parts;
  }

  /** Every complete SMS (parts joined), oldest first. */
  get messages(): readonly ReceivedSms[] {
    return this.#sms;
  }

  /** `count` submit_sm, after the next `after` ones, are answered ESME_RTHROTTLED. */
  throttleNext(count: number, after = 0): void {
    this.#throttle_next = count;
    this.#throttle_after = after;
  }

  /** While false, enquire_link goes unanswered: a link that hangs without closing. */
  answerEnquireLinks(answer: boolean): void {
    this.#answer_enquire_links = answer;
  }

  /** While false, every bind is refused (ESME_RBINDFAIL), as an SMSC that is down or full would. */
  acceptBinds(accept: boolean): void {
    this.#accept_binds = accept;
  }

  /** submit_sm to this address (digits as on the wire, e.g. "79001234567") are refused with ESME_RINVDSTADR. */
  refuseDestination(address: string): void {
    this.#refused_destinations.add(address);
  }

  /** Cuts every link at once, as a network failure would (no unbind). */
  dropLinks(): void {
    for (const bound of [...this.#bound]) bound.session.destroy();
    this.#bound.clear();
  }

  /** Asks every bound peer enquire_link; resolves how many answered within `timeout_ms`. */
  async enquireLinks(timeout_ms = 2_000): Promise<number> {
    const answers = await Promise.all([...this.#bound].map((bound) => new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeout_ms);
      bound.session.enquire_link(() => {
        clearTimeout(timer);
        resolve(true);
      });
    })));
    return answers.filter(Boolean).length;
  }

  /** Resolves once `predicate` holds, checking each time something arrives (or every 10 ms), or rejects after timeout_ms. */
  async waitFor(predicate: () => boolean, timeout_ms = 5_000): Promise<void> {
    const deadline_ms = Date.now() + timeout_ms;
    while (!predicate()) {
      if (Date.now() > deadline_ms) throw new Error(`simulator: condition not met within ${timeout_ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** A person dials `code` (e.g. "*102#") from `msisdn`: the gateway's first deliver_sm; resolves with our reply. */
  dial(msisdn: string, code: string, op = USSD_PSSR_INDICATION): Promise<UssdReply> {
    const address = msisdn.replace(/^\+/, '');
    this.#ussd_serial = (this.#ussd_serial + 1) % 256;
    this.#ussd_sessions.set(address, { session_number: this.#ussd_serial, step: 0 });
    return this.#sendUssd(address, code, op, code.replace(/\D/g, '') || 'USSD');
  }

  /** The person answers the screen shown (USSR confirm by default). */
  answer(msisdn: string, input: string, op = USSD_USSR_CONFIRM): Promise<UssdReply> {
    const address = msisdn.replace(/^\+/, '');
    const session = this.#ussd_sessions.get(address);
    if (!session) return Promise.reject(new Error('simulator: dial first'));
    session.step += 1;
    return this.#sendUssd(address, input, op, 'USSD');
  }

  async close(): Promise<void> {
    for (const bound of [...this.#bound]) bound.session.destroy();
    for (const session of this.#server.sessions) session.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #sendUssd(address: string, text: string, op: number, service_addr: string): Promise<UssdReply> {
    const bound = [...this.#bound][0];
    const session = this.#ussd_sessions.get(address);
    if (!bound || !session) return Promise.reject(new Error('simulator: no ESME is bound'));
    return new Promise<UssdReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#ussd_waiters.delete(address);
        reject(new Error('simulator: no USSD reply in time'));
      }, this.#options.reply_timeout_ms ?? USSD_REPLY_TIMEOUT_MS_DEFAULT);
      this.#ussd_waiters.set(address, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      bound.session.deliver_sm({
        source_addr_ton: 1, source_addr_npi: 1, source_addr: address, destination_addr: service_addr,
        data_coding: 0, short_message: text, ussd_service_op: op,
        its_session_info: Buffer.from([session.session_number, (session.step << 1) & 0xff]),
      });
    });
  }

  #accept(session: Session): void {
    const frames = new SmppFrameReader();
    const bound: Bound = { session, raw: new Map() };
    // Every error of a peer's socket ends that session only (unhandled, it would end the process).
    session.on('error', () => session.destroy());
    session.on('close', () => this.#bound.delete(bound));
    // 'data' beside node-smpp's 'readable': emitted with each chunk it reads, so the raw bytes of a
    // submit_sm are kept before node-smpp emits the decoded PDU.
    session.socket.on('data', (chunk: Buffer) => {
      for (const frame of frames.push(chunk)) {
        if (frame.readUInt32BE(4) === COMMAND_SUBMIT_SM) bound.raw.set(frame.readUInt32BE(12), rawShortMessage(frame));
      }
    });
    session.on('bind_transceiver', (pdu: PDU) => this.#bind(bound, pdu));
    for (const refused of ['bind_transmitter', 'bind_receiver']) {
      session.on(refused, (pdu: PDU) => session.send(pdu.response({ command_status: ESME_RINVBNDSTS })));
    }
    session.on('enquire_link', (pdu: PDU) => {
      this.counts.enquire_link += 1;
      if (this.#answer_enquire_links) session.send(pdu.response());
    });
    session.on('unbind', (pdu: PDU) => {
      this.counts.unbind += 1;
      this.#bound.delete(bound);
      session.send(pdu.response(), () => session.close());
      this.#options.onEvent?.({ type: 'unbound' });
    });
    session.on('deliver_sm_resp', () => {
      this.counts.deliver_sm_resp += 1;
    });
    session.on('submit_sm', (pdu: PDU) => this.#submit(bound, pdu));
  }

  #bind(bound: Bound, pdu: PDU): void {
    const system_id = pdu.system_id ?? '';
    if (!this.#accept_binds) {
      this.counts.bind_refused += 1;
      bound.session.send(pdu.response({ command_status: ESME_RBINDFAIL }));
      return;
    }
    if (system_id !== this.#options.system_id || pdu.password !== this.#options.password) {
      this.counts.bind_refused += 1;
      bound.session.send(pdu.response({ command_status: ESME_RINVPASWD }));
      this.#options.onEvent?.({ type: 'bind_refused', system_id });
      return;
    }
    this.#bound.add(bound);
    bound.session.send(pdu.response({ system_id: 'roamcard-simulator' }));
    this.#options.onEvent?.({ type: 'bound', system_id });
  }

  #submit(bound: Bound, pdu: PDU): void {
    const { session } = bound;
    const short_message = bound.raw.get(pdu.sequence_number) ?? Buffer.alloc(0);
    bound.raw.delete(pdu.sequence_number);
    if (!this.#bound.has(bound)) {
      session.send(pdu.response({ command_status: ESME_RINVBNDSTS }));
      return;
    }
    const destination_addr = pdu.destination_addr ?? '';
    if (this.#throttle_next > 0 && this.#throttle_after > 0) this.#throttle_after -= 1;
    else if (this.#throttle_next > 0) {
      this.#throttle_next -= 1;
      this.counts.throttled += 1;
      session.send(pdu.response({ command_status: ESME_RTHROTTLED }));
      this.#options.onEvent?.({ type: 'refused', destination_addr, status: 'ESME_RTHROTTLED' });
      return;
    }
    if (this.#refused_destinations.has(destination_addr)) {
      session.send(pdu.response({ command_status: ESME_RINVDSTADR }));
      this.#options.onEvent?.({ type: 'refused', destination_addr, status: 'ESME_RINVDSTADR' });
      return;
    }
    this.#message_serial += 1;
    const message_id = this.#message_serial.toString(16).padStart(8, '0');
    const part = receivedPart(pdu, short_message, message_id);
    this.#parts.push(part);
    if (this.#parts.length > RECEIVED_PARTS_MAX) this.#parts.shift();
    session.send(pdu.response({ message_id }));
    if (part.ussd_service_op !== undefined) {
      this.#ussdReply(part);
      return;
    }
    this.#collect(part);
    if ((part.registered_delivery & 0x03) !== 0) this.#sendReceipt(session, part);
  }

  #ussdReply(part: ReceivedPart): void {
    const reply: UssdReply = {
      text: part.text, ussd_service_op: part.ussd_service_op ?? 0, its_session_info: part.its_session_info,
      data_coding: part.data_coding, service_type: part.service_type,
    };
    this.#options.onEvent?.({ type: 'ussd_reply', destination_addr: part.destination_addr, reply });
    const waiter = this.#ussd_waiters.get(part.destination_addr);
    this.#ussd_waiters.delete(part.destination_addr);
    waiter?.(reply);
  }

  #collect(part: ReceivedPart): void {
    const concatenation = part.concatenation;
    if (!concatenation) {
      this.#complete([part]);
      return;
    }
    const key = `${part.destination_addr}/${concatenation.reference}/${concatenation.total}`;
    const known = this.#pending_parts.get(key) ?? [];
    const parts = [...known.filter((other) => other.concatenation?.sequence !== concatenation.sequence), part];
    if (parts.length < concatenation.total) {
      this.#pending_parts.delete(key);
      if (this.#pending_parts.size >= PENDING_MESSAGES_MAX) this.#pending_parts.delete(this.#pending_parts.keys().next().value as string);
      this.#pending_parts.set(key, parts);
      return;
    }
    this.#pending_parts.delete(key);
    this.#complete(parts.sort((a, b) => (a.concatenation?.sequence ?? 0) - (b.concatenation?.sequence ?? 0)));
  }

  #complete(parts: ReceivedPart[]): void {
    const first = parts[0];
    if (!first) return;
    const encoding = first.data_coding === 0 ? 'gsm7' : first.data_coding === 8 ? 'ucs2' : `data_coding ${first.data_coding}` as const;
    const sms: ReceivedSms = { destination_addr: first.destination_addr, text: parts.map((part) => part.text).join(''), encoding, parts };
    this.#sms.push(sms);
    if (this.#sms.length > RECEIVED_PARTS_MAX) this.#sms.shift();
    this.#options.onEvent?.({ type: 'sms', sms });
  }

  #sendReceipt(session: Session, part: ReceivedPart): void {
    session.deliver_sm({
      source_addr_ton: 1, source_addr_npi: 1, source_addr: part.destination_addr, destination_addr: part.source_addr,
      esm_class: ESM_CLASS_DELIVERY_RECEIPT, data_coding: 0,
      short_message: deliveryReceiptText(part.message_id, 'DELIVRD', new Date()),
      receipted_message_id: part.message_id, message_state: MESSAGE_STATE_DELIVERED,
    });
  }
}

function receivedPart(pdu: PDU, short_message: Buffer, message_id: string): ReceivedPart {
  const decoded = pdu.short_message;
  const udh = decoded && typeof decoded === 'object' && !Buffer.isBuffer(decoded) ? decoded.udh : undefined;
  const concatenation = udh?.find((element) => element[0] === 0x00 && element[1] === 3);
  return {
    destination_addr: pdu.destination_addr ?? '',
    source_addr: pdu.source_addr ?? '',
    service_type: pdu.service_type ?? '',
    data_coding: pdu.data_coding ?? 0,
    esm_class: pdu.esm_class ?? 0,
    registered_delivery: pdu.registered_delivery ?? 0,
    short_message,
    text: shortMessageText(pdu),
    concatenation: concatenation
      ? { reference: concatenation[2] ?? 0, total: concatenation[3] ?? 0, sequence: concatenation[4] ?? 0 }
      : undefined,
    message_id,
    ussd_service_op: pdu.ussd_service_op,
    its_session_info: pdu.its_session_info,
  };
}
