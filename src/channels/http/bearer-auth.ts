import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import { problem, requestLanguage, sendProblem, type Problem } from './problem-details.js';

/**
 * Shared-secret bearer tokens for machine and staff endpoints (network elements, back office):
 * unset token → 503 "not configured" (the endpoint is off), wrong or missing → 401.
 */
export function bearerRefusal(request: FastifyRequest, token: string | undefined, default_language: Language): Problem | null {
  const texts = messagesFor(requestLanguage(request, default_language)).http;
  if (token === undefined) return problem(request, 'ROAM_ERR_NOT_CONFIGURED', 503, texts.not_configured);
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (presented !== undefined && sameSecret(presented, token)) return null;
  return problem(request, 'ROAM_ERR_UNAUTHORIZED', 401, texts.unauthorized);
}

/** An `onRequest` hook: refuses before the body is read, so callers without the token learn nothing. */
export function requireBearer(token: string | undefined, default_language: Language, realm: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const refusal = bearerRefusal(request, token, default_language);
    if (refusal === null) return;
    if (refusal.status === 401) reply.header('www-authenticate', `Bearer realm="${realm}"`);
    return sendProblem(reply, refusal);
  };
}

/** Compares digests in constant time, so neither the token's content nor its length leaks by timing. */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
