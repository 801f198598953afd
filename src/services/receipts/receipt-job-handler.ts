import type { TypedJobHandler } from '../jobs/job-kinds.js';
import { PermanentJobError } from '../jobs/worker.js';
import { ReceiptNotDueError, type ReceiptService } from './receipt-service.js';

/**
 * The `receipt.issue` outbox job. Idempotent: a second run finds the receipt and does nothing. An
 * order that was never activated gets none, ever, so that failure is permanent (the job goes dead
 * and shows in metrics); anything else (the database was busy) is retried with backoff.
 */
export function issueReceiptJob(receipts: ReceiptService): TypedJobHandler<'receipt.issue'> {
  return async ({ order_id }) => {
    try {
      await receipts.issue(order_id);
    } catch (error) {
      if (error instanceof ReceiptNotDueError) throw new PermanentJobError(error.message);
      throw error;
    }
  };
}
