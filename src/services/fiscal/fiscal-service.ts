import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FiscalDocumentSettings } from '../../config.js';
import { fiscalQrText } from '../../core/fiscal-qr.js';
import { newId } from '../../core/ids.js';
import { maskPhoneNumbersInText } from '../../core/phone.js';
import type { Database } from '../../db/database.js';
import type { FiscalDocumentsTable, PaymentsTable, ReceiptsTable, RefundsTable } from '../../db/schema.js';
import { lockOrder } from '../../db/locks.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import {
  fiscalRequestProblems, type FiscalError, type FiscalRegister, type FiscalRequest, type FiscalResult,
} from '../../ports/fiscal-register.js';
import { queueJob } from '../jobs/job-kinds.js';
import { PermanentJobError } from '../jobs/worker.js';
import type { AdvanceFacts } from '../receipts/receipt-document.js';
import type { SellerDetails } from '../receipts/seller.js';
import { vatRateAt } from '../receipts/vat.js';
import {
  ADVANCE_ITEM_NAME, correctionRequestDraft, refundRequestDraft, saleRequestDraft, type FiscalRequestDraft, type SaleFacts,
} from './fiscal-requests.js';

/**
 * Fiscal documents (54-FZ): every receipt roamcard issues is registered at the fiscal register
 * through the outbox, and so is money that reaches no receipt — a wallet top-up, a payment an
 * order did not use — as an advance. The document's row and its `fiscal.register` job are written
 * in the very transaction that writes the receipt (the top-up, the refund), so nothing that took
 * money lacks its document and a document never exists without what it registers. The job sends
 * the frozen request (register), then asks about it (report) until the register has made it; the
 * row's id is the register's external_id, so however often the job runs — twice at once, again
 * after a crash between the call and its answer — the register makes one document.
 */

export type FiscalDocument = FiscalDocumentsTable;

/**
 * While the register says "pending" the document is asked about again, after FISCAL_POLL_DELAY_MS_FIRST,
 * doubling to FISCAL_POLL_DELAY_MS_MAX: a cloud register takes seconds, the sandbox two by default.
 */
export const FISCAL_POLL_DELAY_MS_FIRST = 1_000;
export const FISCAL_POLL_DELAY_MS_MAX = 60_000;
/**
 * At most this many asks of a pending document (about an hour at the delays above). Past it the
 * job goes dead and the document stays pending: `roamcard fiscal pending` and the metrics show it,
 * and `roamcard jobs --retry` asks once more.
 */
export const FISCAL_POLLS_MAX = 60;
/**
 * A register that is down (failed retryable) is retried with the outbox's backoff (capped at five
 * minutes): this many attempts ride out an outage of about two hours before the job goes dead.
 */
export const FISCAL_JOB_ATTEMPTS_MAX = 30;
export const FISCAL_ERROR_TEXT_LENGTH_MAX = 1_000;

/** The sale's request, prepared before the receipt's transaction (reads only), and the register it goes to. */
export interface PreparedSale {
  readonly register: string;
  readonly draft: FiscalRequestDraft;
}

/** What a receipt hands over to be fiscalised: its facts (receipt-service.ts), before it has a number. */
export type ReceiptSaleFacts = Pick<ReceiptsTable, 'order_id' | 'line_id' | 'payment_id' | 'package_code' | 'amount_minor' | 'currency'
| 'vat_rate_percent' | 'payment_method' | 'paid_at_ms'>;

/** How the receipts reach the fiscal documents (ReceiptService's `fiscal` option). */
export interface ReceiptFiscaliser {
  /** The sale's request, or undefined when no document is due (no register, nothing paid). Reads only. */
  prepareSale(facts: ReceiptSaleFacts): Promise<PreparedSale | undefined>;
  /** Writes the document and queues its job, in the receipt's transaction. */
  recordSale(trx: Executor, receipt: Pick<ReceiptsTable, 'number' | 'order_id' | 'line_id'>, prepared: PreparedSale, now_ms: number): Promise<FiscalDocument>;
}

/** How refunds, and the payments they return, reach the fiscal documents (services/renewal refunds and settlement, the desk). */
export interface RefundFiscaliser {
  /**
   * In the refund's transaction, once it has succeeded: the sell_refund document of its sale, and its
   * job. Nothing when the sale has no document (yet: the sale's, when made, brings its refunds along).
   */
  recordRefund(trx: Executor, refund: RefundsTable, now_ms: number): Promise<FiscalDocument | undefined>;
  /**
   * In settlement's transaction: money reached an order that will not use it (a duplicate payment,
   * an order already closed, a pack that cannot be activated) and is to be returned. It was taken,
   * so it is registered now, as an advance; its refund, when the money is back, turns that round.
   */
  recordUnusedPayment(trx: Executor, payment: UnusedPayment, now_ms: number): Promise<FiscalDocument | undefined>;
}

