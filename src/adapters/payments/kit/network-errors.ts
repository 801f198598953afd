/**
 * A call that got no HTTP answer: did the request reach the provider? Every adapter answers the
 * same way, whatever its HTTP client (fetch for YooKassa and PayPal's webhook check, axios inside
 * PayPal's SDK, node:http inside Stripe's): only a failure before any connection existed proves
 * that nothing was sent, so only that is `retryable`; anything later may have been acted on.
 */

/**
 * Socket errors raised before a connection exists (Node's and undici's codes): DNS failed, the
 * host or network is unreachable or down, the connection was refused or never completed. Not one
 * byte of the request left this machine, so sending it again cannot make a second payment.
 */
export const NOT_SENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** How deep a network error's code may sit in its cause chain (fetch: TypeError → cause → code). */
const CAUSE_DEPTH_MAX = 3;

/**
 * A network error's code, on the error or on its cause (fetch wraps it, axios does not); our own
 * AbortSignal timeout reads as ETIMEDOUT. Undefined when there is none to find.
 */
export function networkErrorCode(error: unknown): string | undefined {
  for (let candidate: unknown = error, depth = 0; depth < CAUSE_DEPTH_MAX && typeof candidate === 'object' && candidate !== null; depth += 1) {
    if ('code' in candidate && typeof candidate.code === 'string') return candidate.code;
    if (isTimeout(candidate)) return 'ETIMEDOUT';
    candidate = 'cause' in candidate ? candidate.cause : undefined;
  }
  return undefined;
}

/** Our own deadline passed (AbortSignal.timeout): the request may well be at the provider. */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

/** False only for a failure that proves the request never left (an unknown failure may have). */
export function mayHaveBeenSent(error_code: string | undefined): boolean {
  return error_code === undefined || !NOT_SENT_ERROR_CODES.has(error_code);
}
