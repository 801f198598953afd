import smpp, { type PDU, type PduOptions, type Session } from 'smpp';
import { backoffDelayMs } from '../../../core/backoff.js';
import { ESME_ROK, ESME_RX_T_APPN, classifySubmitStatus } from './submit-status.js';

/**
 * One SMPP 3.4 link: roamcard as an ESME, bound as transceiver to the operator's SMSC / USSD
 * gateway, carrying our submit_sm out and the gateway's deliver_sm (receipts, USSD) in.
 *
 * - Keep-alive is ours, not node-smpp's `auto_enquire_link_period` (which sends enquire_link but
 *   never notices a missing answer): every enquire_link_interval_ms we ask, and a link that does
 *   not answer within response_timeout_ms is taken down and rebuilt. The peer's enquire_link and
 *   unbind are answered.
 * - Down (socket error or close, bind refused or late, keep-alive unanswered, peer unbind), the link
 *   reconnects after a bounded, jittered, exponential delay; requests in flight end as `link_down`
 *   at once, never hang. Sending while down answers `link_down`: the outbox holds the message.
 * - node-smpp re-emits every socket error as the session's `error` event, which would kill the
 *   process unhandled: each session gets its handler before anything else.
 */

export interface SmppLinkSettings {
  /** smpp://host:port, or ssmpp://host:port for TLS. */
  readonly url: string;
  readonly system_id: string;
  /** Never logged, never part of an event. */
  readonly password: string;
  readonly system_type: string;
}

export interface SmppLinkTiming {
  /** From starting to connect until bind_transceiver_resp. */
  readonly bind_timeout_ms: number;
  /** For any answer we wait for: submit_sm_resp, enquire_link_resp, unbind_resp. */
  readonly response_timeout_ms: number;
  readonly enquire_link_interval_ms: number;
  /** Reconnect delays grow from min (doubling, with full jitter on top of min) up to max. */
  readonly reconnect_delay_ms_min: number;
  readonly reconnect_delay_ms_max: number;
}

export const SMPP_LINK_TIMING_DEFAULT: SmppLinkTiming = Object.freeze({
  bind_timeout_ms: 10_000,
  response_timeout_ms: 10_000,
  // Most SMSCs drop a link idle for 60–120 s; 30 s keeps well inside that.
  enquire_link_interval_ms: 30_000,
  reconnect_delay_ms_min: 1_000,
  reconnect_delay_ms_max: 60_000,
});

/** deliver_sm handled at once; beyond, the gateway is asked to resend later (ESME_RX_T_APPN). */
export const DELIVER_SM_IN_FLIGHT_MAX = 256;

export type SmppLinkEvent =
  | { readonly type: 'bound' }
  | { readonly type: 'down'; readonly reason: string }
  /** close() finished: unbound (when it was bound) and the socket closed. */
  | { readonly type: 'closed' }
  | { readonly type: 'bind_refused'; readonly status: string }
  | { readonly type: 'reconnecting'; readonly delay_ms: number; readonly attempt: number };

/** Answers one deliver_sm: the command_status of its deliver_sm_resp (0 = taken). */
export type DeliverSmHandler = (pdu: PDU) => Promise<number>;

export type SubmitOutcome =
  | { readonly kind: 'response'; readonly pdu: PDU }
  | { readonly kind: 'link_down' }
  | { readonly kind: 'timeout' };

export interface SmppLinkOptions {
  readonly settings: SmppLinkSettings;
  readonly timing?: Partial<SmppLinkTiming>;
  readonly onEvent?: (event: SmppLinkEvent) => void;
  /** Jitter source (tests pin it). */
  readonly random?: () => number;
}

export class SmppLink {
  readonly #settings: SmppLinkSettings;
  readonly #timing: SmppLinkTiming;
  readonly #onEvent: (event: SmppLinkEvent) => void;
  readonly #random: () => number;
  #session: Session | undefined;
  #bound = false;
  #closing = false;
  #started = false;
  #reconnect_attempt = 0;
  #reconnect_timer: NodeJS.Timeout | undefined;
  #keepalive_timer: NodeJS.Timeout | undefined;
  #bind_timer: NodeJS.Timeout | undefined;
  #deliver_in_flight = 0;
  #deliverHandler: DeliverSmHandler = async () => ESME_ROK;
  /** Settles every request in flight on the current session when it goes down. */
  readonly #in_flight = new Set<() => void>();
  readonly #bound_waiters = new Set<() => void>();

  constructor(options: SmppLinkOptions) {
    // Field by field: the configuration keeps the password non-enumerable, so a spread would drop it.
    const { url, system_id, password, system_type } = options.settings;
    this.#settings = Object.freeze({ url, system_id, password, system_type });
    this.#timing = Object.freeze({ ...SMPP_LINK_TIMING_DEFAULT, ...options.timing });
    this.#onEvent = options.onEvent ?? (() => undefined);
    this.#random = options.random ?? Math.random;
  }

  get bound(): boolean {
    return this.#bound;
  }

  /** Who answers the gateway's deliver_sm (receipts, USSD); set before start(). */
  onDeliverSm(handler: DeliverSmHandler): void {
    this.#deliverHandler = handler;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#connect();
  }

