import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { providerErrorFromTransport } from '../paypal/paypal-wire.js';
import { providerErrorFromStripe } from '../stripe/stripe-wire.js';
import { isTimeout, mayHaveBeenSent, networkErrorCode, NOT_SENT_ERROR_CODES } from './network-errors.js';

const socketError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('network errors: was the request sent?', () => {
  it('find the code where each client puts it: on the error (axios, node:http) or on its cause (fetch)', () => {
    assert.equal(networkErrorCode(socketError('ECONNRESET')), 'ECONNRESET');
    assert.equal(networkErrorCode(new TypeError('fetch failed', { cause: socketError('ECONNREFUSED') })), 'ECONNREFUSED');
    assert.equal(networkErrorCode(new Error('no code')), undefined);
    assert.equal(networkErrorCode('not an error'), undefined);
  });

  it('read our own deadline as ETIMEDOUT: the request may be at the provider', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    assert.equal(isTimeout(timeout), true);
    assert.equal(networkErrorCode(timeout), 'ETIMEDOUT');
    assert.equal(mayHaveBeenSent('ETIMEDOUT'), true);
  });

  it('call a request unsent only when no connection ever existed', () => {
    for (const code of NOT_SENT_ERROR_CODES) assert.equal(mayHaveBeenSent(code), false, code);
    for (const code of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET', undefined]) assert.equal(mayHaveBeenSent(code), true, String(code));
  });

  it('classify a write the same way in every adapter: unsent → retryable, anything later → indeterminate', () => {
    const stripeConnection = (code: string) => new Stripe.errors.StripeConnectionError({ message: 'connection', detail: socketError(code) });
    for (const [code, kind] of [['EHOSTUNREACH', 'retryable'], ['ENETDOWN', 'retryable'], ['ECONNRESET', 'indeterminate']] as const) {
      assert.equal(providerErrorFromStripe(stripeConnection(code), 'write').kind, kind, `stripe ${code}`);
      assert.equal(providerErrorFromTransport('create order', 'write', code).kind, kind, `paypal ${code}`);
    }
  });
});
