import type { TypedJobHandler } from '../jobs/job-kinds.js';
import { PermanentJobError } from '../jobs/worker.js';
import type { FiscalService } from './fiscal-service.js';

/**
 * The `fiscal.register` outbox job (FiscalService.process): idempotent, as the register keeps one
 * document per external_id. Without a fiscal service wired in (a worker built without one) the job
 * goes dead, visibly, and the document stays pending for `roamcard fiscal pending` to show.
 */
export function registerFiscalDocumentJob(fiscal: FiscalService | undefined): TypedJobHandler<'fiscal.register'> {
  return async ({ document_id, poll }) => {
    if (fiscal === undefined) throw new PermanentJobError(`fiscal document ${document_id}: fiscal documents are not wired into this worker`);
    await fiscal.process(document_id, poll);
  };
}
