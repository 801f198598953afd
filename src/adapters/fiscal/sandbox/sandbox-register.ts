import { createHmac, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { FISCAL_REGISTER_TIME_ZONE } from '../../../core/fiscal-qr.js';
import { requestHash } from '../../../core/ids.js';
import { instantOfWallClock, wallClockAt } from '../../../core/time-zone.js';
import type { Database } from '../../../db/database.js';
import { isUniqueViolation } from '../../../db/errors.js';
import type { FiscalSandboxDocumentsTable } from '../../../db/schema.js';
import { inTransaction, type Executor } from '../../../db/transaction.js';
import type { Clock } from '../../../ports/clock.js';
import { assertFiscalRequest, type FiscalError, type FiscalRegister, type FiscalRequest, type FiscalResult } from '../../../ports/fiscal-register.js';

/**
 * The sandbox fiscal register: a test tool that behaves as a cloud register does, inside roamcard,
 * so a fresh machine issues receipts end to end — and whose documents can never pass for fiscal
 * ones. It exists only in test mode (config.fiscal.register, src/config.ts: refused with real
 * payments); everything it makes says `is_test: true`, its drive's number starts 9999 (no fiscal
 * drive's does), and its fiscal sign is an HMAC under a key written here, which proves nothing.
 *
 * Like a real register it keeps one document per external_id (in the database: the promise holds
 * across restarts and between processes), numbers its documents in order on its one drive, numbers
 * receipts within a shift (one shift per Moscow day), refuses what a register refuses (a client
 * contact that is not one), and takes its time: a document is pending for FISCAL_SANDBOX_DELAY_MS
 * before it is made.
 */

export const SANDBOX_REGISTER_NAME = 'sandbox';
/** 16 digits starting 9999: no fiscal drive is numbered so. */
export const SANDBOX_FN_NUMBER = '9999000000000001';
export const SANDBOX_ECR_REGISTRATION_NUMBER = '0000000000009999';
/** The fiscal sign's key: public on purpose, as the sign proves nothing. */
const SANDBOX_SIGN_KEY = 'roamcard fiscal sandbox: not a fiscal sign';
/** Shift 1 is the sandbox's first Moscow day; one shift a day after it. */
const FIRST_SHIFT_DAY = { year: 2025, month: 1, day: 1 } as const;
const DAY_MS = 86_400_000;
const FISCAL_DOCUMENT_COUNTER = 'fiscal_document_number';

export interface SandboxRegisterOptions {
  readonly database: Database;
  readonly clock: Clock;
  /** How long a document is pending before the sandbox makes it (0: at once). */
  readonly delay_ms: number;
}

export class SandboxRegister implements FiscalRegister {
  readonly name = SANDBOX_REGISTER_NAME;
  readonly #options: SandboxRegisterOptions;

  constructor(options: SandboxRegisterOptions) {
    if (!Number.isSafeInteger(options.delay_ms) || options.delay_ms < 0) throw new RangeError(`delay_ms must be a whole number of milliseconds, got ${options.delay_ms}`);
    this.#options = options;
  }

  async register(request: FiscalRequest): Promise<FiscalResult> {
    assertFiscalRequest(request);
    const refusal = refusalOf(request);
    if (refusal !== undefined) return { status: 'failed', kind: 'final', error: refusal };
    const request_hash = requestHash(request);
    try {
      return await this.#createOrFind(request, request_hash);
    } catch (error) {
      // The same document asked for twice at once: the loser finds the winner's, as at a real register.
      if (!isUniqueViolation(error)) throw error;
      return this.#createOrFind(request, request_hash);
    }
  }

  async report(uuid: string): Promise<FiscalResult> {
    const row = await this.#options.database.db.selectFrom('fiscal_sandbox_documents').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    if (row === undefined) return { status: 'failed', kind: 'final', error: { code: 'not_found', text: `the sandbox register holds no document ${uuid}`, type: 'system' } };
    return this.#result(row);
  }

  async #createOrFind(request: FiscalRequest, request_hash: string): Promise<FiscalResult> {
    return inTransaction(this.#options.database, async (trx) => {
      const existing = await trx.selectFrom('fiscal_sandbox_documents').selectAll().where('external_id', '=', request.external_id).executeTakeFirst();
      if (existing !== undefined) {
        if (existing.request_hash === request_hash) return this.#result(existing);
        return {
          status: 'failed', kind: 'final', uuid: existing.uuid,
          error: { code: 'external_id_reused', text: `the sandbox register holds another document under external_id ${request.external_id}`, type: 'system' },
        };
      }
      const now_ms = this.#options.clock.now_ms();
      const receipt_datetime_ms = now_ms + this.#options.delay_ms;
      const shift_number = shiftNumberAt(receipt_datetime_ms);
      const fiscal_document_number = await nextValue(trx, FISCAL_DOCUMENT_COUNTER);
      const row: FiscalSandboxDocumentsTable = {
        uuid: randomUUID(),
        external_id: request.external_id,
        operation: request.operation,
        request_hash,
        total_minor: request.total_minor,
        fn_number: SANDBOX_FN_NUMBER,
        fiscal_document_number,
        fiscal_document_attribute: fiscalSign(fiscal_document_number, receipt_datetime_ms, request.total_minor, request.operation),
        ecr_registration_number: SANDBOX_ECR_REGISTRATION_NUMBER,
        shift_number,
        fiscal_receipt_number: await nextValue(trx, `shift:${shift_number}`),
        receipt_datetime_ms,
        created_at_ms: now_ms,
      };
      await trx.insertInto('fiscal_sandbox_documents').values(row).execute();
      return this.#result(row);
    });
  }

  #result(row: FiscalSandboxDocumentsTable): FiscalResult {
    if (this.#options.clock.now_ms() < row.receipt_datetime_ms) return { status: 'pending', uuid: row.uuid };
    return {
      status: 'registered',
      uuid: row.uuid,
      is_test: true,
      attributes: {
        fn_number: row.fn_number,
        fiscal_document_number: row.fiscal_document_number,
        fiscal_document_attribute: row.fiscal_document_attribute,
        ecr_registration_number: row.ecr_registration_number,
        shift_number: row.shift_number,
        fiscal_receipt_number: row.fiscal_receipt_number,
        receipt_datetime_ms: row.receipt_datetime_ms,
        total_minor: row.total_minor,
        fns_site: 'www.nalog.gov.ru',
      },
    };
  }
}

