import type { FastifyPluginAsync } from 'fastify';
import { isRoamError } from '../../../core/errors.js';
import { WebhookRejected } from '../../../ports/payment-provider.js';
import type { RenewalService, WebhookOutcome } from '../../../services/renewal/renewal-service.js';

export interface WebhooksOptions {
  readonly renewal: RenewalService;
  readonly onOutcome?: (provider: string, outcome: WebhookOutcome | 'rejected' | 'retry') => void;
}

/** Provider notifications are small; anything bigger is not a notification. */
export const WEBHOOK_BODY_BYTES_MAX = 256 * 1024;

/**
 * Provider webhooks: `POST /webhooks/<provider>`. The adapter verifies the raw body (signatures are
 * computed over exact bytes, so the body is kept as a Buffer). Answers: 200 when processed or a
 * known duplicate; 400 when forged, stale or malformed (the provider should not retry); 503 when
 * the payment is not known yet, so the provider retries later.
 */
export const webhooksRoutes: FastifyPluginAsync<WebhooksOptions> = async (app, { renewal, onOutcome }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_BYTES_MAX }, (_request, body, done) => done(null, body));

  app.post<{ Params: { provider: string }; Body: Buffer }>('/webhooks/:provider', {
    schema: { tags: ['renewal'], summary: 'Payment provider notifications (signed; not for clients)', hide: false },
  }, async (request, reply) => {
    const provider = request.params.provider;
    try {
      const outcome = await renewal.handleWebhook(provider, {
        headers: request.headers,
        raw_body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
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
