import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { AddressList, LOOPBACK_RANGES } from './core/address-list.js';
import { isLanguage, type Language } from './core/i18n/languages.js';
import { isTimeZone } from './core/time-zone.js';
import type { PayAsYouGoTariff } from './core/charging-plan.js';
import { SMS_DRIVERS, type SmsDriver } from './ports/sms-sender.js';
import {
  FISCAL_PAYMENT_METHODS,
  PAYMENT_OBJECT,
  PAYMENT_OBJECT_MAX,
  PAYMENT_OBJECT_MIN,
  TAXATION_SYSTEMS,
  vatTypeFor,
  type FiscalCompany,
  type FiscalPaymentMethod,
  type TaxationSystem,
} from './ports/fiscal-register.js';
import { smppConfig, smppEnvironmentShape, smppProblems, type SmppConfig } from './adapters/sms/smpp/smpp-config.js';
import { atolConfigFromEnv, type AtolConfig } from './adapters/fiscal/atol/atol-config.js';
import { mailConfig, mailDriver, mailEnvironmentShape, mailProblems, mailWarnings, type MailConfig } from './adapters/mail/smtp/smtp-config.js';
import {
  isValidBic,
  isValidCorrespondentAccount,
  isValidInn,
  isValidKpp,
  isValidSettlementAccount,
} from './services/receipts/bank-details.js';
import { GOST_FIELD_LENGTH_MAX } from './services/receipts/gost-payment-qr.js';
import type { SellerDetails } from './services/receipts/seller.js';
import { parseVatSchedule, VAT_RATES_DEFAULT, type VatSchedule } from './services/receipts/vat.js';
import { LOOKUP_LIMITS_DEFAULT, type LookupLimits } from './services/renewal/lookup-limits.js';
import { NOTICES_PER_NUMBER_DAY_MAX_DEFAULT } from './services/notices/notices.js';
import { decodedKey, documentKeysProblems, parseDocumentKeys, type IdentityKeys } from './services/identity/identity-crypto.js';

/**
 * Configuration comes from the environment only, and is validated once at start: a bad value
 * stops the process with a message naming the variable, before anything is opened or served.
 */

const tariffValue = z
  .string()
  .trim()
  .regex(/^(off|\d+)$/, 'must be a whole number of kopecks, or "off"')
  .transform((value) => (value === 'off' ? null : Number(value)));

const timeZone = z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Moscow');

/** A shared secret shorter than this is guessable; `openssl rand -hex 32` gives 64 characters. */
export const NETWORK_API_TOKEN_LENGTH_MIN = 16;

/** Indicative rates, roubles to each currency, for the "≈" prices on the customer site (never used for money). */
export const FX_RATES_DEFAULT = Object.freeze({ CNY: 0.0771, USD: 0.0108, EUR: 0.0101 });
const fxRates = z
  .string()
  .regex(/^\s*(CNY|USD|EUR)\s*=\s*\d+(\.\d+)?\s*(,\s*(CNY|USD|EUR)\s*=\s*\d+(\.\d+)?\s*)*$/, 'must look like CNY=0.0771,USD=0.0108,EUR=0.0101 (roubles to CNY, USD or EUR)')
  .transform((value) => Object.fromEntries(value.split(',').map((pair) => pair.split('=').map((part) => part.trim())).map(([currency, rate]) => [currency, Number(rate)])) as Partial<Record<keyof typeof FX_RATES_DEFAULT, number>>)
  .refine((rates) => Object.values(rates).every((rate) => rate > 0), 'every rate must be greater than zero');

const paymentRoutes = z
  .string()
  .regex(/^\s*([a-z_]+\s*=\s*[a-z]+\s*)(,\s*[a-z_]+\s*=\s*[a-z]+\s*)*$/, 'must look like card=yookassa,alipay=stripe')
  .transform((value) => Object.fromEntries(value.split(',').map((pair) => pair.split('=').map((part) => part.trim()) as [string, string])));

const onOff = z.enum(['on', 'off'], { error: 'must be "on" or "off"' });

/** Setting any of these turns a real payment provider on (each adapter validates the rest of its variables). */
export const REAL_PROVIDER_VARIABLES = ['YOOKASSA_SHOP_ID', 'STRIPE_SECRET_KEY', 'PAYPAL_CLIENT_ID'] as const;

/** A comma-separated list of IP addresses and CIDR ranges, IPv4 and IPv6; each bad part is named. */
export const addressListSetting = z.string().transform((text, context) => {
  const parsed = AddressList.parse(text);
  if (parsed.ok) return parsed.list;
  for (const problem of parsed.problems) context.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});

/** More proxies than this in front of one server is a typo, not a deployment. */
export const TRUST_PROXY_HOPS_MAX = 10;

/**
 * Which hops of X-Forwarded-For to believe. `true` (believe all of it) is refused: the left-most
 * entry is whatever the client wrote, so every client could choose its address and dodge the
 * per-address limits and allow-lists. A hop count or the proxies' own addresses say where the
 * header stops being trustworthy; the client is then the right-most address not trusted.
 */
