import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isRoamError } from '../../../core/errors.js';
import { WEBHOOK_BODY_BYTES_MAX, WebhookRejected } from '../../../ports/payment-provider.js';
import type { RenewalService, WebhookOutcome } from '../../../services/renewal/renewal-service.js';

export interface WebhooksOptions {
  readonly renewal: RenewalService;
  readonly onOutcome?: (provider: string, outcome: WebhookOutcome | 'rejected' | 'retry') => void;
}

/**
 * Provider webhooks: `POST /webhooks/<provider>`. The adapter verifies the raw body (signatures are
 * computed over exact bytes, so the body is kept as a Buffer). Answers: 200 when processed or a
 * known duplicate; 400 when forged, stale or malformed (the provider should not retry); 503 when
 * the payment is not known yet, so the provider retries later.
 */
export const webhooksRoutes: FastifyPluginAsyncZod<WebhooksOptions> = async (app, { renewal, onOutcome }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_BYTES_MAX }, (_request, body, done) => done(null, body));

  app.post('/webhooks/:provider', {
    schema: {
      tags: ['renewal'],
      summary: 'Payment provider notifications (signed; not for clients)',
      description: 'Raw body, verified by the provider\'s adapter: sandbox (HMAC header roamcard-sandbox-signature), yookassa (source address + re-fetch), stripe (Stripe-Signature), paypal (verify-webhook-signature).',
      params: z.object({ provider: z.string().min(1).max(32) }),
      response: {
        200: z.object({ received: z.literal(true), outcome: z.string() }).describe('Processed, or a duplicate of an event already processed'),
        400: z.object({ received: z.literal(false), reason: z.string() }).describe('Forged, stale or malformed: the provider should not retry'),
        503: z.object({ received: z.literal(false), reason: z.string() }).describe('The payment is not known yet: the provider retries later'),
      },
    },
  }, async (request, reply) => {
    const provider = request.params.provider;
    try {
      const outcome = await renewal.handleWebhook(provider, {
        headers: request.headers,
        raw_body: Buffer.isBuffer(request.body) ? (request.body as Buffer) : Buffer.alloc(0),
        remote_address: request.ip,
      });
      onOutcome?.(provider, outcome);
      return reply.code(200).send({ received: true, outcome });
    } catch (error) {
      if (error instanceof WebhookRejected) {
        onOutcome?.(provider, 'rejected');
        request.log.warn({ provider, reason: error.reason }, 'webhook rejected');
        return reply.code(400).send({ received: false, reason: error.reason });
      }
      if (isRoamError(error) && error.code === 'ROAM_ERR_PAYMENT_NOT_FOUND') {
        onOutcome?.(provider, 'retry');
        return reply.code(503).header('retry-after', '5').send({ received: false, reason: 'payment_not_known_yet' });
      }
      throw error;
    }
  });
};
