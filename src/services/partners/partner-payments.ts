import { setTimeout as delay } from 'node:timers/promises';
import type { LocalizedNames } from '../../core/catalog.js';
import { isRoamError, type ErrorCode } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { LEDGER_CURRENCY } from '../../core/money.js';
import {
  accountToMsisdn, isOsmpTxnDate, OSMP_RESULTS, isPartnerReason, parseOsmpSum, PARTNER_REASON_OUTCOMES, TXN_ID_PATTERN,
  type OsmpOutcome, type PartnerReason,
} from '../../core/osmp.js';
import { maskMsisdn } from '../../core/phone.js';
import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { PartnerPaymentsTable } from '../../db/schema.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import { findPackage, listPackages } from '../catalog/catalog.js';
import { creditWallet } from '../charging/wallet.js';
import { fiscalDocumentPath, type TopUpFacts, type TopUpFiscaliser } from '../fiscal/fiscal-service.js';
import type { Notices } from '../notices/notices.js';
import { notifyTopUp } from '../notices/renewal-notices.js';
import { retryLostKeyRace } from '../idempotency/idempotency.js';
import type { RenewalService } from '../renewal/renewal-service.js';
import type { Partner } from './partner-directory.js';

/**
 * What a payment agent's `check` and `pay` do, whichever wire they came over (OSMP XML or the
 * signed JSON API): the same answers, from the same rules.
 *
 * A pay is first written as a `partner_payments` row under the agent's own txn_id — the database's
 * unique (partner, txn_id) makes every repeat, sequential, concurrent or after a restart, the same
 * payment — with what it buys decided once. Then it is carried out through idempotent steps keyed
 * by that row (the renewal service's order and agent payment, or one wallet credit), so a repeat of
 * a pay that was cut short resumes it and a repeat of a finished one answers its first result.
 */

export type PartnerApi = PartnerPaymentsTable['api'];

/** How long a repeat waits for a concurrent first request to finish the same pay, well inside an agent's 60 s timeout. */
export const SETTLE_WAIT_MS_MAX = 3_000;
const SETTLE_POLL_MS = 20;

export interface PartnerRequest {
  readonly account: string;
  /** Roubles as the agent writes them ("10.45"); optional on check. */
  readonly sum?: string | undefined;
  readonly txn_id?: string | undefined;
  /** OSMP `YYYYMMDDHHMMSS`; required on an OSMP pay. */
  readonly txn_date?: string | undefined;
}

export type PartnerPurchase =
  | { readonly kind: 'pack'; readonly package_code: string; readonly names: LocalizedNames }
  | { readonly kind: 'top_up' };

export interface PartnerAnswer {
  readonly outcome: OsmpOutcome;
  readonly reason: PartnerReason;
  /** Our id of the payment (OSMP `prv_txn`); null on check and on refusals that wrote nothing. */
  readonly prv_txn: string | null;
  readonly sum_minor: number | null;
  readonly purchase: PartnerPurchase | null;
  /** The number as the answer may show it (+7 900 ***-**-67); null when the account was not a number. */
  readonly msisdn_masked: string | null;
  /** A repeat of a pay answered from its first result. */
  readonly replayed: boolean;
}

export interface PartnerPaymentsOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly renewal: RenewalService;
  /** Registers each top-up's fiscal document (an advance, with the agent's details) in the top-up's transaction. */
  readonly fiscal?: TopUpFiscaliser;
  /** Texts the line that its balance was topped up, with the fiscal receipt's link. */
  readonly notices?: Notices;
}

/** A request read: the number and the sum, or the first reason it is refused. */
type Reading =
  | { readonly ok: true; readonly msisdn: string; readonly sum_minor: number | null }
  | { readonly ok: false; readonly reason: PartnerReason; readonly msisdn: string | null; readonly sum_minor: number | null };

/** What a pay that passed every rule buys, and for which line. */
interface Acceptance {
  readonly line_id: string;
  readonly purchase: PartnerPurchase;
}

function answer(reason: PartnerReason, fields: Partial<Omit<PartnerAnswer, 'outcome' | 'reason'>> = {}): PartnerAnswer {
  return {
    outcome: PARTNER_REASON_OUTCOMES[reason], reason, prv_txn: fields.prv_txn ?? null, sum_minor: fields.sum_minor ?? null,
    purchase: fields.purchase ?? null, msisdn_masked: fields.msisdn_masked ?? null, replayed: fields.replayed ?? false,
  };
}