const trustProxySetting = z.string().trim().transform((text, context): TrustProxy => {
  if (text === 'false') return false;
  if (text === 'true') {
    context.addIssue({ code: 'custom', message: 'must not be "true": that believes X-Forwarded-For from anyone, so any client could choose its address. Give the number of proxies in front of this server (e.g. 1) or their addresses/CIDR ranges (e.g. 10.0.0.0/8)' });
    return z.NEVER;
  }
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops >= 1 && hops <= TRUST_PROXY_HOPS_MAX) return { hops };
    context.addIssue({ code: 'custom', message: `must be a number of proxies from 1 to ${TRUST_PROXY_HOPS_MAX}, "false", or the proxies' addresses/CIDR ranges` });
    return z.NEVER;
  }
  const parsed = AddressList.parse(text);
  if (parsed.ok) return { addresses: parsed.list };
  for (const problem of parsed.problems) context.addIssue({ code: 'custom', message: `${problem} (give "false", a number of proxies, or the proxies' addresses/CIDR ranges)` });
  return z.NEVER;
});

/** Behind no proxy (false), the nearest `hops` proxies, or the proxies at these addresses. */
export type TrustProxy = false | { readonly hops: number } | { readonly addresses: AddressList };

/** Free text printed on receipts and invoices: one line, no control characters. */
const sellerText = (length_max: number) => z.string().trim().min(1).max(length_max).regex(/^[^\p{Cc}|]+$/u, 'must be one line of text without "|"');

/**
 * The seller on receipts and invoices. The defaults are a demo company with made-up (but
 * check-digit-valid) details, so a fresh install shows complete documents; production sets all of them.
 */
export const SELLER_DEFAULTS = {
  SELLER_NAME: 'ООО «Роумкард Демо»',
  SELLER_INN: '7701000019',
  SELLER_KPP: '770101001',
  SELLER_ADDRESS: '125009, г. Москва, ул. Примерная, д. 1 (демо)',
  SELLER_BANK_NAME: 'АО «Демо Банк»',
  SELLER_BANK_BIC: '044525999',
  SELLER_BANK_CORRESPONDENT_ACCOUNT: '30101810600000000999',
  SELLER_BANK_ACCOUNT: '40702810600000012345',
} as const;
/** Loopback only: the README's quick-start curl works, and nothing from outside until configured. */
export const USSD_GATEWAY_ALLOW_DEFAULT = LOOPBACK_RANGES.join(',');
/** A shared secret shorter than this is guessable (as NETWORK_API_TOKEN_LENGTH_MIN). */
export const GATEWAY_PASSWORD_LENGTH_MIN = 16;
/** Longer than any generated secret; bounds the header we compare. */
export const GATEWAY_PASSWORD_LENGTH_MAX = 256;
/** AUTH_SECRET keys the one-time-code HMAC: 32 characters or more (`openssl rand -hex 32` gives 64). */
export const AUTH_SECRET_LENGTH_MIN = 32;
/** A staff session lasts at most one day, however configured: a desk sign-in never outlives the shift by much. */
export const STAFF_SESSION_HOURS_MAX = 24;
/** VAT_RATES, checked by the schema already: parsed again for its value. */
function vatSchedule(text: string, time_zone: string): VatSchedule {
  const parsed = parseVatSchedule(text, time_zone);
  if (!parsed.ok) throw new Error(`VAT_RATES: ${parsed.problem}`);
  return parsed.schedule;
}

/** The fiscal registers roamcard has adapters for (src/adapters/fiscal/). */
export const FISCAL_REGISTERS = ['sandbox', 'atol'] as const;
export type FiscalRegisterName = (typeof FISCAL_REGISTERS)[number];

/**
 * The fiscal settings' defaults (src/adapters/fiscal/README.md says why each): a pack activated at
 * once is a service paid in full; a wallet top-up is an advance for a payment whose use is not yet
 * known. The sandbox takes two seconds, as a cloud register does, so the pending path is exercised.
 */
export const FISCAL_DEFAULTS = Object.freeze({
  sno: 'osn' as TaxationSystem,
  sandbox_email: 'receipts@roamcard.example',
  sandbox_delay_ms: 2_000,
  /** A cloud register answers within seconds: a document still not registered after a quarter of an hour needs a look. */
  pending_alert_minutes: 15,
  pack: Object.freeze({ payment_method: 'full_payment' as FiscalPaymentMethod, payment_object: PAYMENT_OBJECT.service }),
  top_up: Object.freeze({ payment_method: 'advance' as FiscalPaymentMethod, payment_object: PAYMENT_OBJECT.payment }),
});

const fiscalPaymentMethod = z.enum(FISCAL_PAYMENT_METHODS, { error: `must be a tag 1214 payment method: ${FISCAL_PAYMENT_METHODS.join(', ')}` });
const paymentObject = z.coerce.number({ error: `must be a tag 1212 payment object ${PAYMENT_OBJECT_MIN}–${PAYMENT_OBJECT_MAX}` })
  .int(`must be a tag 1212 payment object ${PAYMENT_OBJECT_MIN}–${PAYMENT_OBJECT_MAX}`)
  .min(PAYMENT_OBJECT_MIN, `must be a tag 1212 payment object ${PAYMENT_OBJECT_MIN}–${PAYMENT_OBJECT_MAX}`)
  .max(PAYMENT_OBJECT_MAX, `must be a tag 1212 payment object ${PAYMENT_OBJECT_MIN}–${PAYMENT_OBJECT_MAX}`);