/** The payment facts an unused payment's document is made from. */
export type UnusedPayment = Pick<PaymentsTable, 'id' | 'order_id' | 'line_id' | 'method' | 'amount_minor' | 'currency' | 'finalized_at_ms'>;

/** How wallet top-ups reach the fiscal documents (the partners' top-ups). */
export interface TopUpFiscaliser {
  /** In the top-up's transaction: its document (an advance), once per journal entry. */
  recordTopUp(trx: Executor, top_up: TopUpFacts, now_ms: number): Promise<FiscalDocument | undefined>;
}

/** A wallet top-up as its document needs it. */
export interface TopUpFacts {
  /** The credit's journal entry: the document's subject, one document per entry. */
  readonly entry_id: string;
  readonly line_id: string;
  readonly amount_minor: number;
  readonly currency: string;
  /** When the money came: the document's settlement time, and the VAT of that day. */
  readonly paid_at_ms: number;
  /** How it was paid, as a payments row names methods (a payment agent's top-up: `agent`). */
  readonly payment_method: string;
  /** A payment agent took the money: the agent, as its partner row names it. */
  readonly agent: { readonly name: string; readonly inn: string } | null;
}

export interface FiscalServiceOptions {
  readonly database: Database;
  readonly clock: Clock;
  /** None configured: no document is made, and a job left over goes dead saying so. */
  readonly register: FiscalRegister | undefined;
  /** config.fiscal when a register is configured: the company block and how items are itemised. */
  readonly settings: FiscalDocumentSettings | undefined;
  /** The supplier an agent sells for, and the VAT table an advance's rate is read from. */
  readonly seller: Pick<SellerDetails, 'name' | 'inn' | 'vat_rates'>;
}

/** A correction's reason: one line, kept with the document (the fiscal data format has no tag for it). */
export const CORRECTION_REASON_LENGTH_MAX = 256;

/** What `roamcard fiscal correct` gets: the correction queued (or the same one again), or why none was made. */
export type CorrectionOutcome =
  | { readonly kind: 'queued' | 'repeated'; readonly document: FiscalDocument }
  | { readonly kind: 'no_register' | 'not_found' | 'bad_reason' }
  | { readonly kind: 'not_registered'; readonly status: FiscalDocument['status'] };

/** Documents that need a person: failed ones, and pending ones older than the alert's threshold. */
export interface FiscalAttention {
  readonly pending_overdue: number;
  readonly failed: number;
}

/** `roamcard fiscal pending` lists at most this many, oldest first. */
export const ATTENTION_LISTED_MAX = 200;

/** 128 bits: a page link nobody guesses (as a receipt's verification token). */
const VIEW_TOKEN_BYTES = 16;

/** The page of a document without a receipt (a top-up's, an unused payment's): its link, token included. */
export function fiscalDocumentPath(document: Pick<FiscalDocument, 'id' | 'view_token'>): string {
  return `/fiscal/${encodeURIComponent(document.id)}?t=${encodeURIComponent(document.view_token ?? '')}`;
}

/**
 * What the page of a document without a receipt shows (receipt-document.ts): its subject's
 * documents — the sale first, then its refund — their facts, and the line's language.
 */
export type AdvanceView = Omit<AdvanceFacts, 'documents' | 'line'> & {
  readonly documents: readonly FiscalDocument[];
  readonly line: AdvanceFacts['line'] & { readonly language: string };
};

/** The fiscal currency: registers in Russia take roubles only. */
const FISCAL_CURRENCY = 'RUB';

/** A document's subject and its links (0020-fiscal-subjects): every link of another subject is null. */
type SubjectLink = Pick<FiscalDocument, 'subject' | 'receipt_number' | 'order_id' | 'payment_id' | 'entry_id' | 'line_id'>;
type DocumentLink = SubjectLink & Pick<FiscalDocument, 'operation' | 'refund_id' | 'corrects_id'>;

export class FiscalService implements ReceiptFiscaliser, RefundFiscaliser, TopUpFiscaliser {
  readonly #options: FiscalServiceOptions;

  constructor(options: FiscalServiceOptions) {
    this.#options = options;
  }

