/**
 * The part of node-smpp 0.5.1 (farhadi/node-smpp) that roamcard uses. The package ships no types;
 * declaring the calls here keeps them checked and shows what we rely on when it is upgraded.
 * Behaviour read from its source (lib/smpp.js, lib/pdu.js, lib/defs.js):
 * - a Buffer given as short_message is sent as is (the message filter passes Buffers through), so
 *   data_coding, esm_class and the UDH are ours to set;
 * - received short_message is decoded into { message, udh? } by data_coding (GSM table or UTF-16BE);
 * - TLVs are set and read by name (ussd_service_op, its_session_info, receipted_message_id, message_state);
 * - a response with a non-zero command_status is sent as a bare header, no body;
 * - every socket error is re-emitted as the session's `error` event: unhandled, it kills the process.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface DecodedShortMessage {
    readonly message: string | Buffer;
    /** Each information element of the UDH: [iei, length, ...data]. */
    readonly udh?: Buffer[];
  }

  export type PduValue = string | number | Buffer | undefined;
  export type PduOptions = Readonly<Record<string, PduValue>>;

  export class PDU {
    constructor(command: string, options?: PduOptions);
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    system_id?: string;
    password?: string;
    system_type?: string;
    message_id?: string;
    service_type?: string;
    source_addr?: string;
    source_addr_ton?: number;
    source_addr_npi?: number;
    destination_addr?: string;
    dest_addr_ton?: number;
    dest_addr_npi?: number;
    esm_class?: number;
    data_coding?: number;
    registered_delivery?: number;
    short_message?: DecodedShortMessage | Buffer | string;
    ussd_service_op?: number;
    its_session_info?: Buffer;
    receipted_message_id?: string;
    message_state?: number;
    isResponse(): boolean;
    response(options?: PduOptions): PDU;
    toBuffer(): Buffer;
  }

  export class Session extends EventEmitter {
    readonly socket: Socket;
    send(pdu: PDU, responseCallback?: (response: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
    bind_transceiver(options: PduOptions, responseCallback?: (response: PDU) => void): boolean;
    submit_sm(options: PduOptions, responseCallback?: (response: PDU) => void): boolean;
    deliver_sm(options: PduOptions, responseCallback?: (response: PDU) => void): boolean;
    enquire_link(responseCallback?: (response: PDU) => void): boolean;
    unbind(responseCallback?: (response: PDU) => void): boolean;
    pause(): void;
    resume(): void;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
  }

  export interface ConnectOptions {
    readonly url: string;
    /** node-smpp's own keep-alive: sends enquire_link but never notices a missing answer (we run ours). */
    readonly auto_enquire_link_period?: number;
    /** Passed on to net.connect / tls.connect. */
    readonly rejectUnauthorized?: boolean;
  }

  export function connect(options: ConnectOptions, listener?: () => void): Session;

  export interface Server extends NetServer {
    readonly sessions: Session[];
  }

  export function createServer(options: Record<string, unknown>, listener: (session: Session) => void): Server;

  export const errors: Readonly<Record<string, number>>;
}
