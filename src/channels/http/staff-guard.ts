import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import type { StaffActor, StaffAuthenticator, StaffRole } from '../../services/staff/staff-actor.js';
import { problem, requestLanguage, sendProblem } from './problem-details.js';

/**
 * Staff endpoints (the desk API, under /api/v1/desk and /api/v1/staff): a bearer token from
 * `POST /api/v1/staff/sessions`, checked in an `onRequest` hook before the body is read by a
 * StaffAuthenticator (services/staff/staff-actor.ts). Handlers read `request.staff`; a route for
 * some roles only lists them.
 */
export type { StaffAuthenticator } from '../../services/staff/staff-actor.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by staffGuard on staff routes; undefined elsewhere. */
    staff?: StaffActor;
  }
}

export interface StaffGuardOptions {
  readonly authenticator: StaffAuthenticator;
  readonly default_language: Language;
  /** Roles allowed; all staff when absent. */
  readonly roles?: readonly StaffRole[];
}

export const STAFF_REALM = 'roamcard desk';

export function staffGuard(options: StaffGuardOptions) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const texts = messagesFor(requestLanguage(request, options.default_language)).http;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    const actor = token === undefined ? undefined : await options.authenticator.authenticate(token, request.ip);
    if (actor === undefined) {
      reply.header('www-authenticate', `Bearer realm="${STAFF_REALM}"`);
      return sendProblem(reply, problem(request, 'ROAM_ERR_UNAUTHORIZED', 401, texts.unauthorized));
    }
    if (options.roles !== undefined && !options.roles.includes(actor.role)) {
      request.log.warn({ staff_id: actor.staff_id, role: actor.role }, 'staff role not allowed here');
      return sendProblem(reply, problem(request, 'ROAM_ERR_FORBIDDEN', 403, texts.role_not_allowed));
    }
    request.staff = actor;
  };
}

/** The acting staff member of a guarded route (a programming error to call it elsewhere). */
export function staffOf(request: FastifyRequest): StaffActor {
  if (request.staff === undefined) throw new Error(`staffOf on a route without staffGuard: ${request.routeOptions.url}`);
  return request.staff;
}
