import { z } from 'zod';
import { LANGUAGES } from '../../core/i18n/languages.js';
import type { Executor } from '../../db/transaction.js';
import { enqueueJob, type EnqueueInput, type Job } from './outbox.js';
import { PermanentJobError, type JobHandler } from './worker.js';

/**
 * Every kind of outbox job the product queues, with the shape of its payload — declared here, once.
 * Services queue with `queueJob` (the payload is checked by the compiler against its kind), and the
 * worker hands each handler its payload parsed against the same schema (`typedJobHandlers`): a
 * payload that does not match (a job written by another version, a hand-edited row) is a
 * permanent failure, parked as dead for a person, never a crash or a guess.
 */
const id = z.string().min(1).max(100);

export const JOB_PAYLOADS = {
  /** Push a bundle to the network (NetworkProvisioner). */
  'network.provision': z.object({ bundle_id: id }),
  /** Return a refund's money through its provider. */
  'payment.refund': z.object({ refund_id: id }),
  /** Cancel an attempt at its provider: another one paid the order, or the order closed. */
  'payment.cancel': z.object({ payment_id: id }),
  /** 303-FZ: send a desk-connected line's identity to the IdentityVerifier (once; idempotent on the line). */
  'identity.submit': z.object({ line_id: id }),
  /** Ask the verifier where the line's verification stands; queues the next ask while it is pending. */
  'identity.check': z.object({ line_id: id }),
  /** Runs at the verification deadline: a line still pending is expired (blocked: identity_unconfirmed). */
  'identity.deadline': z.object({ line_id: id }),
  /**
   * Register a fiscal document at the fiscal register, or ask about it; `poll` counts the asks that
   * found it pending (services/fiscal bounds them).
   */
  'fiscal.register': z.object({ document_id: id, poll: z.number().int().min(0).max(10_000) }),
  /** Issue an activated order's receipt. */
  'receipt.issue': z.object({ order_id: id }),
  /** E-mail an issued receipt to the payer (the address is read from the order, never kept in the job). */
  'receipt.email': z.object({ receipt_number: id }),
  /** Send one SMS; the text is sealed (it may hold a one-time code), and useless after send_before_ms. */
  'sms.send': z.object({
    to_msisdn: z.string().min(1).max(32),
    language: z.enum(LANGUAGES),
    text_sealed: z.string().min(1),
    send_before_ms: z.number().int().nullable(),
  }),
} as const;

export type JobKind = keyof typeof JOB_PAYLOADS;
export type JobPayload<K extends JobKind> = z.infer<(typeof JOB_PAYLOADS)[K]>;

/** Queues a job of a declared kind in the caller's transaction (see outbox.ts for the options). */
export function queueJob<K extends JobKind>(
  trx: Executor,
  kind: K,
  payload: JobPayload<K>,
  options: Omit<EnqueueInput, 'kind' | 'payload'>,
  now_ms: number,
): Promise<string> {
  return enqueueJob(trx, { ...options, kind, payload }, now_ms);
}

export type TypedJobHandler<K extends JobKind> = (payload: JobPayload<K>, job: Job) => Promise<void>;
export type TypedJobHandlers = { readonly [K in JobKind]: TypedJobHandler<K> };

/** The worker's handler table: each handler gets its payload parsed against its kind's schema. */
export function typedJobHandlers(handlers: TypedJobHandlers): Record<JobKind, JobHandler> {
  const table = {} as Record<JobKind, JobHandler>;
  for (const kind of Object.keys(JOB_PAYLOADS) as JobKind[]) {
    table[kind] = parsedJobHandler(kind, handlers[kind] as TypedJobHandler<typeof kind>);
  }
  return table;
}

/** One kind's handler as the worker calls it: the stored payload parsed first, refused for good when it does not fit. */
export function parsedJobHandler<K extends JobKind>(kind: K, handler: TypedJobHandler<K>): JobHandler {
  // The schema is the kind's own, so what it parsed is that kind's payload; TypeScript cannot follow the index.
  return withParsedPayload(kind, JOB_PAYLOADS[kind], (payload, job) => handler(payload as JobPayload<K>, job));
}

/** The same for kinds an adapter declares itself (the sandbox's): its schema, its handler. */
export function withParsedPayload<Schema extends z.ZodType>(
  kind: string,
  schema: Schema,
  handler: (payload: z.infer<Schema>, job: Job) => Promise<void>,
): JobHandler {
  return async (payload, job) => {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new PermanentJobError(`${kind} payload is malformed: ${parsed.error.issues.map((issue) => issue.path.join('.') || 'payload').join(', ')}`);
    await handler(parsed.data, job);
  };
}
