import nodemailer, { type Transporter } from 'nodemailer';
import type { SMTPSentMessageInfo } from 'nodemailer';
import type { MailMessage, MailSendResult, Mailer } from '../../../ports/mailer.js';
import type { SmtpConfig } from './smtp-config.js';
import { sendFailure } from './send-failure.js';

/**
 * MAIL_DRIVER=smtp: each message goes over its own SMTP connection (nodemailer, not pooled): receipt
 * e-mails come one per paid order, the outbox worker already runs them a few at a time, and a
 * connection per message leaves no idle session for a server to drop under us. Every option that
 * matters is set here rather than left to the library's default: the timeouts, TLS, and no access
 * to files or URLs from message fields (the attachment is always our own Buffer).
 */

export class SmtpMailer implements Mailer {
  readonly name = 'smtp';
  readonly #transport: Transporter<SMTPSentMessageInfo>;

  constructor(config: SmtpConfig) {
    const { server, dkim } = config;
    this.#transport = nodemailer.createTransport({
      host: server.host,
      port: server.port,
      secure: server.secure,
      requireTLS: server.require_tls,
      ...(server.username === undefined || server.password === undefined ? {} : { auth: { user: server.username, pass: server.password } }),
      connectionTimeout: config.connect_timeout_ms,
      greetingTimeout: config.connect_timeout_ms,
      dnsTimeout: config.connect_timeout_ms,
      socketTimeout: config.socket_timeout_ms,
      ...(dkim ? { dkim: { domainName: dkim.domain, keySelector: dkim.selector, privateKey: dkim.private_key } } : {}),
      disableFileAccess: true,
      disableUrlAccess: true,
      // Its log would carry addresses and the SMTP dialogue; outcomes are recorded by our caller.
      logger: false,
      debug: false,
    });
  }

  async send(message: MailMessage): Promise<MailSendResult> {
    try {
      const info = await this.#transport.sendMail({
        from: { name: message.from.name, address: message.from.address },
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
        attachments: message.attachments.map((attachment) => ({
          filename: attachment.filename, content: attachment.content, contentType: attachment.content_type,
        })),
        messageId: message.message_id,
        // RFC 3834: sent by a program, so vacation responders and the like do not answer it.
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      return { sent: true, message_id: info.messageId, accepted: [...info.accepted], response: info.response };
    } catch (error) {
      return { sent: false, ...sendFailure(error) };
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
