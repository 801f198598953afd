import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canTransition, isOpenOrder, ORDER_STATES } from './order-state.js';

describe('order state machine', () => {
  it('lets a failed attempt return the order to created for another method', () => {
    assert.ok(canTransition('awaiting_payment', 'created'));
    assert.ok(canTransition('created', 'awaiting_payment'));
  });

  it('ends an order only by activation, cancellation, expiry, failure or refund', () => {
    for (const terminal of ['failed', 'canceled', 'expired', 'refunded'] as const) {
      for (const to of ORDER_STATES) assert.equal(canTransition(terminal, to), false, `${terminal} → ${to}`);
    }
    assert.deepEqual(ORDER_STATES.filter((to) => canTransition('active', to)), ['refunded']);
  });

  it('never goes back from paid or active to awaiting payment', () => {
    assert.equal(canTransition('paid', 'awaiting_payment'), false);
    assert.equal(canTransition('active', 'created'), false);
    assert.equal(isOpenOrder('active'), false);
    assert.equal(isOpenOrder('awaiting_payment'), true);
  });
});
