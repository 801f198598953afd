import { z } from 'zod';
import { FISCAL_REGISTER_TIME_ZONE } from '../../../core/fiscal-qr.js';
import { minorToDecimalString } from '../../../core/money.js';
import { instantOfWallClock, wallClockAt } from '../../../core/time-zone.js';
import {
  FISCAL_AMOUNT_MINOR_MAX,
  FISCAL_ERROR_TYPES,
  type AgentType,
  type FiscalAgent,
  type FiscalAttributes,
  type FiscalError,
  type FiscalErrorType,
  type FiscalItem,
  type FiscalPaymentType,
  type FiscalRequest,
} from '../../../ports/fiscal-register.js';

/**
 * ATOL Online API v5 (fiscal data format 1.2) on the wire, and pure translations between it and
 * the FiscalRegister port (protocols/fiscal-54fz.md; ATOL's published API description v5).
 * Answers are parsed with zod: unknown fields are dropped (ATOL adds fields over time), but a field
 * we rely on that is missing or of another shape is an unreadable answer.
 */

export const ATOL_REGISTER_NAME = 'atol';
export const ATOL_API_VERSION = 'v5';
/** The clock of ATOL's registers and of the `timestamp` it takes: Moscow time. */
export const ATOL_TIME_ZONE = FISCAL_REGISTER_TIME_ZONE;

/** A token lives 24 hours from getToken. */
export const TOKEN_LIFETIME_MS = 24 * 3_600_000;
/** A token is replaced this long before it would expire, so a call never carries one that dies on the way. */
export const TOKEN_REFRESH_EARLY_MS = 3_600_000;

/** ATOL's document ids: UUIDs. Anything else never goes into a URL. */
export const ATOL_UUID_PATTERN = /^[0-9A-Za-z-]{1,64}$/;

/*
 * ATOL's service errors (v5 protocol, section 7.1 "Ошибки сервиса"): 10 no token, 11 token expired
 * or unknown, 12 wrong login or password, 13 getToken's request invalid, 14 user blocked, 20 token
 * of another group, 21 group not supported, 30 no uuid, 31 operation not supported, 32 receipt
 * invalid, 33 external_id exists, 34 document not found, 40 bad request, 41 media type, 50 ATOL's
 * own configuration.
 */

/**
 * The error code of an external_id the group already holds (answered with the first document's
 * uuid). Its text says the document exists, which is also recognised, in case the code differs.
 */
export const ATOL_DUPLICATE_CODE = '33';
const DUPLICATE_TEXT = /существует|already exists/i;
/**
 * The error code of a token ATOL no longer takes (expired, or unknown after a restart of theirs);
 * an HTTP 401, or a system error speaking of the token, reads the same.
 */
export const ATOL_TOKEN_CODES: ReadonlySet<string> = new Set(['10', '11']);
const TOKEN_TEXT = /токен|token/i;

export const ATOL_PAYMENT_TYPES: Readonly<Record<FiscalPaymentType, number>> = { cash: 0, electronic: 1, prepaid: 2 };

const ATOL_AGENT_TYPES: Readonly<Record<AgentType, string>> = {
  bank_payment_agent: 'bank_paying_agent',
  bank_payment_subagent: 'bank_paying_subagent',
  payment_agent: 'paying_agent',
  payment_subagent: 'paying_subagent',
  attorney: 'attorney',
  commission_agent: 'commission_agent',
  another: 'another',
};

// ---------------------------------------------------------------------------------------------
// Amounts and times

/**
 * Kopecks → roubles as the JSON number ATOL takes (190.00 → 190, 0.01 → 0.01, 14999.99 → 14999.99).
 * Made from the decimal text, never by dividing, and checked to read back to the same kopecks:
 * below FISCAL_AMOUNT_MINOR_MAX (12 significant digits) a double holds every such value exactly.
 */
export function roublesFromMinor(amount_minor: number): number {
  if (!Number.isSafeInteger(amount_minor) || amount_minor < 0 || amount_minor > FISCAL_AMOUNT_MINOR_MAX) {
    throw new RangeError(`amount_minor must be a whole number of kopecks 0–${FISCAL_AMOUNT_MINOR_MAX}, got ${amount_minor}`);
  }
  const roubles = Number(minorToDecimalString(amount_minor, 'RUB'));
  if (minorFromRoubles(roubles) !== amount_minor) throw new RangeError(`${amount_minor} kopecks do not survive as a JSON number`);
  return roubles;
}

/**
 * A rouble amount from ATOL's JSON → kopecks, by the number's shortest decimal text (what was on
 * the wire): "190" → 19000, "14999.99" → 1499999. Undefined for a third decimal place, a negative
 * or an exponent — nothing a register prints.
 */
export function minorFromRoubles(roubles: number): number | undefined {
  if (!Number.isFinite(roubles) || roubles < 0) return undefined;
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(roubles));
  if (!match) return undefined;
  const amount_minor = Number(`${match[1]}${(match[2] ?? '').padEnd(2, '0')}`);
  return Number.isSafeInteger(amount_minor) ? amount_minor : undefined;
}

