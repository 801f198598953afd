import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Language } from '../../../core/i18n/languages.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { AUDIT_LIST_LIMIT_MAX } from '../../../services/audit/audit-log.js';
import { STAFF_ROLES } from '../../../services/staff/staff-actor.js';
import { PASSWORD_LENGTH_MAX, PASSWORD_LENGTH_MIN, TOTP_DIGITS } from '../../../services/staff/staff-crypto.js';
import type { LiveStaffSession } from '../../../services/staff/staff-sessions.js';
import { STAFF_FAILED_SIGN_INS_MAX, STAFF_SIGN_IN_LIMITS, type StaffService } from '../../../services/staff/staff-service.js';
import { problem, problemResponse, requestLanguage, sendProblem } from '../problem-details.js';
import { STAFF_REALM, staffGuard, staffOf } from '../staff-guard.js';

/**
 * The staff's own API: sign in (password + TOTP code) for a bearer token, sign out, who am I,
 * change the password, and the audit log for managers and admins.
 *
 * Who may call: sign-in anyone (limited: per address and per account, below); the rest a live
 * staff session. A session whose one-time password is unchanged may only sign out, read /me and
 * change the password — every other staff route answers ROAM_ERR_STAFF_PASSWORD_CHANGE_REQUIRED.
 * Logs: the login may appear; the password, the code and the token never do (bodies are not logged).
 */

export interface StaffApiOptions {
  readonly staff: StaffService;
  readonly default_language: Language;
}

const MINUTES_PER_WINDOW = STAFF_SIGN_IN_LIMITS.failures_per_address.window_ms / 60_000;
/** Longer than any login (64) so a long one is refused like a wrong one, not as a malformed field. */
const LOGIN_FIELD_LENGTH_MAX = 128;
const AUDIT_PAGE_DEFAULT = 50;

const signInBody = z.object({
  login: z.string().min(1).max(LOGIN_FIELD_LENGTH_MAX).describe('The staff login, e.g. agent.svo (case does not matter)'),
  password: z.string().min(1).max(PASSWORD_LENGTH_MAX),
  totp: z.string().regex(new RegExp(`^\\d{${TOTP_DIGITS}}$`)).describe('The 6 digits the authenticator app shows now'),
}).meta({ id: 'StaffSignIn' });

const staffSchema = z.object({
  login: z.string(), role: z.enum(STAFF_ROLES), store_code: z.string(),
  password_must_change: z.boolean().describe('true after a one-time password: change it before anything else (POST /api/v1/staff/password)'),
}).meta({ id: 'StaffMember' });

const signedInSchema = z.object({
  token: z.string().describe('Send as Authorization: Bearer <token>. Shown once; only its hash is kept.'),
  token_type: z.literal('Bearer'),
  expires_at: z.string().describe('The latest the session lasts (STAFF_SESSION_MAX_HOURS after sign-in); it ends sooner after STAFF_SESSION_IDLE_MINUTES unused, or when the shift closes'),
  idle_expires_at: z.string().describe('When the session ends if unused; each request pushes it forward'),
  staff: staffSchema,
}).meta({ id: 'StaffSignedIn' });

const meSchema = z.object({
  staff: staffSchema,
  session: z.object({ expires_at: z.string(), idle_expires_at: z.string() }),
}).meta({ id: 'StaffMe' });

const passwordBody = z.object({
  current_password: z.string().min(1).max(PASSWORD_LENGTH_MAX),
  new_password: z.string().min(1).max(PASSWORD_LENGTH_MAX).describe(`At least ${PASSWORD_LENGTH_MIN} characters, not the current one, not containing the login`),
}).meta({ id: 'StaffPasswordChange' });

const auditQuery = z.object({
  store_code: z.string().min(1).max(64).optional().describe('Managers: their own store (the default). Admins: any store; all when absent'),
  subject_type: z.string().min(1).max(64).optional(),
  subject_id: z.string().min(1).max(128).optional(),
  before: z.iso.datetime({ offset: true }).optional().describe('Entries strictly before this instant (paging back: the previous page\'s next_before)'),
  limit: z.coerce.number().int().min(1).max(AUDIT_LIST_LIMIT_MAX).default(AUDIT_PAGE_DEFAULT),
  lang: z.string().max(35).optional(),
}).refine((query) => (query.subject_type === undefined) === (query.subject_id === undefined), {
  path: ['subject_id'], params: { reason: 'missing' }, message: 'subject_type and subject_id go together',
});

const auditEntrySchema = z.object({
  id: z.string(), at: z.string(), staff_login: z.string().nullable(), staff_role: z.string().nullable(), store_code: z.string().nullable(),
  action: z.string().describe('e.g. staff.signed_in, staff.sign_in_failed, staff.locked, staff.password_changed, desk.sale'),
  subject_type: z.string(), subject_id: z.string().nullable(), client_address: z.string().nullable(),
  before: z.unknown().describe('The record before, secrets and personal data redacted'), after: z.unknown(),
});
const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema),
  next_before: z.string().nullable().describe('Pass as before= for the next (older) page; null on the last page'),
}).meta({ id: 'AuditPage' });

const unauthorized = problemResponse('No, expired or revoked staff session');
const iso = (ms: number) => new Date(ms).toISOString();

