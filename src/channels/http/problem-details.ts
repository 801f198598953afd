import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_CATALOGUE, isRoamError, RoamError, type ErrorCode } from '../../core/errors.js';
import { describeAnyError, describeError } from '../../core/i18n/format.js';
import type { Language } from '../../core/i18n/languages.js';
import { HTTP_FIELD_PROBLEMS, messagesFor, type HttpFieldProblem } from '../../core/i18n/messages.js';
import { responseLanguage } from './accept-language.js';

/**
 * RFC 9457 problem details for every error the API returns: domain errors from the catalogue
 * (core/errors.ts), schema violations naming each field, the framework's own 4xx, and anything
 * unexpected as a bare 500 — never a stack trace or an internal message. `detail` is in the
 * caller's language (lang query, else Accept-Language).
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://roamcard.dev/problems/';

/** Problems about the HTTP exchange itself, beside the domain catalogue. */
export const HTTP_PROBLEMS = {
  ROAM_ERR_UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  ROAM_ERR_FORBIDDEN: { status: 403, title: 'Forbidden' },
  ROAM_ERR_NOT_CONFIGURED: { status: 503, title: 'Not configured' },
  ROAM_ERR_REQUEST_REJECTED: { status: 400, title: 'Request rejected' },
} as const;
export type HttpProblemCode = keyof typeof HTTP_PROBLEMS;
export type ProblemCode = ErrorCode | HttpProblemCode;

const fieldProblemSchema = z.object({
  field: z.string().describe('The field, e.g. "quantity" or "msisdn"'),
  in: z.enum(['body', 'querystring', 'params', 'headers']).describe('Where the field was'),
  problem: z.string().describe('Machine-readable reason, e.g. "missing", "too_small"'),
  detail: z.string().describe('The reason in the caller\'s language'),
});

export const problemSchema = z
  .object({
    type: z.string().describe(`${PROBLEM_TYPE_BASE}<code>, one page per problem kind`),
    title: z.string().describe('Short English summary of the kind of problem'),
    status: z.number().int(),
    detail: z.string().describe('What went wrong, in the caller\'s language'),
    code: z.string().describe('Stable public error code, e.g. ROAM_ERR_LINE_NOT_FOUND'),
    instance: z.string().describe('This occurrence: urn:roamcard:request:<request id>, as in our logs'),
    field: z.string().optional().describe('The field a domain error is about, when there is one'),
    errors: z.array(fieldProblemSchema).optional().describe('Each invalid field (validation problems only)'),
    block_reason: z.string().optional().describe('ROAM_ERR_LINE_BLOCKED: why the network paused the line, e.g. arrival_cooling_off'),
    ends_at: z.string().optional().describe('ROAM_ERR_LINE_BLOCKED: when the block ends (ISO 8601 UTC)'),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof problemSchema>;
export type FieldProblem = z.infer<typeof fieldProblemSchema>;

/** For route schemas: `response: { 404: problemResponse('No such line') }`. */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } };
}

export function requestLanguage(request: FastifyRequest, fallback: Language): Language {
  const query = request.query as Record<string, unknown> | undefined;
  const query_lang = typeof query?.lang === 'string' ? query.lang : undefined;
  return responseLanguage({ query_lang, accept_language: request.headers['accept-language'] }, fallback);
}

export function problemType(code: ProblemCode): string {
  return PROBLEM_TYPE_BASE + code.replace(/^ROAM_ERR_/, '').toLowerCase().replace(/_/g, '-');
}

function problemTitle(code: ProblemCode): string {
  return code in HTTP_PROBLEMS ? HTTP_PROBLEMS[code as HttpProblemCode].title : ERROR_CATALOGUE[code as ErrorCode].title;
}

export function problem(request: FastifyRequest, code: ProblemCode, status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: problemType(code), title: problemTitle(code), status, detail, code, instance: `urn:roamcard:request:${request.id}`, ...extra };
}

/** Sent as a string with its own content type, so no route's response serializer touches it. */
export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

export function roamErrorProblem(request: FastifyRequest, error: RoamError, language: Language): Problem {
  const { field, block_reason, ends_at_ms } = error.params;
  return problem(request, error.code, error.status, describeError(error, language), {
    ...(field ? { field } : {}),
    // A block's reason and end, for the network element to act on without parsing the text.
    ...(block_reason !== undefined && ends_at_ms !== undefined ? { block_reason, ends_at: new Date(ends_at_ms).toISOString() } : {}),
  });
}

