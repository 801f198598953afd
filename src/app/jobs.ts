import { loadConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../ports/clock.js';
import type { NetworkProvisioner } from '../ports/network-provisioner.js';
import { isRoamError } from '../core/errors.js';
import { ProviderError } from '../ports/payment-provider.js';
import { deliverSandboxWebhook, SANDBOX_JOB_PAYLOADS } from '../adapters/payments/sandbox/sandbox-webhook-sender.js';
import { SANDBOX_SETTLE_JOB, SANDBOX_WEBHOOK_JOB, type SandboxProvider } from '../adapters/payments/sandbox/sandbox-provider.js';
import { PermanentJobError, type JobHandler } from '../services/jobs/worker.js';
import type { RenewalService } from '../services/renewal/renewal-service.js';
import { provisioningRequest } from '../services/charging/bundles.js';
import { typedJobHandlers, withParsedPayload } from '../services/jobs/job-kinds.js';
import { issueReceiptJob } from '../services/receipts/receipt-job-handler.js';
import { sendReceiptEmailJob, type ReceiptEmailDependencies } from '../services/receipts/receipt-email.js';
import { ReceiptService, type PaymentDetailsLookup } from '../services/receipts/receipt-service.js';
import type { SellerDetails } from '../services/receipts/seller.js';
import { sendSmsJobHandler, type SmsJobDependencies } from '../services/customers/sms-job.js';
import type { Notices } from '../services/notices/notices.js';
import type { IdentityVerification } from '../services/identity/verification.js';
import { registerFiscalDocumentJob } from '../services/fiscal/fiscal-job-handler.js';
import type { FiscalService } from '../services/fiscal/fiscal-service.js';

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
  /** SMS notices the handlers queue (the receipt's link); none without it. */
  readonly notices?: Notices;
  /**
   * The Mailer (MAIL_DRIVER smtp or console), the sender and the public address for links: with
   * it, a payer who gave an e-mail gets the receipt there instead of the SMS link.
   */
  readonly mail?: ReceiptEmailDependencies['mail'];
  /** 303-FZ identity verification of desk-connected lines; without it those jobs go dead. */
  readonly identity?: IdentityVerification;
  /** 54-FZ fiscal documents: each receipt issued gets one, and `fiscal.register` jobs send them; none without it. */
  readonly fiscal?: FiscalService;
}

export function jobHandlers(deps: JobHandlerDependencies): Record<string, JobHandler> {
  const receipts = new ReceiptService({
    database: deps.database, clock: deps.clock, seller: deps.seller ?? loadConfig({}).seller, test_mode: deps.test_mode ?? false,
    ...(deps.paymentDetails ? { paymentDetails: deps.paymentDetails } : {}),
    ...(deps.notices ? { notices: deps.notices } : {}),
    email_receipts: deps.mail !== undefined,
    ...(deps.fiscal ? { fiscal: deps.fiscal } : {}),
  });
  const product = typedJobHandlers({
    'network.provision': ({ bundle_id }) => provisionBundle(deps, bundle_id),
    'payment.refund': ({ refund_id }) => permanentOnRefusal(() => deps.renewal.executeRefund(refund_id)),
    'payment.cancel': ({ payment_id }) => permanentOnRefusal(() => deps.renewal.cancelAttempt(payment_id)),
    'receipt.issue': issueReceiptJob(receipts),
    'receipt.email': sendReceiptEmailJob({ database: deps.database, clock: deps.clock, mail: deps.mail, notices: deps.notices }),
    'fiscal.register': registerFiscalDocumentJob(deps.fiscal),
    'sms.send': sendSmsJobHandler(deps.sms),
    'identity.submit': ({ line_id }) => identityStep(deps, (identity) => identity.submit(line_id)),
    'identity.check': ({ line_id }) => identityStep(deps, (identity) => identity.check(line_id)),
    'identity.deadline': ({ line_id }) => identityStep(deps, (identity) => identity.deadline(line_id)),
  });
  return { ...product, ...(deps.sandbox ? sandboxJobHandlers(deps.sandbox, deps.clock) : {}) };
}

/** Without test mode these kinds have no handler: a job left from a test run goes dead, visibly, and does nothing. */
function sandboxJobHandlers(sandbox: SandboxProvider, clock: Clock): Record<string, JobHandler> {
  return {
    [SANDBOX_WEBHOOK_JOB]: withParsedPayload(SANDBOX_WEBHOOK_JOB, SANDBOX_JOB_PAYLOADS[SANDBOX_WEBHOOK_JOB],
      async (payload) => deliverSandboxWebhook(payload, await sandbox.webhookSecret(), clock.now_ms())),
    [SANDBOX_SETTLE_JOB]: withParsedPayload(SANDBOX_SETTLE_JOB, SANDBOX_JOB_PAYLOADS[SANDBOX_SETTLE_JOB],
      async ({ provider_payment_id }) => {
        await sandbox.finish(provider_payment_id, { status: 'succeeded' });
      }),
  };
}

async function identityStep(deps: JobHandlerDependencies, step: (identity: IdentityVerification) => Promise<void>): Promise<void> {
  if (deps.identity === undefined) throw new PermanentJobError('identity verification is not wired into this worker');
  await step(deps.identity);
}

async function provisionBundle(deps: JobHandlerDependencies, bundle_id: string): Promise<void> {
  const request = await provisioningRequest(deps.database.db, bundle_id);
  if (!request) throw new PermanentJobError(`bundle ${bundle_id} does not exist`);
  await deps.provisioner.provision(request);
}

async function permanentOnRefusal(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    // A provider's definitive no, or our own expected refusal (provider not configured, refund refused): for a person.
    if ((error instanceof ProviderError && error.kind === 'definitive') || isRoamError(error)) throw new PermanentJobError(error.message);
    throw error;
  }
}