  /** The register's name, or undefined when none is configured. */
  get register_name(): string | undefined {
    return this.#options.register?.name;
  }

  async prepareSale(facts: ReceiptSaleFacts): Promise<PreparedSale | undefined> {
    const { register, settings } = this.#options;
    if (register === undefined || settings === undefined) return undefined;
    // A free pack takes no money, and a register takes no zero document; nor any currency but the rouble.
    if (facts.amount_minor <= 0 || facts.currency !== FISCAL_CURRENCY) return undefined;
    const sale = await this.#saleFacts(facts);
    return {
      register: register.name,
      draft: saleRequestDraft(sale, { company: settings.company, terms: settings.items.pack, supplier: this.#options.seller }),
    };
  }

  async recordSale(trx: Executor, receipt: Pick<ReceiptsTable, 'number' | 'order_id' | 'line_id'>, prepared: PreparedSale, now_ms: number): Promise<FiscalDocument> {
    const sale = await this.#record(trx, {
      operation: 'sell', subject: 'receipt', receipt_number: receipt.number, order_id: receipt.order_id, payment_id: null, entry_id: null,
      line_id: receipt.line_id, refund_id: null, corrects_id: null,
    }, prepared, now_ms);
    // A refund that completed before the receipt was issued (a pack refunded within seconds) gets its document now.
    const refunds = await trx.selectFrom('refunds').innerJoin('receipts', 'receipts.payment_id', 'refunds.payment_id').selectAll('refunds')
      .where('receipts.number', '=', receipt.number).where('refunds.status', '=', 'succeeded').execute();
    for (const refund of refunds) await this.#recordRefundOf(trx, sale, refund, now_ms);
    return sale;
  }

  async recordRefund(trx: Executor, refund: RefundsTable, now_ms: number): Promise<FiscalDocument | undefined> {
    if (refund.status !== 'succeeded') return undefined;
    const sale = await this.#saleOfPayment(trx, refund.payment_id);
    return sale === undefined ? undefined : this.#recordRefundOf(trx, sale, refund, now_ms);
  }

