import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import { ReceiptService } from '../../../services/receipts/receipt-service.js';
import type { DeskDependencies } from './desk-common.js';
import { deskConnectPages } from './desk-connect-pages.js';
import { deskLinePages } from './desk-line-pages.js';
import { DeskStylesheet } from './desk-layout.js';
import { deskManagerPages } from './desk-manager-pages.js';
import { DeskSessions } from './desk-session.js';
import { deskStaffPages } from './desk-staff-pages.js';
import { isDeskLanguage } from './desk-text.js';

/**
 * The service hall's desk pages under /desk (issue 12, item 7): server-rendered forms over the
 * staff sign-in and desk services, in the staff member's language, without JavaScript. Who may
 * use them: signed-in staff (the `rc_desk` cookie); what each may see and do is the services'
 * decision, as for the desk API. Limits: small form bodies; every POST carries its CSRF token;
 * the staff sign-in's own lockout and rate limits. Logged: Fastify's request line only, and desk
 * addresses carry line ids, never a number, an ICCID or a document.
 */
export interface DeskPagesOptions {
  readonly context: AppContext;
}

/** A desk form is a handful of short fields. */
const FORM_BYTES_MAX = 4 * 1024;
const YEAR_S = 365 * 24 * 3600;

export const deskPages: FastifyPluginAsync<DeskPagesOptions> = async (app, { context }) => {
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  await app.register(formbody, { bodyLimit: FORM_BYTES_MAX });
  const { config, database, clock } = context;
  const stylesheet = new DeskStylesheet();
  const deps: DeskDependencies = {
    context,
    stylesheet,
    sessions: new DeskSessions({
      staff: context.staff,
      secure_cookies: config.public_base_url.startsWith('https:'),
      default_language: isDeskLanguage(config.default_language) ? config.default_language : 'ru',
      now_ms: () => clock.now_ms(),
    }),
    receipts: new ReceiptService({ database, clock, seller: config.seller, test_mode: context.payments.test_mode }),
  };
  app.get(stylesheet.path, async (_request, reply) => reply
    .type('text/css; charset=utf-8').header('cache-control', `public, max-age=${YEAR_S}, immutable`).send(stylesheet.body));
  await app.register(deskStaffPages, deps);
  await app.register(deskLinePages, deps);
  await app.register(deskConnectPages, deps);
  await app.register(deskManagerPages, deps);
};
