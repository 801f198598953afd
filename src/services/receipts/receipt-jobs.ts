/**
 * The outbox job that issues an order's receipt. Kept apart from the service so settlement can
 * enqueue it without importing the receipt machinery. Enqueued once per order (dedupe key) in the
 * transaction that activates the pack; the job itself is idempotent (one receipt per order).
 */
export const JOB_ISSUE_RECEIPT = 'receipt.issue';

export interface IssueReceiptPayload {
  readonly order_id: string;
}