  /** The sale document a payment's money is registered by: its receipt's, or its own as an unused payment. */
  async #saleOfPayment(trx: Executor, payment_id: string): Promise<FiscalDocument | undefined> {
    const of_receipt = await trx.selectFrom('fiscal_documents').innerJoin('receipts', 'receipts.number', 'fiscal_documents.receipt_number')
      .selectAll('fiscal_documents').where('receipts.payment_id', '=', payment_id).where('fiscal_documents.operation', '=', 'sell')
      .executeTakeFirst();
    return of_receipt ?? trx.selectFrom('fiscal_documents').selectAll().where('payment_id', '=', payment_id).where('operation', '=', 'sell')
      .executeTakeFirst();
  }

  async recordUnusedPayment(trx: Executor, payment: UnusedPayment, now_ms: number): Promise<FiscalDocument | undefined> {
    // From the wallet to the wallet: no money left the customer, and none comes back to them.
    if (payment.method === 'wallet') return undefined;
    const existing = await trx.selectFrom('fiscal_documents').selectAll().where('payment_id', '=', payment.id).where('operation', '=', 'sell')
      .executeTakeFirst();
    if (existing !== undefined) return existing;
    const paid_at_ms = payment.finalized_at_ms ?? now_ms;
    const source = await this.#sourceOf(trx, payment.id, payment.method);
    return this.#recordAdvance(trx, {
      subject: 'payment', receipt_number: null, order_id: payment.order_id, payment_id: payment.id, entry_id: null, line_id: payment.line_id,
    }, {
      amount_minor: payment.amount_minor, currency: payment.currency, payment_method: payment.method, paid_at_ms,
      client: await this.#clientOf(trx, payment.order_id, payment.line_id), ...source,
    }, now_ms);
  }

  async recordTopUp(trx: Executor, top_up: TopUpFacts, now_ms: number): Promise<FiscalDocument | undefined> {
    const existing = await trx.selectFrom('fiscal_documents').selectAll().where('entry_id', '=', top_up.entry_id).executeTakeFirst();
    if (existing !== undefined) return existing;
    return this.#recordAdvance(trx, {
      subject: 'top_up', receipt_number: null, order_id: null, payment_id: null, entry_id: top_up.entry_id, line_id: top_up.line_id,
    }, {
      amount_minor: top_up.amount_minor, currency: top_up.currency, payment_method: top_up.payment_method, paid_at_ms: top_up.paid_at_ms,
      client: await this.#clientOf(trx, null, top_up.line_id), store_address: null, agent: top_up.agent,
    }, now_ms);
  }

  /**
   * An advance's sale document (FISCAL_TOP_UP_PAYMENT_* terms, VAT of the day the money came): money
   * whose use is not known when it is taken. Nothing without a register, for no money, or in a
   * currency a register does not take.
   */
  async #recordAdvance(
    trx: Executor,
    link: SubjectLink,
    facts: Omit<SaleFacts, 'vat_rate_percent' | 'item_name'>,
    now_ms: number,
  ): Promise<FiscalDocument | undefined> {
    const { register, settings, seller } = this.#options;
    if (register === undefined || settings === undefined) return undefined;
    if (facts.amount_minor <= 0 || facts.currency !== FISCAL_CURRENCY) return undefined;
    const draft = saleRequestDraft(
      { ...facts, vat_rate_percent: vatRateAt(seller.vat_rates, facts.paid_at_ms), item_name: ADVANCE_ITEM_NAME },
      { company: settings.company, terms: settings.items.top_up, supplier: seller },
    );
    return this.#record(trx, { ...link, operation: 'sell', refund_id: null, corrects_id: null }, { register: register.name, draft }, now_ms);
  }

  async #recordRefundOf(trx: Executor, sale: FiscalDocument, refund: RefundsTable, now_ms: number): Promise<FiscalDocument | undefined> {
    const { register } = this.#options;
    if (register === undefined || refund.amount_minor <= 0) return undefined;
    const existing = await trx.selectFrom('fiscal_documents').selectAll().where('refund_id', '=', refund.id).executeTakeFirst();
    if (existing !== undefined) return existing;
    const { external_id: _sale_id, ...sale_request } = requestOf(sale);
    // The refund's own time: when it succeeded (the row's last change, made in this very transaction or before).
    const draft = refundRequestDraft(sale_request, { amount_minor: refund.amount_minor, refunded_at_ms: refund.updated_at_ms });
    return this.#record(trx, { ...subjectOf(sale), operation: 'sell_refund', refund_id: refund.id, corrects_id: null }, { register: register.name, draft }, now_ms);
  }

  /** The order's documents, oldest first: its receipt's (sale, refunds, corrections) and those of payments it did not use. */
  documentsOfOrder(order_id: string): Promise<FiscalDocument[]> {
    return this.#options.database.db.selectFrom('fiscal_documents').selectAll().where('order_id', '=', order_id)
      .orderBy('created_at_ms').orderBy('id').execute();
  }

  /** The receipt's documents, oldest first: what its page and PDF show. */
  documentsOfReceipt(receipt_number: string): Promise<FiscalDocument[]> {
    return this.#options.database.db.selectFrom('fiscal_documents').selectAll().where('receipt_number', '=', receipt_number)
      .orderBy('created_at_ms').orderBy('id').execute();
  }

  /** The order's sale document (its receipt's), if one was made. */
  saleOfOrder(order_id: string): Promise<FiscalDocument | undefined> {
    return this.#options.database.db.selectFrom('fiscal_documents').selectAll().where('order_id', '=', order_id)
      .where('subject', '=', 'receipt').where('operation', '=', 'sell').executeTakeFirst();
  }

  /**
   * The page of a document without a receipt, opened by its link's token (any document of the
   * subject opens it): undefined for a wrong id or token alike, so ids cannot be probed.
   */
  async advanceView(document_id: string, token: string): Promise<AdvanceView | undefined> {
    const db = this.#options.database.db;
    const opened = await this.find(document_id);
    if (opened?.view_token == null || opened.subject === 'receipt') return undefined;
    const expected = Buffer.from(opened.view_token);
    const given = Buffer.from(token);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const documents = await this.#documentsOfSubject(opened).selectAll().orderBy('created_at_ms').orderBy('id').execute();
    const sale = documents.find((document) => document.operation === 'sell') ?? opened;
    const request = requestOf(sale);
    const line = await db.selectFrom('lines').select(['msisdn', 'language', 'time_zone']).where('id', '=', sale.line_id).executeTakeFirstOrThrow();
    return {
      subject: opened.subject, documents, amount_minor: request.total_minor, paid_at_ms: request.time_ms,
      seller: { name: this.#options.seller.name, inn: this.#options.seller.inn }, line,
    };
  }

  /** A wallet top-up's document, by the top-up's journal entry. */
  documentOfTopUp(entry_id: string): Promise<FiscalDocument | undefined> {
    return this.#options.database.db.selectFrom('fiscal_documents').selectAll().where('entry_id', '=', entry_id).executeTakeFirst();
  }

  /**
   * The documents not registered: failed ones, and those still pending `older_than_ms` after they
   * were queued — oldest first, at most ATTENTION_LISTED_MAX.
   */
  needingAttention(older_than_ms: number): Promise<FiscalDocument[]> {
    const before_ms = this.#options.clock.now_ms() - older_than_ms;
    return this.#options.database.db.selectFrom('fiscal_documents').selectAll()
      .where((eb) => eb.or([eb('status', '=', 'failed'), eb.and([eb('status', '=', 'pending'), eb('created_at_ms', '<=', before_ms)])]))
      .orderBy('created_at_ms').orderBy('id').limit(ATTENTION_LISTED_MAX).execute();
  }

  /** How many documents need a person (the metrics' gauge). */
  async attention(older_than_ms: number): Promise<FiscalAttention> {
    const before_ms = this.#options.clock.now_ms() - older_than_ms;
    const db = this.#options.database.db;
    const count = async (status: 'pending' | 'failed', created_before_ms: number) => Number((await db.selectFrom('fiscal_documents')
      .select((eb) => eb.fn.countAll<number>().as('count')).where('status', '=', status).where('created_at_ms', '<=', created_before_ms)
      .executeTakeFirstOrThrow()).count);
    return { pending_overdue: await count('pending', before_ms), failed: await count('failed', Number.MAX_SAFE_INTEGER) };
  }

  /**
   * A correction (sell_correction, on our own initiative) of the registered sale of receipt
   * `receipt_number`, with the reason a person gave: the sale's items and payments as they should
   * have been registered, dated by the sale's settlement. Asked again with the same reason, the
   * correction already made is the answer (a repeated command makes one document).
   */
  async correct(receipt_number: string, reason_text: string): Promise<CorrectionOutcome> {
    const { register } = this.#options;
    if (register === undefined) return { kind: 'no_register' };
    const reason = reason_text.trim();
    if (reason.length === 0 || reason.length > CORRECTION_REASON_LENGTH_MAX || /\p{Cc}/u.test(reason)) return { kind: 'bad_reason' };
    const now_ms = this.#options.clock.now_ms();
    return inTransaction(this.#options.database, async (trx): Promise<CorrectionOutcome> => {
      const found = await trx.selectFrom('fiscal_documents').select('order_id').where('receipt_number', '=', receipt_number)
        .where('operation', '=', 'sell').executeTakeFirst();
      if (found?.order_id == null) return { kind: 'not_found' };
      await lockOrder(trx, found.order_id);
      const sale = (await this.#saleOf({ subject: 'receipt', receipt_number, payment_id: null }, trx))!;
      if (sale.status !== 'registered') return { kind: 'not_registered', status: sale.status };
      const corrections = await trx.selectFrom('fiscal_documents').selectAll().where('corrects_id', '=', sale.id).execute();
      const same = corrections.find((document) => requestOf(document).correction?.reason === reason);
      if (same !== undefined) return { kind: 'repeated', document: same };
      const { external_id: _sale_id, ...sale_request } = requestOf(sale);
      const draft = correctionRequestDraft(sale_request, { reason, corrected_at_ms: now_ms });
      const document = await this.#record(trx, { ...subjectOf(sale), operation: 'sell_correction', refund_id: null, corrects_id: sale.id },
        { register: register.name, draft }, now_ms);
      return { kind: 'queued', document };
    });
  }

  find(document_id: string): Promise<FiscalDocument | undefined> {
    return this.#options.database.db.selectFrom('fiscal_documents').selectAll().where('id', '=', document_id).executeTakeFirst();
  }

  /**
   * The `fiscal.register` job: send the document (or ask about it, once the register gave its uuid)
   * and record the answer. `poll` counts the asks of this document that found it pending.
   */
  async process(document_id: string, poll: number): Promise<void> {
    const document = await this.find(document_id);
    if (document === undefined) throw new PermanentJobError(`fiscal document ${document_id} does not exist`);
    if (document.status !== 'pending') return;
    const { register } = this.#options;
    if (register === undefined) throw new PermanentJobError(`fiscal document ${document_id} waits for register ${document.register}, but no fiscal register is configured`);
    if (register.name !== document.register) {
      throw new PermanentJobError(`fiscal document ${document_id} belongs to register ${document.register}; this installation has ${register.name}`);
    }
    // A refund goes to the register after its sale: while the sale waits there, the refund waits too (bounded as a pending document is).
    if (document.operation === 'sell_refund' && document.register_uuid === null && (await this.#saleOf(document))?.status === 'pending') {
      await this.#askAgainLater(document, poll, { uuid: null });
      return;
    }
    let result: FiscalResult;
    try {
      // Once the register named the document, ask about it; before that (or after a lost answer),
      // send it again: the same external_id is the same document.
      result = document.register_uuid === null
        ? await register.register(requestOf(document))
        : await register.report(document.register_uuid);
    } catch (error) {
      // The port throws only for a request that breaks its rules: a bug, and nothing was sent.
      if (!(error instanceof RangeError)) throw error;
      await this.#fail(document, { code: 'invalid_request', text: error.message, type: 'system' }, undefined);
      throw new PermanentJobError(`fiscal document ${document_id} was refused before sending: ${error.message}`);
    }
    await this.#apply(document, result, poll);
  }

  async #apply(document: FiscalDocument, result: FiscalResult, poll: number): Promise<void> {
    const now_ms = this.#options.clock.now_ms();
    switch (result.status) {
      case 'registered': {
        const { attributes } = result;
        await this.#options.database.db.updateTable('fiscal_documents').set({
          status: 'registered', register_uuid: result.uuid,
          fn_number: attributes.fn_number, fiscal_document_number: attributes.fiscal_document_number,
          fiscal_document_attribute: attributes.fiscal_document_attribute, ecr_registration_number: attributes.ecr_registration_number,
          shift_number: attributes.shift_number, fiscal_receipt_number: attributes.fiscal_receipt_number,
          receipt_datetime_ms: attributes.receipt_datetime_ms, total_minor: attributes.total_minor, is_test: result.is_test ? 1 : 0,
          qr_text: fiscalQrText(attributes, document.operation),
          error_kind: null, error_code: null, error_text: null,
          attempts: document.attempts + 1, registered_at_ms: now_ms, updated_at_ms: now_ms,
        }).where('id', '=', document.id).where('status', '=', 'pending').execute();
        if (document.operation === 'sell') await this.#wakeRefundsOf(document, now_ms);
        return;
      }
      case 'pending':
        await this.#askAgainLater(document, poll, { uuid: result.uuid });
        return;
      case 'failed':
        if (result.kind === 'final') {
          await this.#fail(document, result.error, result.uuid);
          throw new PermanentJobError(`the fiscal register refused document ${document.id}: ${errorForLog(result.error)}`);
        }
        // Kept while it waits, so the pending list says why; the worker's backoff asks again.
        await this.#options.database.db.updateTable('fiscal_documents').set({
          error_kind: 'retryable', error_code: result.error.code, error_text: result.error.text.slice(0, FISCAL_ERROR_TEXT_LENGTH_MAX),
          ...(result.uuid === undefined ? {} : { register_uuid: result.uuid }),
          attempts: document.attempts + 1, updated_at_ms: now_ms,
        }).where('id', '=', document.id).where('status', '=', 'pending').execute();
        throw new Error(`the fiscal register could not take document ${document.id} now: ${errorForLog(result.error)}`);
    }
  }

  /**
   * The document is not made yet: the uuid the register named it by is kept (an ask, counted), and
   * the next ask is queued after a growing delay — at most FISCAL_POLLS_MAX of them. Two runs of one
   * job at once queue the next ask once (its dedupe key is the document's and the ask's number).
   */
  async #askAgainLater(document: FiscalDocument, poll: number, asked: { uuid: string | null }): Promise<void> {
    const now_ms = this.#options.clock.now_ms();
    const next_poll = poll + 1;
    await inTransaction(this.#options.database, async (trx) => {
      if (asked.uuid !== null) {
        await trx.updateTable('fiscal_documents').set({ register_uuid: asked.uuid, attempts: document.attempts + 1, updated_at_ms: now_ms })
          .where('id', '=', document.id).where('status', '=', 'pending').execute();
      }
      if (next_poll > FISCAL_POLLS_MAX) return;
      await queueFiscalJob(trx, document, now_ms, { poll: next_poll, run_after_ms: now_ms + fiscalPollDelayMs(poll) });
    });
    if (next_poll > FISCAL_POLLS_MAX) {
      throw new PermanentJobError(`fiscal document ${document.id} is still pending after ${FISCAL_POLLS_MAX} asks`);
    }
  }

  /**
   * A refund is sent only after its sale, and while the sale was pending its next ask was put off
   * (doubling): now that the sale is registered, that ask is due at once — a refund follows its sale
   * by moments, not by the rest of its backoff.
   */
  async #wakeRefundsOf(sale: FiscalDocument, now_ms: number): Promise<void> {
    const db = this.#options.database.db;
    const waiting = await this.#documentsOfSubject(sale).where('operation', '=', 'sell_refund').where('status', '=', 'pending')
      .where('register_uuid', 'is', null).select('id').execute();
    if (waiting.length === 0) return;
    const waiting_ids = new Set(waiting.map((row) => row.id));
    // The line's pending fiscal jobs are few; their payload names the document.
    const jobs = await db.selectFrom('jobs').select(['id', 'payload']).where('line_id', '=', sale.line_id)
      .where('kind', '=', 'fiscal.register').where('status', '=', 'pending').execute();
    const due = jobs.filter((job) => waiting_ids.has((JSON.parse(job.payload) as { document_id?: string }).document_id ?? '')).map((job) => job.id);
    if (due.length === 0) return;
    await db.updateTable('jobs').set({ run_after_ms: now_ms, updated_at_ms: now_ms }).where('id', 'in', due).where('status', '=', 'pending').execute();
  }

  /** The documents about the same thing as `document`: its receipt's, or its unused payment's, or its top-up's. */
  #documentsOfSubject(document: Pick<FiscalDocument, 'subject' | 'receipt_number' | 'payment_id' | 'entry_id'>) {
    const query = this.#options.database.db.selectFrom('fiscal_documents');
    if (document.subject === 'receipt') return query.where('receipt_number', '=', document.receipt_number);
    return document.subject === 'payment' ? query.where('payment_id', '=', document.payment_id) : query.where('entry_id', '=', document.entry_id);
  }

  /** The sale a refund or a correction turns round: the same receipt's, or the same unused payment's. */
  #saleOf(
    document: Pick<FiscalDocument, 'subject' | 'receipt_number' | 'payment_id'>,
    db: Executor = this.#options.database.db,
  ): Promise<FiscalDocument | undefined> {
    const query = db.selectFrom('fiscal_documents').selectAll().where('operation', '=', 'sell');
    if (document.subject === 'receipt' && document.receipt_number !== null) return query.where('receipt_number', '=', document.receipt_number).executeTakeFirst();
    if (document.subject === 'payment' && document.payment_id !== null) return query.where('payment_id', '=', document.payment_id).executeTakeFirst();
    return Promise.resolve(undefined);
  }

  async #fail(document: FiscalDocument, error: FiscalError, uuid: string | undefined): Promise<void> {
    const now_ms = this.#options.clock.now_ms();
    await this.#options.database.db.updateTable('fiscal_documents').set({
      status: 'failed', error_kind: 'final', error_code: error.code, error_text: error.text.slice(0, FISCAL_ERROR_TEXT_LENGTH_MAX),
      ...(uuid === undefined ? {} : { register_uuid: uuid }),
      attempts: document.attempts + 1, updated_at_ms: now_ms,
    }).where('id', '=', document.id).where('status', '=', 'pending').execute();
  }

  /**
   * Writes a document and queues its job. A request that breaks the port's rules (a bug) is written
   * failed at once, with the rules it breaks: visible to `roamcard fiscal pending`, never sent, and
   * the receipt it belongs to is still issued.
   */
  async #record(
    trx: Executor,
    link: DocumentLink,
    prepared: PreparedSale,
    now_ms: number,
  ): Promise<FiscalDocument> {
    const id = newId('fiscal_document');
    const request: FiscalRequest = { external_id: id, ...prepared.draft };
    const problems = fiscalRequestProblems(request);
    const document: FiscalDocument = {
      id, ...link, register: prepared.register, register_uuid: null, status: problems.length === 0 ? 'pending' : 'failed',
      request_json: JSON.stringify(request),
      fn_number: null, fiscal_document_number: null, fiscal_document_attribute: null, ecr_registration_number: null,
      shift_number: null, fiscal_receipt_number: null, receipt_datetime_ms: null, total_minor: null, is_test: null, qr_text: null,
      error_kind: problems.length === 0 ? null : 'final', error_code: problems.length === 0 ? null : 'invalid_request',
      error_text: problems.length === 0 ? null : problems.join('; ').slice(0, FISCAL_ERROR_TEXT_LENGTH_MAX),
      attempts: 0, created_at_ms: now_ms, updated_at_ms: now_ms, registered_at_ms: null,
      view_token: link.subject === 'receipt' ? null : randomBytes(VIEW_TOKEN_BYTES).toString('base64url'),
    };
    await trx.insertInto('fiscal_documents').values(document).execute();
    if (document.status === 'pending') await queueFiscalJob(trx, document, now_ms, { poll: 0, run_after_ms: now_ms });
    return document;
  }

  /** The stored facts of a sale beyond its receipt: the payer, the pack's Russian name, the desk or the agent. */
  async #saleFacts(facts: ReceiptSaleFacts): Promise<SaleFacts> {
    const db = this.#options.database.db;
    // The tax service reads the document in Russian, whatever language the customer's receipt is in.
    const pack = await db.selectFrom('packages').select(['name_ru']).where('code', '=', facts.package_code).executeTakeFirstOrThrow();
    return {
      amount_minor: facts.amount_minor, currency: facts.currency, vat_rate_percent: facts.vat_rate_percent,
      payment_method: facts.payment_method, paid_at_ms: facts.paid_at_ms, item_name: pack.name_ru,
      client: await this.#clientOf(db, facts.order_id, facts.line_id),
      ...(await this.#sourceOf(db, facts.payment_id, facts.payment_method)),
    };
  }

  /** Where the register sends the electronic receipt: the order's payer e-mail when given, else the line's number. */
  async #clientOf(db: Executor, order_id: string | null, line_id: string): Promise<SaleFacts['client']> {
    const order = order_id === null ? undefined
      : await db.selectFrom('orders').select(['payer_email']).where('id', '=', order_id).executeTakeFirstOrThrow();
    if (order?.payer_email != null) return { email: order.payer_email };
    const line = await db.selectFrom('lines').select(['msisdn']).where('id', '=', line_id).executeTakeFirstOrThrow();
    return { phone: line.msisdn };
  }

  /** Who took the payment's money: a desk (its store's address is the place of settlement) or a payment agent. */
  async #sourceOf(db: Executor, payment_id: string, payment_method: string): Promise<Pick<SaleFacts, 'store_address' | 'agent'>> {
    const store = await db.selectFrom('desk_payments').innerJoin('stores', 'stores.id', 'desk_payments.store_id')
      .select(['stores.city', 'stores.address', 'stores.address_ru']).where('desk_payments.payment_id', '=', payment_id).executeTakeFirst();
    const agent = payment_method === 'agent'
      ? await db.selectFrom('partner_payments').innerJoin('partners', 'partners.id', 'partner_payments.partner_id')
        .select(['partners.agent_name', 'partners.agent_inn']).where('partner_payments.payment_id', '=', payment_id).executeTakeFirst()
      : undefined;
    return {
      store_address: store === undefined ? null : `${store.city}, ${store.address_ru ?? store.address}`,
      agent: agent === undefined ? null : { name: agent.agent_name, inn: agent.agent_inn },
    };
  }
}

