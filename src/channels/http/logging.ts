import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { matcherBudget, maskPersonalDataInText, PHONE_DIGITS_MIN, redactedField, redactUrl, type MatcherBudget } from '../../core/redaction.js';

/**
 * JSON logs without personal data (core/redaction.ts says what that is). Redaction happens in the
 * logger, not at each call site, on everything a record can carry: the message arguments (hook),
 * the logged object (formatter) and child bindings (values under known names replaced, other text
 * masked, at any depth), and the request, reply and error serializers. Request bodies and
 * headers are never logged. What stays searchable: order, payment and request ids, receipt
 * numbers, error codes, routes, statuses, amounts and times.
 */

/** Deeper structures than this are cut: a log line is not a place for whole documents. */
export const LOG_OBJECT_DEPTH_MAX = 8;
/** Values visited per record, all levels together: a huge object (a socket, a row set) is cut, not walked. */
export const LOG_VALUES_MAX = 1_000;
/** Longer strings are cut before masking, which bounds its cost; stack traces fit. */
export const LOG_TEXT_LENGTH_MAX = 8_192;
/** Longer request addresses are abuse or bugs; the route and the request id still identify the request. */
export const LOG_URL_LENGTH_MAX = 1_024;
export const CUT_MARK = '…[cut]';
const TOO_DEEP = '[too deep]';

export interface LoggerSettings {
  readonly level: string;
  /** Where the JSON lines go; stdout when absent (tests pass a stream to read them back). */
  readonly destination?: DestinationStream;
}

/** The keys pino hands to our serializers, which build their output from scratch. */
const SERIALIZED_KEYS = new Set(['req', 'res', 'err']);

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      logMethod(args, method) {
        method.apply(this, redactArguments(args) as Parameters<typeof method>);
      },
    },
    formatters: { log: (object) => redactRecord(object) },
    serializers: { req: serializeRequest, res: serializeReply, err: serializeError },
  };
  return redactingChildBindings(settings.destination ? pino(options, settings.destination) : pino(options));
}

/**
 * pino applies `formatters.bindings` to the root's own bindings only, never to a child's
 * (`log.child({ msisdn })`, Fastify's per-request loggers): so `child` itself redacts them. Every
 * child is made with Object.create from its parent, so they all find this `child` too.
 */
function redactingChildBindings(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, options) {
    return child.call(this, redactForLog(bindings) as typeof bindings, options);
  } as typeof child;
  return logger;
}

/**
 * The message and its interpolation values. pino takes an error's message as the line's message
 * when none is given, after this hook has run: so a masked one is given here.
 */
function redactArguments(args: readonly unknown[]): unknown[] {
  const [first, ...rest] = args;
  const walk = new RedactionWalk();
  if (typeof first === 'string') return [walk.value(first, 0), ...rest.map((item) => walk.value(item, 0))];
  const error = first instanceof Error
    ? first
    : isRecord(first) && first.err instanceof Error && first.msg === undefined ? first.err : undefined;
  if (rest.length === 0 && error) return [first, walk.value(error.message, 0)];
  return [first, ...rest.map((item) => walk.value(item, 0))];
}

/** The logged object: every key but those our serializers own, which pino applies after this. */
function redactRecord(object: Record<string, unknown>): Record<string, unknown> {
  const walk = new RedactionWalk();
  const redacted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) redacted[key] = SERIALIZED_KEYS.has(key) ? value : walk.field(key, value, 0);
  return redacted;
}

/** Any value made fit for a log line: see core/redaction.ts for what is replaced. */
export function redactForLog(value: unknown): unknown {
  return new RedactionWalk().value(value, 0);
}

/**
 * A stack's frames ("    at fn (file.js:12:34)") are places in our code; only the other lines,
 * the messages of the error and its causes, can hold data. Skipping the frames keeps an error's
 * record cheap to mask (their line numbers would otherwise spend the matcher's budget). A message
 * can hold a line break followed by "    at": a line is taken for a frame only if, its line and
 * column aside, it has too few digits to hold a number.
 */
