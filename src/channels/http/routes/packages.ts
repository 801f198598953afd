import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PACKAGE_KINDS, SALES_CHANNELS } from '../../../core/catalog.js';
import { normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import type { Services } from '../../../services/index.js';
import { problemResponse, requestLanguage } from '../problem-details.js';

export interface PackagesOptions {
  readonly services: Pick<Services, 'listPackages'>;
  readonly default_language: Language;
}

/** Prices change by new versions, rarely: a minute of caching spares the database on busy pages. */
export const CATALOG_CACHE_MAX_AGE_S = 60;

const packageSchema = z.object({
  code: z.string().describe('Stable pack code, e.g. data-5gb-7d'),
  kind: z.enum(PACKAGE_KINDS),
  name: z.string().describe('Localized name'),
  data_mb: z.number().int().describe('Data allowance, MB (1 MB = 1,048,576 bytes)'),
  voice_minutes: z.number().int(),
  sms_count: z.number().int(),
  validity_hours: z.number().int().describe('Rolling hours from activation'),
  price: z.object({
    amount_minor: z.number().int().describe('Price in minor units (kopecks for RUB)'),
    currency: z.string().describe('ISO 4217'),
  }),
});

const catalogSchema = z
  .object({
    language: z.string(),
    channel: z.enum(SALES_CHANNELS).nullable().describe('The channel asked for, or null for every channel'),
    packages: z.array(packageSchema),
  })
  .meta({ id: 'Catalog' });

const querySchema = z.object({
  channel: z.enum(SALES_CHANNELS).optional().describe('Only packs sold on this channel'),
  lang: z
    .string()
    .max(35)
    .refine((value) => normalizeLanguage(value) !== undefined, { params: { reason: 'invalid_value' } })
    .optional()
    .describe('zh-Hans, zh-Hant, ru or en (also zh-CN, zh-TW, ru-RU …); default from Accept-Language'),
});

/** The public catalog: packs on sale now with their current price and localized name. */
export const packagesRoutes: FastifyPluginAsyncZod<PackagesOptions> = async (app, options) => {
  app.get('/api/v1/packages', {
    schema: {
      tags: ['catalog'],
      summary: 'Packs on sale, with current prices',
      description: 'Public. Names in the language of `lang`, else Accept-Language, else the server default.',
      querystring: querySchema,
      response: { 200: catalogSchema, 400: problemResponse('A query parameter is not valid') },
    },
  }, async (request, reply) => {
    const language = requestLanguage(request, options.default_language);
    const channel = request.query.channel ?? null;
    const packs = await options.services.listPackages(channel === null ? {} : { channel });
    reply.header('cache-control', `public, max-age=${CATALOG_CACHE_MAX_AGE_S}`).header('vary', 'accept-language');
    return {
      language,
      channel,
      packages: packs.map((pack) => ({
        code: pack.code,
        kind: pack.kind,
        name: pack.names[language],
        data_mb: pack.data_mb,
        voice_minutes: pack.voice_minutes,
        sms_count: pack.sms_count,
        validity_hours: pack.validity_hours,
        price: { amount_minor: pack.price.amount_minor, currency: pack.price.currency },
      })),
    };
  });
};
