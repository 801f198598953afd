import { SALES_CHANNELS, type SalesChannel } from '../../core/catalog.js';
import { assert, RoamError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isLanguage, type Language } from '../../core/i18n/languages.js';
import type { OrdersTable, PaymentsTable, RefundsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { nextActionSchema, PAYMENT_METHODS, type NextAction, type PaymentMethod } from '../../ports/payment-provider.js';
import { packageForSale } from '../catalog/catalog.js';
import type { StoredEffect } from '../idempotency/idempotency.js';
import { findLine, type LineRef } from '../lines/lines.js';

export type Order = OrdersTable;

/** A payment attempt as channels see it: its method typed, its next action parsed once, here. */
export interface PaymentView extends Omit<PaymentsTable, 'method' | 'next_action'> {
  readonly method: PaymentMethod;
  readonly next_action: NextAction | null;
}

/** An order as channels see it: its channel typed. */
export interface OrderRecord extends Omit<Order, 'channel'> {
  readonly channel: SalesChannel;
}

/** An order with its payment attempts and refunds: what every channel shows. */
export interface OrderView {
  readonly order: OrderRecord;
  readonly payments: readonly PaymentView[];
  readonly refunds: readonly RefundsTable[];
}

/** The stored row as its view. Rows are written by this module only: anything else is a broken invariant. */
export function paymentView(row: PaymentsTable): PaymentView {
  assert((PAYMENT_METHODS as readonly string[]).includes(row.method), `payment ${row.id} has an unknown method ${row.method}`);
  const next_action = row.next_action === null ? null : nextActionSchema.parse(JSON.parse(row.next_action));
  return { ...row, method: row.method as PaymentMethod, next_action };
}

function orderRecord(order: Order): OrderRecord {
  assert((SALES_CHANNELS as readonly string[]).includes(order.channel), `order ${order.id} has an unknown channel ${order.channel}`);
  return { ...order, channel: order.channel as SalesChannel };
}

export interface CreateOrderInput {
  /** The line to renew: its id, or any spelling of its number ("renew any number"). */
  readonly line: LineRef;
  readonly package_code: string;
  readonly channel: SalesChannel;
  readonly idempotency_key: string;
  /** The payer's language for messages and the receipt; the line's language when absent. */
  readonly language?: Language | undefined;
  readonly payer_email?: string | null | undefined;
  readonly payer_phone?: string | null | undefined;
}

/** The request as it is hashed for idempotency: the same key must come with the same request. */
export function orderRequest(input: CreateOrderInput): unknown {
  return {
    line: input.line, package_code: input.package_code, channel: input.channel,
    language: input.language ?? null, payer_email: input.payer_email ?? null, payer_phone: input.payer_phone ?? null,
  };
}

/** The order made with this key, as the idempotency path stores it. */
export async function orderByKey(trx: Executor, idempotency_key: string): Promise<StoredEffect<Order> | undefined> {
  const order = await trx.selectFrom('orders').selectAll().where('idempotency_key', '=', idempotency_key).executeTakeFirst();
  return order && { request_hash: order.request_hash, result: order };
}

/** Writes a new order: price frozen from the catalog now, open until `ttl_ms` from now. */
export async function insertOrder(trx: Executor, input: CreateOrderInput, hash: string, ttl_ms: number, now_ms: number): Promise<Order> {
  if (!(SALES_CHANNELS as readonly string[]).includes(input.channel)) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'channel', reason: 'format' });
  if (input.language !== undefined && !isLanguage(input.language)) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'language', reason: 'format' });
  const line = await findLine(trx, input.line);
  if (line.status !== 'active') throw new RoamError('ROAM_ERR_LINE_NOT_ACTIVE');
  const pack = await packageForSale(trx, input.package_code, input.channel, now_ms);
  const order: Order = {
    id: newId('order'),
    line_id: line.id,
    package_code: pack.code,
    package_price_id: pack.price.id,
    amount_minor: pack.price.amount_minor,
    currency: pack.price.currency,
    channel: input.channel,
    state: 'created',
    failure_code: null,
    idempotency_key: input.idempotency_key,
    request_hash: hash,
    language: input.language ?? line.language,
    payer_email: input.payer_email ?? null,
    payer_phone: input.payer_phone ?? null,
    activating_payment_id: null,
    bundle_id: null,
    expires_at_ms: now_ms + ttl_ms,
    created_at_ms: now_ms,
    updated_at_ms: now_ms,
  };
  await trx.insertInto('orders').values(order).execute();
  return order;
}

export async function findOrder(trx: Executor, order_id: string): Promise<Order> {
  const order = await trx.selectFrom('orders').selectAll().where('id', '=', order_id).executeTakeFirst();
  if (!order) throw new RoamError('ROAM_ERR_ORDER_NOT_FOUND', { value: order_id });
  return order;
}

export async function orderView(trx: Executor, order_id: string): Promise<OrderView> {
  const order = await findOrder(trx, order_id);
  const payments = await trx.selectFrom('payments').selectAll().where('order_id', '=', order_id).orderBy('created_at_ms').orderBy('id').execute();
  const refunds = await trx.selectFrom('refunds').selectAll().where('order_id', '=', order_id).orderBy('created_at_ms').execute();
  return { order: orderRecord(order), payments: payments.map(paymentView), refunds };
}
