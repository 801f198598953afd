import type { SmsDriver, SmsSender } from '../../ports/sms-sender.js';
import { ConsoleSmsSender } from './console/console-sms-sender.js';

/** The SmsSender for SMS_DRIVER. Only `console` exists today; an SMPP driver comes next. */
export function openSmsSender(driver: SmsDriver, options: { quiet: boolean }): SmsSender {
  switch (driver) {
    case 'console': return new ConsoleSmsSender(options.quiet ? { write: null } : {});
  }
}
