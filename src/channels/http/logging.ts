import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { maskPhoneNumbersInText } from '../../core/phone.js';

/**
 * JSON logs with every phone number masked. Masking happens in the logger, not at each call site:
 * the message arguments (hook), every string inside logged objects and bindings (formatters), and
 * the request, reply and error serializers (URLs are decoded first, so "%2B7900…" is caught too).
 * Request bodies are never logged.
 */

/** Deeper structures than this are cut: a log line is not a place for whole documents. */
export const LOG_OBJECT_DEPTH_MAX = 8;

export interface LoggerSettings {
  readonly level: string;
  /** Where the JSON lines go; stdout when absent (tests pass a stream to read them back). */
  readonly destination?: DestinationStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      logMethod(args, method) {
        const masked = args.map((argument: unknown) => (typeof argument === 'string' ? maskPhoneNumbersInText(argument) : argument));
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
    formatters: {
      bindings: (bindings) => maskStrings(bindings, 0) as Record<string, unknown>,
      log: (object) => maskStrings(object, 0) as Record<string, unknown>,
    },
    serializers: { req: serializeRequest, res: serializeReply, err: serializeError },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/**
 * Masks strings in plain objects and arrays. Other objects (requests, errors) are left for their
 * serializers, which pino applies after this formatter and which mask their own output.
 */
export function maskStrings(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskPhoneNumbersInText(value);
  if (depth >= LOG_OBJECT_DEPTH_MAX || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => maskStrings(item, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskStrings(item, depth + 1)]));
}

/** A URL for the log: percent-decoded (so encoded numbers are seen), then masked. */
export function maskUrl(url: string): string {
  let decoded = url;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    // Malformed escapes: mask what we have.
  }
  return maskPhoneNumbersInText(decoded);
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
    url: request.url === undefined ? undefined : maskUrl(request.url),
    route: request.routeOptions?.url,
    remote_address: request.ip,
  };
}

function serializeReply(reply: { readonly statusCode?: number }) {
  return { status_code: reply.statusCode };
}

function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return maskStrings(error, 0);
  return maskStrings(plainCopy(pino.stdSerializers.err(error), 0), 0);
}

/** pino's serialized errors (and their causes) have their own prototype; plain copies get walked. */
function plainCopy(value: unknown, depth: number): unknown {
  if (depth >= LOG_OBJECT_DEPTH_MAX || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => plainCopy(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainCopy(item, depth + 1)]));
}
