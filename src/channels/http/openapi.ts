import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SIGNATURE_WINDOW_MS } from '../../services/partners/partner-service.js';
import { styleHashSource } from './security-headers.js';

/**
 * OpenAPI 3.1, generated from the routes' zod schemas: the document cannot drift from what the
 * routes validate. @fastify/swagger collects routes as they are added, so it is registered on the
 * root instance before any route; the document and the docs page are an ordinary plugin.
 */

export const OPENAPI_VERSION = '3.1.0';
export const DOCS_PREFIX = '/docs';
/** The one `<style>` Swagger UI writes into the page: the SVG of its logo (swagger-ui-standalone-preset). */
const SWAGGER_LOGO_STYLE = '.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}';
/**
 * What Swagger UI needs: its own scripts, styles and images, /openapi.json, and that logo's style
 * by its hash — no 'unsafe-inline' for anything (checked in Chromium by docs.browser.test.ts).
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "img-src 'self' data:", "script-src 'self'", `style-src 'self' ${styleHashSource(SWAGGER_LOGO_STYLE)}`,
  "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export function registerOpenApi(app: FastifyInstance, version: string): void {
  app.register(fastifySwagger, {
    openapi: {
      openapi: OPENAPI_VERSION,
      info: {
        title: 'roamcard API',
        version,
        description: 'Prepaid travel SIM platform: catalog, USSD callbacks, usage charging, operations. Errors are RFC 9457 problem details (application/problem+json).',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      tags: [
        { name: 'catalog', description: 'Packs on sale' },
        { name: 'ussd', description: 'USSD gateway callbacks' },
        { name: 'network', description: 'For network elements (bearer token)' },
        { name: 'desk', description: 'The service hall\'s desk: cash shifts, sales in cash or by card, company invoices, look-ups (staff bearer token)' },
        { name: 'operations', description: 'Health, readiness, metrics, this document' },
        { name: 'staff', description: 'Service-hall staff: sign-in (password + TOTP), sessions, password, the audit log' },
        { name: 'partners', description: 'Payment agents (store chains\' tills, payment terminals): the OSMP protocol and the signed JSON partner API' },
      ],
      components: {
        securitySchemes: {
          networkToken: { type: 'http', scheme: 'bearer', description: 'NETWORK_API_TOKEN from the server configuration' },
          staffToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_API_TOKEN from the server configuration' },
          staffSession: { type: 'http', scheme: 'bearer', description: 'A staff session token from POST /api/v1/staff/sessions' },
          partnerBasic: { type: 'http', scheme: 'basic', description: 'OSMP: the partner\'s code as the user, its basic secret as the password' },
          partnerTimestamp: {
            type: 'apiKey', in: 'header', name: 'X-Roamcard-Timestamp', description: `Partner API: the current time in Unix milliseconds, within ${SIGNATURE_WINDOW_MS / 60_000} minutes of ours`,
          },
          partnerSignature: {
            type: 'apiKey', in: 'header', name: 'X-Roamcard-Signature',
            description: 'Partner API: hex HMAC-SHA256, under the partner\'s HMAC key, of "<X-Roamcard-Timestamp>.<raw body>"',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
}

export const docsRoutes: FastifyPluginAsyncZod = async (app) => {
  // Swagger UI's page loads its own scripts, styles and images, calls /openapi.json, and is never framed.
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: DOCS_CONTENT_SECURITY_POLICY });

  app.get('/openapi.json', {
    schema: {
      tags: ['operations'],
      summary: 'This API described in OpenAPI 3.1',
      description: `The same document the interactive page at ${DOCS_PREFIX} shows.`,
      response: { 200: z.looseObject({ openapi: z.string() }).describe('OpenAPI 3.1 document') },
    },
  }, async () => app.swagger() as { openapi: string });
};
