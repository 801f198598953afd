import { createHmac, timingSafeEqual } from 'node:crypto';
import { AddressList } from '../../core/address-list.js';
import type { Database } from '../../db/database.js';
import { checkRateLimit, clientAddressKey, recordRateLimitHit, type RateLimitRule } from '../../db/rate-limits.js';
import { inTransaction } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import type { AuthKeys } from '../customers/auth-crypto.js';
import type { TopUpFiscaliser } from '../fiscal/fiscal-service.js';
import type { Notices } from '../notices/notices.js';
import type { RenewalService } from '../renewal/renewal-service.js';
import {
  basicPasswordMatches, findPartner, hmacKeys, insertPartner, partnerByCode, rotateCredential,
  type NewPartner, type Partner, type PartnerSecrets,
} from './partner-directory.js';
import { PartnerPayments, type PartnerAnswer, type PartnerApi, type PartnerRequest } from './partner-payments.js';
import {
  buildRegistry, reconcileRegistry, type PartnerRegistry, type Reconciliation, type TheirRegistryRow,
} from './partner-registry.js';

/**
 * The payment agents' side of roamcard: who they are, how they prove it, and their check and pay.
 * Channels (the OSMP route, the JSON partner API, the CLI) come here; the rules live in
 * partner-directory.ts and partner-payments.ts.
 */

export interface PartnerServiceOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly renewal: RenewalService;
  /** Seals the partners' HMAC keys at rest (the installation's AUTH_SECRET). */
  readonly keys: AuthKeys;
  /** Registers the partners' top-ups at the fiscal register (none: no documents are made). */
  readonly fiscal?: TopUpFiscaliser;
  /** Texts a line topped up by an agent (none: nothing is sent). */
  readonly notices?: Notices;
}

/** Why a caller is turned away before its request is read: 401 (who are you?) or 403 (not from there). */
export type PartnerAuthentication =
  | { readonly ok: true; readonly partner: Partner }
  | { readonly ok: false; readonly status: 401 | 403; readonly problem: 'unknown_partner' | 'bad_credentials' | 'address_not_allowed' | 'bad_signature' | 'stale_timestamp' };

/** How far a signed request's timestamp may be from our clock, either way: a captured request is useless after this. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;
/** A signature is hex SHA-256 over `<timestamp>.<body>`: 64 hex digits. */
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Wrong credentials (basic password, HMAC signature) presented for one partner from one of its
 * addresses. Only failures count, so tills paying all day are never refused; only the partner's
 * own addresses reach the check, so nobody else can make us write a row. A generated secret
 * cannot be guessed anyway: this bounds guessing an operator-chosen password to under 10 000 a day.
 * The price: a till with a wrong password behind an address its colleagues share locks them out
 * too, to the end of the window (each failure is a warning in the log, so it shows).
 */
export const PARTNER_AUTH_LIMITS = {
  failures_per_address: { scope: 'partner-auth:ip:15m', window_ms: 15 * 60_000, hits_max: 100 },
} as const satisfies Record<string, RateLimitRule>;