  /** Resolves true once bound, false after `timeout_ms` or when the link is closed. */
  waitUntilBound(timeout_ms: number): Promise<boolean> {
    if (this.#bound) return Promise.resolve(true);
    if (this.#closing) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (bound: boolean) => {
        clearTimeout(timer);
        this.#bound_waiters.delete(waiter);
        resolve(bound);
      };
      const waiter = () => done(this.#bound);
      const timer = setTimeout(() => done(false), timeout_ms);
      this.#bound_waiters.add(waiter);
    });
  }

  /** Sends submit_sm and waits for its response; never throws, never hangs past response_timeout_ms. */
  submit(options: PduOptions): Promise<SubmitOutcome> {
    const session = this.#session;
    if (!this.#bound || !session) return Promise.resolve({ kind: 'link_down' });
    return this.#request(session, new smpp.PDU('submit_sm', options));
  }

  /** Unbinds (waiting at most response_timeout_ms for the answer), closes the socket, stops reconnecting. */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#reconnect_timer);
    for (const waiter of [...this.#bound_waiters]) waiter();
    const session = this.#session;
    if (!session) return;
    if (this.#bound) await this.#request(session, new smpp.PDU('unbind', {}));
    // The peer may have closed the socket already after its unbind_resp: nothing left to wait for.
    if (this.#session !== session || session.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        session.destroy();
        resolve();
      }, this.#timing.response_timeout_ms);
      session.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#down(session, 'closed by us');
  }

  #connect(): void {
    const session = smpp.connect({ url: this.#settings.url }, () => this.#bind(session));
    this.#session = session;
    session.on('error', (error: Error) => this.#down(session, `socket error: ${error.message}`));
    session.on('close', () => this.#down(session, 'connection closed'));
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      this.#down(session, 'the peer unbound');
    });
    session.on('deliver_sm', (pdu: PDU) => this.#deliver(session, pdu));
    // A command node-smpp does not know: generic_nack (pdu.response() makes one for 'unknown').
    session.on('unknown', (pdu: PDU) => session.send(pdu.response()));
    this.#bind_timer = setTimeout(() => this.#down(session, `not bound within ${this.#timing.bind_timeout_ms} ms`), this.#timing.bind_timeout_ms);
  }

  #bind(session: Session): void {
    const { system_id, password, system_type } = this.#settings;
    session.bind_transceiver({ system_id, password, system_type }, (response: PDU) => {
      if (session !== this.#session) return;
      clearTimeout(this.#bind_timer);
      if (response.command_status !== ESME_ROK) {
        this.#onEvent({ type: 'bind_refused', status: classifySubmitStatus(response.command_status).name });
        this.#down(session, 'bind refused');
        return;
      }
      this.#bound = true;
      this.#reconnect_attempt = 0;
      this.#keepalive_timer = setInterval(() => void this.#keepAlive(session), this.#timing.enquire_link_interval_ms);
      this.#onEvent({ type: 'bound' });
      for (const waiter of [...this.#bound_waiters]) waiter();
    });
  }

  async #keepAlive(session: Session): Promise<void> {
    const outcome = await this.#request(session, new smpp.PDU('enquire_link', {}));
    if (outcome.kind === 'timeout') this.#down(session, `enquire_link unanswered within ${this.#timing.response_timeout_ms} ms`);
  }

  #request(session: Session, pdu: PDU): Promise<SubmitOutcome> {
    return new Promise((resolve) => {
      const settle = (outcome: SubmitOutcome) => {
        clearTimeout(timer);
        this.#in_flight.delete(onDown);
        resolve(outcome);
      };
      const onDown = () => settle({ kind: 'link_down' });
      const timer = setTimeout(() => settle({ kind: 'timeout' }), this.#timing.response_timeout_ms);
      this.#in_flight.add(onDown);
      if (!session.send(pdu, (response) => settle({ kind: 'response', pdu: response }))) onDown();
    });
  }

  #deliver(session: Session, pdu: PDU): void {
    if (this.#deliver_in_flight >= DELIVER_SM_IN_FLIGHT_MAX) {
      session.send(pdu.response({ command_status: ESME_RX_T_APPN }));
      return;
    }
    this.#deliver_in_flight += 1;
    this.#deliverHandler(pdu)
      .catch(() => ESME_RX_T_APPN)
      .then((command_status) => {
        this.#deliver_in_flight -= 1;
        session.send(pdu.response(command_status === ESME_ROK ? {} : { command_status }));
      });
  }

  /** Takes this session down once (later calls for it, or for an older session, do nothing) and plans the reconnect. */
  #down(session: Session, reason: string): void {
    if (session !== this.#session) return;
    this.#session = undefined;
    this.#bound = false;
    clearTimeout(this.#bind_timer);
    clearInterval(this.#keepalive_timer);
    for (const settle of [...this.#in_flight]) settle();
    session.destroy();
    if (this.#closing) {
      this.#onEvent({ type: 'closed' });
      return;
    }
    this.#onEvent({ type: 'down', reason });
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#reconnect_attempt += 1;
    const { reconnect_delay_ms_min: min_ms, reconnect_delay_ms_max: max_ms } = this.#timing;
    const jitter_ms = backoffDelayMs(this.#reconnect_attempt, { base_ms: min_ms, cap_ms: Math.max(max_ms - min_ms, 0) }, this.#random);
    const delay_ms = Math.min(min_ms + jitter_ms, max_ms);
    this.#onEvent({ type: 'reconnecting', delay_ms, attempt: this.#reconnect_attempt });
    this.#reconnect_timer = setTimeout(() => this.#connect(), delay_ms);
  }
}
