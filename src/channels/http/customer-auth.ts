import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isPlainHttpOnLoopback } from '../../core/address-list.js';
import { RoamError } from '../../core/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { CustomerService } from '../../services/customers/customer-service.js';
import type { SessionKind } from '../../services/customers/sessions.js';

/**
 * Who the customer behind a request is, for the JSON API and the server-rendered pages alike.
 *
 * A request is authenticated by exactly one of:
 * - `Authorization: Bearer <token>` (the native app; a token from POST /api/v1/auth/sessions).
 *   When the header is present, cookies are ignored, and no CSRF token is needed: a browser never
 *   adds this header to a cross-site request on its own.
 * - the `rc_session` cookie (the website): HttpOnly, SameSite=Lax, Path=/, Secure unless the
 *   public base URL is plain http on localhost/127.0.0.1. Unsafe requests (POST, PUT, PATCH,
 *   DELETE) must also carry the CSRF token, as the form field `_csrf` or the header `x-csrf-token`.
 * A token works only the way it was issued (a cookie token is not a bearer token, and back).
 *
 * CSRF tokens are HMAC-SHA256(cookie value, label): bound to the session (or, before sign-in, to
 * a random `rc_csrf` cookie), nothing stored, valid as long as the cookie. An attacker's page can
 * neither read the cookie nor compute the token.
 *
 * For page plugins (register `customerAuthPlugin` once on the root, which server.ts does):
 *   await requireCustomer(request)        → { customer_id, session_id, via, expires_at_ms }, or throws
 *                                            ROAM_ERR_SIGN_IN_REQUIRED (401); pages redirect instead
 *                                            by using optionalCustomer.
 *   await optionalCustomer(request)       → the same, or null when not signed in.
 *   setSessionCookie(reply, token, expires_at_ms)   after customers.verifyCode({ session_kind: 'cookie' }).
 *   clearSessionCookie(reply)             after customers.signOut(session_id).
 *   csrfTokenFor(request, reply)          → the token to put in each form as <input type="hidden" name="_csrf">;
 *                                            sets the `rc_csrf` cookie when there is no session yet (sign-in forms).
 *   csrfTokenForSession(token)            → the token of a session just signed in (its cookie is only on the reply).
 *   verifyCsrf(request)                   → boolean, once the body is parsed; true for bearer requests.
 *                                            requireCsrf(request) throws ROAM_ERR_CSRF_INVALID (403) instead.
 *                                            A body schema without `_csrf` strips it before the handler
 *                                            runs: check in a preValidation hook, or declare the field.
 */

export const SESSION_COOKIE = 'rc_session';
export const CSRF_COOKIE = 'rc_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';
export const CUSTOMER_REALM = 'roamcard-customer';

/** Our cookie values are base64url; anything else is not ours and is ignored. */
const COOKIE_VALUE_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
const CSRF_NONCE_BYTES = 32;
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface CustomerPrincipal {
  readonly customer_id: string;
  readonly session_id: string;
  readonly via: 'bearer' | 'cookie';
  readonly expires_at_ms: number;
}

export interface CustomerAuthOptions {
  readonly customers: Pick<CustomerService, 'authenticate'>;
  /** Decides the Secure flag: only plain http on loopback goes without it. */
  readonly public_base_url: string;
  /** The services' clock: a cookie's Max-Age counts from the same "now" as the session's expiry. */
  readonly clock: Clock;
}

class CustomerAuth {
  readonly secure_cookies: boolean;
  readonly clock: Clock;
  readonly #customers: CustomerAuthOptions['customers'];
  /** One lookup per request however many times a handler asks. */
  readonly #principals = new WeakMap<FastifyRequest, Promise<CustomerPrincipal | null>>();

  constructor(options: CustomerAuthOptions) {
    this.#customers = options.customers;
    this.secure_cookies = needsSecureCookies(options.public_base_url);
    this.clock = options.clock;
  }

  principal(request: FastifyRequest): Promise<CustomerPrincipal | null> {
    let pending = this.#principals.get(request);
    if (!pending) {
      pending = this.#resolve(request);
      this.#principals.set(request, pending);
    }
    return pending;
  }

  async #resolve(request: FastifyRequest): Promise<CustomerPrincipal | null> {
    const presented = presentedToken(request);
    if (!presented) return null;
    const session = await this.#customers.authenticate(presented.token, presented.kind);
    if (!session) return null;
    return { customer_id: session.customer_id, session_id: session.session_id, via: presented.kind, expires_at_ms: session.expires_at_ms };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    roamcardCustomerAuth?: CustomerAuth;
  }
}

/** Decorates the root instance (not encapsulated), so every route plugin can authenticate customers. */
export const customerAuthPlugin: FastifyPluginAsync<CustomerAuthOptions> = async (app, options) => {
  app.decorate('roamcardCustomerAuth', new CustomerAuth(options));
};
Object.assign(customerAuthPlugin, { [Symbol.for('skip-override')]: true });

export function optionalCustomer(request: FastifyRequest): Promise<CustomerPrincipal | null> {
  return auth(request).principal(request);
}

