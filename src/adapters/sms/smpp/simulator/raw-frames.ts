/**
 * SMPP frames from a byte stream, read by the simulator beside node-smpp so a test can check the
 * bytes a submit_sm really carried, not a decoding of them.
 */

const HEADER_OCTETS = 16;
/** node-smpp's own PDU.maxLength: a longer frame is refused by the session anyway. */
export const FRAME_OCTETS_MAX = 16_384;

export class SmppFrameReader {
  #buffered = Buffer.alloc(0);

  /** The complete frames the chunk finishes (each with its header); the rest waits for more bytes. */
  push(chunk: Buffer): Buffer[] {
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    const frames: Buffer[] = [];
    while (this.#buffered.length >= 4) {
      const length = this.#buffered.readUInt32BE(0);
      if (length < HEADER_OCTETS || length > FRAME_OCTETS_MAX) {
        this.#buffered = Buffer.alloc(0);
        break;
      }
      if (this.#buffered.length < length) break;
      frames.push(this.#buffered.subarray(0, length));
      this.#buffered = this.#buffered.subarray(length);
    }
    return frames;
  }
}

/**
 * short_message of a submit_sm frame, read field by field (SMPP 3.4 §4.4.1): service_type,
 * source TON/NPI/address, destination TON/NPI/address, esm_class, protocol_id, priority_flag,
 * schedule_delivery_time, validity_period, registered_delivery, replace_if_present_flag,
 * data_coding, sm_default_msg_id, sm_length, short_message.
 */
export function rawShortMessage(frame: Buffer): Buffer {
  let offset = HEADER_OCTETS;
  const cstring = () => {
    const end = frame.indexOf(0, offset);
    offset = end < 0 ? frame.length : end + 1;
  };
  const octets = (count: number) => {
    offset += count;
  };
  cstring(); // service_type
  octets(2); cstring(); // source
  octets(2); cstring(); // destination
  octets(3); // esm_class, protocol_id, priority_flag
  cstring(); cstring(); // schedule_delivery_time, validity_period
  octets(4); // registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id
  const length = frame[offset] ?? 0;
  return Buffer.from(frame.subarray(offset + 1, offset + 1 + length));
}
