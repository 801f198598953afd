/**
 * The renewal order's life (DESIGN.md): created → awaiting_payment → paid → active, or failed,
 * canceled, expired, refunded. A failed payment attempt returns the order to `created`, so the
 * customer can try another method; only success, cancellation, expiry and refund end it.
 * `paid` is the moment between money confirmed and pack activated; activation happens in the
 * same transaction, so an order stays `paid` only when activation is impossible (then it is
 * refunded).
 */
export const ORDER_STATES = ['created', 'awaiting_payment', 'paid', 'active', 'failed', 'canceled', 'expired', 'refunded'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

const TRANSITIONS: Readonly<Record<OrderState, readonly OrderState[]>> = {
  // created → created: a failed attempt is noted on an order that stays open for another method.
  created: ['created', 'awaiting_payment', 'paid', 'active', 'canceled', 'expired'],
  awaiting_payment: ['created', 'awaiting_payment', 'paid', 'active', 'canceled', 'expired'],
  paid: ['active', 'refunded', 'failed'],
  active: ['refunded'],
  failed: [],
  canceled: [],
  expired: [],
  refunded: [],
};

export function canTransition(from: OrderState, to: OrderState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Open orders accept payment attempts; closed ones never change again except active → refunded. */
export function isOpenOrder(state: OrderState): boolean {
  return state === 'created' || state === 'awaiting_payment';
}

/** An order lives this long unpaid before it expires (a bank transfer gets longer: see renewal config). */
export const ORDER_TTL_MS_DEFAULT = 60 * 60_000;
export const BANK_TRANSFER_ORDER_TTL_MS_DEFAULT = 5 * 24 * 60 * 60_000;
