import { loadConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../ports/clock.js';
import type { NetworkProvisioner } from '../ports/network-provisioner.js';
import { ProviderError } from '../ports/payment-provider.js';
import { deliverSandboxWebhook } from '../adapters/payments/sandbox/sandbox-webhook-sender.js';
import { SANDBOX_SETTLE_JOB, SANDBOX_WEBHOOK_JOB, type SandboxProvider } from '../adapters/payments/sandbox/sandbox-provider.js';
import { PermanentJobError, type JobHandler } from '../services/jobs/worker.js';
import type { RenewalService } from '../services/renewal/renewal-service.js';
import { JOB_CANCEL_PAYMENT, JOB_PROVISION, JOB_REFUND } from '../services/renewal/settlement.js';
import { issueReceiptJob } from '../services/receipts/receipt-job-handler.js';
import { JOB_ISSUE_RECEIPT } from '../services/receipts/receipt-jobs.js';
import { ReceiptService, type PaymentDetailsLookup } from '../services/receipts/receipt-service.js';
import type { SellerDetails } from '../services/receipts/seller.js';
import { JOB_SEND_SMS, sendSmsJobHandler, type SmsJobDependencies } from '../services/customers/sms-job.js';

/**
 * What each outbox job kind does. Handlers are idempotent (a job runs at least once); a provider's
 * definitive refusal is permanent (the job goes dead, visible in metrics and `roamcard jobs`),
 * anything else is retried with backoff.
 */
export interface JobHandlerDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly renewal: RenewalService;
  readonly provisioner: NetworkProvisioner;
  /** Test mode only: the sandbox's own jobs (webhook delivery, the timeout card's late outcome). */
  readonly sandbox?: SandboxProvider | undefined;
  /** Card digits or transfer reference for receipts (Payments.paymentDetails). */
  readonly paymentDetails?: PaymentDetailsLookup;
  /** Receipts issued now are marked as test receipts (no money moved). */
  readonly test_mode?: boolean;
  /** The seller on receipts; tests that build handlers by hand may leave it out (the demo seller then). */
  readonly seller?: SellerDetails;
  /** The SMS sender and the key SMS texts are sealed with; without it `sms.send` jobs go dead. */
  readonly sms?: SmsJobDependencies;
}

export function jobHandlers(deps: JobHandlerDependencies): Record<string, JobHandler> {
  const receipts = new ReceiptService({
    database: deps.database, clock: deps.clock, seller: deps.seller ?? loadConfig({}).seller, test_mode: deps.test_mode ?? false,
    ...(deps.paymentDetails ? { paymentDetails: deps.paymentDetails } : {}),
  });
  return {
    [JOB_PROVISION]: async (payload) => provisionBundle(deps, (payload as { bundle_id: string }).bundle_id),
    [JOB_REFUND]: async (payload) => permanentOnRefusal(() => deps.renewal.executeRefund((payload as { refund_id: string }).refund_id)),
    [JOB_CANCEL_PAYMENT]: async (payload) => permanentOnRefusal(() => deps.renewal.cancelAttempt((payload as { payment_id: string }).payment_id)),
    [JOB_ISSUE_RECEIPT]: issueReceiptJob(receipts),
    [JOB_SEND_SMS]: sendSmsJobHandler(deps.sms),
    ...(deps.sandbox ? sandboxJobHandlers(deps.sandbox, deps.clock) : {}),
  };
}

/** Without test mode these kinds have no handler: a job left from a test run goes dead, visibly, and does nothing. */
function sandboxJobHandlers(sandbox: SandboxProvider, clock: Clock): Record<string, JobHandler> {
  return {
    [SANDBOX_WEBHOOK_JOB]: async (payload) => deliverSandboxWebhook(payload, await sandbox.webhookSecret(), clock.now_ms()),
    [SANDBOX_SETTLE_JOB]: async (payload) => {
      await sandbox.finish((payload as { provider_payment_id: string }).provider_payment_id, { status: 'succeeded' });
    },
  };
}

async function provisionBundle(deps: JobHandlerDependencies, bundle_id: string): Promise<void> {
  const row = await deps.database.db
    .selectFrom('bundles')
    .innerJoin('lines', 'lines.id', 'bundles.line_id')
    .select(['bundles.id', 'bundles.line_id', 'bundles.package_code', 'bundles.data_bytes_total', 'bundles.voice_seconds_total', 'bundles.sms_total', 'bundles.expires_at_ms', 'lines.msisdn', 'lines.iccid'])
    .where('bundles.id', '=', bundle_id)
    .executeTakeFirst();
  if (!row) throw new PermanentJobError(`bundle ${bundle_id} does not exist`);
  await deps.provisioner.provision({
    bundle_id: row.id, line_id: row.line_id, msisdn: row.msisdn, iccid: row.iccid, package_code: row.package_code,
    data_bytes: row.data_bytes_total, voice_seconds: row.voice_seconds_total, sms_count: row.sms_total, expires_at_ms: row.expires_at_ms,
  });
}

async function permanentOnRefusal(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof ProviderError && error.kind === 'definitive') throw new PermanentJobError(error.message);
    throw error;
  }
}
