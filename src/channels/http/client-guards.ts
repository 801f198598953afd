import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AddressList } from '../../core/address-list.js';
import type { Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import type { TrustProxy } from '../../config.js';
import { sameSecret } from './bearer-auth.js';
import { problem, requestLanguage, sendProblem } from './problem-details.js';

/**
 * Endpoints for one known caller — the USSD gateway, the metrics scraper — refuse everybody else
 * in an `onRequest` hook, before the body is read: 403 for an address not on the allow-list, 401
 * for missing or wrong HTTP basic credentials. The refusal says nothing about what the endpoint
 * would have answered; the log gets the client address and the reason, never the body.
 *
 * "The client address" is `request.ip`: the socket's peer, or — behind proxies we were told to
 * trust (TRUST_PROXY) — the right-most X-Forwarded-For hop that is not one of them.
 */

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

export interface CallerGuard {
  /** For the log line, e.g. "USSD gateway". */
  readonly caller: string;
  readonly allow: AddressList;
  /** When set, the caller must also present these (RFC 7617 basic authentication). */
  readonly credentials?: BasicCredentials | undefined;
  readonly realm: string;
  readonly default_language: Language;
}

export type RefusalReason = 'address_not_allowed' | 'credentials_missing' | 'credentials_wrong';

/**
 * Fastify's trustProxy option for our setting, always as a function (proxy-addr calls it for each
 * hop, from the socket outward, and stops at the first it does not trust). Not Fastify's number:
 * since 5.12 a numeric trustProxy trusts nothing for `request.ip`, which would silently turn a
 * hop count into "no proxy". A hop count believes the nearest `hops` peers whoever they are, so
 * it is safe only when nothing but the proxies can reach this server; addresses are safe always.
 */
export function trustProxyOption(trust: TrustProxy): false | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if ('hops' in trust) return (_address, hop) => hop < trust.hops;
  return (address) => trust.addresses.includes(address);
}

/** An `onRequest` hook refusing every caller but the one `guard` describes. */
export function guardCaller(guard: CallerGuard) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const reason = refusalReason(request, guard);
    if (reason === null) return;
    request.log.warn({ remote_address: request.ip, reason }, `${guard.caller} request refused`);
    const texts = messagesFor(requestLanguage(request, guard.default_language)).http;
    if (reason === 'address_not_allowed') return sendProblem(reply, problem(request, 'ROAM_ERR_FORBIDDEN', 403, texts.address_not_allowed));
    reply.header('www-authenticate', `Basic realm="${guard.realm}", charset="UTF-8"`);
    return sendProblem(reply, problem(request, 'ROAM_ERR_UNAUTHORIZED', 401, texts.basic_credentials_required));
  };
}

function refusalReason(request: FastifyRequest, guard: CallerGuard): RefusalReason | null {
  if (!guard.allow.includes(request.ip)) return 'address_not_allowed';
  if (guard.credentials === undefined) return null;
  const presented = basicCredentials(request.headers.authorization);
  if (presented === undefined) return 'credentials_missing';
  // Both compared, always: which half was wrong must not show in the time taken.
  const username_matches = sameSecret(presented.username, guard.credentials.username);
  const password_matches = sameSecret(presented.password, guard.credentials.password);
  return username_matches && password_matches ? null : 'credentials_wrong';
}

/** `Basic base64(user-id ":" password)`; the user-id holds no colon, the password may. */
export function basicCredentials(header: string | undefined): BasicCredentials | undefined {
  const encoded = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header ?? '')?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