export const staffApiRoutes: FastifyPluginAsyncZod<StaffApiOptions> = async (app, { staff, default_language }) => {
  // Tokens and staff records: no cache keeps any of these answers.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.post('/api/v1/staff/sessions', {
    schema: {
      tags: ['staff'], summary: 'Staff sign-in: login, password and the TOTP code, for a bearer token',
      description: `Every failure (unknown login, wrong password or code, a code already used, a locked account) answers the same 401. `
        + `${STAFF_FAILED_SIGN_INS_MAX} failures in a row lock the account for 15 minutes; `
        + `${STAFF_SIGN_IN_LIMITS.failures_per_address.hits_max} failures from one address in ${MINUTES_PER_WINDOW} minutes give 429.`,
      body: signInBody,
      response: {
        201: signedInSchema, 400: problemResponse('A field is missing or malformed'),
        401: problemResponse('Wrong login, password or code, or the account is locked (one answer for all)'),
        429: problemResponse('Too many failed sign-ins from this address; see Retry-After'),
      },
    },
  }, async (request, reply) => {
    const signed_in = await staff.signIn({ ...request.body, client_address: request.ip });
    request.log.info({ staff_login: signed_in.actor.login, role: signed_in.actor.role }, 'staff signed in');
    return reply.code(201).send({
      token: signed_in.token, token_type: 'Bearer' as const, expires_at: iso(signed_in.expires_at_ms),
      idle_expires_at: iso(signed_in.idle_expires_at_ms),
      staff: {
        login: signed_in.actor.login, role: signed_in.actor.role, store_code: signed_in.actor.store_code,
        password_must_change: signed_in.password_must_change,
      },
    });
  });

  // A live session, its one-time password changed or not.
  await app.register(async (child) => {
    const sessions = new WeakMap<FastifyRequest, LiveStaffSession>();
    const sessionOf = (request: FastifyRequest): LiveStaffSession => {
      const session = sessions.get(request);
      if (session === undefined) throw new Error(`no staff session on ${request.routeOptions.url}`);
      return session;
    };
    const signed_in = child.withTypeProvider<ZodTypeProvider>();
    signed_in.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
      const session = token === undefined ? undefined : await staff.session(token);
      if (session === undefined) {
        reply.header('www-authenticate', `Bearer realm="${STAFF_REALM}"`);
        const texts = messagesFor(requestLanguage(request, default_language)).http;
        return sendProblem(reply, problem(request, 'ROAM_ERR_UNAUTHORIZED', 401, texts.unauthorized));
      }
      sessions.set(request, session);
    });

    signed_in.delete('/api/v1/staff/sessions/current', {
      schema: { tags: ['staff'], summary: 'Sign out: end this session', security: [{ staffSession: [] }], response: { 204: z.null().describe('Signed out'), 401: unauthorized } },
    }, async (request, reply) => {
      await staff.signOut(sessionOf(request), request.ip);
      return reply.code(204).send(null);
    });

    signed_in.get('/api/v1/staff/me', {
      schema: { tags: ['staff'], summary: 'The signed-in staff member and the session\'s ends', security: [{ staffSession: [] }], response: { 200: meSchema, 401: unauthorized } },
    }, async (request) => {
      const session = sessionOf(request);
      return {
        staff: {
          login: session.login, role: session.role, store_code: session.store_code, password_must_change: session.password_must_change,
        },
        session: { expires_at: iso(session.expires_at_ms), idle_expires_at: iso(session.idle_expires_at_ms) },
      };
    });

    signed_in.post('/api/v1/staff/password', {
      schema: {
        tags: ['staff'], summary: 'Change the password (first of all after a one-time password)',
        description: 'The other sessions of the account end; this one goes on. A wrong current password counts as a failed sign-in.',
        security: [{ staffSession: [] }], body: passwordBody,
        response: {
          204: z.null().describe('Changed'), 401: unauthorized, 403: problemResponse('The current password is wrong'),
          422: problemResponse('The new password is too short, the current one, or contains the login'),
        },
      },
    }, async (request, reply) => {
      await staff.changePassword(sessionOf(request), { ...request.body, client_address: request.ip });
      return reply.code(204).send(null);
    });
  });

  await app.register(async (child) => {
    const managers = child.withTypeProvider<ZodTypeProvider>();
    managers.addHook('onRequest', staffGuard({ authenticator: staff, default_language, roles: ['store_manager', 'admin'] }));
    managers.get('/api/v1/staff/audit', {
      schema: {
        tags: ['staff'], summary: 'The audit log, newest first: store managers their store, admins any',
        security: [{ staffSession: [] }], querystring: auditQuery,
        response: {
          200: auditPageSchema, 400: problemResponse('A bad query field'), 401: unauthorized,
          403: problemResponse('An agent, a manager asking for another store, or a one-time password not yet changed'),
          404: problemResponse('Admins: no store with this code'),
        },
      },
    }, async (request) => {
      const { store_code, subject_type, subject_id, before, limit } = request.query;
      const entries = await staff.readAudit(staffOf(request), {
        store_code, limit,
        subject: subject_type !== undefined && subject_id !== undefined ? { type: subject_type, id: subject_id } : undefined,
        before_ms: before === undefined ? undefined : Date.parse(before),
      });
      const last = entries.at(-1);
      return {
        entries: entries.map((entry) => ({
          id: entry.id, at: iso(entry.at_ms), staff_login: entry.staff_login, staff_role: entry.staff_role, store_code: entry.store_code,
          action: entry.action, subject_type: entry.subject_type, subject_id: entry.subject_id, client_address: entry.client_address,
          before: parsed(entry.before_json), after: parsed(entry.after_json),
        })),
        next_before: entries.length === limit && last !== undefined ? iso(last.at_ms) : null,
      };
    });
  });
};

function parsed(json: string | null): unknown {
  return json === null ? null : JSON.parse(json);
}