/** A document's subject links, for the documents that follow it (refunds, corrections). */
function subjectOf(sale: FiscalDocument): SubjectLink {
  const { subject, receipt_number, order_id, payment_id, entry_id, line_id } = sale;
  return { subject, receipt_number, order_id, payment_id, entry_id, line_id };
}

/** The delay before ask number `poll + 1` of a pending document. */
export function fiscalPollDelayMs(poll: number): number {
  return Math.min(FISCAL_POLL_DELAY_MS_FIRST * 2 ** Math.min(Math.max(poll, 0), 30), FISCAL_POLL_DELAY_MS_MAX);
}

/**
 * The register's error for the job's last_error and the logs: a register may quote the client's
 * number in it, which no log may carry in full.
 */
function errorForLog(error: FiscalError): string {
  return maskPhoneNumbersInText(`${error.code} ${error.text}`);
}

function requestOf(document: FiscalDocument): FiscalRequest {
  return JSON.parse(document.request_json) as FiscalRequest;
}

async function queueFiscalJob(trx: Executor, document: Pick<FiscalDocument, 'id' | 'line_id'>, now_ms: number, next: { poll: number; run_after_ms: number }): Promise<void> {
  await queueJob(trx, 'fiscal.register', { document_id: document.id, poll: next.poll }, {
    line_id: document.line_id, dedupe_key: `fiscal:${document.id}:${next.poll}`, run_after_ms: next.run_after_ms, attempts_max: FISCAL_JOB_ATTEMPTS_MAX,
  }, now_ms);
}
