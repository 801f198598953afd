import type { FastifyRequest } from 'fastify';
import { isLanguage, normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import { languageFromAcceptLanguage } from '../../http/accept-language.js';

/**
 * The site's language: what the visitor chose (`rc_lang` cookie, set by the switcher on every
 * page), else what the page knows better (an order's language), else their browser's
 * (Accept-Language), else the server's default. `?lang=` overrides it for one page, for links
 * shared in a chat.
 */

export const LANGUAGE_COOKIE = 'rc_lang';
/** A year: a traveller comes back next trip and still finds their language. */
export const LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 3600;
const SAME_SITE_PATH_LENGTH_MAX = 2048;
/** Cookie headers longer than this are not ours to parse. */
const COOKIE_HEADER_LENGTH_MAX = 8192;

export function siteLanguage(request: FastifyRequest, fallback: Language, known?: Language): Language {
  const query = request.query as Record<string, unknown> | undefined;
  const from_query = typeof query?.lang === 'string' ? normalizeLanguage(query.lang) : undefined;
  return from_query ?? chosenLanguage(request) ?? known ?? languageFromAcceptLanguage(request.headers['accept-language']) ?? fallback;
}

/** The language the visitor chose with the switcher, if any. */
export function chosenLanguage(request: FastifyRequest): Language | undefined {
  const value = readCookie(request.headers.cookie, LANGUAGE_COOKIE);
  return value !== undefined && isLanguage(value) ? value : undefined;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > COOKIE_HEADER_LENGTH_MAX) return undefined;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return undefined;
}

/** A preference cookie: the whole site, a long life, and never sent along by other sites' forms. */
export function preferenceCookie(name: string, value: string, secure: boolean): string {
  return `${name}=${value}; Path=/; Max-Age=${LANGUAGE_COOKIE_MAX_AGE_S}; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/**
 * Where to go back after switching: a path on this site only (an open redirect would let a
 * phishing link borrow our address).
 */
export function sameSitePath(value: unknown): string {
  // Printable ASCII only (a path from request.url is percent-encoded): browsers drop tabs and
  // newlines from a Location, so "/\t/evil.example" would become "//evil.example".
  if (typeof value !== 'string' || value.length > SAME_SITE_PATH_LENGTH_MAX || !/^\/(?![/\\])[\x21-\x7e]*$/.test(value)) return '/';
  return value;
}
