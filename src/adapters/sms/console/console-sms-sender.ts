import { maskMsisdn } from '../../../core/phone.js';
import type { SmsMessage, SmsSendResult, SmsSender } from '../../../ports/sms-sender.js';

/**
 * The development SMS driver (SMS_DRIVER=console, the default): nothing leaves the machine. Each
 * message is kept in memory, so tests and the dev server can read it back with
 * `lastMessageTo(msisdn)`, and shown to the developer as one plain-text line on stderr:
 *
 *   [console SMS, not sent] to +7900***4567 (en, job_0193…): 004217 is your roamcard sign-in code. …
 *
 * That line is deliberately not a log record. The JSON log on stdout is what gets shipped and
 * kept, and it must never hold a sign-in code; the SMS text, code included, is the very thing a
 * developer needs to read. So the text goes to another stream, in a shape no log parser takes for
 * one of its records, with the number masked. It never talks to a network, which is what lets
 * tests "send" to any number.
 */

export interface ConsoleSmsSenderOptions {
  /** Where the lines go; stderr by default, nowhere when `null` (tests, LOG_LEVEL=silent). */
  readonly write?: ((line: string) => void) | null;
  readonly messages_per_number_max?: number;
  readonly numbers_max?: number;
}

export interface SentSms {
  readonly to_msisdn: string;
  readonly text: string;
  readonly language: SmsMessage['language'];
  readonly reference: string;
  readonly message_id: string;
}

/** Starts every line, so a reader (or a filter) tells it from the server's own output. */
export const CONSOLE_SMS_PREFIX = '[console SMS, not sent]';

/** Enough to read the latest codes; older messages are dropped first. */
export const CONSOLE_MESSAGES_PER_NUMBER_MAX = 10;
/** The memory is a development aid, not a store: numbers beyond this evict the least recent. */
export const CONSOLE_NUMBERS_MAX = 1_000;

export class ConsoleSmsSender implements SmsSender {
  readonly name = 'console';
  readonly #write: ((line: string) => void) | null;
  readonly #per_number_max: number;
  readonly #numbers_max: number;
  /** Insertion order is recency: a number is moved to the end on each message. */
  readonly #by_number = new Map<string, SentSms[]>();
  #serial = 0;

  constructor(options: ConsoleSmsSenderOptions = {}) {
    this.#write = options.write === undefined ? (line) => process.stderr.write(`${line}\n`) : options.write;
    this.#per_number_max = options.messages_per_number_max ?? CONSOLE_MESSAGES_PER_NUMBER_MAX;
    this.#numbers_max = options.numbers_max ?? CONSOLE_NUMBERS_MAX;
  }

  async send(message: SmsMessage): Promise<SmsSendResult> {
    this.#serial += 1;
    const sent: SentSms = { ...message, message_id: `console-${this.#serial}` };
    this.#remember(sent);
    this.#write?.(consoleLine(message));
    return { accepted: true, message_id: sent.message_id };
  }

  /** The newest message sent to this number (E.164), if any. */
  lastMessageTo(msisdn: string): SentSms | undefined {
    return this.#by_number.get(msisdn)?.at(-1);
  }

  /** The messages kept for this number, oldest first. */
  messagesTo(msisdn: string): readonly SentSms[] {
    return [...(this.#by_number.get(msisdn) ?? [])];
  }

  #remember(sent: SentSms): void {
    const kept = this.#by_number.get(sent.to_msisdn) ?? [];
    this.#by_number.delete(sent.to_msisdn);
    kept.push(sent);
    if (kept.length > this.#per_number_max) kept.shift();
    this.#by_number.set(sent.to_msisdn, kept);
    if (this.#by_number.size > this.#numbers_max) this.#by_number.delete(this.#by_number.keys().next().value as string);
  }
}

/** One line however the text is written: line breaks inside an SMS are shown as "⏎". */
function consoleLine(message: SmsMessage): string {
  return `${CONSOLE_SMS_PREFIX} to ${maskMsisdn(message.to_msisdn)} (${message.language}, ${message.reference}): ${message.text.replace(/\r?\n/g, ' ⏎ ')}`;
}