/**
 * The fiscal sign of a sandbox document: HMAC-SHA256 of what identifies it, cut to 32 bits as a
 * real sign is. Deterministic (the same document always has the same sign), and no secret.
 */
export function fiscalSign(fiscal_document_number: number, receipt_datetime_ms: number, total_minor: number, operation: string): number {
  return createHmac('sha256', SANDBOX_SIGN_KEY)
    .update(`${SANDBOX_FN_NUMBER}|${fiscal_document_number}|${receipt_datetime_ms}|${total_minor}|${operation}`)
    .digest()
    .readUInt32BE(0);
}

/** One shift per day on the register's Moscow clock, counted from FIRST_SHIFT_DAY (shift 1). */
export function shiftNumberAt(at_ms: number): number {
  const wall = wallClockAt(at_ms, FISCAL_REGISTER_TIME_ZONE);
  const midnight = { year: wall.year, month: wall.month, day: wall.day, hour: 0, minute: 0, second: 0 };
  const day_start_ms = instantOfWallClock(midnight, FISCAL_REGISTER_TIME_ZONE);
  const first_ms = instantOfWallClock({ ...FIRST_SHIFT_DAY, hour: 0, minute: 0, second: 0 }, FISCAL_REGISTER_TIME_ZONE);
  return Math.max(1, Math.round((day_start_ms - first_ms) / DAY_MS) + 1);
}

/**
 * The next value of a counter, in the caller's transaction: an upsert, so the first use creates it.
 * On PostgreSQL the row lock it takes holds the next caller until this one commits; a rollback
 * gives the number back, so the numbers have no gaps (SQLite has one writer anyway).
 */
async function nextValue(trx: Executor, name: string): Promise<number> {
  const row = await trx
    .insertInto('fiscal_sandbox_counters')
    .values({ name, last_value: 1 })
    .onConflict((conflict) => conflict.column('name').doUpdateSet({ last_value: sql<number>`fiscal_sandbox_counters.last_value + 1` }))
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return Number(row.last_value);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+\d{10,15}$/;

/** What a register refuses in a document's data (ATOL's own validation does the same): final, nothing made. */
function refusalOf(request: FiscalRequest): FiscalError | undefined {
  const problems: string[] = [];
  if (request.client.email !== undefined && !EMAIL.test(request.client.email)) problems.push('client.email is not an e-mail address');
  if (request.client.phone !== undefined && !PHONE.test(request.client.phone)) problems.push('client.phone is not a phone number in E.164 (+79001234567)');
  if (!EMAIL.test(request.company.email)) problems.push('company.email is not an e-mail address');
  if (!/^(\d{10}|\d{12})$/.test(request.company.inn)) problems.push('company.inn is not an INN of 10 or 12 digits');
  if (request.company.payment_address.trim().length === 0) problems.push('company.payment_address is empty');
  return problems.length === 0 ? undefined : { code: 'validation', text: `the sandbox register refuses the document: ${problems.join('; ')}`, type: 'agent' };
}
