/**
 * One catalogue of domain errors (Fastify style): each has a stable public code, an HTTP status
 * and a short English title. Localized text for people lives in i18n/messages-<language>.ts (one
 * file per language), keyed by code.
 * Operating errors (bad input, not found, not enough money) are RoamError; programmer errors
 * (broken invariants) are plain Errors and surface as ROAM_ERR_INTERNAL without details.
 */

export const ERROR_CATALOGUE = {
  ROAM_ERR_VALIDATION: { status: 400, title: 'The request is not valid' },
  ROAM_ERR_ICCID_INVALID: { status: 400, title: 'ICCID is not valid' },
  ROAM_ERR_MSISDN_INVALID: { status: 400, title: 'Phone number is not valid' },
  ROAM_ERR_IMSI_INVALID: { status: 400, title: 'IMSI is not valid' },
  ROAM_ERR_ESIM_CODE_INVALID: { status: 400, title: 'eSIM activation code is not valid' },
  ROAM_ERR_AMOUNT_INVALID: { status: 400, title: 'Amount is not valid' },
  ROAM_ERR_SIM_NOT_FOUND: { status: 404, title: 'SIM not found' },
  ROAM_ERR_SIM_NOT_IN_STOCK: { status: 409, title: 'SIM is not in stock' },
  ROAM_ERR_SIM_EXISTS: { status: 409, title: 'SIM already in inventory' },
  ROAM_ERR_LINE_NOT_FOUND: { status: 404, title: 'Line not found' },
  ROAM_ERR_LINE_NOT_ACTIVE: { status: 409, title: 'Line is not active' },
  ROAM_ERR_LINE_BLOCKED: { status: 409, title: 'The network has paused this kind of usage on the line' },
  ROAM_ERR_BLOCK_NOT_FOUND: { status: 404, title: 'Network block not found' },
  ROAM_ERR_BLOCK_END_INVALID: { status: 422, title: 'Network block end is not valid' },
  ROAM_ERR_ACCOUNT_NOT_FOUND: { status: 404, title: 'Account not found' },
  ROAM_ERR_PACKAGE_NOT_FOUND: { status: 404, title: 'Package not found' },
  ROAM_ERR_PACKAGE_INACTIVE: { status: 409, title: 'Package is not on sale' },
  ROAM_ERR_PACKAGE_NOT_ON_CHANNEL: { status: 409, title: 'Package is not sold on this channel' },
  ROAM_ERR_PACKAGE_INVALID: { status: 400, title: 'Package definition is not valid' },
  ROAM_ERR_PRICE_NOT_SET: { status: 409, title: 'Package has no price' },
  ROAM_ERR_INSUFFICIENT_FUNDS: { status: 402, title: 'Not enough money in the wallet' },
  ROAM_ERR_IDEMPOTENCY_CONFLICT: { status: 409, title: 'Idempotency key reused with a different request' },
  ROAM_ERR_USAGE_EVENT_CONFLICT: { status: 409, title: 'Usage event id reused with different usage' },
  ROAM_ERR_ENTRY_NOT_FOUND: { status: 404, title: 'Journal entry not found' },
  ROAM_ERR_ENTRY_ALREADY_REVERSED: { status: 409, title: 'Journal entry already reversed' },
  ROAM_ERR_LEDGER_ACCOUNT_NOT_FOUND: { status: 404, title: 'Ledger account not found' },
  ROAM_ERR_USSD_CODE_UNKNOWN: { status: 404, title: 'Unknown USSD code' },
  ROAM_ERR_ORDER_NOT_FOUND: { status: 404, title: 'Order not found' },
  ROAM_ERR_ORDER_CLOSED: { status: 409, title: 'Order no longer takes payments' },
  ROAM_ERR_PAYMENT_NOT_FOUND: { status: 404, title: 'Payment not found' },
  ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE: { status: 422, title: 'Payment method not available' },
  ROAM_ERR_WALLET_PAYER_UNPROVEN: { status: 403, title: 'Paying from the line\'s balance needs its owner' },
  ROAM_ERR_REFUND_NOT_ALLOWED: { status: 409, title: 'Refund not allowed' },
  ROAM_ERR_RATE_LIMITED: { status: 429, title: 'Too many requests' },
  ROAM_ERR_CODE_INVALID: { status: 400, title: 'One-time code is wrong or expired' },
  ROAM_ERR_ICCID_MISMATCH: { status: 422, title: 'SIM serial number does not match the number' },
  ROAM_ERR_SIGN_IN_REQUIRED: { status: 401, title: 'Sign-in required' },
  ROAM_ERR_CSRF_INVALID: { status: 403, title: 'Form token missing or wrong' },
  ROAM_ERR_CUSTOMER_LINES_LIMIT: { status: 409, title: 'Too many lines on one account' },
  ROAM_ERR_STAFF_SIGN_IN_FAILED: { status: 401, title: 'Staff sign-in failed' },
  ROAM_ERR_STAFF_PASSWORD_CHANGE_REQUIRED: { status: 403, title: 'The one-time password must be changed first' },
  ROAM_ERR_STAFF_PASSWORD_WRONG: { status: 403, title: 'Current password is wrong' },
  ROAM_ERR_STAFF_PASSWORD_REJECTED: { status: 422, title: 'New password not accepted' },
  ROAM_ERR_STAFF_STORE_FORBIDDEN: { status: 403, title: 'Another store\'s records' },
  ROAM_ERR_STAFF_LOGIN_TAKEN: { status: 409, title: 'Staff login already taken' },
  ROAM_ERR_STAFF_ROLE_UNKNOWN: { status: 400, title: 'Unknown staff role' },
  ROAM_ERR_STAFF_NOT_FOUND: { status: 404, title: 'Staff member not found' },
  ROAM_ERR_STORE_NOT_FOUND: { status: 404, title: 'Store not found' },
  ROAM_ERR_SHIFT_NOT_FOUND: { status: 404, title: 'Cash shift not found' },
  ROAM_ERR_SHIFT_ALREADY_OPEN: { status: 409, title: 'A cash shift is already open' },
  ROAM_ERR_SHIFT_REQUIRED: { status: 409, title: 'A cash sale needs an open cash shift' },
  ROAM_ERR_SHIFT_CLOSED: { status: 409, title: 'The cash shift is closed' },
  ROAM_ERR_SHIFT_SALE_IN_PROGRESS: { status: 409, title: 'A sale on the cash shift is still being completed' },
  ROAM_ERR_TENDER_SHORT: { status: 422, title: 'The cash tendered is less than the price' },
  ROAM_ERR_DOCUMENT_NOT_CHECKED: { status: 422, title: 'A cash payment needs the payer\'s identity document checked' },
  ROAM_ERR_INN_INVALID: { status: 400, title: 'INN is not valid' },
  ROAM_ERR_KPP_INVALID: { status: 400, title: 'KPP is not valid' },
  ROAM_ERR_DOCUMENT_INVALID: { status: 400, title: 'Identity document is not valid' },
  ROAM_ERR_IMEI_INVALID: { status: 400, title: 'IMEI is not valid' },
  ROAM_ERR_CONSENT_REQUIRED: { status: 400, title: 'Consent to personal data processing is required' },
  ROAM_ERR_NUMBERS_PER_PERSON_LIMIT: { status: 409, title: 'This document already holds the most numbers allowed' },
  ROAM_ERR_SIM_NOT_IN_STORE: { status: 409, title: 'SIM is not in this store\'s stock' },
  ROAM_ERR_STORE_FORBIDDEN: { status: 403, title: 'This belongs to another store' },
  ROAM_ERR_SUBSCRIBER_NOT_FOUND: { status: 404, title: 'No desk-connected subscriber on this line' },
  ROAM_ERR_IDENTITY_UNVERIFIED: { status: 409, title: 'The owner\'s identity is not confirmed: the line has no service' },
  ROAM_ERR_VERIFIER_UNAVAILABLE: { status: 503, title: 'Identity verification is not configured' },
  ROAM_ERR_PARTNER_NOT_FOUND: { status: 404, title: 'Partner not found' },
  ROAM_ERR_PARTNER_EXISTS: { status: 409, title: 'A partner with this code already exists' },
  ROAM_ERR_PARTNER_SIGNATURE_INVALID: { status: 401, title: 'Request signature missing or wrong' },
  ROAM_ERR_PARTNER_TIMESTAMP_STALE: { status: 401, title: 'Request timestamp missing or too far from our clock' },
  ROAM_ERR_NOT_FOUND: { status: 404, title: 'Not found' },
  ROAM_ERR_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  ROAM_ERR_INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Parameters that localized messages may use; all optional, all plain values. */
export interface ErrorParams {
  field?: string;
  reason?: string;
  value?: string;
  line?: number;
  code?: string;
  channel?: string;
  needed_minor?: number;
  available_minor?: number;
  /** ROAM_ERR_RATE_LIMITED: when to try again. */
  retry_after_s?: number;
  /** ROAM_ERR_CUSTOMER_LINES_LIMIT: the limit. */
  lines_max?: number;
  /** ROAM_ERR_LINE_BLOCKED: why the network paused the line (core/network-blocks.ts), and until when. */
  block_reason?: string;
  ends_at_ms?: number;
  usage_kind?: string;
  /** ROAM_ERR_IDENTITY_UNVERIFIED: pending, rejected or expired. */
  verification_state?: string;
  /** ROAM_ERR_BLOCK_END_INVALID: the longest block allowed. */
  hours_max?: number;
  /** ROAM_ERR_PARTNER_TIMESTAMP_STALE: how far a signed request's timestamp may be from our clock. */
  minutes_max?: number;
}

export class RoamError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: Readonly<ErrorParams>;

  constructor(code: ErrorCode, params: ErrorParams = {}, detail?: string) {
    super(detail ?? `${ERROR_CATALOGUE[code].title}${params.field ? ` (${params.field})` : ''}${params.reason ? `: ${params.reason}` : ''}`);
    this.name = 'RoamError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.params = Object.freeze({ ...params });
  }
}

export function isRoamError(error: unknown): error is RoamError {
  return error instanceof RoamError;
}

/** Programmer errors: an invariant does not hold. Crash loudly (TigerBeetle style). */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}