/** The signature a partner sends with a JSON request: HMAC-SHA256 over "<timestamp>.<raw body>", hex. */
export function partnerSignature(key: string, timestamp: string, body: string): string {
  return createHmac('sha256', key).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

export class PartnerService {
  readonly #options: PartnerServiceOptions;
  readonly #payments: PartnerPayments;

  constructor(options: PartnerServiceOptions) {
    this.#options = options;
    this.#payments = new PartnerPayments(options);
  }

  #now(): number {
    return this.#options.clock.now_ms();
  }

  /** A partner and its two secrets (basic password, HMAC key), shown to the caller this once. */
  createPartner(input: NewPartner, secrets: Partial<PartnerSecrets> = {}): Promise<{ partner: Partner; secrets: PartnerSecrets }> {
    return inTransaction(this.#options.database, (trx) => insertPartner(trx, this.#options.keys, input, this.#now(), secrets));
  }

  /** A new secret of one kind; the previous ones keep working for `grace_ms` (0: revoked at once). */
  rotateSecret(code: string, kind: 'basic' | 'hmac', grace_ms = 0): Promise<string> {
    return inTransaction(this.#options.database, async (trx) => {
      const partner = await partnerByCode(trx, code);
      return rotateCredential(trx, this.#options.keys, partner.id, kind, { now_ms: this.#now(), grace_ms });
    });
  }

  /**
   * The partner as given, created with these secrets when missing (the demo's partner): true when
   * created. An existing one keeps its rows; only an HMAC key no longer readable — sealed under an
   * earlier run's random AUTH_SECRET — is sealed again, so the documented demo key keeps working.
   */
  async ensurePartner(input: NewPartner, secrets: PartnerSecrets): Promise<boolean> {
    const existing = await findPartner(this.#options.database.db, input.code);
    if (!existing) {
      await this.createPartner(input, secrets);
      return true;
    }
    const readable = await hmacKeys(this.#options.database.db, this.#options.keys, existing.id, this.#now());
    if (!readable.includes(secrets.hmac_key)) {
      await inTransaction(this.#options.database, (trx) => rotateCredential(trx, this.#options.keys, existing.id, 'hmac', {
        now_ms: this.#now(), grace_ms: 0, secret: secrets.hmac_key,
      }));
    }
    return false;
  }

  getPartner(code: string): Promise<Partner> {
    return partnerByCode(this.#options.database.db, code);
  }

  listPartners(): Promise<Partner[]> {
    return this.#options.database.db.selectFrom('partners').selectAll().orderBy('code').execute();
  }

  /** Suspends (every check and pay answers "forbidden") or resumes a partner. */
  async setEnabled(code: string, enabled: boolean): Promise<void> {
    const partner = await this.getPartner(code);
    await this.#options.database.db.updateTable('partners').set({ enabled: enabled ? 1 : 0, updated_at_ms: this.#now() }).where('id', '=', partner.id).execute();
  }

  /**
   * HTTP basic: the user is the partner's code, the password one of its live basic secrets, the
   * address on its list. Throws ROAM_ERR_RATE_LIMITED after too many wrong ones (PARTNER_AUTH_LIMITS).
   */
  async authenticateBasic(
    code: string, credentials: { user: string; password: string } | undefined, client_address: string,
  ): Promise<PartnerAuthentication> {
    const partner = await findPartner(this.#options.database.db, code);
    if (!partner) return { ok: false, status: 401, problem: 'unknown_partner' };
    if (!addressAllowed(partner, client_address)) return { ok: false, status: 403, problem: 'address_not_allowed' };
    await this.#checkFailures(partner, client_address);
    // No credentials at all is a client's first try before the challenge, not a guess: not counted.
    if (credentials === undefined) return { ok: false, status: 401, problem: 'bad_credentials' };
    const matches = credentials.user === partner.code
      && (await basicPasswordMatches(this.#options.database.db, partner.id, credentials.password, this.#now()));
    if (matches) return { ok: true, partner };
    await this.#countFailure(partner, client_address);
    return { ok: false, status: 401, problem: 'bad_credentials' };
  }

  /**
   * The JSON API's signature: `timestamp` (Unix milliseconds) within SIGNATURE_WINDOW_MS of our
   * clock, and `signature` the HMAC of one of the partner's live keys over "<timestamp>.<raw body>".
   * A captured request replayed later than the window is refused; within it, a replayed pay is the
   * same txn_id and answers its first result. Throws ROAM_ERR_RATE_LIMITED after too many wrong
   * signatures (PARTNER_AUTH_LIMITS); a stale timestamp is not counted (a till's clock, not a guess).
   */
  async authenticateSignature(
    code: string,
    signed: { timestamp: string | undefined; signature: string | undefined; body: string },
    client_address: string,
  ): Promise<PartnerAuthentication> {
    const partner = await findPartner(this.#options.database.db, code);
    if (!partner) return { ok: false, status: 401, problem: 'unknown_partner' };
    if (!addressAllowed(partner, client_address)) return { ok: false, status: 403, problem: 'address_not_allowed' };
    const timestamp_ms = Number(signed.timestamp);
    if (!/^\d{10,16}$/.test(signed.timestamp ?? '') || Math.abs(this.#now() - timestamp_ms) > SIGNATURE_WINDOW_MS) {
      return { ok: false, status: 401, problem: 'stale_timestamp' };
    }
    await this.#checkFailures(partner, client_address);
    if (signed.signature === undefined) return { ok: false, status: 401, problem: 'bad_signature' };
    const presented = signed.signature.toLowerCase();
    let matched = false;
    if (SIGNATURE_PATTERN.test(presented)) {
      const keys = await hmacKeys(this.#options.database.db, this.#options.keys, partner.id, this.#now());
      for (const key of keys) {
        const expected = Buffer.from(partnerSignature(key, signed.timestamp ?? '', signed.body), 'hex');
        if (timingSafeEqual(expected, Buffer.from(presented, 'hex'))) matched = true;
      }
    }
    if (matched) return { ok: true, partner };
    await this.#countFailure(partner, client_address);
    return { ok: false, status: 401, problem: 'bad_signature' };
  }

  #checkFailures(partner: Partner, client_address: string): Promise<void> {
    const rule = PARTNER_AUTH_LIMITS.failures_per_address;
    return checkRateLimit(this.#options.database.db, rule, failureSubject(partner, client_address), this.#now());
  }

  #countFailure(partner: Partner, client_address: string): Promise<void> {
    const rule = PARTNER_AUTH_LIMITS.failures_per_address;
    return recordRateLimitHit(this.#options.database.db, rule, failureSubject(partner, client_address), this.#now());
  }

  check(partner: Partner, request: PartnerRequest): Promise<PartnerAnswer> {
    return this.#payments.check(partner, request);
  }

  pay(partner: Partner, api: PartnerApi, request: PartnerRequest): Promise<PartnerAnswer> {
    return this.#payments.pay(partner, api, request);
  }

  /** The partner's paid payments on one of its days ("YYYY-MM-DD" in its time zone), and whether they add up to its ledger. */
  async registry(code: string, date: string): Promise<PartnerRegistry> {
    const partner = await this.getPartner(code);
    return buildRegistry(this.#options.database, partner, date, this.#now());
  }

  /** The agent's own registry for the day (rows of its file) against ours: every difference. */
  async reconcile(code: string, date: string, rows: readonly TheirRegistryRow[]): Promise<Reconciliation> {
    const partner = await this.getPartner(code);
    return reconcileRegistry(this.#options.database, partner, date, rows, this.#now());
  }
}

function failureSubject(partner: Partner, client_address: string): string {
  return `${partner.id}:${clientAddressKey(client_address)}`;
}

/** Parsed once per partner row: the list is checked on every request of a chain's tills. */
const parsedLists = new Map<string, AddressList>();
const PARSED_LISTS_MAX = 1_000;

function addressAllowed(partner: Partner, client_address: string): boolean {
  let list = parsedLists.get(partner.allowed_addresses);
  if (!list) {
    const parsed = AddressList.parse(partner.allowed_addresses);
    if (!parsed.ok) return false;
    list = parsed.list;
    if (parsedLists.size >= PARSED_LISTS_MAX) parsedLists.clear();
    parsedLists.set(partner.allowed_addresses, list);
  }
  return list.includes(client_address);
}
