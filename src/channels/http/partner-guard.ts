import type { FastifyReply, FastifyRequest } from 'fastify';
import { RoamError } from '../../core/errors.js';
import type { Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import type { Partner } from '../../services/partners/partner-directory.js';
import { SIGNATURE_WINDOW_MS, type PartnerAuthentication, type PartnerService } from '../../services/partners/partner-service.js';
import { basicCredentials } from './client-guards.js';
import { problem, requestLanguage, roamErrorProblem, sendProblem } from './problem-details.js';

/**
 * Payment agents' endpoints (`/osmp/:partner`, `/partner-api/v1/:partner/…`): the partner named in
 * the path proves itself — HTTP basic on OSMP, an HMAC signature of the raw body on the JSON API —
 * from an address on its allow-list. The partner service decides (401 who are you?, 403 not from
 * there, 429 too many wrong credentials); this turns its verdict into problem details, logs the
 * refusal with its reason and the client address, and leaves the partner on `request.partner`.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the partner guards on the partner channels; undefined elsewhere. */
    partner?: Partner;
  }
}

export type PartnerAuthenticator = Pick<PartnerService, 'authenticateBasic' | 'authenticateSignature'>;

export const OSMP_REALM = 'roamcard osmp';
export const PARTNER_API_REALM = 'roamcard partner-api';
/** A 401 names how to authenticate (RFC 9110 §11.6.1): our own scheme, the two headers. */
const SIGNATURE_SCHEME = 'Roamcard-Signature';
export const TIMESTAMP_HEADER = 'x-roamcard-timestamp';
export const SIGNATURE_HEADER = 'x-roamcard-signature';
/** A partner code is at most 40 characters (PARTNER_CODE_PATTERN); a longer path segment is cut in the log. */
const PARTNER_LOGGED_LENGTH_MAX = 40;

/** The partner's code as the path names it. */
export function partnerCodeOf(request: FastifyRequest): string {
  const { partner } = request.params as { partner?: unknown };
  return typeof partner === 'string' ? partner : '';
}

/** The partner of a guarded route (a programming error to call it elsewhere). */
export function partnerOf(request: FastifyRequest): Partner {
  if (request.partner === undefined) throw new Error(`partnerOf on a route without a partner guard: ${request.routeOptions.url}`);
  return request.partner;
}

/** An `onRequest` hook (before the body is read): HTTP basic, the user being the partner's code. */
export function basicPartnerGuard(partners: PartnerAuthenticator, default_language: Language) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const code = partnerCodeOf(request);
    const presented = basicCredentials(request.headers.authorization);
    const credentials = presented === undefined ? undefined : { user: presented.username, password: presented.password };
    const verdict = await partners.authenticateBasic(code, credentials, request.ip);
    if (verdict.ok) {
      request.partner = verdict.partner;
      return;
    }
    logRefusal(request, code, verdict);
    const texts = messagesFor(requestLanguage(request, default_language)).http;
    if (verdict.status === 403) return sendProblem(reply, problem(request, 'ROAM_ERR_FORBIDDEN', 403, texts.address_not_allowed));
    reply.header('www-authenticate', `Basic realm="${OSMP_REALM}"`);
    return sendProblem(reply, problem(request, 'ROAM_ERR_UNAUTHORIZED', 401, texts.basic_credentials_required));
  };
}

/**
 * A `preValidation` hook (the body is read, not yet checked against the schema): the signature
 * over the raw body, so a caller who cannot sign learns nothing of what the body should hold. An
 * unknown partner gets the bad-signature answer: no key of ours signed its request.
 */
export function signedPartnerGuard(
  partners: PartnerAuthenticator, default_language: Language, rawBody: (request: FastifyRequest) => string,
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const code = partnerCodeOf(request);
    const verdict = await partners.authenticateSignature(code, {
      timestamp: singleHeader(request, TIMESTAMP_HEADER), signature: singleHeader(request, SIGNATURE_HEADER), body: rawBody(request),
    }, request.ip);
    if (verdict.ok) {
      request.partner = verdict.partner;
      return;
    }
    logRefusal(request, code, verdict);
    const language = requestLanguage(request, default_language);
    if (verdict.status === 403) {
      return sendProblem(reply, problem(request, 'ROAM_ERR_FORBIDDEN', 403, messagesFor(language).http.address_not_allowed));
    }
    const error = verdict.problem === 'stale_timestamp'
      ? new RoamError('ROAM_ERR_PARTNER_TIMESTAMP_STALE', { minutes_max: SIGNATURE_WINDOW_MS / 60_000 })
      : new RoamError('ROAM_ERR_PARTNER_SIGNATURE_INVALID');
    reply.header('www-authenticate', `${SIGNATURE_SCHEME} realm="${PARTNER_API_REALM}"`);
    return sendProblem(reply, roamErrorProblem(request, error, language));
  };
}

function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function logRefusal(request: FastifyRequest, code: string, verdict: Extract<PartnerAuthentication, { ok: false }>): void {
  request.log.warn(
    { partner: code.slice(0, PARTNER_LOGGED_LENGTH_MAX), remote_address: request.ip, reason: verdict.problem, status: verdict.status },
    'partner request refused',
  );
}