function maskStack(stack: string, budget: MatcherBudget): string {
  return cutText(stack, LOG_TEXT_LENGTH_MAX).split('\n').map((line) => (isPlainFrame(line) ? line : maskPersonalDataInText(line, budget))).join('\n');
}

function isPlainFrame(line: string): boolean {
  const frame = /^\s+at (.*):\d+:\d+\)?$/.exec(line);
  return frame !== null && (frame[1]?.match(/\p{Nd}/gu)?.length ?? 0) < PHONE_DIGITS_MIN;
}

/** Cuts a text, and drops a number cut in half at the end, so no part of one is left behind. */
export function cutText(text: string, length_max: number): string {
  if (text.length <= length_max) return text;
  return text.slice(0, length_max).replace(/[\p{Nd}\s()+.-]+$/u, '') + CUT_MARK;
}

/** One record's walk: the budgets (values visited, phone matcher work) are shared by all its levels. */
class RedactionWalk {
  #values_left = LOG_VALUES_MAX;
  readonly #budget = matcherBudget();

  text(text: string): string {
    return maskPersonalDataInText(cutText(text, LOG_TEXT_LENGTH_MAX), this.#budget);
  }

  field(key: string, value: unknown, depth: number): unknown {
    return redactedField(key, value) ?? this.value(value, depth);
  }

  value(value: unknown, depth: number): unknown {
    this.#values_left -= 1;
    if (this.#values_left < 0) return CUT_MARK;
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object' || value instanceof Date) return value;
    if (depth >= LOG_OBJECT_DEPTH_MAX) return TOO_DEEP;
    if (value instanceof Error) return this.#error(value, depth);
    if (Array.isArray(value)) return this.#items(value, depth);
    const json = (value as { toJSON?: unknown }).toJSON;
    // What JSON.stringify would write is what gets walked.
    if (typeof json === 'function') return this.value(json.call(value), depth);
    return this.#entries(value as Record<string, unknown>, depth);
  }

  /** pino's error shape (type, message and stack with their causes, own fields); its `code` is the error's code, kept. */
  #error(error: Error, depth: number): Record<string, unknown> {
    const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
    const { code, stack } = serialized;
    const redacted = this.#entries({ ...serialized, stack: undefined }, depth);
    if (typeof code === 'string') redacted.code = this.text(code);
    if (typeof stack === 'string') redacted.stack = maskStack(stack, this.#budget);
    return redacted;
  }

  #items(items: readonly unknown[], depth: number): unknown[] {
    const redacted: unknown[] = [];
    for (const item of items) {
      if (this.#values_left <= 0) return [...redacted, CUT_MARK];
      redacted.push(this.value(item, depth + 1));
    }
    return redacted;
  }

  /** Keys are masked too: a map may be keyed by numbers ({ "+7900…": 3 }). */
  #entries(object: Record<string, unknown>, depth: number): Record<string, unknown> {
    const redacted: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) {
      if (this.#values_left <= 0) return { ...redacted, [CUT_MARK]: CUT_MARK };
      redacted[this.text(key)] = this.field(key, item, depth + 1);
    }
    return redacted;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** An address for the log: named secrets redacted, the rest masked (core/redaction.ts). */
export function redactLoggedUrl(url: string): string {
  return redactUrl(cutText(url, LOG_URL_LENGTH_MAX));
}

interface LoggableRequest {
  readonly method?: string;
  readonly url?: string;
  readonly ip?: string;
  readonly routeOptions?: { readonly url?: string | undefined };
}

function serializeRequest(request: LoggableRequest) {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : redactLoggedUrl(request.url),
    route: request.routeOptions?.url,
    remote_address: request.ip,
  };
}

function serializeReply(reply: { readonly statusCode?: number }) {
  return { status_code: reply.statusCode };
}

function serializeError(error: unknown): unknown {
  return redactForLog(error);
}