function readRequest(request: PartnerRequest, sum_required: boolean): Reading {
  const account = accountToMsisdn(request.account);
  if (!account.ok) return { ok: false, reason: 'account_format', msisdn: null, sum_minor: null };
  if (request.sum === undefined || request.sum === '') {
    return sum_required ? { ok: false, reason: 'sum_format', msisdn: account.msisdn, sum_minor: null } : { ok: true, msisdn: account.msisdn, sum_minor: null };
  }
  const sum_minor = parseOsmpSum(request.sum);
  if (sum_minor === undefined || sum_minor === 0) return { ok: false, reason: 'sum_format', msisdn: account.msisdn, sum_minor: null };
  return { ok: true, msisdn: account.msisdn, sum_minor };
}

export class PartnerPayments {
  readonly #options: PartnerPaymentsOptions;

  constructor(options: PartnerPaymentsOptions) {
    this.#options = options;
  }

  #now(): number {
    return this.#options.clock.now_ms();
  }

  /** May this number be paid, and what would this sum buy? Writes nothing. */
  async check(partner: Partner, request: PartnerRequest): Promise<PartnerAnswer> {
    const reading = readRequest(request, false);
    const masked = reading.msisdn === null ? null : maskMsisdn(reading.msisdn);
    if (!reading.ok) return answer(reading.reason, { msisdn_masked: masked, sum_minor: reading.sum_minor });
    const decided = await this.#decide(this.#options.database.db, partner, reading.msisdn, reading.sum_minor);
    if ('reason' in decided) return answer(decided.reason, { msisdn_masked: masked, sum_minor: reading.sum_minor });
    if (reading.sum_minor === null) return answer('account_payable', { msisdn_masked: masked });
    const reason = decided.purchase.kind === 'pack' ? 'pays_pack' : 'pays_top_up';
    return answer(reason, { msisdn_masked: masked, sum_minor: reading.sum_minor, purchase: decided.purchase });
  }

  /** Pays once per (partner, txn_id); see the file's comment. */
  async pay(partner: Partner, api: PartnerApi, request: PartnerRequest): Promise<PartnerAnswer> {
    const txn_id = request.txn_id ?? '';
    if (!TXN_ID_PATTERN.test(txn_id)) return answer('txn_id_format');
    if (api === 'osmp' && !isOsmpTxnDate(request.txn_date ?? '')) return answer('txn_date_format');
    const reading = readRequest(request, true);
    for (let attempt = 1; ; attempt += 1) {
      const existing = await this.#byTxnId(partner.id, txn_id);
      if (existing) return this.#repeat(partner, existing, reading);
      try {
        return await this.#first(partner, api, request, txn_id, reading);
      } catch (error) {
        // Another request with this txn_id wrote its row first: answer as its repeat.
        if (!isUniqueViolation(error) || attempt >= 3) throw error;
      }
    }
  }

  #byTxnId(partner_id: string, txn_id: string): Promise<PartnerPaymentsTable | undefined> {
    return this.#options.database.db.selectFrom('partner_payments').selectAll()
      .where('partner_id', '=', partner_id).where('txn_id', '=', txn_id).executeTakeFirst();
  }

  /** The first pay with this txn_id: refused (and the refusal kept when it names a number and a sum), or accepted and carried out. */
  async #first(partner: Partner, api: PartnerApi, request: PartnerRequest, txn_id: string, reading: Reading): Promise<PartnerAnswer> {
    const masked = reading.msisdn === null ? null : maskMsisdn(reading.msisdn);
    // A request we could not read is not kept: the same bytes again get the same refusal anyway.
    if (!reading.ok || reading.sum_minor === null) return answer(reading.ok ? 'sum_format' : reading.reason, { msisdn_masked: masked });
    const { msisdn, sum_minor } = reading;
    const now_ms = this.#now();
    const row: PartnerPaymentsTable = {
      id: newId('partner_payment'), partner_id: partner.id, txn_id, txn_date: request.txn_date ?? null, msisdn, sum_minor, api,
      state: 'accepted', purchase: null, package_code: null, line_id: null, order_id: null, payment_id: null, entry_id: null,
      result: 0, reason: 'temporary', created_at_ms: now_ms, completed_at_ms: null,
    };
    const decided = await this.#decide(this.#options.database.db, partner, msisdn, sum_minor);
    if ('reason' in decided) return this.#refuse(row, decided.reason);
    const accepted: PartnerPaymentsTable = {
      ...row, line_id: decided.line_id, purchase: decided.purchase.kind,
      package_code: decided.purchase.kind === 'pack' ? decided.purchase.package_code : null,
    };
    if (accepted.purchase === 'top_up') return this.#firstTopUp(partner, accepted);
    // Through inTransaction, not on its own: concurrent writers share one COMMIT (db/transaction.ts).
    await this.#tx((trx) => trx.insertInto('partner_payments').values(accepted).execute());
    return this.#carryOut(partner, accepted, false);
  }

  /** A refusal kept under its txn_id, so a repeat is refused the same way. */
  async #refuse(row: PartnerPaymentsTable, reason: PartnerReason): Promise<PartnerAnswer> {
    const refused = { ...row, state: 'rejected' as const, result: answerCode(reason), reason, completed_at_ms: this.#now() };
    await this.#tx((trx) => trx.insertInto('partner_payments').values(refused).execute());
    return this.#answerOf(refused, false);
  }

  /**
   * A first top-up in one transaction: the row, the credit and the row paid commit together or not
   * at all (a failure leaves nothing, and the agent's repeat starts afresh). Its repeats find it paid.
   */
  async #firstTopUp(partner: Partner, accepted: PartnerPaymentsTable): Promise<PartnerAnswer> {
    try {
      // The credit first: it locks the line, and only then the row (whose foreign key share-locks the
      // line) is written. The other order deadlocks two top-ups of one line on PostgreSQL, each
      // holding the key-share lock the other's FOR UPDATE waits for.
      const paid = await this.#tx(async (trx) => {
        const credited = await this.#credit(trx, partner, accepted);
        const row: PartnerPaymentsTable = { ...accepted, ...credited };
        await trx.insertInto('partner_payments').values(row).execute();
        return row;
      });
      return this.#answerOf(paid, false);
    } catch (error) {
      // The line stopped being active since #decide read it: refused like a line found inactive.
      if (isRoamError(error) && error.code === 'ROAM_ERR_LINE_NOT_ACTIVE') return this.#refuse(accepted, 'account_not_active');
      throw error;
    }
  }

  #tx<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    return inTransaction(this.#options.database, work);
  }

  /** A repeat: the same number and sum get the first result (resuming an unfinished pay); anything else is refused, never paid. */
  async #repeat(partner: Partner, existing: PartnerPaymentsTable, reading: Reading): Promise<PartnerAnswer> {
    const same = reading.msisdn === existing.msisdn && reading.sum_minor === Number(existing.sum_minor);
    if (!same) return answer('txn_conflict', { msisdn_masked: reading.msisdn === null ? null : maskMsisdn(reading.msisdn) });
    if (existing.state === 'accepted') return this.#carryOut(partner, existing, true);
    return this.#answerOf(existing, true);
  }

  /** Whether the line and the sum may be paid by this partner, and what the sum buys. */
  async #decide(
    trx: Executor, partner: Partner, msisdn: string, sum_minor: number | null,
  ): Promise<Acceptance | { reason: PartnerReason }> {
    if (partner.enabled !== 1) return { reason: 'partner_disabled' };
    const line = await trx.selectFrom('lines').select(['id', 'status']).where('msisdn', '=', msisdn).executeTakeFirst();
    if (!line) return { reason: 'account_not_found' };
    if (line.status !== 'active') return { reason: 'account_not_active' };
    if (sum_minor === null) return { line_id: line.id, purchase: { kind: 'top_up' } };
    if (sum_minor < Number(partner.sum_min_minor)) return { reason: 'sum_too_small' };
    if (sum_minor > Number(partner.sum_max_minor)) return { reason: 'sum_too_large' };
    return { line_id: line.id, purchase: await this.#purchaseFor(trx, partner, sum_minor) };
  }

  /** A pack whose current price is exactly the sum, when the partner sells packs; else a top-up by the sum. */
  async #purchaseFor(trx: Executor, partner: Partner, sum_minor: number): Promise<PartnerPurchase> {
    if (partner.sells_packs !== 1) return { kind: 'top_up' };
    const packs = await listPackages(trx, this.#now(), { channel: 'partner' });
    const pack = packs.find((candidate) => candidate.price.amount_minor === sum_minor && candidate.price.currency === 'RUB');
    return pack ? { kind: 'pack', package_code: pack.code, names: pack.names } : { kind: 'top_up' };
  }

  /**
   * Carries an accepted pay to its end. Every step is idempotent under the row's id, so two
   * requests carrying out the same pay at once, or one resuming after a crash, do it once. An
   * unexpected failure leaves the row accepted and answers "temporary error": the agent repeats.
   */
  async #carryOut(partner: Partner, row: PartnerPaymentsTable, replayed: boolean): Promise<PartnerAnswer> {
    try {
      if (row.purchase === 'pack' && row.package_code !== null) await this.#buyPack(partner, row);
      const current = await this.#reload(row.id);
      if (current.state === 'accepted' && current.purchase === 'top_up') await this.#topUp(partner, current);
      return this.#answerOf(await this.#settled(row.id), replayed);
    } catch (error) {
      if (isRoamError(error) && error.code === 'ROAM_ERR_LINE_NOT_ACTIVE') {
        await this.#finish(row.id, { state: 'rejected', reason: 'account_not_active' });
        return this.#answerOf(await this.#reload(row.id), replayed);
      }
      throw error;
    }
  }

  /**
   * The pack through the renewal service, like every other channel's: an order (channel
   * "partner") and an agent payment whose money comes from the partner's settlement account.
   * When the pack's price moved off the sum before the order froze it, the row is switched to a
   * top-up by the sum instead (nothing has been paid yet; the order just expires).
   */
  async #buyPack(partner: Partner, row: PartnerPaymentsTable): Promise<void> {
    const renewal = this.#options.renewal;
    const key = `partner:${row.id}`;
    let created;
    try {
      created = await renewal.createOrder({
        line: { line_id: row.line_id ?? '' }, package_code: row.package_code ?? '', channel: 'partner', idempotency_key: key,
      });
    } catch (error) {
      // The pack went off sale between the accept and its order: the sum still reaches the line.
      if (isRoamError(error) && PACK_GONE_ERRORS.has(error.code)) return this.#switchToTopUp(row.id);
      throw error;
    }
    if (created.order.amount_minor !== Number(row.sum_minor)) return this.#switchToTopUp(row.id);
    const { view } = await renewal.startPayment({
      order_id: created.order.id, method: 'agent', idempotency_key: `${key}:payment`,
      in_person: async (trx, order, payment_id) => {
        await trx.updateTable('partner_payments').set({ order_id: order.id, payment_id }).where('id', '=', row.id).execute();
        return { receiving_account_id: partner.settlement_account_id };
      },
    });
    // Any other state: the payment is still settling (reconciliation finishes it), and the agent's repeat finds it done.
    if (view.order.state === 'active') await this.#finish(row.id, { state: 'paid', reason: 'paid_pack' });
  }

  /** Nothing paid yet (no payment row names it): the pay becomes a top-up by its sum. */
  async #switchToTopUp(id: string): Promise<void> {
    await this.#options.database.db.updateTable('partner_payments').set({ purchase: 'top_up', package_code: null })
      .where('id', '=', id).where('state', '=', 'accepted').where('payment_id', 'is', null).execute();
  }

  /** A top-up left accepted (cut short before its commit by an older version, or resumed): credit and mark paid in one transaction. */
  async #topUp(partner: Partner, row: PartnerPaymentsTable): Promise<void> {
    await retryLostKeyRace(() => this.#tx((trx) => this.#creditAndMarkPaid(trx, partner, row)));
  }

  /** The sum from the partner's settlement account into the line's wallet, and the row paid. */
  async #creditAndMarkPaid(trx: Executor, partner: Partner, row: PartnerPaymentsTable): Promise<void> {
    const paid = await this.#credit(trx, partner, row);
    await trx.updateTable('partner_payments').set(paid).where('id', '=', row.id).where('state', '=', 'accepted').execute();
  }

  /** The credit (idempotent under the row's id) and the row's paid state to record with it. */
  async #credit(trx: Executor, partner: Partner, row: PartnerPaymentsTable) {
    const now_ms = this.#now();
    const credit = await creditWallet(trx, {
      line: { line_id: row.line_id ?? '' }, amount_minor: Number(row.sum_minor), source_account_id: partner.settlement_account_id,
      idempotency_key: `partner:${row.id}`, memo: `Top-up by agent ${partner.code}, txn ${row.txn_id}`,
    }, now_ms);
    await this.#afterTopUp(trx, partner, {
      entry_id: credit.entry_id, line_id: credit.line_id, amount_minor: Number(row.sum_minor), currency: LEDGER_CURRENCY,
      paid_at_ms: now_ms,
    });
    return { state: 'paid' as const, reason: 'paid_top_up', result: 0, entry_id: credit.entry_id, completed_at_ms: now_ms };
  }

  /**
   * The agent took the money for us: in the credit's transaction the advance is fiscalised with the
   * agent's details, and the line is told with its receipt's link — each once per credit, however
   * often this runs.
   */
  async #afterTopUp(trx: Executor, partner: Partner, top_up: Omit<TopUpFacts, 'payment_method' | 'agent'>): Promise<void> {
    const document = await this.#options.fiscal?.recordTopUp(trx, {
      ...top_up, payment_method: 'agent', agent: { name: partner.agent_name, inn: partner.agent_inn },
    }, top_up.paid_at_ms);
    const receipt_path = document === undefined ? null : fiscalDocumentPath(document);
    await notifyTopUp(trx, this.#options.notices, { ...top_up, receipt_path }, top_up.paid_at_ms);
  }

  async #finish(id: string, end: { state: 'paid' | 'rejected'; reason: PartnerReason }): Promise<void> {
    await this.#tx((trx) => trx.updateTable('partner_payments')
      .set({ state: end.state, reason: end.reason, result: answerCode(end.reason), completed_at_ms: this.#now() })
      .where('id', '=', id).where('state', '=', 'accepted').execute());
  }

  /**
   * The row once it is paid or rejected. A repeat that arrives while the first request is still
   * settling the same payment finds it accepted for a moment; waiting that moment out (bounded)
   * answers the till its result rather than "temporary error, repeat".
   */
  async #settled(id: string): Promise<PartnerPaymentsTable> {
    const deadline_ms = Date.now() + SETTLE_WAIT_MS_MAX;
    for (;;) {
      const row = await this.#reload(id);
      if (row.state !== 'accepted' || Date.now() >= deadline_ms) return row;
      await delay(SETTLE_POLL_MS);
    }
  }

  #reload(id: string): Promise<PartnerPaymentsTable> {
    return this.#options.database.db.selectFrom('partner_payments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  /** The answer a stored pay gives: its result, or "temporary" while it is still being carried out. */
  async #answerOf(row: PartnerPaymentsTable, replayed: boolean): Promise<PartnerAnswer> {
    const reason: PartnerReason = row.state === 'accepted' || !isPartnerReason(row.reason) ? 'temporary' : row.reason;
    const purchase: PartnerPurchase | null = row.purchase === 'pack' && row.package_code !== null
      ? { kind: 'pack', package_code: row.package_code, names: (await findPackage(this.#options.database.db, row.package_code)).names }
      : row.purchase === 'top_up' ? { kind: 'top_up' } : null;
    return answer(reason, {
      prv_txn: row.id, sum_minor: Number(row.sum_minor), purchase: row.state === 'rejected' ? null : purchase,
      msisdn_masked: maskMsisdn(row.msisdn), replayed,
    });
  }
}

/** Why a pack accepted a moment ago may no longer be ordered. */
const PACK_GONE_ERRORS: ReadonlySet<ErrorCode> = new Set(['ROAM_ERR_PACKAGE_INACTIVE', 'ROAM_ERR_PACKAGE_NOT_ON_CHANNEL', 'ROAM_ERR_PRICE_NOT_SET']);

function answerCode(reason: PartnerReason): number {
  return OSMP_RESULTS[PARTNER_REASON_OUTCOMES[reason]];
}
