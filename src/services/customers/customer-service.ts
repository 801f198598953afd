import { RoamError } from '../../core/errors.js';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import type { Database } from '../../db/database.js';
import { inTransaction } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import { readAlertSettings, saveAlertSettings, type AlertSettings } from '../notices/alert-settings.js';
import type { TariffFor } from '../charging/usage.js';
import type { Receipt, ReceiptService } from '../receipts/receipt-service.js';
import type { OrderView } from '../renewal/orders.js';
import type { RenewalService } from '../renewal/renewal-service.js';
import { CODE_DIGITS, deriveAuthKeys, type AuthKeys } from './auth-crypto.js';
import {
  addLineByIccid, findCustomer, linkLine, listCustomerLines, ownedLine, signInCustomer, unlinkLine, type CustomerLine, type CustomerRow,
} from './customer-lines.js';
import { customerOrder, listCustomerOrders, type CustomerOrderSummary, type OrdersPage } from './customer-orders.js';
import { lineDashboard, type LineDashboard } from './line-dashboard.js';
import {
  checkCode, checkVerifyLimits, CODE_RATE_LIMITS, CODE_TTL_MS, issueCode, limitCodeRequests, mayTextLine, recordWrongGuess, resolveTarget,
  type SignInTarget,
} from './one-time-codes.js';
import { purgeRateLimitWindows } from '../../db/rate-limits.js';
import type { PaymentCodeSent, WalletAuthority } from './wallet-authority.js';
import { createSession, findSession, revokeSession, touchSession, type CustomerSession, type SessionKind } from './sessions.js';

export interface CustomerServiceOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly renewal: RenewalService;
  readonly receipts: Pick<ReceiptService, 'findByOrder'>;
  /** AUTH_SECRET: keys the code HMAC and the sealing of queued SMS texts. */
  readonly auth_secret: string;
  readonly session_ttl_ms: number;
  readonly default_language: Language;
  /** Codes that let a payer spend a line's wallet; without it none can be asked for. */
  readonly wallet_payers?: WalletAuthority;
  /** Pay-as-you-go tariffs: whether the balance keeps a kind working, for the dashboard's service state. */
  readonly tariffFor: TariffFor;
}

export interface RequestCodeInput {
  readonly target: SignInTarget;
  /** The client's address, for the per-address limit. */
  readonly ip: string;
  /** The SMS language; the line's language when absent. */
  readonly language?: Language | undefined;
}

/** The same answer whether or not the number or ICCID is ours. */
export interface CodeRequested {
  readonly code_length: number;
  readonly expires_in_ms: number;
  readonly resend_after_ms: number;
}

export interface VerifyCodeInput {
  readonly target: SignInTarget;
  readonly code: string;
  /** The client's address: wrong guesses are limited per address and per (number, address). */
  readonly ip: string;
  readonly session_kind: SessionKind;
  /** A new customer's language; the line's when absent. */
  readonly language?: Language | undefined;
}

export interface SignedIn {
  readonly customer_id: string;
  /** True when this sign-in created the customer (sign-up). */
  readonly created: boolean;
  readonly session: CustomerSession;
  /** Handed out once; only its hash is stored. */
  readonly token: string;
}

export interface CustomerProfile {
  readonly id: string;
  readonly primary_line_id: string;
  readonly language: Language;
  readonly created_at_ms: number;
}

/** How long ended sessions, used codes and old rate-limit windows are kept (for support questions). */
export const AUTH_RECORDS_RETENTION_MS = 7 * 24 * 3_600_000;
const CODE_PATTERN = new RegExp(`^\\d{${CODE_DIGITS}}$`);

/**
 * The customer identity use cases (see index.ts for the contract). Writes run in one transaction
 * each; reads run without one, as lineOverview does (a few rows of one customer).
 */
export class CustomerService {
  readonly #options: CustomerServiceOptions;
  readonly #keys: AuthKeys;

  constructor(options: CustomerServiceOptions) {
    this.#options = options;
    this.#keys = deriveAuthKeys(options.auth_secret);
  }

