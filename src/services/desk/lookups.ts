import { RoamError } from '../../core/errors.js';
import { parseIccid } from '../../core/iccid.js';
import type { Executor } from '../../db/transaction.js';
import type { TariffFor } from '../charging/usage.js';
import { lineOverview, type LineOverview } from '../lines/overview.js';
import { actsForStore, type StaffActor } from '../staff/staff-actor.js';

/**
 * The desk's look-up of a customer by number or by the SIM's serial (ICCID, as a barcode scanner
 * types it): the line, its state and why (services/lines/service-state.ts), its live packs, its
 * recent orders. Every order is listed — the customer standing at the desk asks about all of them —
 * but who sold it at a desk, on which shift, with which tender, is shown only for the actor's own
 * store (all stores for admins): another store's desk history stays with that store.
 */

export type DeskLineQuery = { readonly msisdn: string } | { readonly iccid: string };

export interface DeskOrderSummary {
  readonly order_id: string;
  readonly package_code: string;
  readonly channel: string;
  readonly state: string;
  readonly amount_minor: number;
  readonly currency: string;
  readonly created_at_ms: number;
  /** The desk's details: null for orders not sold at a desk, or sold at another store. */
  readonly desk: {
    readonly store_id: string;
    readonly staff_id: string;
    readonly shift_id: string | null;
    readonly method: string;
    readonly document_checked: boolean;
  } | null;
  /** True when a desk of another store sold it (its details withheld). */
  readonly other_store: boolean;
}

export interface DeskLineLookup {
  readonly overview: LineOverview;
  readonly recent_orders: readonly DeskOrderSummary[];
}

export const DESK_RECENT_ORDERS_MAX = 10;

export async function deskLookup(
  trx: Executor,
  actor: StaffActor,
  query: DeskLineQuery,
  now_ms: number,
  tariffFor: TariffFor,
): Promise<DeskLineLookup> {
  const line_id = await lineIdOf(trx, query);
  const overview = await lineOverview(trx, line_id === undefined ? { msisdn: 'msisdn' in query ? query.msisdn : '' } : { line_id }, now_ms, tariffFor);
  const rows = await trx.selectFrom('orders')
    .leftJoin('desk_payments', (join) => join.onRef('desk_payments.order_id', '=', 'orders.id'))
    .leftJoin('company_invoices', 'company_invoices.order_id', 'orders.id')
    .select([
      'orders.id', 'orders.package_code', 'orders.channel', 'orders.state', 'orders.amount_minor', 'orders.currency', 'orders.created_at_ms',
      'desk_payments.store_id as sale_store_id', 'desk_payments.staff_id as sale_staff_id', 'desk_payments.shift_id',
      'desk_payments.method', 'desk_payments.document_checked',
      'company_invoices.store_id as invoice_store_id', 'company_invoices.staff_id as invoice_staff_id',
    ])
    .where('orders.line_id', '=', overview.line.id)
    .orderBy('orders.created_at_ms', 'desc').orderBy('orders.id', 'desc')
    .limit(DESK_RECENT_ORDERS_MAX).execute();
  const recent_orders = rows.map((row): DeskOrderSummary => {
    const store_id = row.sale_store_id ?? row.invoice_store_id;
    const staff_id = row.sale_staff_id ?? row.invoice_staff_id;
    const visible = store_id !== null && staff_id !== null && actsForStore(actor, store_id);
    return {
      order_id: row.id, package_code: row.package_code, channel: row.channel, state: row.state,
      amount_minor: Number(row.amount_minor), currency: row.currency, created_at_ms: Number(row.created_at_ms),
      desk: visible ? {
        store_id, staff_id, shift_id: row.shift_id, method: row.method ?? 'bank_transfer', document_checked: row.document_checked === 1,
      } : null,
      other_store: store_id !== null && !visible,
    };
  });
  return { overview, recent_orders };
}

async function lineIdOf(trx: Executor, query: DeskLineQuery): Promise<string | undefined> {
  if (!('iccid' in query)) return undefined;
  const parsed = parseIccid(query.iccid);
  if (!parsed.ok) throw new RoamError('ROAM_ERR_ICCID_INVALID', { reason: parsed.problem });
  const line = await trx.selectFrom('lines').select('id').where('iccid', '=', parsed.iccid).executeTakeFirst();
  if (!line) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND');
  return line.id;
}
