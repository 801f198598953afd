import type { MailConfig } from './smtp/smtp-config.js';
import type { Mailer } from '../../ports/mailer.js';
import { ConsoleMailer } from './console/console-mailer.js';
import { SmtpMailer } from './smtp/smtp-mailer.js';

/** The Mailer for MAIL_DRIVER; none for `none` (receipts then go by SMS alone). */
export function openMailer(config: MailConfig, options: { quiet: boolean }): Mailer | undefined {
  switch (config.driver) {
    case 'none': return undefined;
    case 'console': return new ConsoleMailer(options.quiet ? { write: null } : {});
    case 'smtp': {
      if (!config.smtp) throw new Error('MAIL_DRIVER=smtp without its SMTP settings (loadConfig checks them)');
      return new SmtpMailer(config.smtp);
    }
  }
}
