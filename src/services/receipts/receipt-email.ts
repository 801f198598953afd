import { sql } from 'kysely';
import { emailDomain, isEmailAddress, maskEmail, type Mailbox } from '../../core/email-address.js';
import { escapeHtml } from '../../core/html-escape.js';
import { formatMoney } from '../../core/i18n/format.js';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import { isCurrency } from '../../core/money.js';
import type { Database } from '../../db/database.js';
import type { ReceiptDeliveriesTable } from '../../db/schema.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import type { MailMessage, Mailer } from '../../ports/mailer.js';
import { queueJob, type TypedJobHandler } from '../jobs/job-kinds.js';
import { PermanentJobError } from '../jobs/worker.js';
import { notifyReceipt } from '../notices/renewal-notices.js';
import type { Notices } from '../notices/notices.js';
import { receiptPdf } from './pdf.js';
import { receiptDocument } from './receipt-document.js';
import type { Receipt } from './receipt-service.js';

/**
 * The receipt by e-mail: a payer who gave an address gets the receipt there, as a PDF with its
 * verification link, instead of the link by SMS. ReceiptService.issue queues the `receipt.email`
 * job in the transaction that issues the receipt; the job sends through the Mailer and records each
 * try in `receipt_deliveries`. When the e-mail cannot go — the server refuses it for good, the tries
 * run out, or no mail is configured any more — the job queues the SMS link instead, so a payer is
 * never left with neither.
 */

/**
 * Tries before the SMS goes instead. With the outbox's backoff (1 s doubling to a 5-minute cap,
 * full jitter) sixteen tries span about twenty minutes on average: a mail server restarting or a
 * greylisting delay is waited out, an outage of an hour is not (the payer gets the SMS link).
 */
export const RECEIPT_EMAIL_ATTEMPTS_MAX = 16;

export type ReceiptDelivery = ReceiptDeliveriesTable;

/**
 * Fixed per receipt: the receipt's number, its order (unique across installations sharing a
 * domain) and the sender's domain. A copy sent again after an unrecorded outcome carries the same
 * Message-ID, so the server's duplicate check, the mailbox's and the reader see one message.
 */
export function receiptMessageId(receipt: Pick<Receipt, 'number' | 'order_id'>, from: Mailbox): string {
  return `<${receipt.number}.${receipt.order_id}@${emailDomain(from.address)}>`;
}

/** Queues the e-mail in the caller's transaction (the receipt's): once per receipt, however often asked. */
export async function queueReceiptEmail(trx: Executor, receipt: Pick<Receipt, 'number' | 'line_id'>, now_ms: number): Promise<void> {
  await queueJob(trx, 'receipt.email', { receipt_number: receipt.number }, {
    line_id: receipt.line_id, dedupe_key: `receipt-email:${receipt.number}`, attempts_max: RECEIPT_EMAIL_ATTEMPTS_MAX,
  }, now_ms);
}

/** The e-mail in the receipt's language: what was paid, the PDF attached, the verification link. */
export async function receiptEmail(receipt: Receipt, to: string, from: Mailbox, public_base_url: string): Promise<MailMessage> {
  const language: Language = normalizeLanguage(receipt.language) ?? 'en';
  const text = messagesFor(language).receipts;
  const document = receiptDocument(receipt, language, public_base_url);
  const amount = formatMoney(receipt.amount_minor, language, isCurrency(receipt.currency) ? receipt.currency : 'RUB');
  const paragraphs = [
    [text.email.paid({ item: receipt.item_name, amount }), text.email.attached({ number: receipt.number })],
    [text.email.verify, document.verify_url],
    ...(receipt.test_mode === 1 ? [[text.test_notice]] : []),
    [text.email.footer],
  ];
  const html = paragraphs.map((lines) => `<p>${lines.map((line) => (line === document.verify_url
    ? `<a href="${escapeHtml(line)}">${escapeHtml(line)}</a>`
    : escapeHtml(line))).join('<br>')}</p>`).join('\n');
  return {
    to, from, subject: text.email.subject({ number: receipt.number }),
    text: `${paragraphs.map((lines) => lines.join('\n')).join('\n\n')}\n`,
    html: `<!doctype html>\n<html lang="${language}"><body>\n${html}\n</body></html>\n`,
    attachments: [{ filename: `${receipt.number}.pdf`, content: await receiptPdf(document), content_type: 'application/pdf' }],
    message_id: receiptMessageId(receipt, from),
  };
}

export interface ReceiptEmailDependencies {
  readonly database: Database;
  readonly clock: Clock;
  /** The Mailer and the sender; undefined with MAIL_DRIVER=none (a job left from before goes to the SMS). */
  readonly mail: { readonly mailer: Mailer; readonly from: Mailbox; readonly public_base_url: string } | undefined;
  /** For the SMS link when the e-mail cannot go; without it nothing replaces the e-mail. */
  readonly notices: Notices | undefined;
}

/**
 * The `receipt.email` job. Sent at most once as far as we can know, and never not at all:
 *   1. a receipt whose delivery is settled (`sent`, or `failed` with the SMS sent instead) is left alone;
 *   2. the try is recorded (`sending`, committed) BEFORE the server is asked, and its answer AFTER.
 *      Marking `sent` before asking would lose the e-mail whenever the send then failed or the
 *      process stopped; marking only after leaves one window: the server took the message and we
 *      stopped before recording it. The job then runs again, finds `sending` (an outcome never
 *      recorded, not a failure) and sends again, with the same Message-ID. We choose that one
 *      recognisable duplicate over a receipt that might never arrive: the payer was told by no
 *      SMS, the e-mail is their receipt.
 *   3. a refusal for good, or the last try, settles it as `failed` and queues the SMS link in the
 *      same transaction (the notice is keyed by the order: at most one).
 * Two runs of one job at once cannot happen while its lease is held: the worker renews it as long
 * as the send runs.
 */
