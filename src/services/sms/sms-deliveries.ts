import type { Executor } from '../../db/transaction.js';
import type { JobStatus, SmsDeliveryStatus } from '../../db/schema.js';
import { maskMsisdn } from '../../core/phone.js';

/**
 * What became of each part of each SMS (table sms_deliveries, migration 0008): the SMPP driver
 * records a part right after the SMSC's submit_sm_resp, skips recorded parts when the job is
 * retried, and records delivery receipts; `roamcard sms outbox` shows them beside the jobs.
 */

export interface AcceptedPart {
  readonly reference: string;
  readonly part: number;
  readonly parts_total: number;
  readonly message_id: string;
  readonly to_msisdn: string;
}

/** The parts of a message the SMSC already took, by part number, with their message ids. */
export async function acceptedParts(db: Executor, reference: string): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('sms_deliveries')
    .select(['part', 'message_id'])
    .where('reference', '=', reference)
    .where('message_id', 'is not', null)
    .execute();
  return new Map(rows.map((row) => [row.part, row.message_id ?? '']));
}

/** Records an accepted part; a part refused earlier (and sent again after a fix) becomes submitted. */
export async function recordAcceptedPart(db: Executor, part: AcceptedPart, now_ms: number): Promise<void> {
  await db
    .insertInto('sms_deliveries')
    .values({
      reference: part.reference, part: part.part, parts_total: part.parts_total, message_id: part.message_id,
      to_masked: maskMsisdn(part.to_msisdn), status: 'submitted', error: null, submitted_at_ms: now_ms, updated_at_ms: now_ms,
    })
    .onConflict((conflict) => conflict.columns(['reference', 'part'])
      .doUpdateSet({ message_id: part.message_id, status: 'submitted', error: null, updated_at_ms: now_ms })
      .where('sms_deliveries.message_id', 'is', null))
    .execute();
}

/** Records a part the SMSC refused for good (the job goes dead with the same reason). */
export async function recordRefusedPart(db: Executor, part: Omit<AcceptedPart, 'message_id'> & { readonly error: string }, now_ms: number): Promise<void> {
  await db
    .insertInto('sms_deliveries')
    .values({
      reference: part.reference, part: part.part, parts_total: part.parts_total, message_id: null,
      to_masked: maskMsisdn(part.to_msisdn), status: 'rejected', error: part.error, submitted_at_ms: now_ms, updated_at_ms: now_ms,
    })
    .onConflict((conflict) => conflict.columns(['reference', 'part'])
      .doUpdateSet({ error: part.error, updated_at_ms: now_ms })
      .where('sms_deliveries.message_id', 'is', null))
    .execute();
}

/**
 * Records a delivery receipt against the part with this SMSC message id. A final state is never
 * overwritten (a receipt repeated by the SMSC, or a late intermediate one); returns whether a part changed.
 */
export async function recordReceipt(
  db: Executor,
  receipt: { readonly message_id: string; readonly status: SmsDeliveryStatus; readonly error: string | null },
  now_ms: number,
): Promise<boolean> {
  const result = await db
    .updateTable('sms_deliveries')
    .set({ status: receipt.status, error: receipt.error, updated_at_ms: now_ms })
    .where('message_id', '=', receipt.message_id)
    .where('status', 'in', ['submitted', 'unknown'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export const OUTBOX_LISTED_MAX = 200;

export interface OutboxPart {
  readonly part: number;
  readonly parts_total: number;
  readonly status: SmsDeliveryStatus;
  readonly error: string | null;
}

export interface OutboxEntry {
  readonly job_id: string;
  readonly job_status: JobStatus;
  readonly attempts: number;
  readonly attempts_max: number;
  readonly to_masked: string;
  /** What the SMS is: a notice's cause (`pack_active`, `usage_threshold` …), `code` or `payment_link`; `other` else. */
  readonly purpose: string;
  readonly created_at_ms: number;
  readonly last_error: string | null;
  /** Parts recorded so far, in order; empty until the SMSC took (or refused) the first one. */
  readonly parts: ReadonlyArray<OutboxPart>;
}

/** The newest SMS jobs with their parts' delivery states; never the text (sealed, may hold a code). */
export async function smsOutbox(db: Executor, options: { limit: number; job_status?: JobStatus | undefined }): Promise<OutboxEntry[]> {
  let query = db
    .selectFrom('jobs')
    .select(['id', 'status', 'attempts', 'attempts_max', 'payload', 'dedupe_key', 'created_at_ms', 'last_error'])
    .where('kind', '=', 'sms.send')
    .orderBy('created_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(options.limit, 1), OUTBOX_LISTED_MAX));
  if (options.job_status) query = query.where('status', '=', options.job_status);
  const jobs = await query.execute();
  if (jobs.length === 0) return [];
  const parts = await db
    .selectFrom('sms_deliveries')
    .select(['reference', 'part', 'parts_total', 'status', 'error'])
    .where('reference', 'in', jobs.map((job) => job.id))
    .orderBy('reference')
    .orderBy('part')
    .execute();
  const notices = await db.selectFrom('notices').select(['sms_job_id', 'cause']).where('sms_job_id', 'in', jobs.map((job) => job.id)).execute();
  const causes = new Map(notices.map((notice) => [notice.sms_job_id, notice.cause]));
  return jobs.map((job) => ({
    job_id: job.id, job_status: job.status, attempts: job.attempts, attempts_max: job.attempts_max,
    to_masked: maskedRecipient(job.payload), purpose: causes.get(job.id) ?? purposeOf(job.dedupe_key),
    created_at_ms: Number(job.created_at_ms), last_error: job.last_error,
    parts: parts.filter((part) => part.reference === job.id)
      .map((part) => ({ part: part.part, parts_total: part.parts_total, status: part.status, error: part.error })),
  }));
}

/** Sign-in and payment codes are keyed `sms:<code id>`, #102#'s links `sms:pay-link:<order id>` (notices are looked up). */
function purposeOf(dedupe_key: string | null): string {
  if (dedupe_key?.startsWith('sms:pay-link:')) return 'payment_link';
  if (dedupe_key?.startsWith('sms:otc_')) return 'code';
  return 'other';
}

function maskedRecipient(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as { to_msisdn?: unknown };
    return typeof parsed.to_msisdn === 'string' ? maskMsisdn(parsed.to_msisdn) : '?';
  } catch {
    return '?';
  }
}
