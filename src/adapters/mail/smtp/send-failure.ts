import { maskEmailsInText } from '../../../core/email-address.js';

/**
 * What a failed send means for the message, from nodemailer's error (`code`, the SMTP `command`
 * that failed, the server's `responseCode`). Final — the same message will never be taken, so
 * trying again only delays the SMS that replaces it:
 *   - 5xx to RCPT TO: the recipient is refused (no such mailbox, domain does not take mail);
 *   - 5xx to DATA: the message itself is refused (too large, judged as spam);
 *   - refused before any server was asked: an address the envelope cannot carry, a message too large
 *     for the server's announced SIZE.
 * Everything else is retryable: no connection (refused, DNS, timeout, TLS), a 4xx (greylisting, a
 * full queue, a rate limit), a refused login or sender (our settings: once fixed, the same message
 * goes), and a connection lost after the message was sent but before the server answered (we
 * cannot know; the copy sent again carries the same Message-ID).
 */

/** A reason longer than this is cut: it goes into the job's last_error and the delivery row. */
export const SEND_FAILURE_REASON_LENGTH_MAX = 500;

interface NodemailerErrorFields {
  readonly code?: unknown;
  readonly command?: unknown;
  readonly responseCode?: unknown;
  readonly message?: unknown;
}

export interface SendFailure {
  readonly retryable: boolean;
  /** The error and the server's answer, every address in it masked. */
  readonly reason: string;
}

export function sendFailure(error: unknown): SendFailure {
  const fields: NodemailerErrorFields = typeof error === 'object' && error !== null ? error : { message: String(error) };
  const code = typeof fields.code === 'string' ? fields.code : 'ERROR';
  const command = typeof fields.command === 'string' ? fields.command : undefined;
  const response_code = typeof fields.responseCode === 'number' ? fields.responseCode : undefined;
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  const reason = maskEmailsInText(`${code}${command ? ` at ${command}` : ''}: ${message}`).slice(0, SEND_FAILURE_REASON_LENGTH_MAX);
  return { retryable: !isFinal(code, command, response_code), reason };
}

function isFinal(code: string, command: string | undefined, response_code: number | undefined): boolean {
  if (response_code !== undefined) return response_code >= 500 && response_code < 600 && (command === 'RCPT TO' || command === 'DATA');
  // Refused by nodemailer itself, before or instead of asking the server: the message cannot be sent as it is.
  return (code === 'EENVELOPE' || code === 'EMESSAGE') && (command === 'API' || command === 'MAIL FROM');
}