/** The desk's foreign-visitor settings' defaults (303-FZ: at most 10 numbers per foreign citizen). */
export const IDENTITY_DEFAULTS = Object.freeze({
  sandbox_delay_ms: 60_000, check_interval_ms: 60_000, deadline_hours: 72, numbers_per_person_max: 10,
});

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// (leave it unset for the embedded SQLite database)')
    .optional(),
  SQLITE_SYNCHRONOUS: z.enum(['full', 'normal']).default('full'),
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_LANGUAGE: z.string().refine(isLanguage, 'must be one of zh-Hans, zh-Hant, ru, en').default('en'),
  DEFAULT_TIME_ZONE: timeZone.default('Europe/Moscow'),
  PAYG_DATA_KOPECKS_PER_MB: tariffValue.default(500),
  PAYG_VOICE_KOPECKS_PER_MINUTE: tariffValue.default(1500),
  PAYG_SMS_KOPECKS_PER_MESSAGE: tariffValue.default(500),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  PAYMENT_ROUTES: paymentRoutes.optional(),
  FX_RATES: fxRates.optional(),
  ORDER_TTL_MINUTES: z.coerce.number().int().min(5).max(7 * 24 * 60).default(60),
  BANK_TRANSFER_TTL_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(120),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  TRUST_PROXY: trustProxySetting.default(false),
  ADMIN_API_TOKEN: z
    .string()
    .min(NETWORK_API_TOKEN_LENGTH_MIN, `must be at least ${NETWORK_API_TOKEN_LENGTH_MIN} characters (a random secret)`)
    .regex(/^[A-Za-z0-9._~+/=-]+$/, 'must be one bearer token: letters, digits and . _ ~ + / = - only')
    .optional(),
  NETWORK_API_TOKEN: z
    .string()
    .min(NETWORK_API_TOKEN_LENGTH_MIN, `must be at least ${NETWORK_API_TOKEN_LENGTH_MIN} characters (a random secret)`)
    .regex(/^[A-Za-z0-9._~+/=-]+$/, 'must be one bearer token: letters, digits and . _ ~ + / = - only')
    .optional(),
  SELLER_NAME: sellerText(GOST_FIELD_LENGTH_MAX.Name).default(SELLER_DEFAULTS.SELLER_NAME),
  SELLER_INN: z.string().trim().refine(isValidInn, 'must be an INN: 10 digits (organisation) or 12 (entrepreneur) with valid check digits').default(SELLER_DEFAULTS.SELLER_INN),
  SELLER_KPP: z.string().trim().refine((kpp) => kpp === 'none' || isValidKpp(kpp), 'must be a 9-character KPP, or "none" (an entrepreneur has none)').default(SELLER_DEFAULTS.SELLER_KPP),
  SELLER_ADDRESS: sellerText(500).default(SELLER_DEFAULTS.SELLER_ADDRESS),
  SELLER_BANK_NAME: sellerText(GOST_FIELD_LENGTH_MAX.BankName).default(SELLER_DEFAULTS.SELLER_BANK_NAME),
  SELLER_BANK_BIC: z.string().trim().refine(isValidBic, 'must be a Russian BIC: 9 digits starting 04').default(SELLER_DEFAULTS.SELLER_BANK_BIC),
  SELLER_BANK_CORRESPONDENT_ACCOUNT: z.string().trim().regex(/^30101\d{15}$/, 'must be 20 digits starting 30101').default(SELLER_DEFAULTS.SELLER_BANK_CORRESPONDENT_ACCOUNT),
  SELLER_BANK_ACCOUNT: z.string().trim().regex(/^\d{20}$/, 'must be 20 digits').default(SELLER_DEFAULTS.SELLER_BANK_ACCOUNT),
  SELLER_TIME_ZONE: timeZone.default('Europe/Moscow'),
  // 54-FZ fiscal receipts: the register, the seller's fiscal details, how packs and top-ups are itemised.
  FISCAL_REGISTER: z.enum(FISCAL_REGISTERS, { error: `must be one of ${FISCAL_REGISTERS.join(', ')}` }).optional(),
  FISCAL_SANDBOX_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(FISCAL_DEFAULTS.sandbox_delay_ms),
  SELLER_SNO: z.enum(TAXATION_SYSTEMS, { error: `must be a taxation system: ${TAXATION_SYSTEMS.join(', ')}` }).default(FISCAL_DEFAULTS.sno),
  SELLER_EMAIL: z.email({ error: 'must be an e-mail address' }).max(64, 'must be at most 64 characters (the registers\' limit)').optional(),
  SELLER_PAYMENT_ADDRESS: sellerText(256).optional(),
  FISCAL_PACK_PAYMENT_METHOD: fiscalPaymentMethod.default(FISCAL_DEFAULTS.pack.payment_method),
  FISCAL_PACK_PAYMENT_OBJECT: paymentObject.default(FISCAL_DEFAULTS.pack.payment_object),
  FISCAL_TOP_UP_PAYMENT_METHOD: fiscalPaymentMethod.default(FISCAL_DEFAULTS.top_up.payment_method),
  FISCAL_TOP_UP_PAYMENT_OBJECT: paymentObject.default(FISCAL_DEFAULTS.top_up.payment_object),
  FISCAL_PENDING_ALERT_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(FISCAL_DEFAULTS.pending_alert_minutes),
  AUTH_SECRET: z
    .string()
    .min(AUTH_SECRET_LENGTH_MIN, `must be at least ${AUTH_SECRET_LENGTH_MIN} characters (openssl rand -hex 32)`)
    .optional(),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  STAFF_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(STAFF_SESSION_HOURS_MAX * 60).default(30),
  STAFF_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(STAFF_SESSION_HOURS_MAX).default(12),
  SMS_DRIVER: z.enum(SMS_DRIVERS).optional(),
  ...smppEnvironmentShape,
  // E-mail (receipts to a payer who gave an address): SMTP_URL, MAIL_FROM, DKIM, timeouts.
  ...mailEnvironmentShape,
  SMS_NOTICES_PER_NUMBER_DAY_MAX: z.coerce.number().int().min(0).max(1_000).default(NOTICES_PER_NUMBER_DAY_MAX_DEFAULT),
  PAYMENTS_SANDBOX: onOff.optional(),
  RENEW_LOOKUPS_PER_ADDRESS_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(LOOKUP_LIMITS_DEFAULT.per_address_hour),
  RENEW_LOOKUPS_PER_NUMBER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(LOOKUP_LIMITS_DEFAULT.per_number_hour),
  PAYMENTS_BANK_TRANSFER: onOff.optional(),
  VAT_RATES: z.string().trim().default(VAT_RATES_DEFAULT),
  /** Replaced by VAT_RATES (rates change by date); refused with a message saying so, rather than ignored. */
  VAT_RATE_PERCENT: z.string().optional(),
  // Gateways and operations endpoints: who may call them.
  USSD_GATEWAY_ALLOW: addressListSetting.prefault(USSD_GATEWAY_ALLOW_DEFAULT),
  USSD_GATEWAY_USERNAME: z.string().regex(/^[\x21-\x39\x3b-\x7e]{1,64}$/, 'must be 1–64 visible ASCII characters without ":" (HTTP basic user-id)').optional(),
  USSD_GATEWAY_PASSWORD: z
    .string()
    .min(GATEWAY_PASSWORD_LENGTH_MIN, `must be at least ${GATEWAY_PASSWORD_LENGTH_MIN} characters (a random secret)`)
    .max(GATEWAY_PASSWORD_LENGTH_MAX, `must be at most ${GATEWAY_PASSWORD_LENGTH_MAX} characters`)
    .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters only')
    .optional(),
  // The desk's foreign-visitor connection (303-FZ): document keys, verification, the per-person limit.
  IDENTITY_DOCUMENT_KEYS: z.string().trim().optional(),
  IDENTITY_LOOKUP_KEY: z.string().trim().refine((text) => decodedKey(text) !== null, 'must be 32 bytes in base64 (openssl rand -base64 32)').optional(),
  IDENTITY_SANDBOX_DELAY_MS: z.coerce.number().int().min(0).max(86_400_000).default(IDENTITY_DEFAULTS.sandbox_delay_ms),
  IDENTITY_CHECK_INTERVAL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(IDENTITY_DEFAULTS.check_interval_ms),
  IDENTITY_VERIFICATION_DEADLINE_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(IDENTITY_DEFAULTS.deadline_hours),
  FOREIGN_NUMBERS_PER_PERSON_MAX: z.coerce.number().int().min(1).max(100).default(IDENTITY_DEFAULTS.numbers_per_person_max),
  METRICS_TOKEN: z
    .string()
    .min(NETWORK_API_TOKEN_LENGTH_MIN, `must be at least ${NETWORK_API_TOKEN_LENGTH_MIN} characters (a random secret)`)
    .regex(/^[A-Za-z0-9._~+/=-]+$/, 'must be one bearer token: letters, digits and . _ ~ + / = - only')
    .optional(),
}).superRefine((env, context) => {
  // The account keys depend on the BIC, so they are checked together (Bank of Russia algorithm).
  if (!isValidCorrespondentAccount(env.SELLER_BANK_BIC, env.SELLER_BANK_CORRESPONDENT_ACCOUNT)) {
    context.addIssue({ code: 'custom', path: ['SELLER_BANK_CORRESPONDENT_ACCOUNT'], message: 'does not match SELLER_BANK_BIC (wrong control key): check both' });
  }
  if (!isValidSettlementAccount(env.SELLER_BANK_BIC, env.SELLER_BANK_ACCOUNT)) {
    context.addIssue({ code: 'custom', path: ['SELLER_BANK_ACCOUNT'], message: 'does not match SELLER_BANK_BIC (wrong control key): check both' });
  }
}).superRefine((env, context) => {
  if (env.VAT_RATE_PERCENT !== undefined) {
    context.addIssue({ code: 'custom', path: ['VAT_RATE_PERCENT'], message: `is replaced by VAT_RATES, a dated table (default "${VAT_RATES_DEFAULT}", or "none")` });
  }
  const vat = parseVatSchedule(env.VAT_RATES, env.SELLER_TIME_ZONE);
  if (!vat.ok) context.addIssue({ code: 'custom', path: ['VAT_RATES'], message: `${vat.problem} (e.g. "${VAT_RATES_DEFAULT}", or "none" for a seller that is not a VAT payer)` });
}).superRefine((env, context) => {
  if (env.STAFF_SESSION_IDLE_MINUTES > env.STAFF_SESSION_MAX_HOURS * 60) {
    context.addIssue({ code: 'custom', path: ['STAFF_SESSION_IDLE_MINUTES'], message: 'must not exceed STAFF_SESSION_MAX_HOURS (a session ends at the first of the two)' });
  }
}).superRefine((env, context) => {
  for (const problem of smppProblems(env, env.SMS_DRIVER)) context.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
  for (const problem of mailProblems(env)) context.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
}).superRefine((env, context) => {
  if (env.IDENTITY_DOCUMENT_KEYS === undefined) return;
  for (const message of documentKeysProblems(env.IDENTITY_DOCUMENT_KEYS)) context.addIssue({ code: 'custom', path: ['IDENTITY_DOCUMENT_KEYS'], message });
}).superRefine((env, context) => {
  // Half a credential would silently leave the gateway open: both or neither.
  if ((env.USSD_GATEWAY_USERNAME === undefined) !== (env.USSD_GATEWAY_PASSWORD === undefined)) {
    const missing = env.USSD_GATEWAY_USERNAME === undefined ? 'USSD_GATEWAY_USERNAME' : 'USSD_GATEWAY_PASSWORD';
    context.addIssue({ code: 'custom', path: [missing], message: 'must be set as well: the USSD gateway\'s basic credentials need both USSD_GATEWAY_USERNAME and USSD_GATEWAY_PASSWORD' });
  }
});