const two = (value: number) => String(value).padStart(2, '0');

/** "15.01.2026" in Moscow time. */
export function atolDate(at_ms: number): string {
  const wall = wallClockAt(at_ms, ATOL_TIME_ZONE);
  return `${two(wall.day)}.${two(wall.month)}.${wall.year}`;
}

/** "15.01.2026 14:23:45" in Moscow time: the `timestamp` of a request. */
export function atolTimestamp(at_ms: number): string {
  const wall = wallClockAt(at_ms, ATOL_TIME_ZONE);
  return `${atolDate(at_ms)} ${two(wall.hour)}:${two(wall.minute)}:${two(wall.second)}`;
}

/** "15.01.2026 14:23:45" (seconds optional) on a Moscow clock → the instant; undefined for anything else. */
export function instantFromAtol(text: string): number | undefined {
  const match = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const [day, month, year, hour, minute, second] = [match[1], match[2], match[3], match[4], match[5], match[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const at_ms = instantOfWallClock({ year, month, day, hour, minute, second }, ATOL_TIME_ZONE);
  // 31.02 would roll into March: a date that does not exist is not one.
  return wallClockAt(at_ms, ATOL_TIME_ZONE).day === day ? at_ms : undefined;
}

// ---------------------------------------------------------------------------------------------
// Requests

export interface AtolItem {
  readonly name: string;
  readonly price: number;
  readonly quantity: number;
  readonly sum: number;
  readonly measure: number;
  readonly payment_method: string;
  readonly payment_object: number;
  readonly vat: { readonly type: string };
  readonly agent_info?: {
    readonly type: string;
    readonly paying_agent?: { readonly operation: string; readonly phones: readonly string[] };
    readonly receive_payments_operator?: { readonly phones: readonly string[] };
  };
  readonly supplier_info?: { readonly name: string; readonly inn: string; readonly phones?: readonly string[] };
}

interface AtolDocumentBody {
  readonly client: { readonly email?: string; readonly phone?: string };
  readonly company: { readonly email: string; readonly sno: string; readonly inn: string; readonly payment_address: string };
  readonly items: readonly AtolItem[];
  readonly payments: readonly { readonly type: number; readonly sum: number }[];
  readonly total: number;
}

export interface AtolRequestBody {
  readonly external_id: string;
  readonly timestamp: string;
  readonly receipt?: AtolDocumentBody;
  readonly correction?: AtolDocumentBody & {
    readonly correction_info: { readonly type: 'self' | 'instruction'; readonly base_date: string; readonly base_number?: string };
  };
  readonly service?: { readonly callback_url: string };
}

/**
 * The body of POST v5/{group}/{operation}. A customer who left no contact gets the receipt at the
 * company's own address: ATOL takes no document without one (a cloud register has no paper).
 */
export function atolRequestBody(request: FiscalRequest, options: { readonly callback_url?: string } = {}): AtolRequestBody {
  const client = request.client.email || request.client.phone
    ? { ...(request.client.email ? { email: request.client.email } : {}), ...(request.client.phone ? { phone: request.client.phone } : {}) }
    : { email: request.company.email };
  const document: AtolDocumentBody = {
    client,
    company: {
      email: request.company.email, sno: request.company.sno, inn: request.company.inn, payment_address: request.company.payment_address,
    },
    items: request.items.map(atolItem),
    payments: request.payments.map((payment) => ({ type: ATOL_PAYMENT_TYPES[payment.type], sum: roublesFromMinor(payment.sum_minor) })),
    total: roublesFromMinor(request.total_minor),
  };
  const service = options.callback_url === undefined ? {} : { service: { callback_url: options.callback_url } };
  const base = { external_id: request.external_id, timestamp: atolTimestamp(request.time_ms) };
  const correction = request.correction;
  if (correction === undefined) return { ...base, receipt: document, ...service };
  const base_number = correction.base_document.number;
  return {
    ...base,
    correction: {
      ...document,
      correction_info: {
        type: correction.type, base_date: atolDate(correction.base_document.date_ms), ...(base_number ? { base_number } : {}),
      },
    },
    ...service,
  };
}

function atolItem(item: FiscalItem): AtolItem {
  return {
    name: item.name,
    price: roublesFromMinor(item.price_minor),
    quantity: item.quantity,
    sum: roublesFromMinor(item.sum_minor),
    measure: item.measure,
    payment_method: item.payment_method,
    payment_object: item.payment_object,
    vat: { type: item.vat },
    ...(item.agent === undefined ? {} : agentFields(item.agent)),
  };
}

function agentFields(agent: FiscalAgent): Pick<AtolItem, 'agent_info' | 'supplier_info'> {
  return {
    agent_info: {
      type: ATOL_AGENT_TYPES[agent.type],
      ...(agent.paying_agent ? { paying_agent: agent.paying_agent } : {}),
      ...(agent.receive_payments_operator ? { receive_payments_operator: agent.receive_payments_operator } : {}),
    },
    supplier_info: {
      name: agent.supplier.name, inn: agent.supplier.inn, ...(agent.supplier.phones ? { phones: agent.supplier.phones } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Answers

/** `{ code, text, type }`: ATOL's error, on every answer that is one. */
export const atolErrorSchema = z.object({
  code: z.union([z.number(), z.string()]).transform(String),
  text: z.string().nullish().transform((text) => text ?? ''),
  type: z.string().nullish().transform((type) => type ?? 'system'),
  error_id: z.string().nullish(),
});
export type AtolError = z.infer<typeof atolErrorSchema>;

/** What any answer may say about an error: `error` is null (or absent) when there is none. */
export const errorPartSchema = z.object({ error: atolErrorSchema.nullish() });

export const tokenAnswerSchema = z.object({ token: z.string().min(1) });

export const registrationAnswerSchema = z.object({
  uuid: z.string().regex(ATOL_UUID_PATTERN).nullish(),
  status: z.enum(['wait', 'done', 'fail']).nullish(),
});

export const reportAnswerSchema = z.object({
  uuid: z.string().nullish(),
  status: z.enum(['wait', 'done', 'fail']),
  payload: z.unknown().optional(),
});

const digits = (pattern: RegExp) => z.union([z.string(), z.number().int()]).transform(String).pipe(z.string().regex(pattern));

/** `payload` of a done document. */
export const payloadSchema = z.object({
  fiscal_receipt_number: z.number().int().positive(),
  shift_number: z.number().int().positive(),
  receipt_datetime: z.string(),
  total: z.number(),
  fn_number: digits(/^\d{16}$/),
  ecr_registration_number: digits(/^\d{1,20}$/),
  fiscal_document_number: z.number().int().positive(),
  fiscal_document_attribute: digits(/^\d{1,10}$/).transform(Number),
  fns_site: z.string().nullish(),
  ofd_inn: z.string().nullish(),
  ofd_receipt_url: z.string().nullish(),
});

/** The error of an answer, when it is one (ATOL sends `"error": null` on success). */
export function atolErrorOf(json: unknown): AtolError | undefined {
  const parsed = errorPartSchema.safeParse(json);
  return parsed.success ? parsed.data.error ?? undefined : undefined;
}

export function isDuplicate(error: AtolError): boolean {
  return error.code === ATOL_DUPLICATE_CODE || DUPLICATE_TEXT.test(error.text);
}

/** ATOL no longer takes the token the call carried: get a new one and call again, once. */
export function isTokenRefusal(http_status: number, error: AtolError | undefined): boolean {
  if (http_status === 401) return true;
  if (error === undefined) return false;
  return ATOL_TOKEN_CODES.has(error.code) || (error.type === 'system' && TOKEN_TEXT.test(error.text));
}

/** ATOL's error in the port's words; a type ATOL may add later reads as a system error. */
export function fiscalErrorOf(error: AtolError): FiscalError {
  const type: FiscalErrorType = (FISCAL_ERROR_TYPES as readonly string[]).includes(error.type) && error.type !== 'transport' ? error.type as FiscalErrorType : 'system';
  return { code: error.code, text: error.text || `ATOL error ${error.code}`, type };
}

/**
 * A refusal of the document's data (ATOL's own validation: `agent`; the register's driver:
 * `driver`) fails the same way every time: final. A `system` error is ATOL's side: retryable.
 */
export function isFinalError(error: FiscalError): boolean {
  return error.type === 'agent' || error.type === 'driver';
}

/** A done document's payload → the port's attributes; undefined with the reason when it cannot be read. */
export function attributesFrom(payload: unknown): { attributes: FiscalAttributes } | { problem: string } {
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) return { problem: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
  const data = parsed.data;
  const total_minor = minorFromRoubles(data.total);
  if (total_minor === undefined) return { problem: `total: ${data.total} is not an amount in roubles and kopecks` };
  const receipt_datetime_ms = instantFromAtol(data.receipt_datetime);
  if (receipt_datetime_ms === undefined) return { problem: `receipt_datetime: "${data.receipt_datetime}" is not dd.mm.yyyy HH:MM:SS` };
  return {
    attributes: {
      fn_number: data.fn_number,
      fiscal_document_number: data.fiscal_document_number,
      fiscal_document_attribute: data.fiscal_document_attribute,
      ecr_registration_number: data.ecr_registration_number,
      shift_number: data.shift_number,
      fiscal_receipt_number: data.fiscal_receipt_number,
      receipt_datetime_ms,
      total_minor,
      ...(data.ofd_receipt_url ? { ofd_receipt_url: data.ofd_receipt_url } : {}),
      ...(data.fns_site ? { fns_site: data.fns_site } : {}),
      ...(data.ofd_inn ? { ofd_inn: data.ofd_inn } : {}),
    },
  };
}
