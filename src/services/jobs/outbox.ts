import { sql } from 'kysely';
import { backoffDelayMs, type BackoffPolicy, DEFAULT_BACKOFF } from '../../core/backoff.js';
import { newId } from '../../core/ids.js';
import { capabilitiesFor } from '../../db/capabilities.js';
import type { Database } from '../../db/database.js';
import type { JobStatus, JobsTable } from '../../db/schema.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Outbox } from '../../ports/outbox.js';

/**
 * The transactional outbox. Every effect outside the database (a provider call, an SMS, a network
 * push) is enqueued here in the same transaction as the state change it follows, so a crash at
 * any instant neither loses the effect nor performs it without the change. Workers claim due jobs
 * (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer), run them at least once, retry
 * with capped, jittered backoff, and park a job as `dead` after `attempts_max` tries.
 */

export const JOB_ATTEMPTS_MAX_DEFAULT = 8;
export const CLAIM_BATCH_SIZE_MAX = 100;
/**
 * A claimed job not finished within its lease is taken again (the worker died). A live worker
 * renews the lease while its handler runs, so the lease can be short and a crash costs seconds.
 */
export const JOB_LEASE_MS_DEFAULT = 15_000;
export const JOB_ERROR_LENGTH_MAX = 2_000;

export type Job = JobsTable;

export interface EnqueueInput {
  readonly kind: string;
  readonly payload: unknown;
  readonly line_id?: string | null;
  /** The same key is enqueued once: a second enqueue returns the first job's id. */
  readonly dedupe_key?: string | null;
  readonly run_after_ms?: number;
  readonly attempts_max?: number;
}

/** Enqueues within the caller's transaction. */
export async function enqueueJob(trx: Executor, input: EnqueueInput, now_ms: number): Promise<string> {
  const id = newId('job');
  const result = await trx
    .insertInto('jobs')
    .values({
      id,
      kind: input.kind,
      line_id: input.line_id ?? null,
      payload: JSON.stringify(input.payload ?? null),
      status: 'pending',
      attempts: 0,
      attempts_max: input.attempts_max ?? JOB_ATTEMPTS_MAX_DEFAULT,
      run_after_ms: input.run_after_ms ?? now_ms,
      lease_until_ms: null,
      last_error: null,
      dedupe_key: input.dedupe_key ?? null,
      created_at_ms: now_ms,
      updated_at_ms: now_ms,
    })
    .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0) === 1 || !input.dedupe_key) return id;
  const existing = await trx.selectFrom('jobs').select('id').where('dedupe_key', '=', input.dedupe_key).executeTakeFirstOrThrow();
  return existing.id;
}

/** The Outbox port over the jobs table, for adapters that queue their own deferred work (the sandbox). */
export const jobsOutbox: Outbox = {
  enqueue: async (trx, job, now_ms) => {
    await enqueueJob(trx, job, now_ms);
  },
};

/**
 * Claims up to `limit` due jobs: pending ones whose time has come, and running ones whose lease
 * lapsed. Each claim counts as an attempt.
 */
export async function claimJobs(database: Database, limit: number, now_ms: number, lease_ms = JOB_LEASE_MS_DEFAULT): Promise<Job[]> {
  const batch = Math.min(Math.max(limit, 1), CLAIM_BATCH_SIZE_MAX);
  return inTransaction(database, async (trx) => {
    let due = trx
      .selectFrom('jobs')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('run_after_ms', '<=', now_ms)]),
          eb.and([eb('status', '=', 'running'), eb('lease_until_ms', '<=', now_ms)]),
        ]),
      )
      .orderBy('run_after_ms')
      .limit(batch);
    if (capabilitiesFor(database.dialect).skip_locked) due = due.forUpdate().skipLocked();
    const ids = (await due.execute()).map((row) => row.id);
    if (ids.length === 0) return [];
    return trx
      .updateTable('jobs')
      .set({ status: 'running', attempts: sql`attempts + 1`, lease_until_ms: now_ms + lease_ms, updated_at_ms: now_ms })
      .where('id', 'in', ids)
      .returningAll()
      .execute();
  });
}

/**
 * Marks a claimed job done. The attempt number identifies the claim: a worker whose lease lapsed
 * while another took the job over cannot complete or fail the newer claim.
 */