export interface IdentityConfig {
  /**
   * IDENTITY_DOCUMENT_KEYS (the first seals, all open) and IDENTITY_LOOKUP_KEY. Unset only in test
   * mode: keys are then derived from the installation's secret (identity-crypto.ts).
   */
  readonly keys: IdentityKeys | undefined;
  /** Test mode: the sandbox verifier answers after this delay (document numbers ending in 9 are rejected). */
  readonly sandbox_delay_ms: number;
  /** How often a pending verification is asked about. */
  readonly check_interval_ms: number;
  /** A line not confirmed this long after connection is blocked (identity_unconfirmed). */
  readonly deadline_ms: number;
  /** Lines active or pending per identity document in this operator's base. */
  readonly numbers_per_person_max: number;
}

/**
 * How one kind of purchase is itemised on a fiscal document (tags 1214, 1212). Its VAT (tag 1199)
 * is not here: it follows the rate of the sale's date (VAT_RATES), through vatTypeFor.
 */
export interface FiscalItemTerms {
  readonly payment_method: FiscalPaymentMethod;
  readonly payment_object: number;
}

/** What every fiscal document of this installation says: the seller, and how each purchase is itemised. */
export interface FiscalDocumentSettings {
  /** SELLER_INN, SELLER_SNO, SELLER_EMAIL, SELLER_PAYMENT_ADDRESS (the site by default). */
  readonly company: FiscalCompany;
  readonly items: { readonly pack: FiscalItemTerms; readonly top_up: FiscalItemTerms };
}

