import { WEBHOOK_BODY_BYTES_MAX, WebhookRejected } from '../../../ports/payment-provider.js';

/**
 * What every adapter's parseWebhook does the same way: the body's size is checked before a byte
 * of it is read, and a signed delivery older (or newer) than the replay window is refused.
 */

/**
 * The replay window of signed webhooks: Stripe's recommended tolerance, and PayPal's and the
 * sandbox's too. Each retried delivery is signed afresh, so a genuine retry is never stale; a
 * captured one can be replayed only this long.
 */
export const WEBHOOK_TOLERANCE_S_DEFAULT = 300;

/** WebhookRejected('malformed') for a body over WEBHOOK_BODY_BYTES_MAX: no provider sends one. */
export function refuseOversizedBody(raw_body: Buffer, what: string): void {
  if (raw_body.length > WEBHOOK_BODY_BYTES_MAX) throw new WebhookRejected('malformed', `${what} body is ${raw_body.length} bytes, more than ${WEBHOOK_BODY_BYTES_MAX}`);
}
