import { maskEmail } from '../../../core/email-address.js';
import type { MailMessage, MailSendResult, Mailer } from '../../../ports/mailer.js';

/**
 * The test-mode mail driver (MAIL_DRIVER=console, refused outside test mode by the configuration):
 * nothing leaves the machine. Each message is kept in memory, so tests can read it back with
 * `messagesTo(address)`, and shown to the developer as one plain-text line on stderr, like the
 * console SMS driver's and for the same reason: the JSON log on stdout is what gets shipped and
 * kept, and it must not hold a receipt's link (its token opens the receipt); the line holds it,
 * on another stream, in a shape no log parser takes for one of its records, the address masked.
 *
 *   [console e-mail, not sent] to l***@example.com <RC-2026-000001.ord_…@…> "Your receipt …" + RC-2026-000001.pdf (31 kB): …
 */

export interface ConsoleMailerOptions {
  /** Where the lines go; stderr by default, nowhere when `null` (tests, LOG_LEVEL=silent). */
  readonly write?: ((line: string) => void) | null;
  readonly messages_per_address_max?: number;
  readonly addresses_max?: number;
}

/** Starts every line, so a reader (or a filter) tells it from the server's own output. */
export const CONSOLE_MAIL_PREFIX = '[console e-mail, not sent]';
/** Enough to read the latest receipts; older messages are dropped first. */
export const CONSOLE_MESSAGES_PER_ADDRESS_MAX = 10;
/** The memory is a development aid, not a store: addresses beyond this evict the least recent. */
export const CONSOLE_ADDRESSES_MAX = 1_000;

export class ConsoleMailer implements Mailer {
  readonly name = 'console';
  readonly #write: ((line: string) => void) | null;
  readonly #per_address_max: number;
  readonly #addresses_max: number;
  /** Insertion order is recency: an address is moved to the end on each message. */
  readonly #by_address = new Map<string, MailMessage[]>();

  constructor(options: ConsoleMailerOptions = {}) {
    this.#write = options.write === undefined ? (line) => process.stderr.write(`${line}\n`) : options.write;
    this.#per_address_max = options.messages_per_address_max ?? CONSOLE_MESSAGES_PER_ADDRESS_MAX;
    this.#addresses_max = options.addresses_max ?? CONSOLE_ADDRESSES_MAX;
  }

  async send(message: MailMessage): Promise<MailSendResult> {
    this.#remember(message);
    this.#write?.(consoleLine(message));
    return { sent: true, message_id: message.message_id, accepted: [message.to], response: '250 console: not sent' };
  }

  /** The messages kept for this address, oldest first. */
  messagesTo(address: string): readonly MailMessage[] {
    return [...(this.#by_address.get(address.toLowerCase()) ?? [])];
  }

  async close(): Promise<void> {}

  #remember(message: MailMessage): void {
    const key = message.to.toLowerCase();
    const kept = this.#by_address.get(key) ?? [];
    this.#by_address.delete(key);
    kept.push(message);
    if (kept.length > this.#per_address_max) kept.shift();
    this.#by_address.set(key, kept);
    if (this.#by_address.size > this.#addresses_max) this.#by_address.delete(this.#by_address.keys().next().value as string);
  }
}

/** One line however the text is written: line breaks are shown as "⏎", attachments by name and size. */
function consoleLine(message: MailMessage): string {
  const attachments = message.attachments.map((attachment) => ` + ${attachment.filename} (${Math.ceil(attachment.content.length / 1024)} kB)`).join('');
  const text = message.text.replace(/\r?\n/g, ' ⏎ ');
  return `${CONSOLE_MAIL_PREFIX} to ${maskEmail(message.to)} ${message.message_id} "${message.subject}"${attachments}: ${text}`;
}
