import compress from '@fastify/compress';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import { findPackage } from '../../../services/catalog/catalog.js';
import { accountPages, signedInHomeRedirect } from './account/account-pages.js';
import { appPages } from './app-pages.js';
import { helpPages } from './help-pages.js';
import { SiteShell } from './layout.js';
import { renewPages } from './renew-pages.js';
import { SiteAssets } from './site-assets.js';
import type { SiteDependencies } from './site-dependencies.js';
import { statusPages } from './status-page.js';
import { storePages } from './store-pages.js';
import { walletPages } from './wallet-page.js';

/**
 * The customer website and app (PWA): server-rendered pages in four languages that work without
 * JavaScript. One encapsulated plugin: its compression, form parsing and hidden-from-OpenAPI
 * routes stay inside it and do not touch the JSON API.
 */
export interface CustomerSiteOptions {
  readonly context: AppContext;
}

/** The site's forms are a few short fields. */
const FORM_BYTES_MAX = 4 * 1024;
/** Smaller responses gain nothing from compression (a few bytes saved, a header added). */
const COMPRESS_THRESHOLD_BYTES = 1024;

export const customerSite: FastifyPluginAsync<CustomerSiteOptions> = async (app, { context }) => {
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  await app.register(compress, { global: true, encodings: ['br', 'gzip'], threshold: COMPRESS_THRESHOLD_BYTES });
  await app.register(formbody, { bodyLimit: FORM_BYTES_MAX });
  // The app's start page: signed-in customers go straight to their lines (account/).
  app.addHook('onRequest', signedInHomeRedirect);
  const assets = new SiteAssets();
  const deps = siteDependencies(context, new SiteShell(assets, { test_mode: context.payments.test_mode }));
  await app.register(appPages, { ...deps, assets });
  await app.register(renewPages, deps);
  await app.register(statusPages, deps);
  await app.register(helpPages, deps);
  await app.register(storePages, deps);
  await app.register(accountPages, { ...deps, customers: context.customers });
  await app.register(walletPages, { ...deps, customers: context.customers });
};

export function siteDependencies(context: AppContext, shell: SiteShell): SiteDependencies {
  const { config, services, renewal, payments, database, clock } = context;
  return {
    shell,
    renewal,
    lineOverview: (ref) => services.lineOverview(ref),
    listPackages: () => services.listPackages({ channel: 'web' }),
    findPackage: (code) => findPackage(database.db, code),
    methods: () => payments.router.methods(),
    stores: context.stores,
    fx_rates: config.fx_rates,
    default_language: config.default_language,
    email_receipts: context.mailer !== undefined,
    secure_cookies: config.public_base_url.startsWith('https:'),
    now_ms: () => clock.now_ms(),
  };
}