/**
 * The fiscal register (FISCAL_REGISTER): ATOL Online when its credentials are set, the sandbox in
 * test mode only, otherwise none (no fiscal receipts). app/fiscal.ts builds the register from it.
 */
export type FiscalConfig =
  | { readonly register: undefined }
  | (FiscalDocumentSettings & { readonly register: 'sandbox'; readonly sandbox_delay_ms: number })
  | (FiscalDocumentSettings & { readonly register: 'atol'; readonly atol: AtolConfig });

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly data_dir: string;
  readonly database_url: string | undefined;
  readonly sqlite_file: string;
  readonly sqlite_synchronous: 'full' | 'normal';
  readonly pg_pool_size: number;
  readonly log_level: string;
  readonly default_language: Language;
  readonly default_time_zone: string;
  /** Pay-as-you-go tariffs per usage kind; null means that kind is never charged to the wallet. */
  readonly payg: {
    readonly data_minor_per_mb: number | null;
    readonly voice_minor_per_minute: number | null;
    readonly sms_minor_per_message: number | null;
  };
  readonly shutdown_grace_ms: number;
  /**
   * Bearer token of the network side: network elements POST usage events with it, and set, lift and
   * list network blocks (/api/v1/network/…). Unset, those endpoints are off (503 not configured).
   */
  readonly network_api_token: string | undefined;
  /** Bearer token for staff endpoints (refunds); unset means they are off. */
  readonly admin_api_token: string | undefined;
  /** How customers' browsers and the sandbox's webhooks reach us (no trailing slash). */
  readonly public_base_url: string;
  /** Which provider takes which payment method, beyond the default (the sandbox takes everything). */
  readonly payment_routes: Readonly<Record<string, string>>;
  /** RUB → CNY, USD, EUR for the customer site's approximate prices (FX_RATES overrides each). */
  readonly fx_rates: Readonly<Record<keyof typeof FX_RATES_DEFAULT, number>>;
  readonly order_ttl_ms: number;
  readonly bank_transfer_ttl_ms: number;
  readonly reconcile_interval_ms: number;
  /**
   * Behind a load balancer: which X-Forwarded-For hops to believe. The resolved client address
   * feeds per-address limits and every allow-list (USSD gateway, YooKassa, /metrics).
   */
  readonly trust_proxy: TrustProxy;
  /** The seller on receipts and invoices, its bank, and the VAT rate in our prices. */
  readonly seller: SellerDetails;
  /** Customer sign-in (self-service site and app). */
  readonly auth: {
    /**
     * Keys the HMAC of one-time codes and seals SMS texts in the outbox. Unset, a random one is made
     * at each start: pending codes then die with a restart, and several processes would disagree,
     * so production sets it. Sessions do not depend on it and survive restarts either way.
     */
    readonly secret: string;
    readonly secret_generated: boolean;
    readonly session_ttl_ms: number;
  };
  /** Staff sign-in (the service-hall desk): a session ends after this much inactivity, and at the latest this long after sign-in. */
  readonly staff: {
    readonly session_idle_ms: number;
    readonly session_max_ms: number;
  };
  readonly sms_driver: SmsDriver;
  /** SMS_DRIVER=smpp: the SMSC / USSD gateway link (password not enumerable: never in a log). */
  readonly smpp: SmppConfig | undefined;
  /**
   * E-mail: receipts go to a payer who gave an address (the SMS link then does not), through SMTP;
   * `none` (SMTP_URL unset) sends no e-mail, and receipts go by SMS. SMTP credentials and the DKIM
   * key are not enumerable: never in a log.
   */
  readonly mail: MailConfig;
  /** SMS notices (activation, receipt, refund, alerts): at most this many to one line in any 24 hours; 0 sends none. */
  readonly sms_notices_per_number_day_max: number;
  readonly payments: {
    /**
     * Test mode: the sandbox provider takes payments, no money moves, and every page, hosted page and
     * receipt says so. On by default only while no real provider is configured (PAYMENTS_SANDBOX).
     */
    readonly sandbox: boolean;
    /** The in-house bank-transfer provider: invoices with a reference, settled by importing a bank statement. */
    readonly bank_transfer: boolean;
  };
  /** How many anonymous "renew any number" look-ups an address, and a number, may take an hour. */
  readonly renew_lookups: LookupLimits;
  /** Things an operator should know at start (logged as warnings by the server). */
  readonly warnings: readonly string[];

  /** The USSD gateway's callback (POST /ussd/at): the addresses it calls from, and its basic credentials when set. */
  readonly ussd_gateway: {
    readonly allow: AddressList;
    readonly credentials: { readonly username: string; readonly password: string } | undefined;
  };
  /** Bearer token for /metrics; unset, /metrics answers loopback clients only. */
  readonly metrics_token: string | undefined;
  readonly identity: IdentityConfig;
  /** 54-FZ fiscal receipts: which register, and what its documents say. */
  readonly fiscal: FiscalConfig;
  /** FISCAL_PENDING_ALERT_MINUTES: a fiscal document not registered this long is shown (`roamcard fiscal pending`, /metrics). */
  readonly fiscal_pending_alert_ms: number;
}

