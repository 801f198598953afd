import { newId } from '../../core/ids.js';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import { lockingRows } from '../../db/locks.js';
import type { NoticeCause } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import type { Config } from '../../config.js';
import { deriveAuthKeys, type AuthKeys } from '../customers/auth-crypto.js';
import { queueSms } from '../customers/sms-job.js';

/**
 * Notices: SMS the system sends a line on its own (activation, receipt, refund, usage and expiry
 * alerts), each at most once per cause. Queuing one, in the transaction of the change it reports:
 *   1. the line's row is locked (PostgreSQL; SQLite's writer holds the database), so the daily cap
 *      below counts exactly even when two transactions of one line notify at once;
 *   2. the notice row is inserted with its cause's dedupe key, ON CONFLICT DO NOTHING: when the row
 *      was there already (a retried job, a concurrent charge that crossed the same threshold) the
 *      insert writes nothing and nothing is queued;
 *   3. the text goes to the outbox (`sms.send`, sealed) unless the cap is reached: then the notice
 *      is recorded as `capped` and not sent, ever (it was a moment's news).
 * Sign-in and payment codes are not notices: they are asked for, and have their own limits.
 */

/** The per-number daily cap's default (SMS_NOTICES_PER_NUMBER_DAY_MAX). */
export const NOTICES_PER_NUMBER_DAY_MAX_DEFAULT = 10;
/**
 * The cap counts the last 24 hours, rolling, not the line's calendar day: a traveller crossing
 * eleven zones has no stable "day", and a calendar window would let twice the cap through around
 * midnight. It counts notices sent (`queued`), not the capped ones.
 */
export const NOTICE_CAP_WINDOW_MS = 24 * 3_600_000;

/** What queuing a notice needs: the outbox sealing key, the public address for links, the cap. */
export interface Notices {
  readonly keys: AuthKeys;
  /** No trailing slash (config.public_base_url). */
  readonly public_base_url: string;
  readonly per_number_day_max: number;
  /** For a line whose stored language is not one we speak. */
  readonly default_language: Language;
}

export function noticesFromConfig(config: Pick<Config, 'auth' | 'public_base_url' | 'sms_notices_per_number_day_max' | 'default_language'>): Notices {
  return Object.freeze({
    keys: deriveAuthKeys(config.auth.secret), public_base_url: config.public_base_url,
    per_number_day_max: config.sms_notices_per_number_day_max, default_language: config.default_language,
  });
}

/** The line as a notice's text needs it. */
export interface NoticeLine {
  readonly id: string;
  readonly language: Language;
  readonly time_zone: string;
}

export interface NoticeInput {
  readonly line_id: string;
  readonly cause: NoticeCause;
  /** Unique per cause: the same key is one notice, however often and however concurrently asked. */
  readonly dedupe_key: string;
  /** The text, written only when the notice is new (it may read the pack, the receipt…). */
  readonly text: (line: NoticeLine) => string | Promise<string>;
  /** Past this instant the SMS is not worth sending (an alert about a pack that has ended); never by default. */
  readonly send_before_ms?: number;
}

export type NoticeOutcome = 'queued' | 'capped' | 'duplicate';

export async function queueNotice(trx: Executor, notices: Notices, input: NoticeInput, now_ms: number): Promise<NoticeOutcome> {
  const row = await lockingRows(trx, trx.selectFrom('lines').select(['id', 'msisdn', 'language', 'time_zone']).where('id', '=', input.line_id))
    .executeTakeFirstOrThrow();
  const line: NoticeLine = { id: row.id, language: normalizeLanguage(row.language) ?? notices.default_language, time_zone: row.time_zone };
  const capped = (await sentToday(trx, line.id, now_ms)) >= notices.per_number_day_max;
  const id = newId('notice');
  const inserted = await trx.insertInto('notices')
    .values({
      id, line_id: line.id, cause: input.cause, dedupe_key: input.dedupe_key, language: line.language,
      status: capped ? 'capped' : 'queued', sms_job_id: null, created_at_ms: now_ms,
    })
    .onConflict((conflict) => conflict.columns(['cause', 'dedupe_key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return 'duplicate';
  if (capped) return 'capped';
  const text = await input.text(line);
  const sms_job_id = await queueSms(trx, notices.keys, {
    to_msisdn: row.msisdn, language: line.language, text, line_id: line.id, dedupe_key: `notice:${id}`,
    ...(input.send_before_ms === undefined ? {} : { send_before_ms: input.send_before_ms }),
  }, now_ms);
  await trx.updateTable('notices').set({ sms_job_id }).where('id', '=', id).execute();
  return 'queued';
}

async function sentToday(trx: Executor, line_id: string, now_ms: number): Promise<number> {
  const row = await trx.selectFrom('notices').select((eb) => eb.fn.countAll<number | string>().as('sent'))
    .where('line_id', '=', line_id).where('created_at_ms', '>', now_ms - NOTICE_CAP_WINDOW_MS).where('status', '=', 'queued')
    .executeTakeFirstOrThrow();
  return Number(row.sent);
}

/** The renewal page, as alerts link to it. */
export function renewalLink(notices: Notices): string {
  return `${notices.public_base_url}/renew`;
}