export function sendReceiptEmailJob(deps: ReceiptEmailDependencies): TypedJobHandler<'receipt.email'> {
  return async ({ receipt_number }, job) => {
    const db = deps.database.db;
    const receipt = await db.selectFrom('receipts').selectAll().where('number', '=', receipt_number).executeTakeFirst();
    if (!receipt) throw new PermanentJobError(`receipt ${receipt_number} does not exist`);
    const delivery = await db.selectFrom('receipt_deliveries').selectAll().where('receipt_number', '=', receipt_number).executeTakeFirst();
    if (delivery?.status === 'sent' || delivery?.status === 'failed') return;
    const order = await db.selectFrom('orders').select('payer_email').where('id', '=', receipt.order_id).executeTakeFirstOrThrow();
    const to = order.payer_email;
    if (to === null || !isEmailAddress(to)) return giveUp(deps, receipt, '***', 'the order has no e-mail address (any more)');
    const { mail } = deps;
    if (!mail) return giveUp(deps, receipt, maskEmail(to), 'no mail is configured (MAIL_DRIVER=none)');

    // Built (the PDF drawn) before the try is recorded: a failure here is not a send whose outcome is unknown.
    const message = await receiptEmail(receipt, to, mail.from, mail.public_base_url);
    const unrecorded = delivery?.status === 'sending' ? 'the previous try\'s outcome was never recorded: sent again with the same Message-ID' : null;
    if (!(await recordTry(deps, receipt, { to_masked: maskEmail(to), message_id: message.message_id, note: unrecorded }))) return;
    const result = await mail.mailer.send(message);
    const now_ms = deps.clock.now_ms();
    if (result.sent) {
      // last_error stays: a note that this was a copy sent again is worth keeping beside the success.
      await settle(db, receipt_number, { status: 'sent', sent_at_ms: now_ms, server_response: result.response.slice(0, RESPONSE_LENGTH_MAX) }, now_ms);
      return;
    }
    if (!result.retryable || job.attempts >= job.attempts_max) return giveUp(deps, receipt, maskEmail(to), result.reason);
    await settle(db, receipt_number, { status: 'deferred', last_error: result.reason }, now_ms);
    throw new Error(`receipt e-mail not taken yet: ${result.reason}`);
  };
}

/** The server's answer is kept for tracing; one longer than this is cut. */
const RESPONSE_LENGTH_MAX = 500;

/** Records a try as begun (committed before the send); false when the delivery was settled meanwhile. */
async function recordTry(
  deps: ReceiptEmailDependencies, receipt: Receipt, attempt: { to_masked: string; message_id: string; note: string | null },
): Promise<boolean> {
  const now_ms = deps.clock.now_ms();
  const result = await deps.database.db.insertInto('receipt_deliveries')
    .values({
      receipt_number: receipt.number, line_id: receipt.line_id, to_masked: attempt.to_masked, message_id: attempt.message_id,
      status: 'sending', attempts: 1, last_error: null, server_response: null, created_at_ms: now_ms, updated_at_ms: now_ms, sent_at_ms: null,
    })
    .onConflict((conflict) => conflict.column('receipt_number')
      .doUpdateSet({
        status: 'sending', attempts: sql<number>`receipt_deliveries.attempts + 1`, to_masked: attempt.to_masked,
        message_id: attempt.message_id, updated_at_ms: now_ms, ...(attempt.note === null ? {} : { last_error: attempt.note }),
      })
      .where('receipt_deliveries.status', 'not in', ['sent', 'failed']))
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

async function settle(
  db: Executor, receipt_number: string, change: Partial<Pick<ReceiptDelivery, 'status' | 'sent_at_ms' | 'server_response' | 'last_error'>>, now_ms: number,
): Promise<boolean> {
  const result = await db.updateTable('receipt_deliveries').set({ ...change, updated_at_ms: now_ms })
    .where('receipt_number', '=', receipt_number).where('status', 'not in', ['sent', 'failed']).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The e-mail will not go: settled as `failed`, and the SMS link queued instead, in one transaction. */
async function giveUp(deps: ReceiptEmailDependencies, receipt: Receipt, to_masked: string, reason: string): Promise<void> {
  const now_ms = deps.clock.now_ms();
  await inTransaction(deps.database, async (trx) => {
    const inserted = await trx.insertInto('receipt_deliveries')
      .values({
        receipt_number: receipt.number, line_id: receipt.line_id, to_masked, message_id: null, status: 'failed', attempts: 0,
        last_error: reason, server_response: null, created_at_ms: now_ms, updated_at_ms: now_ms, sent_at_ms: null,
      })
      .onConflict((conflict) => conflict.column('receipt_number').doNothing())
      .executeTakeFirst();
    const settled = Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1 || await settle(trx, receipt.number, { status: 'failed', last_error: reason }, now_ms);
    if (settled) await notifyReceipt(trx, deps.notices, receipt, now_ms);
  });
}