/** Renews the lease of a job this worker still holds; false when the claim is no longer ours. */
export async function extendLease(database: Database, job: Pick<Job, 'id' | 'attempts'>, now_ms: number, lease_ms = JOB_LEASE_MS_DEFAULT): Promise<boolean> {
  const result = await database.db
    .updateTable('jobs')
    .set({ lease_until_ms: now_ms + lease_ms, updated_at_ms: now_ms })
    .where('id', '=', job.id)
    .where('status', '=', 'running')
    .where('attempts', '=', job.attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function completeJob(database: Database, job: Pick<Job, 'id' | 'attempts'>, now_ms: number): Promise<boolean> {
  const result = await database.db
    .updateTable('jobs')
    .set({ status: 'done', lease_until_ms: null, last_error: null, updated_at_ms: now_ms })
    .where('id', '=', job.id)
    .where('status', '=', 'running')
    .where('attempts', '=', job.attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Records a failed attempt. A retryable failure goes back to pending after a backoff, until the
 * attempts run out; a definitive failure, or the last attempt, parks the job as `dead` — visible
 * in metrics and `roamcard jobs`, never silently dropped. Returns `not_running` when the job was
 * no longer ours (its lease lapsed and another worker finished it): nothing is changed then.
 */
export async function failJob(
  database: Database,
  job: Pick<Job, 'id' | 'attempts' | 'attempts_max'>,
  failure: { message: string; retryable: boolean },
  now_ms: number,
  options: { backoff?: BackoffPolicy; random?: () => number } = {},
): Promise<JobStatus | 'not_running'> {
  const dead = !failure.retryable || job.attempts >= job.attempts_max;
  const status: JobStatus = dead ? 'dead' : 'pending';
  const result = await database.db
    .updateTable('jobs')
    .set({
      status,
      lease_until_ms: null,
      last_error: failure.message.slice(0, JOB_ERROR_LENGTH_MAX),
      run_after_ms: dead ? now_ms : now_ms + backoffDelayMs(job.attempts, options.backoff ?? DEFAULT_BACKOFF, options.random),
      updated_at_ms: now_ms,
    })
    .where('id', '=', job.id)
    .where('status', '=', 'running')
    .where('attempts', '=', job.attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? status : 'not_running';
}

/**
 * Puts a claimed job back to pending after `delay_ms` without counting the claim as an attempt
 * (DeferJobError: nothing could be tried). Same claim check as failJob.
 */
export async function deferJob(
  database: Database,
  job: Pick<Job, 'id' | 'attempts'>,
  deferral: { message: string; delay_ms: number },
  now_ms: number,
): Promise<boolean> {
  const result = await database.db
    .updateTable('jobs')
    .set({
      status: 'pending',
      attempts: Math.max(job.attempts - 1, 0),
      lease_until_ms: null,
      last_error: deferral.message.slice(0, JOB_ERROR_LENGTH_MAX),
      run_after_ms: now_ms + Math.max(deferral.delay_ms, 0),
      updated_at_ms: now_ms,
    })
    .where('id', '=', job.id)
    .where('status', '=', 'running')
    .where('attempts', '=', job.attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Jobs per kind and status: for /metrics and `roamcard jobs`. */
export async function jobCounts(db: Executor): Promise<Array<{ kind: string; status: JobStatus; count: number }>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['kind', 'status', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy(['kind', 'status'])
    .orderBy('kind')
    .orderBy('status')
    .execute();
  return rows.map((row) => ({ kind: row.kind, status: row.status, count: Number(row.count) }));
}

/** Puts a dead job back in the queue with a fresh set of attempts (after the cause is fixed). */
export async function retryDeadJob(database: Database, job_id: string, now_ms: number): Promise<boolean> {
  const result = await database.db
    .updateTable('jobs')
    .set({ status: 'pending', attempts: 0, run_after_ms: now_ms, updated_at_ms: now_ms })
    .where('id', '=', job_id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export const DEAD_JOBS_LISTED_MAX = 50;

/** The newest dead jobs with their last error: what an operator looks at first. */
export async function deadJobs(db: Executor, limit = DEAD_JOBS_LISTED_MAX): Promise<Array<Pick<Job, 'id' | 'kind' | 'attempts' | 'last_error' | 'updated_at_ms'>>> {
  return db
    .selectFrom('jobs')
    .select(['id', 'kind', 'attempts', 'last_error', 'updated_at_ms'])
    .where('status', '=', 'dead')
    .orderBy('updated_at_ms', 'desc')
    .limit(Math.min(limit, DEAD_JOBS_LISTED_MAX))
    .execute();
}