export { ConfigError };

export function loadConfig(environment: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  const payments = paymentModes(env, present);
  const sms_driver = smsDriver(env.SMS_DRIVER, payments.sandbox);
  const identity = identityConfig(env, payments.sandbox);
  const public_base_url = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const fiscal = fiscalConfig(env, present, payments.sandbox, public_base_url);
  const mail_driver = mailDriver(env, payments.sandbox);
  if (!mail_driver.ok) throw new ConfigError([mail_driver.problem]);
  const mail = mailConfig(env, mail_driver.driver);
  return Object.freeze({
    port: env.PORT,
    host: env.HOST,
    data_dir: env.DATA_DIR,
    database_url: env.DATABASE_URL,
    sqlite_file: path.join(env.DATA_DIR, 'roamcard.db'),
    sqlite_synchronous: env.SQLITE_SYNCHRONOUS,
    pg_pool_size: env.PG_POOL_SIZE,
    log_level: env.LOG_LEVEL,
    default_language: env.DEFAULT_LANGUAGE as Language,
    default_time_zone: env.DEFAULT_TIME_ZONE,
    payg: Object.freeze({
      data_minor_per_mb: env.PAYG_DATA_KOPECKS_PER_MB,
      voice_minor_per_minute: env.PAYG_VOICE_KOPECKS_PER_MINUTE,
      sms_minor_per_message: env.PAYG_SMS_KOPECKS_PER_MESSAGE,
    }),
    shutdown_grace_ms: env.SHUTDOWN_GRACE_MS,
    network_api_token: env.NETWORK_API_TOKEN,
    admin_api_token: env.ADMIN_API_TOKEN,
    public_base_url,
    payment_routes: Object.freeze(env.PAYMENT_ROUTES ?? {}),
    fx_rates: Object.freeze({ ...FX_RATES_DEFAULT, ...env.FX_RATES }),
    order_ttl_ms: env.ORDER_TTL_MINUTES * 60_000,
    bank_transfer_ttl_ms: env.BANK_TRANSFER_TTL_HOURS * 3_600_000,
    reconcile_interval_ms: env.RECONCILE_INTERVAL_MS,
    trust_proxy: env.TRUST_PROXY,
    auth: Object.freeze({
      secret: env.AUTH_SECRET ?? randomBytes(32).toString('hex'),
      secret_generated: env.AUTH_SECRET === undefined,
      session_ttl_ms: env.SESSION_TTL_DAYS * 24 * 3_600_000,
    }),
    staff: Object.freeze({
      session_idle_ms: env.STAFF_SESSION_IDLE_MINUTES * 60_000,
      session_max_ms: env.STAFF_SESSION_MAX_HOURS * 3_600_000,
    }),
    sms_driver,
    smpp: smppConfig(env, sms_driver),
    mail,
    sms_notices_per_number_day_max: env.SMS_NOTICES_PER_NUMBER_DAY_MAX,
    payments,
    renew_lookups: Object.freeze({
      per_address_hour: env.RENEW_LOOKUPS_PER_ADDRESS_HOUR, per_number_hour: env.RENEW_LOOKUPS_PER_NUMBER_HOUR,
    }),
    warnings: Object.freeze([...startWarnings({ env, payments, sms_driver, fiscal }), ...mailWarnings(env, mail)]),
    seller: Object.freeze({
      name: env.SELLER_NAME,
      inn: env.SELLER_INN,
      kpp: env.SELLER_KPP === 'none' ? null : env.SELLER_KPP,
      address: env.SELLER_ADDRESS,
      bank: Object.freeze({
        name: env.SELLER_BANK_NAME,
        bic: env.SELLER_BANK_BIC,
        correspondent_account: env.SELLER_BANK_CORRESPONDENT_ACCOUNT,
        account: env.SELLER_BANK_ACCOUNT,
      }),
      vat_rates: vatSchedule(env.VAT_RATES, env.SELLER_TIME_ZONE),
      time_zone: env.SELLER_TIME_ZONE,
    }),
    ussd_gateway: Object.freeze({
      allow: env.USSD_GATEWAY_ALLOW,
      credentials: env.USSD_GATEWAY_USERNAME === undefined || env.USSD_GATEWAY_PASSWORD === undefined
        ? undefined
        : Object.freeze({ username: env.USSD_GATEWAY_USERNAME, password: env.USSD_GATEWAY_PASSWORD }),
    }),
    metrics_token: env.METRICS_TOKEN,
    identity,
    fiscal,
    fiscal_pending_alert_ms: env.FISCAL_PENDING_ALERT_MINUTES * 60_000,
  });
}