export async function requireCustomer(request: FastifyRequest): Promise<CustomerPrincipal> {
  const principal = await optionalCustomer(request);
  if (!principal) throw new RoamError('ROAM_ERR_SIGN_IN_REQUIRED');
  return principal;
}

export function setSessionCookie(reply: FastifyReply, token: string, expires_at_ms: number): void {
  const now_ms = reply.server.roamcardCustomerAuth?.clock.now_ms() ?? Date.now();
  const max_age_s = Math.max(0, Math.floor((expires_at_ms - now_ms) / 1000));
  reply.header('set-cookie', cookieHeader(reply, SESSION_COOKIE, token, { expires_at_ms, max_age_s }));
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.header('set-cookie', cookieHeader(reply, SESSION_COOKIE, '', { expires_at_ms: 0, max_age_s: 0 }));
}

/** The CSRF token for forms of this request's browser; sets `rc_csrf` on `reply` when there is no cookie to bind to yet. */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply): string {
  const bound = csrfBinding(request);
  if (bound) return csrfToken(bound);
  const nonce = randomBytes(CSRF_NONCE_BYTES).toString('base64url');
  reply.header('set-cookie', cookieHeader(reply, CSRF_COOKIE, nonce, null));
  return csrfToken({ kind: 'anonymous', value: nonce });
}

/** The CSRF token of a session just created (its cookie is on the response, not yet on a request). */
export function csrfTokenForSession(token: string): string {
  return csrfToken({ kind: 'session', value: token });
}

/** True when the request carries the right CSRF token, or does not need one (bearer). Read the body first. */
export function verifyCsrf(request: FastifyRequest): boolean {
  if (request.headers.authorization !== undefined) return true;
  const bound = csrfBinding(request);
  const presented = presentedCsrfToken(request);
  if (!bound || presented === undefined) return false;
  const expected = Buffer.from(csrfToken(bound));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function requireCsrf(request: FastifyRequest): void {
  if (!verifyCsrf(request)) throw new RoamError('ROAM_ERR_CSRF_INVALID');
}

export function isUnsafeMethod(method: string): boolean {
  return UNSAFE_METHODS.has(method.toUpperCase());
}

/**
 * Hooks for API routes: `onRequest` refuses unauthenticated requests before the body is read
 * (401 with WWW-Authenticate); `preValidation` checks CSRF on cookie-authenticated unsafe
 * requests — after the body is parsed, before a schema could strip the `_csrf` field.
 */
export async function customerOnRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (await optionalCustomer(request)) return;
  reply.header('www-authenticate', `Bearer realm="${CUSTOMER_REALM}"`);
  throw new RoamError('ROAM_ERR_SIGN_IN_REQUIRED');
}

export async function customerCsrfPreValidation(request: FastifyRequest): Promise<void> {
  const principal = await optionalCustomer(request);
  if (principal?.via === 'cookie' && isUnsafeMethod(request.method)) requireCsrf(request);
}

/** Reads one of our cookies from the Cookie header; undefined when absent or not in our format. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0 || pair.slice(0, separator).trim() !== name) continue;
    const value = pair.slice(separator + 1).trim();
    return COOKIE_VALUE_PATTERN.test(value) ? value : undefined;
  }
  return undefined;
}

function auth(request: FastifyRequest): CustomerAuth {
  const found = request.server.roamcardCustomerAuth;
  if (!found) throw new Error('customerAuthPlugin is not registered on this server');
  return found;
}

function presentedToken(request: FastifyRequest): { token: string; kind: SessionKind } | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    return token === undefined ? undefined : { token, kind: 'bearer' };
  }
  const cookie = readCookie(request, SESSION_COOKIE);
  return cookie === undefined ? undefined : { token: cookie, kind: 'cookie' };
}

type CsrfBinding = { kind: 'session' | 'anonymous'; value: string };

function csrfBinding(request: FastifyRequest): CsrfBinding | undefined {
  const session = readCookie(request, SESSION_COOKIE);
  if (session) return { kind: 'session', value: session };
  const nonce = readCookie(request, CSRF_COOKIE);
  return nonce ? { kind: 'anonymous', value: nonce } : undefined;
}

function csrfToken(binding: CsrfBinding): string {
  return createHmac('sha256', binding.value).update(`roamcard:csrf:v1:${binding.kind}`).digest('base64url');
}

function presentedCsrfToken(request: FastifyRequest): string | undefined {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  const body = request.body as Record<string, unknown> | null | undefined;
  const field = body !== null && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
  return typeof field === 'string' ? field : undefined;
}

function cookieHeader(
  reply: FastifyReply,
  name: string,
  value: string,
  lifetime: { expires_at_ms: number; max_age_s: number } | null,
): string {
  const attributes = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (lifetime) attributes.push(`Expires=${new Date(lifetime.expires_at_ms).toUTCString()}`, `Max-Age=${lifetime.max_age_s}`);
  if (reply.server.roamcardCustomerAuth?.secure_cookies ?? true) attributes.push('Secure');
  return attributes.join('; ');
}

function needsSecureCookies(public_base_url: string): boolean {
  return !isPlainHttpOnLoopback(new URL(public_base_url));
}
