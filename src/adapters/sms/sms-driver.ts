import type { SmsDriver, SmsSender } from '../../ports/sms-sender.js';
import { ConsoleSmsSender } from './console/console-sms-sender.js';

/**
 * The SmsSender for SMS_DRIVER=console. SMS_DRIVER=smpp needs a live link and the database (it
 * records each accepted part): src/app/sms-link.ts opens it with the context.
 */
export function openConsoleSmsSender(options: { quiet: boolean }): SmsSender {
  return new ConsoleSmsSender(options.quiet ? { write: null } : {});
}

export type { SmsDriver };