/**
 * Which register fiscalises payments, and what its documents say. ATOL is chosen by its credentials
 * (or FISCAL_REGISTER=atol, which then needs them); the sandbox is the default in test mode and is
 * refused with real payments, where a "receipt" it made would be a test document handed to a paying
 * customer. A real register needs the seller's own details: the demo INN or no e-mail stops the start.
 */
function fiscalConfig(
  env: Environment,
  present: Record<string, string | undefined>,
  test_mode: boolean,
  public_base_url: string,
): FiscalConfig {
  const atol = atolConfigFromEnv(present);
  const register = env.FISCAL_REGISTER ?? (atol !== undefined ? 'atol' : test_mode ? 'sandbox' : undefined);
  if (register === undefined) return Object.freeze({ register });
  const problems: string[] = [];
  if (register === 'sandbox' && !test_mode) {
    problems.push('FISCAL_REGISTER: the sandbox register makes test documents, not fiscal receipts, and is refused when payments are real (PAYMENTS_SANDBOX off): set FISCAL_REGISTER=atol with the ATOL_* variables');
  }
  if (register === 'atol' && atol === undefined) problems.push('ATOL_LOGIN: must be set with FISCAL_REGISTER=atol, with ATOL_PASSWORD and ATOL_GROUP_CODE');
  if (register === 'atol' && env.SELLER_EMAIL === undefined) problems.push('SELLER_EMAIL: must be set with a real fiscal register: every document names the seller\'s e-mail');
  if (register === 'atol' && env.SELLER_INN === SELLER_DEFAULTS.SELLER_INN) problems.push('SELLER_INN: is the demo company\'s: a real fiscal register takes documents only for the INN its registers are registered to; set yours');
  const pack: FiscalItemTerms = Object.freeze({
    payment_method: env.FISCAL_PACK_PAYMENT_METHOD, payment_object: env.FISCAL_PACK_PAYMENT_OBJECT,
  });
  const top_up: FiscalItemTerms = Object.freeze({
    payment_method: env.FISCAL_TOP_UP_PAYMENT_METHOD, payment_object: env.FISCAL_TOP_UP_PAYMENT_OBJECT,
  });
  // Every rate of the table must be one a register can print, for whichever kind of item it lands on.
  for (const period of vatSchedule(env.VAT_RATES, env.SELLER_TIME_ZONE)) {
    for (const terms of [pack, top_up]) {
      if (vatTypeFor(period.rate_percent, terms.payment_method) === undefined) {
        problems.push(`VAT_RATES: a fiscal register takes VAT at 0, 5, 7, 10, 20 or 22 %, or none (not ${period.rate_percent}% from ${period.from})`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const settings: FiscalDocumentSettings = {
    company: Object.freeze({
      inn: env.SELLER_INN,
      sno: env.SELLER_SNO,
      email: env.SELLER_EMAIL ?? FISCAL_DEFAULTS.sandbox_email,
      payment_address: env.SELLER_PAYMENT_ADDRESS ?? public_base_url,
    }),
    items: Object.freeze({ pack, top_up }),
  };
  if (register === 'atol') return Object.freeze({ ...settings, register, atol: atol! });
  return Object.freeze({ ...settings, register, sandbox_delay_ms: env.FISCAL_SANDBOX_DELAY_MS });
}

/**
 * Real identity documents need real keys: outside test mode both must be configured, and apart.
 * In test mode they may be left out (derived from the installation's secret).
 */
function identityConfig(env: Environment, test_mode: boolean): IdentityConfig {
  const settings = {
    sandbox_delay_ms: env.IDENTITY_SANDBOX_DELAY_MS, check_interval_ms: env.IDENTITY_CHECK_INTERVAL_MS,
    deadline_ms: env.IDENTITY_VERIFICATION_DEADLINE_HOURS * 3_600_000, numbers_per_person_max: env.FOREIGN_NUMBERS_PER_PERSON_MAX,
  };
  const document_text = env.IDENTITY_DOCUMENT_KEYS;
  const lookup_text = env.IDENTITY_LOOKUP_KEY;
  if (document_text === undefined && lookup_text === undefined && test_mode) return Object.freeze({ ...settings, keys: undefined });
  const problems: string[] = [];
  const why = test_mode ? 'set both identity keys or neither' : 'identity documents are encrypted with it outside test mode';
  if (document_text === undefined) problems.push(`IDENTITY_DOCUMENT_KEYS: must be set (${why}): k1:<openssl rand -base64 32>`);
  if (lookup_text === undefined) problems.push(`IDENTITY_LOOKUP_KEY: must be set (${why}): openssl rand -base64 32`);
  if (document_text === undefined || lookup_text === undefined) throw new ConfigError(problems);
  const document_keys = parseDocumentKeys(document_text);
  const lookup_key = decodedKey(lookup_text)!;
  if (document_keys.some(({ key }) => key.equals(lookup_key))) {
    throw new ConfigError(['IDENTITY_LOOKUP_KEY: must differ from every key of IDENTITY_DOCUMENT_KEYS']);
  }
  return Object.freeze({ ...settings, keys: Object.freeze({ document_keys, lookup_key }) });
}

type Environment = z.infer<typeof environmentSchema>;

/**
 * The sandbox is a test tool: on by default only while no real provider is configured (so a fresh
 * machine renews end to end), off as soon as one is, unless PAYMENTS_SANDBOX=on says otherwise.
 * Bank transfers follow the sandbox by default; on for real they need the seller's real bank.
 */
function paymentModes(env: Environment, present: Record<string, string | undefined>): Config['payments'] {
  const real_provider = REAL_PROVIDER_VARIABLES.some((name) => present[name] !== undefined);
  const sandbox = env.PAYMENTS_SANDBOX === undefined ? !real_provider : env.PAYMENTS_SANDBOX === 'on';
  const bank_transfer = env.PAYMENTS_BANK_TRANSFER === undefined ? sandbox : env.PAYMENTS_BANK_TRANSFER === 'on';
  if (bank_transfer && !sandbox && usesDemoBank(env)) {
    throw new ConfigError(['PAYMENTS_BANK_TRANSFER: bank transfers for real money need the seller\'s own bank account: set SELLER_BANK_NAME, SELLER_BANK_BIC, SELLER_BANK_CORRESPONDENT_ACCOUNT and SELLER_BANK_ACCOUNT (today they are the demo bank), or set PAYMENTS_BANK_TRANSFER=off']);
  }
  return Object.freeze({ sandbox, bank_transfer });
}

function usesDemoBank(env: Environment): boolean {
  return env.SELLER_BANK_BIC === SELLER_DEFAULTS.SELLER_BANK_BIC && env.SELLER_BANK_ACCOUNT === SELLER_DEFAULTS.SELLER_BANK_ACCOUNT;
}

/**
 * The console driver writes every SMS (sign-in codes included) to the log: fine on a developer's
 * machine, never silently in production. So it is the default only in test mode, and otherwise
 * must be chosen by name (and is warned about at start).
 */
function smsDriver(chosen: SmsDriver | undefined, sandbox: boolean): SmsDriver {
  if (chosen !== undefined) return chosen;
  if (sandbox) return 'console';
  throw new ConfigError([`SMS_DRIVER: must be set when payments are real (PAYMENTS_SANDBOX off): one of ${SMS_DRIVERS.join(', ')}. "console" writes every SMS, sign-in codes included, to the log and sends nothing — choose it by name only to try things out`]);
}

function startWarnings(input: { env: Environment; payments: Config['payments']; sms_driver: SmsDriver; fiscal: FiscalConfig }): string[] {
  const warnings: string[] = [];
  if (input.payments.sandbox) {
    warnings.push('TEST MODE: payments go to the sandbox provider and no money moves; every page and receipt says so. Configure a real provider (or PAYMENTS_SANDBOX=off) for production');
  }
  if (input.sms_driver === 'console' && !input.payments.sandbox) {
    warnings.push('SMS_DRIVER=console: no SMS is sent; every text, sign-in codes included, goes to the log');
  }
  if (input.env.AUTH_SECRET === undefined) {
    warnings.push('AUTH_SECRET is not set: a random one was made for this run, so sign-in codes still pending die with a restart, several servers would not agree, and staff accounts made under another run\'s secret cannot sign in (their TOTP secrets are sealed under it); set AUTH_SECRET (openssl rand -hex 32) in production');
  }
  if (!input.payments.sandbox && input.fiscal.register === undefined) {
    warnings.push('No fiscal register is configured: payments get no 54-FZ fiscal receipt (no fiscal documents are made or queued). Set the ATOL_* variables (FISCAL_REGISTER=atol)');
  }
  if (!input.payments.sandbox && input.env.SELLER_INN === SELLER_DEFAULTS.SELLER_INN) {
    warnings.push('SELLER_NAME, SELLER_INN, SELLER_ADDRESS are the demo company: receipts name it as the seller; set your own');
  }
  return warnings;
}

/** The tariff table for one kind, or null when pay-as-you-go is off for it. */
export function paygTariff(config: Config): (kind: 'data' | 'voice' | 'sms') => PayAsYouGoTariff | null {
  const { data_minor_per_mb, voice_minor_per_minute, sms_minor_per_message } = config.payg;
  const tariff: PayAsYouGoTariff = {
    data_minor_per_mb: data_minor_per_mb ?? 0,
    voice_minor_per_minute: voice_minor_per_minute ?? 0,
    sms_minor_per_message: sms_minor_per_message ?? 0,
  };
  return (kind) => {
    const rate = kind === 'data' ? data_minor_per_mb : kind === 'voice' ? voice_minor_per_minute : sms_minor_per_message;
    return rate === null ? null : tariff;
  };
}