/** The single error handler: every thrown or rejected error becomes problem details. */
export function handleError(fallback_language: Language) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const language = requestLanguage(request, fallback_language);
    const body = errorProblem(error, request, language);
    if (body.status >= 500) request.log.error({ err: error, code: body.code }, 'request failed');
    else request.log.info({ code: body.code, status: body.status, fields: body.errors?.map((e) => e.field) }, 'request rejected');
    // A rate-limited refusal says when to come back (RFC 9110 §10.2.3), beside its problem details.
    if (isRoamError(error) && error.params.retry_after_s !== undefined) reply.header('retry-after', String(error.params.retry_after_s));
    return sendProblem(reply, body);
  };
}

function errorProblem(error: FastifyError, request: FastifyRequest, language: Language): Problem {
  if (hasZodFastifySchemaValidationErrors(error)) return validationProblem(request, error.validation, error.validationContext, language);
  if (isRoamError(error)) return roamErrorProblem(request, error, language);
  const status = error.statusCode;
  // The framework's own refusals (bad JSON, wrong content type, body too large) are the caller's doing.
  if (status === 400) return unreadableBodyProblem(request, language);
  if (status !== undefined && status > 400 && status < 500) {
    return problem(request, 'ROAM_ERR_REQUEST_REJECTED', status, messagesFor(language).http.request_rejected({ status }));
  }
  return problem(request, 'ROAM_ERR_INTERNAL', 500, describeAnyError(error, language));
}

/** A body the framework could not parse (malformed JSON, empty JSON body): the field is the body itself. */
function unreadableBodyProblem(request: FastifyRequest, language: Language): Problem {
  const detail = messagesFor(language).http.field_problems.invalid_format;
  const errors: FieldProblem[] = [{ field: 'body', in: 'body', problem: 'invalid_format', detail }];
  return problem(request, 'ROAM_ERR_VALIDATION', 400, describeError(new RoamError('ROAM_ERR_VALIDATION', { field: 'body', reason: detail }), language), { errors });
}

export function notFoundHandler(fallback_language: Language) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const language = requestLanguage(request, fallback_language);
    return sendProblem(reply, problem(request, 'ROAM_ERR_NOT_FOUND', 404, messagesFor(language).http.route_not_found));
  };
}

interface ValidationIssue {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
}

type FieldLocation = FieldProblem['in'];

function validationProblem(
  request: FastifyRequest,
  issues: readonly ValidationIssue[],
  context: string | undefined,
  language: Language,
): Problem {
  const location: FieldLocation = context === 'querystring' || context === 'params' || context === 'headers' ? context : 'body';
  const errors = issues.map((issue) => fieldProblem(request, issue, location, language));
  const detail = errors
    .map((error) => describeError(new RoamError('ROAM_ERR_VALIDATION', { field: error.field, reason: error.detail }), language))
    .join(' ');
  return problem(request, 'ROAM_ERR_VALIDATION', 400, detail, { errors });
}

function fieldProblem(request: FastifyRequest, issue: ValidationIssue, location: FieldLocation, language: Language): FieldProblem {
  const path = issue.instancePath.split('/').filter((part) => part.length > 0);
  const field = path.length === 0 ? location : path.join('.');
  const problemName = issueProblem(issue, valueAt(requestPart(request, location), path) === undefined);
  return { field, in: location, problem: problemName, detail: messagesFor(language).http.field_problems[problemName] };
}

function issueProblem(issue: ValidationIssue, absent: boolean): HttpFieldProblem {
  if (issue.keyword === 'custom') {
    const reason = (issue.params.params as { reason?: unknown } | undefined)?.reason;
    return (HTTP_FIELD_PROBLEMS as readonly unknown[]).includes(reason) ? (reason as HttpFieldProblem) : 'invalid';
  }
  if (absent && issue.keyword === 'invalid_type') return 'missing';
  const byKeyword: Record<string, HttpFieldProblem> = {
    invalid_type: 'wrong_type', too_small: 'too_small', too_big: 'too_big', invalid_format: 'invalid_format',
    invalid_value: 'invalid_value', unrecognized_keys: 'unexpected',
  };
  return byKeyword[issue.keyword] ?? 'invalid';
}

function requestPart(request: FastifyRequest, location: FieldLocation): unknown {
  switch (location) {
    case 'body': return request.body;
    case 'querystring': return request.query;
    case 'params': return request.params;
    case 'headers': return request.headers;
  }
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
