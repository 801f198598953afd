import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffActor } from '../../../services/staff/staff-actor.js';
import { actorOf, type StaffService } from '../../../services/staff/staff-service.js';
import type { LiveStaffSession } from '../../../services/staff/staff-sessions.js';
import { html, type SafeHtml } from '../site/html.js';
import { readCookie } from '../site/site-language.js';
import { DESK_LANGUAGES, isDeskLanguage, type DeskLanguage } from './desk-text.js';

/**
 * The desk's staff session in the browser, on the customer site's pattern (channels/http/customer-auth.ts):
 * - `rc_desk` holds the staff token: HttpOnly, SameSite=Strict, Path=/desk, Secure when the site is
 *   https; its life is the session's (the staff service also ends it on inactivity and at shift close).
 * - Every POST form carries `_csrf` = HMAC-SHA256(cookie value, label): bound to the session, or
 *   before sign-in to a random `rc_desk_csrf` cookie; nothing stored, nothing an attacker's page can compute.
 * - `rc_desk_lang` remembers the staff member's language (ru, zh-Hans, en), chosen on the sign-in page.
 */

export const DESK_PATH = '/desk';
export const DESK_SIGN_IN_PATH = '/desk/signin';
export const DESK_PASSWORD_PATH = '/desk/password';
const SESSION_COOKIE = 'rc_desk';
const CSRF_COOKIE = 'rc_desk_csrf';
const LANGUAGE_COOKIE = 'rc_desk_lang';
export const CSRF_FIELD = '_csrf';
const CSRF_NONCE_BYTES = 32;
/** A year: the tablet at the desk keeps its staff's language. */
const LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 3600;
const COOKIE_VALUE_PATTERN = /^[A-Za-z0-9_-]{1,512}$/;

export interface DeskSessionOptions {
  readonly staff: StaffService;
  readonly secure_cookies: boolean;
  readonly default_language: DeskLanguage;
  readonly now_ms: () => number;
}

export interface DeskStaff {
  readonly session: LiveStaffSession;
  readonly actor: StaffActor;
}

export class DeskSessions {
  readonly #options: DeskSessionOptions;

  constructor(options: DeskSessionOptions) {
    this.#options = options;
  }

  /** The staff member's language: ?lang (the sign-in page's links), the remembered one, the server's. */
  language(request: FastifyRequest): DeskLanguage {
    const query = request.query as Record<string, unknown> | undefined;
    const chosen = typeof query?.lang === 'string' ? query.lang : readCookie(request.headers.cookie, LANGUAGE_COOKIE);
    return chosen !== undefined && isDeskLanguage(chosen) ? chosen : this.#options.default_language;
  }

  rememberLanguage(reply: FastifyReply, language: DeskLanguage): void {
    this.#addCookie(reply, `${LANGUAGE_COOKIE}=${language}; Path=${DESK_PATH}; Max-Age=${LANGUAGE_COOKIE_MAX_AGE_S}; SameSite=Strict`);
  }

  /** The live session of the cookie, if any (its password may still have to change). */
  async current(request: FastifyRequest): Promise<DeskStaff | undefined> {
    const token = ourCookie(request, SESSION_COOKIE);
    if (token === undefined) return undefined;
    const session = await this.#options.staff.session(token);
    return session === undefined ? undefined : { session, actor: actorOf(session) };
  }

  /**
   * The signed-in staff member, or undefined after a redirect: to sign-in when there is no live
   * session, to the password form while the one-time password is unchanged.
   */
  async staffOrSignIn(request: FastifyRequest, reply: FastifyReply): Promise<DeskStaff | undefined> {
    const staff = await this.current(request);
    if (staff === undefined) {
      reply.header('cache-control', 'no-store').redirect(DESK_SIGN_IN_PATH, 303);
      return undefined;
    }
    if (staff.session.password_must_change) {
      reply.header('cache-control', 'no-store').redirect(DESK_PASSWORD_PATH, 303);
      return undefined;
    }
    return staff;
  }

  signedIn(reply: FastifyReply, token: string, expires_at_ms: number): void {
    const max_age_s = Math.max(0, Math.floor((expires_at_ms - this.#options.now_ms()) / 1000));
    this.#addCookie(reply, `${SESSION_COOKIE}=${token}; Path=${DESK_PATH}; Max-Age=${max_age_s}; HttpOnly; SameSite=Strict`);
  }

  signedOut(reply: FastifyReply): void {
    this.#addCookie(reply, `${SESSION_COOKIE}=; Path=${DESK_PATH}; Max-Age=0; HttpOnly; SameSite=Strict`);
  }

  /** The hidden CSRF field of a form; before sign-in it sets the anonymous nonce cookie it is bound to. */
  csrfField(request: FastifyRequest, reply: FastifyReply): SafeHtml {
    return html`<input type="hidden" name="${CSRF_FIELD}" value="${this.csrfToken(request, reply)}">`;
  }

  csrfToken(request: FastifyRequest, reply: FastifyReply): string {
    const session = ourCookie(request, SESSION_COOKIE);
    if (session !== undefined) return csrfToken('session', session);
    const nonce = ourCookie(request, CSRF_COOKIE) ?? this.#newNonce(reply);
    return csrfToken('anonymous', nonce);
  }

  /** True when the form carries the token of this browser's session (or, before sign-in, of its nonce). */
  verifyCsrf(request: FastifyRequest): boolean {
    const body = request.body as Record<string, unknown> | null | undefined;
    const presented = body !== null && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
    if (typeof presented !== 'string') return false;
    const session = ourCookie(request, SESSION_COOKIE);
    const nonce = ourCookie(request, CSRF_COOKIE);
    const expected = session !== undefined ? csrfToken('session', session) : nonce !== undefined ? csrfToken('anonymous', nonce) : undefined;
    if (expected === undefined) return false;
    const given = Buffer.from(presented);
    const wanted = Buffer.from(expected);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }

  #newNonce(reply: FastifyReply): string {
    const nonce = randomBytes(CSRF_NONCE_BYTES).toString('base64url');
    this.#addCookie(reply, `${CSRF_COOKIE}=${nonce}; Path=${DESK_PATH}; HttpOnly; SameSite=Strict`);
    return nonce;
  }

  #addCookie(reply: FastifyReply, cookie: string): void {
    const value = `${cookie}${this.#options.secure_cookies ? '; Secure' : ''}`;
    const existing = reply.getHeader('set-cookie');
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
    reply.header('set-cookie', [...list, value]);
  }
}

export { DESK_LANGUAGES };

function ourCookie(request: FastifyRequest, name: string): string | undefined {
  const value = readCookie(request.headers.cookie, name);
  return value !== undefined && COOKIE_VALUE_PATTERN.test(value) ? value : undefined;
}

function csrfToken(kind: 'session' | 'anonymous', value: string): string {
  return createHmac('sha256', value).update(`roamcard:desk-csrf:v1:${kind}`).digest('base64url');
}