  async requestCode(input: RequestCodeInput): Promise<CodeRequested> {
    const now_ms = this.#now();
    await this.#tx(async (trx) => {
      const target = await resolveTarget(trx, input.target);
      // Limits first and for every target, known or not: refusals must not tell them apart.
      await limitCodeRequests(trx, target.subject, input.ip, now_ms);
      if (!target.line || !(await mayTextLine(trx, target.line.id, now_ms))) return;
      const language = input.language ?? normalizeLanguage(target.line.language) ?? this.#options.default_language;
      await issueCode(trx, this.#keys, { line: target.line, via: target.via, language }, now_ms);
    });
    return { code_length: CODE_DIGITS, expires_in_ms: CODE_TTL_MS, resend_after_ms: CODE_RATE_LIMITS.per_target_minute.window_ms };
  }

  async verifyCode(input: VerifyCodeInput): Promise<SignedIn> {
    if (!CODE_PATTERN.test(input.code)) throw new RoamError('ROAM_ERR_CODE_INVALID', { field: 'code' });
    const now_ms = this.#now();
    // A wrong code returns undefined rather than throwing, so the counted attempt is committed.
    const signed_in = await this.#tx(async (trx) => {
      const target = await resolveTarget(trx, input.target);
      await checkVerifyLimits(trx, target.subject, input.ip, now_ms);
      const check = target.line ? await checkCode(trx, this.#keys, target.line.id, input.code, now_ms) : { ok: false as const };
      if (!check.ok || !target.line) {
        await recordWrongGuess(trx, target.subject, input.ip, now_ms);
        return undefined;
      }
      const language = input.language ?? normalizeLanguage(target.line.language) ?? this.#options.default_language;
      const { customer, created } = await signInCustomer(trx, target.line.id, language, now_ms);
      // Typing the ICCID, when asking for the code or now, proves the card is in hand.
      const verified_by = check.code.requested_via === 'iccid' || target.via === 'iccid' ? 'iccid' : 'sms_code';
      await linkLine(trx, { customer_id: customer.id, line_id: target.line.id, verified_by, enforce_limit: false }, now_ms);
      const { session, token } = await createSession(
        trx,
        { customer_id: customer.id, kind: input.session_kind, ttl_ms: this.#options.session_ttl_ms },
        now_ms,
      );
      return { customer_id: customer.id, created, session, token };
    });
    if (!signed_in) throw new RoamError('ROAM_ERR_CODE_INVALID', { field: 'code' });
    return signed_in;
  }

  /** Sends the order's line a code that lets the payer pay the order from that line's balance. */
  async requestPaymentCode(input: { order_id: string; ip: string }): Promise<PaymentCodeSent> {
    if (!this.#options.wallet_payers) throw new RoamError('ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE', { value: 'wallet' });
    return this.#options.wallet_payers.requestCode(input);
  }

  /** The live session of a token presented as `kind`; undefined for anything else. */
  async authenticate(token: string, kind: SessionKind): Promise<CustomerSession | undefined> {
    const now_ms = this.#now();
    const session = await findSession(this.#options.database.db, token, kind, now_ms);
    if (session) await touchSession(this.#options.database.db, session.session_id, now_ms);
    return session;
  }

  async signOut(session_id: string): Promise<void> {
    const now_ms = this.#now();
    await this.#tx((trx) => revokeSession(trx, session_id, now_ms));
  }

  async getCustomer(customer_id: string): Promise<CustomerProfile> {
    const customer = await findCustomer(this.#options.database.db, customer_id);
    if (!customer) throw new RoamError('ROAM_ERR_SIGN_IN_REQUIRED');
    return profile(customer, this.#options.default_language);
  }

  listLines(customer_id: string): Promise<CustomerLine[]> {
    return listCustomerLines(this.#options.database.db, customer_id);
  }

  /** Adds a line by its number and card's ICCID; a wrong pair is ROAM_ERR_ICCID_MISMATCH, five an hour then ROAM_ERR_RATE_LIMITED. */
  async addLine(customer_id: string, input: { msisdn: string; iccid: string }): Promise<{ line: CustomerLine; added: boolean }> {
    const now_ms = this.#now();
    const outcome = await this.#tx((trx) => addLineByIccid(trx, customer_id, input, now_ms));
    if (!outcome.ok) throw new RoamError('ROAM_ERR_ICCID_MISMATCH', { field: 'iccid' });
    const line = (await this.listLines(customer_id)).find((candidate) => candidate.line_id === outcome.line_id);
    if (!line) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND'); // removed in between by another request
    return { line, added: outcome.added };
  }

  async removeLine(customer_id: string, line_id: string): Promise<void> {
    await this.#tx((trx) => unlinkLine(trx, customer_id, line_id));
  }

  async lineDashboard(customer_id: string, line_id: string): Promise<LineDashboard> {
    const db = this.#options.database.db;
    await ownedLine(db, customer_id, line_id);
    return lineDashboard(db, line_id, this.#now(), this.#options.tariffFor);
  }

  /** The line's SMS alert settings (the defaults until changed); ROAM_ERR_LINE_NOT_FOUND unless the customer holds the line. */
  async alertSettings(customer_id: string, line_id: string): Promise<AlertSettings> {
    const db = this.#options.database.db;
    await ownedLine(db, customer_id, line_id);
    return readAlertSettings(db, line_id);
  }

  /** Replaces the line's alert settings; bad thresholds are ROAM_ERR_VALIDATION naming the problem, and change nothing. */
  async updateAlertSettings(customer_id: string, line_id: string, settings: AlertSettings): Promise<AlertSettings> {
    const now_ms = this.#now();
    return this.#tx(async (trx) => {
      await ownedLine(trx, customer_id, line_id);
      return saveAlertSettings(trx, line_id, settings, now_ms);
    });
  }

  listOrders(customer_id: string, options: { limit?: number; before?: string } = {}): Promise<OrdersPage> {
    return listCustomerOrders(this.#options.database.db, customer_id, options);
  }

  /**
   * The order with its payments and its receipt (once issued), and the summary the list shows;
   * ROAM_ERR_ORDER_NOT_FOUND unless it is on one of the customer's lines.
   */
  async getOrder(
    customer_id: string,
    order_id: string,
  ): Promise<{ summary: CustomerOrderSummary; view: OrderView; receipt: Receipt | undefined }> {
    const summary = await this.#ownOrder(customer_id, order_id);
    const [view, receipt] = await Promise.all([this.#options.renewal.getOrder(order_id), this.#options.receipts.findByOrder(order_id)]);
    return { summary, view, receipt };
  }

  /** The order's receipt; ROAM_ERR_ORDER_NOT_FOUND when the order is not the customer's or has no receipt yet. */
  async receiptForOrder(customer_id: string, order_id: string): Promise<Receipt> {
    await this.#ownOrder(customer_id, order_id);
    const receipt = await this.#options.receipts.findByOrder(order_id);
    if (!receipt) throw new RoamError('ROAM_ERR_ORDER_NOT_FOUND');
    return receipt;
  }

  /** Deletes what no longer serves: codes, sessions and windows that ended over a week ago. */
  async purgeExpired(): Promise<{ codes: number; sessions: number; windows: number }> {
    const before_ms = this.#now() - AUTH_RECORDS_RETENTION_MS;
    return this.#tx(async (trx) => {
      const codes = await trx.deleteFrom('one_time_codes').where('expires_at_ms', '<', before_ms).executeTakeFirst();
      const sessions = await trx.deleteFrom('customer_sessions').where('expires_at_ms', '<', before_ms).executeTakeFirst();
      const windows = await purgeRateLimitWindows(trx, before_ms);
      return { codes: Number(codes.numDeletedRows), sessions: Number(sessions.numDeletedRows), windows };
    });
  }

  async #ownOrder(customer_id: string, order_id: string): Promise<CustomerOrderSummary> {
    const summary = await customerOrder(this.#options.database.db, customer_id, order_id);
    if (!summary) throw new RoamError('ROAM_ERR_ORDER_NOT_FOUND');
    return summary;
  }

  #now(): number {
    return this.#options.clock.now_ms();
  }

  #tx<T>(work: Parameters<typeof inTransaction<T>>[1]): Promise<T> {
    return inTransaction(this.#options.database, work);
  }
}

function profile(customer: CustomerRow, fallback: Language): CustomerProfile {
  return {
    id: customer.id,
    primary_line_id: customer.primary_line_id,
    language: normalizeLanguage(customer.language) ?? fallback,
    created_at_ms: customer.created_at_ms,
  };
}
