import type { LocalizedNames, SalesChannel } from '../../core/catalog.js';
import type { OrderStateColumn } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

/**
 * A customer's orders: those of the lines on their account, newest first. Reading an order goes
 * through the renewal service; this module only answers "whose is it" and lists them, which the
 * renewal service (keyed by order id, a capability) has no query for.
 */

export const ORDERS_PAGE_SIZE_DEFAULT = 20;
export const ORDERS_PAGE_SIZE_MAX = 100;

export interface CustomerOrderSummary {
  readonly id: string;
  readonly line_id: string;
  readonly msisdn: string;
  readonly package_code: string;
  readonly package_names: LocalizedNames;
  readonly state: OrderStateColumn;
  readonly failure_code: string | null;
  readonly amount_minor: number;
  readonly currency: string;
  readonly channel: SalesChannel;
  readonly created_at_ms: number;
  /** Set once the receipt was issued (a few seconds after activation). */
  readonly receipt_number: string | null;
}

export interface OrdersPage {
  readonly orders: readonly CustomerOrderSummary[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  readonly next_before: string | null;
}

export async function listCustomerOrders(
  db: Executor,
  customer_id: string,
  options: { limit?: number; before?: string } = {},
): Promise<OrdersPage> {
  const limit = Math.min(Math.max(options.limit ?? ORDERS_PAGE_SIZE_DEFAULT, 1), ORDERS_PAGE_SIZE_MAX);
  const cursor = options.before === undefined ? undefined : parseCursor(options.before);
  let query = customerOrders(db, customer_id).orderBy('orders.created_at_ms', 'desc').orderBy('orders.id', 'desc').limit(limit + 1);
  if (cursor) {
    query = query.where((eb) => eb.or([
      eb('orders.created_at_ms', '<', cursor.created_at_ms),
      eb.and([eb('orders.created_at_ms', '=', cursor.created_at_ms), eb('orders.id', '<', cursor.id)]),
    ]));
  }
  const rows = await query.execute();
  const page = rows.slice(0, limit).map(toSummary);
  const last = page.at(-1);
  return { orders: page, next_before: rows.length > limit && last ? formatCursor(last) : null };
}

/** The order if it is on one of the customer's lines; undefined otherwise (not theirs, or no such order). */
export async function customerOrder(db: Executor, customer_id: string, order_id: string): Promise<CustomerOrderSummary | undefined> {
  const row = await customerOrders(db, customer_id).where('orders.id', '=', order_id).executeTakeFirst();
  return row === undefined ? undefined : toSummary(row);
}

/** Orders joined to the customer's lines: a line off the account takes its orders off with it. */
function customerOrders(db: Executor, customer_id: string) {
  return db
    .selectFrom('orders')
    .innerJoin('customer_lines', (join) => join.onRef('customer_lines.line_id', '=', 'orders.line_id').on('customer_lines.customer_id', '=', customer_id))
    .innerJoin('lines', 'lines.id', 'orders.line_id')
    .innerJoin('packages', 'packages.code', 'orders.package_code')
    .leftJoin('receipts', 'receipts.order_id', 'orders.id')
    .select([
      'orders.id', 'orders.line_id', 'lines.msisdn', 'orders.package_code', 'orders.state', 'orders.failure_code', 'orders.amount_minor',
      'orders.currency', 'orders.channel', 'orders.created_at_ms', 'receipts.number as receipt_number',
      'packages.name_zh_hans', 'packages.name_zh_hant', 'packages.name_ru', 'packages.name_en',
    ]);
}

type OrderRow = Awaited<ReturnType<ReturnType<typeof customerOrders>['executeTakeFirstOrThrow']>>;

function toSummary(row: OrderRow): CustomerOrderSummary {
  return {
    id: row.id, line_id: row.line_id, msisdn: row.msisdn, package_code: row.package_code,
    package_names: { 'zh-Hans': row.name_zh_hans, 'zh-Hant': row.name_zh_hant, ru: row.name_ru, en: row.name_en },
    state: row.state, failure_code: row.failure_code, amount_minor: row.amount_minor, currency: row.currency,
    channel: row.channel as SalesChannel, created_at_ms: row.created_at_ms, receipt_number: row.receipt_number,
  };
}

/** Opaque to clients: base64url of "<created_at_ms>:<order id>". A malformed one starts from the newest. */
function formatCursor(order: Pick<CustomerOrderSummary, 'created_at_ms' | 'id'>): string {
  return Buffer.from(`${order.created_at_ms}:${order.id}`).toString('base64url');
}

function parseCursor(cursor: string): { created_at_ms: number; id: string } | undefined {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const created_at_ms = Number(at);
  return id && Number.isSafeInteger(created_at_ms) ? { created_at_ms, id } : undefined;
}
