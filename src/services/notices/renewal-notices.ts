import { formatMoney, formatShortDateTime } from '../../core/i18n/format.js';
import { isCurrency } from '../../core/money.js';
import type { ReceiptsTable, RefundsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { findPackage } from '../catalog/catalog.js';
import { receiptVerifyPath } from '../receipts/receipt-document.js';
import { packActiveText, receiptText, refundText, topUpText } from './notice-texts.js';
import { queueNotice, type Notices } from './notices.js';

/**
 * The notices of a renewal, each queued in the transaction that makes its news true, and keyed by
 * what it reports: the order (activation), the receipt's order, the refund. Without `notices`
 * (tests and tools that build services by hand) nothing is sent.
 */

/** Payment received and the pack active: its name and when it ends, in the line's zone. */
export async function notifyPackActive(
  trx: Executor,
  notices: Notices | undefined,
  activation: { readonly order_id: string; readonly line_id: string; readonly bundle_id: string },
  now_ms: number,
): Promise<void> {
  if (!notices) return;
  await queueNotice(trx, notices, {
    line_id: activation.line_id, cause: 'pack_active', dedupe_key: activation.order_id,
    text: async (line) => {
      const bundle = await trx.selectFrom('bundles').select(['package_code', 'expires_at_ms']).where('id', '=', activation.bundle_id).executeTakeFirstOrThrow();
      const pack = await findPackage(trx, bundle.package_code);
      const until = formatShortDateTime(bundle.expires_at_ms, line.language, line.time_zone);
      return packActiveText(line.language, { pack: pack.names[line.language], until });
    },
  }, now_ms);
}

/** The receipt's link with its verification token: the only way to open it. */
export async function notifyReceipt(
  trx: Executor,
  notices: Notices | undefined,
  receipt: Pick<ReceiptsTable, 'order_id' | 'line_id' | 'number' | 'verification_token'>,
  now_ms: number,
): Promise<void> {
  if (!notices) return;
  await queueNotice(trx, notices, {
    line_id: receipt.line_id, cause: 'receipt', dedupe_key: receipt.order_id,
    text: (line) => receiptText(line.language, { number: receipt.number, url: `${notices.public_base_url}${receiptVerifyPath(receipt)}` }),
  }, now_ms);
}

/**
 * Money returned: to the line's balance, or on its way back to the card or account that paid —
 * with the fiscal receipts' page when the payment had no receipt of ours (`receipt_path`).
 */
export async function notifyRefund(
  trx: Executor,
  notices: Notices | undefined,
  refund: Pick<RefundsTable, 'id' | 'line_id' | 'amount_minor' | 'currency'> & { readonly to_wallet: boolean; readonly receipt_path?: string | null },
  now_ms: number,
): Promise<void> {
  if (!notices || refund.amount_minor === 0) return;
  await queueNotice(trx, notices, {
    line_id: refund.line_id, cause: 'refund', dedupe_key: refund.id,
    text: (line) => refundText(line.language, {
      amount: formatMoney(refund.amount_minor, line.language, isCurrency(refund.currency) ? refund.currency : 'RUB'), to_wallet: refund.to_wallet,
      url: refund.receipt_path == null ? null : `${notices.public_base_url}${refund.receipt_path}`,
    }),
  }, now_ms);
}

/**
 * Money put on the line's balance (a payment agent's top-up), with its fiscal receipt's page when a
 * register makes one. Sent under the `receipt` cause, keyed by the top-up's journal entry: one
 * notice per top-up, however often the agent repeats its pay.
 */
export async function notifyTopUp(
  trx: Executor,
  notices: Notices | undefined,
  top_up: {
    readonly entry_id: string; readonly line_id: string; readonly amount_minor: number; readonly currency: string;
    /** The fiscal receipt's page (FiscalService's fiscalDocumentPath); null when no register makes one. */
    readonly receipt_path: string | null;
  },
  now_ms: number,
): Promise<void> {
  if (!notices) return;
  await queueNotice(trx, notices, {
    line_id: top_up.line_id, cause: 'receipt', dedupe_key: `top_up:${top_up.entry_id}`,
    text: (line) => topUpText(line.language, {
      amount: formatMoney(top_up.amount_minor, line.language, isCurrency(top_up.currency) ? top_up.currency : 'RUB'),
      url: top_up.receipt_path === null ? null : `${notices.public_base_url}${top_up.receipt_path}`,
    }),
  }, now_ms);
}
