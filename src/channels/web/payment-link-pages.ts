import type { FastifyPluginAsync } from 'fastify';
import { escapeHtml } from '../../core/html-escape.js';
import type { Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import type { LineRenewal } from '../../services/renewal/line-renewal.js';
import { inlineStylePagePolicy } from '../http/security-headers.js';
import { siteLanguage } from './site/site-language.js';

/**
 * `GET /p/<token>`: the short link texted by #102#, redirected (302) to its order's payment page.
 * Anyone holding the SMS may open it, as anyone holding an order's address may: the token is 60
 * random bits (services/renewal/short-links.ts). An unknown or expired token gets a small page in
 * the visitor's language saying so, and where to get a new link; nothing about any order.
 */

export interface PaymentLinkOptions {
  readonly lineRenewal: Pick<LineRenewal, 'orderOfLink'>;
  readonly default_language: Language;
}

const PAGE_STYLE = 'body{font:16px/1.4 system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}';
const PAGE_CONTENT_SECURITY_POLICY = inlineStylePagePolicy(PAGE_STYLE);

export const paymentLinkPages: FastifyPluginAsync<PaymentLinkOptions> = async (app, options) => {
  // A page for people, not part of the API document.
  app.get<{ Params: { token: string } }>('/p/:token', { schema: { hide: true } }, async (request, reply) => {
    // The link is a key to the order's page: never cached, never sent on as a Referer.
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('x-robots-tag', 'noindex');
    const order_id = await options.lineRenewal.orderOfLink(request.params.token);
    if (order_id !== undefined) return reply.redirect(`/orders/${encodeURIComponent(order_id)}`, 302);
    const language = siteLanguage(request, options.default_language);
    const text = escapeHtml(messagesFor(language).ussd_menu.link_expired);
    return reply.code(404).type('text/html; charset=utf-8').header('content-security-policy', PAGE_CONTENT_SECURITY_POLICY)
      .send(`<!doctype html>\n<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`
        + `<title>404</title><style>${PAGE_STYLE}</style></head><body><p role="alert">${text}</p></body></html>`);
  });
};
