import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { optionalCustomer } from '../../../http/customer-auth.js';
import type { AccountDependencies } from './account-common.js';
import { LINES_PATH } from './account-common.js';
import { alertsPages } from './alerts-pages.js';
import { linesPages } from './lines-pages.js';
import { ordersPages } from './orders-pages.js';
import { signInPages } from './signin-pages.js';

/**
 * The signed-in part of the customer site (registered by customer-site.ts): sign-in by SMS code,
 * the ICCID step, the lines with their balance, packs and usage, the orders with their receipts.
 * Sessions are the `rc_session` cookie of channels/http/customer-auth.ts; every form carries its
 * CSRF token.
 */
export const accountPages: FastifyPluginAsync<AccountDependencies> = async (app, deps) => {
  await app.register(signInPages, deps);
  await app.register(linesPages, deps);
  await app.register(ordersPages, deps);
  await app.register(alertsPages, deps);
};

/**
 * The app starts at "/" (its manifest's start_url): a signed-in customer is taken to their lines,
 * everyone else sees the public home page. Only a request with a session cookie costs a lookup.
 */
export async function signedInHomeRedirect(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.method !== 'GET' || request.url !== '/') return;
  if (!(await optionalCustomer(request))) return;
  await reply.header('cache-control', 'no-store').redirect(LINES_PATH, 303);
}
