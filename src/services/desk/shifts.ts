import { sql } from 'kysely';
import { RoamError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isUniqueViolation } from '../../db/errors.js';
import { lockingRows } from '../../db/locks.js';
import type { ShiftsTable, StoresTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import type { DeskPaymentMethod } from '../../ports/payment-provider.js';
import { recordAudit } from '../audit/audit-log.js';
import { revokeStaffSessions } from '../staff/staff-sessions.js';
import { lastLocalDays } from '../../core/local-days.js';
import { ensureLedgerAccount, shiftDrawerAccountId, SYSTEM_ACCOUNTS } from '../ledger/accounts.js';
import { postEntry, type PostingInput } from '../ledger/ledger.js';
import { actsForStore, managesStore, type StaffActor } from '../staff/staff-actor.js';

/**
 * Cash shifts. A shift has its own cash-drawer account (drawer:<shift id>) that holds exactly its
 * float and its cash sales, so the close compares the count with one account's ledger balance and
 * nothing else. Following the chart of accounts (ledger/accounts.ts), an account money enters the
 * system through goes negative by what it holds: the cash in a drawer is minus its balance.
 *
 * - Open: the store's cash office (stores.cash_account_id, cash:<store>) hands out the float:
 *   cash:<store> +float, drawer −float.
 * - A cash sale (desk-sales.ts, through the renewal service): drawer −price, wallet +price; then the
 *   pack's purchase: wallet −price, revenue +price.
 * - Close, one entry: the drawer is emptied (+expected), what was counted goes back to the store's
 *   cash office (−counted) and the difference to cash over/short (+difference: negative for a
 *   shortage). Afterwards the drawer's balance is zero and counted = expected + difference, to the kopeck.
 */

/** Sums of a shift's desk sales by method. */
export interface MethodTotals {
  readonly count: number;
  readonly amount_minor: number;
}

export interface ShiftSales {
  readonly count: number;
  readonly by_method: Readonly<Record<DeskPaymentMethod, MethodTotals>>;
  /** Cash handed over by customers and the change given back (their difference is the cash takings). */
  readonly tendered_minor: number;
  readonly change_minor: number;
  /** Unused packs refunded at this shift, by method (cash refunds left its drawer). */
  readonly refunds: Readonly<Record<DeskPaymentMethod, MethodTotals>>;
}

export interface ShiftView {
  readonly id: string;
  readonly store_id: string;
  readonly store_code: string;
  readonly staff_id: string;
  readonly state: 'open' | 'closed';
  readonly drawer_account_id: string;
  readonly float_minor: number;
  readonly opened_at_ms: number;
  readonly closed_at_ms: number | null;
  readonly closed_by: string | null;
  /** Cash the drawer holds by the ledger now (zero once closed: the count went to the store's cash office). */
  readonly drawer_cash_minor: number;
  readonly counted_minor: number | null;
  readonly expected_minor: number | null;
  readonly difference_minor: number | null;
  /** When the store's local day the shift opened on ended; an open shift past it is flagged. */
  readonly day_ends_at_ms: number;
  readonly open_past_day: boolean;
  readonly sales: ShiftSales;
}

/** A float or a count larger than this is a typing slip, not a drawer: 10 million roubles. */
export const SHIFT_CASH_MINOR_MAX = 1_000_000_000;
/** The most overdue shifts listed at once for a manager. */
export const OVERDUE_SHIFTS_LIST_MAX = 100;

type Store = Pick<StoresTable, 'id' | 'code' | 'time_zone' | 'cash_account_id'>;
type ShiftRow = ShiftsTable & { readonly store_code: string; readonly time_zone: string };

export async function storeOf(trx: Executor, store_id: string): Promise<Store> {
  const store = await trx.selectFrom('stores').select(['id', 'code', 'time_zone', 'cash_account_id']).where('id', '=', store_id).executeTakeFirst();
  if (!store) throw new RoamError('ROAM_ERR_NOT_FOUND', { value: store_id });
  return store;
}

function checkCash(amount_minor: number, field: string): void {
  if (!Number.isSafeInteger(amount_minor) || amount_minor < 0 || amount_minor > SHIFT_CASH_MINOR_MAX) {
    throw new RoamError('ROAM_ERR_AMOUNT_INVALID', { field, reason: 'range' });
  }
}

/** Opens the actor's shift at their store with `float_minor` in the drawer. One open shift per staff member. */
export async function openShift(
  trx: Executor,
  actor: StaffActor,
  float_minor: number,
  now_ms: number,
  client_address: string | null,
): Promise<ShiftView> {
  checkCash(float_minor, 'float_minor');
  const store = await storeOf(trx, actor.store_id);
  if (await openShiftRowOf(trx, actor.staff_id)) throw new RoamError('ROAM_ERR_SHIFT_ALREADY_OPEN');
  const id = newId('shift');
  const drawer_account_id = shiftDrawerAccountId(id);
  await ensureLedgerAccount(trx, { id: drawer_account_id, kind: 'cash_drawer', name: `Cash drawer, shift ${id} at ${store.code}` }, now_ms);
  // The partial unique index (one open shift per staff member) refuses a concurrent second open.
  try {
    await trx.insertInto('shifts').values({
      id, store_id: store.id, staff_id: actor.staff_id, drawer_account_id, float_minor, opened_at_ms: now_ms,
      closed_at_ms: null, closed_by: null, counted_minor: null, expected_minor: null, difference_minor: null, close_entry_id: null,
    }).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new RoamError('ROAM_ERR_SHIFT_ALREADY_OPEN');
    throw error;
  }
  if (float_minor > 0) {
    await ensureLedgerAccount(trx, { id: store.cash_account_id, kind: 'cash_drawer', name: `Cash office, ${store.code}` }, now_ms);
    await postEntry(trx, {
      kind: 'shift_float', line_id: null, memo: `Float for shift ${id} at ${store.code}`,
      postings: [
        { account_id: store.cash_account_id, amount_minor: float_minor },
        { account_id: drawer_account_id, amount_minor: -float_minor },
      ],
    }, now_ms);
  }
  const view = await shiftViewOf(trx, await shiftRow(trx, id), now_ms);
  await recordAudit(trx, { actor, action: 'desk.shift_open', subject_type: 'shift', subject_id: id, store_id: store.id, client_address, after: view }, now_ms);
  return view;
}

export interface ShiftCloseInput {
  readonly shift_id: string;
  readonly counted_minor: number;
}

/**
 * Closes a shift with the cash counted: its holder, or a manager of its store, or an admin. The
 * expected amount is the drawer's ledger balance; the difference goes to cash over/short.
 */
export async function closeShift(
  trx: Executor,
  actor: StaffActor,
  input: ShiftCloseInput,
  now_ms: number,
  client_address: string | null,
): Promise<ShiftView> {
  checkCash(input.counted_minor, 'counted_minor');
  const shift = await lockingRows(trx, shiftQuery(trx).where('shifts.id', '=', input.shift_id)).executeTakeFirst();
  if (!shift || !mayClose(actor, shift)) throw new RoamError('ROAM_ERR_SHIFT_NOT_FOUND');
  if (shift.closed_at_ms !== null) throw new RoamError('ROAM_ERR_SHIFT_CLOSED');
  // A sale's payment row is written (under this row's lock) before its money is posted, in the
  // renewal service's next transaction: counting between the two would miss it, and the posting
  // would land in a closed drawer. Such a sale finishes within the request (or reconciliation
  // finishes it), so the close waits for it.
  if (await hasUnsettledPayments(trx, shift.id)) throw new RoamError('ROAM_ERR_SHIFT_SALE_IN_PROGRESS');
  const before = await shiftViewOf(trx, shift, now_ms);
  const expected_minor = await drawerCashMinor(trx, shift.drawer_account_id);
  const difference_minor = input.counted_minor - expected_minor;
  const store = await storeOf(trx, shift.store_id);
  const count = { expected_minor, counted_minor: input.counted_minor, difference_minor };
  const close_entry_id = await postClose(trx, shift, store, count, now_ms);
  await trx.updateTable('shifts').set({
    closed_at_ms: now_ms, closed_by: actor.staff_id, counted_minor: input.counted_minor, expected_minor, difference_minor, close_entry_id,
  }).where('id', '=', shift.id).execute();
  // The holder's sign-ins end with the shift, in this transaction (a manager may close another's shift).
  await revokeStaffSessions(trx, shift.staff_id, 'shift_closed', now_ms);
  const view = await shiftViewOf(trx, await shiftRow(trx, shift.id), now_ms);
  await recordAudit(trx, {
    actor, action: 'desk.shift_close', subject_type: 'shift', subject_id: shift.id, store_id: shift.store_id, client_address, before, after: view,
  }, now_ms);
  return view;
}

/** The closing entry: drawer emptied, count to the store's cash office, difference to over/short. Null when all are zero. */
async function postClose(
  trx: Executor,
  shift: ShiftRow,
  store: Store,
  count: { readonly expected_minor: number; readonly counted_minor: number; readonly difference_minor: number },
  now_ms: number,
): Promise<string | null> {
  const postings: PostingInput[] = [
    { account_id: shift.drawer_account_id, amount_minor: count.expected_minor },
    { account_id: store.cash_account_id, amount_minor: -count.counted_minor },
    { account_id: SYSTEM_ACCOUNTS.cash_over_short.id, amount_minor: count.difference_minor },
  ].filter((posting) => posting.amount_minor !== 0);
  if (postings.length === 0) return null;
  await ensureLedgerAccount(trx, SYSTEM_ACCOUNTS.cash_over_short, now_ms);
  await ensureLedgerAccount(trx, { id: store.cash_account_id, kind: 'cash_drawer', name: `Cash office, ${store.code}` }, now_ms);
  return postEntry(trx, {
    kind: 'shift_close', line_id: null,
    memo: `Shift ${shift.id} at ${store.code} closed: counted ${count.counted_minor}, expected ${count.expected_minor}, difference ${count.difference_minor}`,
    postings,
  }, now_ms);
}

async function hasUnsettledPayments(trx: Executor, shift_id: string): Promise<boolean> {
  const pending = await trx.selectFrom('desk_payments').innerJoin('payments', 'payments.id', 'desk_payments.payment_id').select('payments.id')
    .where('desk_payments.shift_id', '=', shift_id).where('payments.status', 'in', ['pending', 'requires_action']).executeTakeFirst();
  return pending !== undefined;
}

function mayClose(actor: StaffActor, shift: Pick<ShiftsTable, 'staff_id' | 'store_id'>): boolean {
  return (shift.staff_id === actor.staff_id && actsForStore(actor, shift.store_id)) || managesStore(actor, shift.store_id);
}

/** May the actor see this shift and its money: its holder, a manager of its store, an admin. */
function maySee(actor: StaffActor, shift: Pick<ShiftsTable, 'staff_id' | 'store_id'>): boolean {
  return mayClose(actor, shift);
}

/** The actor's open shift, or undefined. */
export async function currentShift(trx: Executor, actor: StaffActor, now_ms: number): Promise<ShiftView | undefined> {
  const row = await openShiftRowOf(trx, actor.staff_id);
  return row && shiftViewOf(trx, row, now_ms);
}

/** A shift the actor may see; another store's shift is not found, as if it did not exist. */
export async function findShift(trx: Executor, actor: StaffActor, shift_id: string, now_ms: number): Promise<ShiftView> {
  const row = await shiftQuery(trx).where('shifts.id', '=', shift_id).executeTakeFirst();
  if (!row || !maySee(actor, row)) throw new RoamError('ROAM_ERR_SHIFT_NOT_FOUND');
  return shiftViewOf(trx, row, now_ms);
}

/** The actor's open shift row, locked (a cash sale books onto it). */
export async function lockedOpenShiftOf(trx: Executor, staff_id: string): Promise<ShiftRow | undefined> {
  return lockingRows(trx, shiftQuery(trx).where('shifts.staff_id', '=', staff_id).where('shifts.closed_at_ms', 'is', null)).executeTakeFirst();
}

/**
 * Open shifts still open after the store's local day they opened on ended, oldest first: for
 * managers (their store) and admins (every store); agents see none here (their own is flagged in its view).
 */
export async function overdueShifts(trx: Executor, actor: StaffActor, now_ms: number): Promise<ShiftView[]> {
  if (actor.role === 'agent') return [];
  let query = shiftQuery(trx).where('shifts.closed_at_ms', 'is', null).orderBy('shifts.opened_at_ms').limit(OVERDUE_SHIFTS_LIST_MAX);
  if (actor.role !== 'admin') query = query.where('shifts.store_id', '=', actor.store_id);
  const views = await Promise.all((await query.execute()).map((row) => shiftViewOf(trx, row, now_ms)));
  return views.filter((view) => view.open_past_day);
}

/** Cash the drawer holds by the ledger: minus the sum of its postings (drawers keep no cached balance). */
export async function drawerCashMinor(trx: Executor, drawer_account_id: string): Promise<number> {
  const row = await trx.selectFrom('postings').select(sql<number | string | null>`sum(amount_minor)`.as('total'))
    .where('account_id', '=', drawer_account_id).executeTakeFirst();
  const total = Number(row?.total ?? 0);
  // No −0 for an empty drawer: it would print as "-0" and compare unequal under Object.is.
  return total === 0 ? 0 : -total;
}

export async function openShiftRowOf(trx: Executor, staff_id: string): Promise<ShiftRow | undefined> {
  return shiftQuery(trx).where('shifts.staff_id', '=', staff_id).where('shifts.closed_at_ms', 'is', null).executeTakeFirst();
}

async function shiftRow(trx: Executor, shift_id: string): Promise<ShiftRow> {
  return shiftQuery(trx).where('shifts.id', '=', shift_id).executeTakeFirstOrThrow();
}

function shiftQuery(trx: Executor) {
  return trx.selectFrom('shifts').innerJoin('stores', 'stores.id', 'shifts.store_id')
    .selectAll('shifts').select(['stores.code as store_code', 'stores.time_zone']);
}

async function shiftViewOf(trx: Executor, row: ShiftRow, now_ms: number): Promise<ShiftView> {
  const opened_at_ms = Number(row.opened_at_ms);
  const [opening_day] = lastLocalDays(opened_at_ms, row.time_zone, 1);
  const day_ends_at_ms = opening_day?.end_ms ?? opened_at_ms;
  const nullableNumber = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: row.id, store_id: row.store_id, store_code: row.store_code, staff_id: row.staff_id,
    state: row.closed_at_ms === null ? 'open' : 'closed', drawer_account_id: row.drawer_account_id,
    float_minor: Number(row.float_minor), opened_at_ms, closed_at_ms: nullableNumber(row.closed_at_ms), closed_by: row.closed_by,
    drawer_cash_minor: await drawerCashMinor(trx, row.drawer_account_id),
    counted_minor: nullableNumber(row.counted_minor), expected_minor: nullableNumber(row.expected_minor),
    difference_minor: nullableNumber(row.difference_minor),
    day_ends_at_ms, open_past_day: row.closed_at_ms === null && now_ms >= day_ends_at_ms,
    sales: await shiftSales(trx, row.id),
  };
}

