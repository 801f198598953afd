import type { Mailbox } from '../core/email-address.js';

/**
 * The Mailer port: hands one e-mail to a mail server (SMTP) or, in test mode, to the console. Only
 * the outbox worker calls it (job `receipt.email`), so a message goes after the transaction that
 * asked for it committed, and at least once: the caller records what each send answered and sends
 * a message again only when it cannot know that the server took it (see receipt-email.ts). The
 * message's `message_id` is stable per message, so a copy sent again is recognisable as the same
 * message by the server, the mailbox and the reader.
 */

export interface MailAttachment {
  readonly filename: string;
  readonly content: Buffer;
  /** e.g. "application/pdf". */
  readonly content_type: string;
}

export interface MailMessage {
  /** One recipient: a message carries one person's document. */
  readonly to: string;
  readonly from: Mailbox;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly attachments: readonly MailAttachment[];
  /** The Message-ID header, angle brackets included ("<RC-2026-000123.ord_…@example.com>"). */
  readonly message_id: string;
}

export type MailSendResult =
  | {
    readonly sent: true;
    /** The Message-ID the message went with. */
    readonly message_id: string;
    /** The recipients the server took (masked when logged). */
    readonly accepted: readonly string[];
    /** The server's last answer ("250 2.0.0 Ok: queued as 4Xb…"): how its operator finds the message. */
    readonly response: string;
  }
  /**
   * `retryable`: the server may take it later (it could not be reached, it answered 4xx, the
   * connection broke mid-message); otherwise it never will (5xx: the recipient or the message refused).
   * `reason` never holds an address in full.
   */
  | {
    readonly sent: false;
    readonly retryable: boolean;
    readonly reason: string;
  };

export interface Mailer {
  readonly name: string;
  send(message: MailMessage): Promise<MailSendResult>;
  close(): Promise<void>;
}

/** MAIL_DRIVER: `smtp` (SMTP_URL), `console` (test mode only: printed, not sent), `none` (no e-mail at all). */
export const MAIL_DRIVERS = ['smtp', 'console', 'none'] as const;
export type MailDriver = (typeof MAIL_DRIVERS)[number];
