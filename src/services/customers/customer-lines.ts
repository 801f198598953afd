import { RoamError } from '../../core/errors.js';
import { parseIccid } from '../../core/iccid.js';
import { parseMsisdn } from '../../core/phone.js';
import type { CustomerLinesTable, LinesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { newCustomerId } from './auth-crypto.js';
import { checkRateLimit, recordRateLimitHit, type RateLimitRule } from '../../db/rate-limits.js';

/**
 * Which lines a customer sees. A customer is created by the first sign-in through a line (its
 * primary line) and may add more lines by proving each card is in their hands with its ICCID — a
 * parent managing a child's card. A line may be on several accounts (the child's own and the
 * parent's); each line keeps its own wallet and packs: nothing is shared through an account.
 */

export type VerifiedBy = CustomerLinesTable['verified_by'];

/** A family, not a reseller: an account holds this many lines at most (added by ICCID). */
export const LINES_PER_CUSTOMER_MAX = 10;
/** Wrong number/ICCID pairs per customer: ICCIDs have too few unknown digits to allow guessing. */
export const ADD_LINE_FAILURES: RateLimitRule = { scope: 'add-line:failures:1h', window_ms: 3_600_000, hits_max: 5 };

export interface CustomerRow {
  readonly id: string;
  readonly primary_line_id: string;
  readonly language: string;
  readonly created_at_ms: number;
  readonly last_sign_in_at_ms: number;
}

/** The customer who signed up through this line, or a new one; `created` tells sign-up from sign-in. */
export async function signInCustomer(
  trx: Executor,
  line_id: string,
  language: string,
  now_ms: number,
): Promise<{ customer: CustomerRow; created: boolean }> {
  const existing = await trx.selectFrom('customers').selectAll().where('primary_line_id', '=', line_id).executeTakeFirst();
  if (existing) {
    await trx.updateTable('customers').set({ last_sign_in_at_ms: now_ms }).where('id', '=', existing.id).execute();
    return { customer: { ...existing, last_sign_in_at_ms: now_ms }, created: false };
  }
  const customer: CustomerRow = { id: newCustomerId('customer'), primary_line_id: line_id, language, created_at_ms: now_ms, last_sign_in_at_ms: now_ms };
  await trx.insertInto('customers').values(customer).execute();
  return { customer, created: true };
}

export async function findCustomer(db: Executor, customer_id: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', customer_id).executeTakeFirst();
}

/**
 * Links a line (idempotent). An ICCID proof upgrades an SMS-only link and is never downgraded.
 * `enforce_limit` is off at sign-in: the line signing in has just proved possession and is linked.
 */
export async function linkLine(
  trx: Executor,
  input: { customer_id: string; line_id: string; verified_by: VerifiedBy; enforce_limit: boolean },
  now_ms: number,
): Promise<{ added: boolean }> {
  const existing = await trx.selectFrom('customer_lines').select('verified_by')
    .where('customer_id', '=', input.customer_id).where('line_id', '=', input.line_id).executeTakeFirst();
  if (existing) {
    if (existing.verified_by !== 'iccid' && input.verified_by === 'iccid') {
      await trx.updateTable('customer_lines').set({ verified_by: 'iccid' }).where('customer_id', '=', input.customer_id).where('line_id', '=', input.line_id).execute();
    }
    return { added: false };
  }
  if (input.enforce_limit) await checkLineCount(trx, input.customer_id);
  await trx.insertInto('customer_lines').values({ customer_id: input.customer_id, line_id: input.line_id, verified_by: input.verified_by, added_at_ms: now_ms }).execute();
  return { added: true };
}

export type AddLineOutcome = { readonly ok: true; readonly line_id: string; readonly added: boolean } | { readonly ok: false };

/**
 * Adds the line with this number if `iccid` is its card's. An unknown number and a wrong ICCID
 * give the same answer (ok: false) and both count as a failure, which the caller must commit.
 */
export async function addLineByIccid(
  trx: Executor,
  customer_id: string,
  input: { msisdn: string; iccid: string },
  now_ms: number,
): Promise<AddLineOutcome> {
  const msisdn = parseMsisdn(input.msisdn);
  if (!msisdn.ok) throw new RoamError('ROAM_ERR_MSISDN_INVALID', { field: 'msisdn', reason: msisdn.problem });
  const iccid = parseIccid(input.iccid);
  if (!iccid.ok) throw new RoamError('ROAM_ERR_ICCID_INVALID', { field: 'iccid', reason: iccid.problem });
  const subject = `customer:${customer_id}`;
  await checkRateLimit(trx, ADD_LINE_FAILURES, subject, now_ms);
  const line = await trx.selectFrom('lines').select(['id', 'iccid']).where('msisdn', '=', msisdn.msisdn).where('status', '!=', 'closed').executeTakeFirst();
  if (!line || line.iccid !== iccid.iccid) {
    await recordRateLimitHit(trx, ADD_LINE_FAILURES, subject, now_ms);
    return { ok: false };
  }
  const { added } = await linkLine(trx, { customer_id, line_id: line.id, verified_by: 'iccid', enforce_limit: true }, now_ms);
  return { ok: true, line_id: line.id, added };
}

export async function unlinkLine(trx: Executor, customer_id: string, line_id: string): Promise<void> {
  const result = await trx.deleteFrom('customer_lines').where('customer_id', '=', customer_id).where('line_id', '=', line_id).executeTakeFirst();
  if (Number(result.numDeletedRows) !== 1) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND');
}

/** The line if this customer holds it; ROAM_ERR_LINE_NOT_FOUND otherwise (existence is not revealed). */
export async function ownedLine(
  db: Executor,
  customer_id: string,
  line_id: string,
): Promise<LinesTable & { verified_by: VerifiedBy; added_at_ms: number }> {
  const row = await db
    .selectFrom('customer_lines')
    .innerJoin('lines', 'lines.id', 'customer_lines.line_id')
    .selectAll('lines')
    .select(['customer_lines.verified_by', 'customer_lines.added_at_ms'])
    .where('customer_lines.customer_id', '=', customer_id)
    .where('customer_lines.line_id', '=', line_id)
    .executeTakeFirst();
  if (!row) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND');
  return row;
}

export interface CustomerLine {
  readonly line_id: string;
  readonly msisdn: string;
  readonly status: LinesTable['status'];
  readonly language: string;
  readonly time_zone: string;
  readonly wallet_balance_minor: number;
  readonly verified_by: VerifiedBy;
  readonly primary: boolean;
  readonly added_at_ms: number;
}

/** The customer's lines, in the order they were added. */
export async function listCustomerLines(db: Executor, customer_id: string): Promise<CustomerLine[]> {
  const rows = await db
    .selectFrom('customer_lines')
    .innerJoin('lines', 'lines.id', 'customer_lines.line_id')
    .innerJoin('ledger_accounts as wallet', 'wallet.id', 'lines.wallet_account_id')
    .innerJoin('customers', 'customers.id', 'customer_lines.customer_id')
    .select([
      'lines.id', 'lines.msisdn', 'lines.status', 'lines.language', 'lines.time_zone', 'wallet.balance_minor',
      'customer_lines.verified_by', 'customer_lines.added_at_ms', 'customers.primary_line_id',
    ])
    .where('customer_lines.customer_id', '=', customer_id)
    .orderBy('customer_lines.added_at_ms')
    .orderBy('lines.id')
    .limit(LINES_PER_CUSTOMER_MAX + 1)
    .execute();
  return rows.map((row) => ({
    line_id: row.id, msisdn: row.msisdn, status: row.status, language: row.language, time_zone: row.time_zone,
    wallet_balance_minor: row.balance_minor, verified_by: row.verified_by, primary: row.id === row.primary_line_id,
    added_at_ms: row.added_at_ms,
  }));
}

async function checkLineCount(trx: Executor, customer_id: string): Promise<void> {
  const row = await trx.selectFrom('customer_lines').select((eb) => eb.fn.countAll<number>().as('count')).where('customer_id', '=', customer_id).executeTakeFirstOrThrow();
  if (Number(row.count) >= LINES_PER_CUSTOMER_MAX) throw new RoamError('ROAM_ERR_CUSTOMER_LINES_LIMIT', { lines_max: LINES_PER_CUSTOMER_MAX });
}