async function shiftSales(trx: Executor, shift_id: string): Promise<ShiftSales> {
  const rows = await trx.selectFrom('desk_payments').innerJoin('payments', 'payments.id', 'desk_payments.payment_id')
    .select([
      'desk_payments.method',
      sql<number | string>`count(*)`.as('count'),
      sql<number | string>`sum(payments.amount_minor)`.as('amount_minor'),
      sql<number | string | null>`sum(desk_payments.tendered_minor)`.as('tendered_minor'),
      sql<number | string | null>`sum(desk_payments.change_minor)`.as('change_minor'),
    ])
    .where('desk_payments.shift_id', '=', shift_id).where('payments.status', '=', 'succeeded')
    .groupBy('desk_payments.method').execute();
  const by_method: Record<DeskPaymentMethod, MethodTotals> = {
    cash: { count: 0, amount_minor: 0 }, card_present: { count: 0, amount_minor: 0 },
  };
  let tendered_minor = 0;
  let change_minor = 0;
  for (const row of rows) {
    by_method[row.method] = { count: Number(row.count), amount_minor: Number(row.amount_minor) };
    tendered_minor += Number(row.tendered_minor ?? 0);
    change_minor += Number(row.change_minor ?? 0);
  }
  const refunds = await shiftRefunds(trx, shift_id);
  return { count: by_method.cash.count + by_method.card_present.count, by_method, tendered_minor, change_minor, refunds };
}

async function shiftRefunds(trx: Executor, shift_id: string): Promise<Record<DeskPaymentMethod, MethodTotals>> {
  const rows = await trx.selectFrom('desk_refunds').innerJoin('refunds', 'refunds.id', 'desk_refunds.refund_id')
    .select([
      'desk_refunds.method', sql<number | string>`count(*)`.as('count'), sql<number | string>`sum(refunds.amount_minor)`.as('amount_minor'),
    ])
    .where('desk_refunds.shift_id', '=', shift_id).groupBy('desk_refunds.method').execute();
  const refunds: Record<DeskPaymentMethod, MethodTotals> = {
    cash: { count: 0, amount_minor: 0 }, card_present: { count: 0, amount_minor: 0 },
  };
  for (const row of rows) refunds[row.method] = { count: Number(row.count), amount_minor: Number(row.amount_minor) };
  return refunds;
}
