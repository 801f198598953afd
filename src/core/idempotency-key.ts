import { RoamError } from './errors.js';

/**
 * The rule for idempotency keys, wherever they come from (an HTTP header, a form's hidden key, a
 * job): non-empty, and short enough for an index. Channels validate with it before a request
 * reaches a service; services check it again (a key is part of what they store).
 */
export const IDEMPOTENCY_KEY_LENGTH_MAX = 255;

export function checkIdempotencyKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > IDEMPOTENCY_KEY_LENGTH_MAX) {
    throw new RoamError('ROAM_ERR_VALIDATION', { field: 'idempotency_key', reason: !key ? 'empty' : 'too_large' });
  }
}
