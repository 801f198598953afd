import { RoamError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { parseIccid } from '../../core/iccid.js';
import type { Language } from '../../core/i18n/languages.js';
import { parseMsisdn } from '../../core/phone.js';
import { isTimeZone } from '../../core/time-zone.js';
import type { LinesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { ensureLedgerAccount, walletAccountId } from '../ledger/accounts.js';
import { findSim } from '../sims/inventory.js';

export type Line = LinesTable;

export interface OpenLineInput {
  readonly iccid: string;
  readonly language: Language;
  readonly time_zone: string;
  /** An existing account to add the line to; otherwise a new account is opened. */
  readonly account_id?: string;
  readonly contact_phone?: string | null;
  readonly email?: string | null;
}

/**
 * Puts a SIM from stock into service: an account (new or given), the line, and its wallet.
 * A line belongs to exactly one account; its wallet and bundles are its own.
 */
export async function openLine(trx: Executor, input: OpenLineInput, now_ms: number): Promise<Line> {
  if (!isTimeZone(input.time_zone)) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'time_zone', reason: 'format', value: input.time_zone });
  const iccid = parseIccid(input.iccid);
  if (!iccid.ok) throw new RoamError('ROAM_ERR_ICCID_INVALID', { field: 'iccid', reason: iccid.problem });
  const sim = await findSim(trx, iccid.iccid);
  const taken = await trx
    .updateTable('sims')
    .set({ status: 'in_service' })
    .where('iccid', '=', sim.iccid)
    .where('status', '=', 'in_stock')
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) !== 1) throw new RoamError('ROAM_ERR_SIM_NOT_IN_STOCK', { value: sim.iccid });

  let account_id = input.account_id;
  if (account_id) {
    const account = await trx.selectFrom('accounts').select('id').where('id', '=', account_id).executeTakeFirst();
    if (!account) throw new RoamError('ROAM_ERR_ACCOUNT_NOT_FOUND', { value: account_id });
  } else {
    account_id = newId('account');
    await trx
      .insertInto('accounts')
      .values({
        id: account_id, language: input.language, contact_phone: input.contact_phone ?? sim.msisdn, email: input.email ?? null,
        created_at_ms: now_ms,
      })
      .execute();
  }

  const line_id = newId('line');
  const wallet_account_id = walletAccountId(line_id);
  await ensureLedgerAccount(trx, { id: wallet_account_id, kind: 'wallet', name: `Wallet of ${sim.msisdn}`, line_id }, now_ms);
  const line: Line = {
    id: line_id,
    account_id,
    iccid: sim.iccid,
    msisdn: sim.msisdn,
    language: input.language,
    time_zone: input.time_zone,
    status: 'active',
    wallet_account_id,
    created_at_ms: now_ms,
  };
  await trx.insertInto('lines').values(line).execute();
  return line;
}


export type LineRef = { readonly line_id: string } | { readonly msisdn: string };

/** Finds a line by id or by phone number (any common spelling); a clear error when there is none. */
export async function findLine(trx: Executor, ref: LineRef): Promise<Line> {
  if ('line_id' in ref) {
    const line = await trx.selectFrom('lines').selectAll().where('id', '=', ref.line_id).executeTakeFirst();
    if (!line) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND', { value: ref.line_id });
    return line;
  }
  const msisdn = parseMsisdn(ref.msisdn);
  if (!msisdn.ok) throw new RoamError('ROAM_ERR_MSISDN_INVALID', { field: 'msisdn', reason: msisdn.problem, value: ref.msisdn });
  const line = await trx.selectFrom('lines').selectAll().where('msisdn', '=', msisdn.msisdn).executeTakeFirst();
  if (!line) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND');
  return line;
}

/** The language of the line's USSD menus and SMS (chosen on the line itself, e.g. in #102#). */
export async function setLineLanguage(trx: Executor, line_id: string, language: Language): Promise<void> {
  const result = await trx.updateTable('lines').set({ language }).where('id', '=', line_id).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND', { value: line_id });
}
