import type { Language } from '../../core/i18n/languages.js';
import type { Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import type { SmsSender } from '../../ports/sms-sender.js';
import { queueJob, type TypedJobHandler } from '../jobs/job-kinds.js';
import { DeferJobError, PermanentJobError } from '../jobs/worker.js';
import { sealText, unsealText, type AuthKeys } from './auth-crypto.js';

/**
 * Outbox job `sms.send`: every SMS leaves through the outbox, queued in the transaction that
 * decided to send it. The text is sealed (AES-256-GCM under a key derived from AUTH_SECRET)
 * because it may carry a one-time code and jobs rows are kept after they ran: the jobs table must
 * not hold what one_time_codes so carefully does not.
 */

/** A code lives minutes; retries beyond a few are pointless (send_before_ms stops them anyway). */
export const SMS_JOB_ATTEMPTS_MAX = 5;

/** While the SMS network is unreachable, a job looks again this often (the link reconnects by itself). */
export const SMS_UNREACHABLE_RETRY_MS = 5_000;

export interface QueueSmsInput {
  readonly to_msisdn: string;
  readonly language: Language;
  readonly text: string;
  readonly send_before_ms?: number;
  readonly line_id?: string;
  readonly dedupe_key?: string;
}

export async function queueSms(trx: Executor, keys: AuthKeys, input: QueueSmsInput, now_ms: number): Promise<string> {
  const payload = {
    to_msisdn: input.to_msisdn, language: input.language, text_sealed: sealText(keys, input.text),
    send_before_ms: input.send_before_ms ?? null,
  };
  return queueJob(trx, 'sms.send', payload, { line_id: input.line_id ?? null, dedupe_key: input.dedupe_key ?? null, attempts_max: SMS_JOB_ATTEMPTS_MAX }, now_ms);
}

export interface SmsJobDependencies {
  readonly sender: SmsSender;
  readonly keys: AuthKeys;
  readonly clock: Clock;
}

export function sendSmsJobHandler(deps: SmsJobDependencies | undefined): TypedJobHandler<'sms.send'> {
  return async (message, job) => {
    if (!deps) throw new PermanentJobError('no SMS sender is configured in this process');
    if (message.send_before_ms !== null && deps.clock.now_ms() >= message.send_before_ms) return;
    const text = unsealText(deps.keys, message.text_sealed);
    if (text === undefined) throw new PermanentJobError('SMS text sealed under another AUTH_SECRET (restarted without AUTH_SECRET set?)');
    const result = await deps.sender.send({ to_msisdn: message.to_msisdn, text, language: message.language, reference: job.id });
    if (result.accepted) return;
    // The outbox is the queue while the SMSC is away: however long the outage, the job waits (a
    // sign-in code still stops at send_before_ms, above).
    if (result.unreachable) throw new DeferJobError(`SMS waiting for the network: ${result.reason}`, SMS_UNREACHABLE_RETRY_MS);
    if (result.retryable) throw new Error(`SMS not accepted yet: ${result.reason}`);
    throw new PermanentJobError(`SMS refused: ${result.reason}`);
  };
}
